import { describe, expect, it } from 'vitest';
import { offersVideo, rejectVideo, videoDirections, withSending } from './call-video.ts';

const OFFER = (videoPort: number) =>
  [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=sendrecv',
    `m=video ${videoPort} UDP/TLS/RTP/SAVPF 96`,
    'a=sendrecv',
    '',
  ].join('\r\n');

describe('video in a call', () => {
  it('[RFC3264-5.1-video-offer] MUST see a video call in an offer with an m=video line whose port is not 0', () => {
    expect(offersVideo(OFFER(9))).toBe(true);
    expect(offersVideo(OFFER(0))).toBe(false);
    expect(offersVideo('v=0\r\nm=audio 9 RTP/AVP 0\r\n')).toBe(false);
    expect(offersVideo(undefined)).toBe(false);
  });

  it('[RFC3264-6-video-reject] MUST reject an offered video stream with port 0 and take it out of the BUNDLE group, audio untouched', () => {
    const offer = [
      'v=0',
      'a=group:BUNDLE 0 1',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=mid:0',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:1',
      'a=sendrecv',
      '',
    ].join('\r\n');
    expect(rejectVideo(offer)).toBe(
      [
        'v=0',
        'a=group:BUNDLE 0',
        'm=audio 9 UDP/TLS/RTP/SAVPF 111',
        'a=mid:0',
        'm=video 0 UDP/TLS/RTP/SAVPF 96',
        'a=mid:1',
        'a=sendrecv',
        '',
      ].join('\r\n'),
    );
    expect(offersVideo(rejectVideo(offer))).toBe(false);
    // video alone in its group: the group goes
    expect(rejectVideo('a=group:BUNDLE v\nm=video 5004/2 RTP/AVP 96\na=mid:v\n')).toBe(
      'm=video 0 RTP/AVP 96\na=mid:v\n',
    );
  });

  it('[RFC3264-6-video-reject] MUST treat a rejected (stopped) video stream as no video, and read each direction from the negotiated one', () => {
    expect(videoDirections([{ kind: 'video', currentDirection: 'stopped' }])).toEqual({
      negotiated: false,
      sending: false,
      receiving: false,
    });
    expect(videoDirections([{ kind: 'audio', currentDirection: 'sendrecv' }]).negotiated).toBe(false);
    // not negotiated yet
    expect(videoDirections([{ kind: 'video', currentDirection: null }]).negotiated).toBe(false);
    expect(videoDirections([{ kind: 'video', currentDirection: 'sendrecv' }])).toEqual({
      negotiated: true,
      sending: true,
      receiving: true,
    });
    expect(videoDirections([{ kind: 'video', currentDirection: 'recvonly' }])).toEqual({
      negotiated: true,
      sending: false,
      receiving: true,
    });
    expect(videoDirections([{ kind: 'video', currentDirection: 'sendonly' }])).toEqual({
      negotiated: true,
      sending: true,
      receiving: false,
    });
    // stopped here, before a negotiation says so
    expect(
      videoDirections([{ kind: 'video', currentDirection: 'inactive', direction: 'stopped' }]).negotiated,
    ).toBe(false);
    expect(videoDirections([{ kind: 'video', currentDirection: 'inactive' }])).toEqual({
      negotiated: true,
      sending: false,
      receiving: false,
    });
  });

  it('[RFC3264-8.4-camera] MUST drop or regain only the send part of the video direction when the camera goes off or on', () => {
    expect(withSending('sendrecv', false)).toBe('recvonly');
    expect(withSending('recvonly', true)).toBe('sendrecv');
    expect(withSending('sendonly', false)).toBe('inactive');
    expect(withSending('inactive', true)).toBe('sendonly');
    expect(withSending('sendrecv', true)).toBe('sendrecv');
  });
});
