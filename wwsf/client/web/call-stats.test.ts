import { describe, expect, it } from 'vitest';
import { summariseStats } from './call-stats.ts';

describe('in-call statistics', () => {
  it('[WIC-stats-getstats] MUST report codec, packets, loss, jitter and RTT from a getStats report', () => {
    const stats = summariseStats([
      { id: 'C1', type: 'codec', mimeType: 'audio/opus', clockRate: 48000 },
      { id: 'O1', type: 'outbound-rtp', kind: 'audio', packetsSent: 250, bytesSent: 20_000, codecId: 'C1' },
      {
        id: 'I1',
        type: 'inbound-rtp',
        kind: 'audio',
        packetsReceived: 240,
        packetsLost: 3,
        jitter: 0.0042,
        bytesReceived: 19_000,
        codecId: 'C1',
      },
      { id: 'R1', type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.0215 },
      { id: 'V1', type: 'outbound-rtp', kind: 'video', packetsSent: 999 },
    ]);
    expect(stats).toEqual({
      codec: 'opus 48 kHz',
      packetsSent: 250,
      packetsReceived: 240,
      packetsLost: 3,
      jitterMs: 4.2,
      rttMs: 21.5,
      bytesSent: 20_000,
      bytesReceived: 19_000,
      // the video stream's packets are not counted as audio; it is reported apart
      video: { codec: undefined, received: undefined, sent: expect.objectContaining({ frames: 0 }) },
    });
  });

  it('[WIC-video-stats] MUST report the video codec, the picture size and rate each way and the frames decoded', () => {
    const stats = summariseStats([
      { id: 'CV', type: 'codec', mimeType: 'video/VP8', clockRate: 90000 },
      {
        id: 'IV',
        type: 'inbound-rtp',
        kind: 'video',
        packetsReceived: 900,
        frameWidth: 640,
        frameHeight: 360,
        framesPerSecond: 14.6,
        framesDecoded: 210,
        codecId: 'CV',
      },
      {
        id: 'OV',
        type: 'outbound-rtp',
        kind: 'video',
        packetsSent: 880,
        frameWidth: 320,
        frameHeight: 180,
        framesSent: 205,
        codecId: 'CV',
      },
      { id: 'IA', type: 'inbound-rtp', kind: 'audio', packetsReceived: 40 },
    ]);
    expect(stats.packetsReceived).toBe(40);
    expect(stats.video).toEqual({
      codec: 'VP8',
      received: { width: 640, height: 360, framesPerSecond: 15, frames: 210 },
      sent: { width: 320, height: 180, framesPerSecond: undefined, frames: 205 },
    });
    // A video stream that never carried a packet (rejected, audio call) is not reported.
    expect(
      summariseStats([{ id: 'IV', type: 'inbound-rtp', kind: 'video', packetsReceived: 0 }]).video,
    ).toBeUndefined();
  });

  it('[WIC-stats-getstats] MUST fall back to the selected ICE candidate pair for RTT, and report nothing it does not have', () => {
    const stats = summariseStats([
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
      { id: 'P', type: 'candidate-pair', state: 'succeeded', currentRoundTripTime: 0.001 },
      { id: 'I', type: 'inbound-rtp', mediaType: 'audio', packetsReceived: 5 },
    ]);
    expect(stats).toMatchObject({ rttMs: 1, packetsReceived: 5, codec: undefined, jitterMs: undefined });
    expect(summariseStats([])).toMatchObject({ packetsSent: 0, rttMs: undefined });
  });

  // Shapes recorded from firefox-esr 153 in a call with Chromium (conformance/wic/wic-firefox.test.ts).
  const firefox = (remoteInbound: Record<string, unknown>) => [
    {
      id: 'c021cff',
      type: 'codec',
      codecType: 'encode',
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
    },
    {
      id: '6ed4b775',
      type: 'codec',
      codecType: 'decode',
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
    },
    {
      id: 'd2c266dc',
      type: 'inbound-rtp',
      kind: 'audio',
      mediaType: 'audio',
      codecId: '6ed4b775',
      jitter: 0.001,
      packetsLost: 0,
      packetsReceived: 328,
      bytesReceived: 34_546,
    },
    {
      id: '49240513',
      type: 'outbound-rtp',
      kind: 'audio',
      mediaType: 'audio',
      codecId: 'c021cff',
      packetsSent: 303,
      bytesSent: 24_137,
    },
    {
      id: '44f0170f',
      type: 'remote-inbound-rtp',
      kind: 'audio',
      mediaType: 'audio',
      codecId: 'c021cff',
      ...remoteInbound,
    },
    { id: '2601628', type: 'remote-outbound-rtp', kind: 'audio', packetsSent: 144 },
    {
      id: '6ab342cc',
      type: 'candidate-pair',
      selected: true,
      nominated: true,
      state: 'succeeded',
      currentRoundTripTime: 0.021,
    },
    {
      id: 'd8d8eab8',
      type: 'candidate-pair',
      selected: false,
      nominated: false,
      state: 'cancelled',
      currentRoundTripTime: 0,
    },
    { id: '6bd63431', type: 'transport', dtlsRole: 'server', selectedCandidatePairId: '6ab342cc' },
  ];

  it("[WIC-stats-getstats] MUST read Firefox's report: codecs per direction, RTCP round trip once measured, else the selected pair", () => {
    // Before the first RTCP measurement Firefox omits roundTripTime: the ICE pair in use answers.
    expect(summariseStats(firefox({ roundTripTimeMeasurements: 0, totalRoundTripTime: 0 }))).toEqual({
      codec: 'opus 48 kHz',
      packetsSent: 303,
      packetsReceived: 328,
      packetsLost: 0,
      jitterMs: 1,
      rttMs: 21,
      bytesSent: 24_137,
      bytesReceived: 34_546,
    });
    const measured = firefox({
      roundTripTime: 0.004,
      roundTripTimeMeasurements: 2,
      totalRoundTripTime: 0.008,
    });
    expect(summariseStats(measured).rttMs).toBe(4);
  });
});
