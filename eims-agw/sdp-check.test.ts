import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UnsatisfiableSdp } from './errors.ts';
import { checkSdp } from './sdp-check.ts';

const vector = (path: string) =>
  readFileSync(new URL(`../../shared/vectors/sdp/${path}`, import.meta.url), 'utf8');

function reasonOf(sdp: string): string | undefined {
  try {
    checkSdp(sdp);
    return undefined;
  } catch (error) {
    if (error instanceof UnsatisfiableSdp) return error.reason;
    throw error;
  }
}

const PCMA = [
  'v=0',
  'o=- 1 1 IN IP4 192.0.2.10',
  's=-',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 40000 RTP/AVP 8 101',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  '',
].join('\r\n');

describe('SDP pre-check', () => {
  it('[RFC3261-21.4.26-unsatisfiable-sdp] MUST accept real WebRTC and IMS offers', () => {
    for (const path of [
      'aiortc/audio_chrome.sdp',
      'aiortc/audio_firefox.sdp',
      'aiortc/video_chrome.sdp',
      'aiortc/safari.sdp',
      'sdp-transform/jssip.sdp',
      'sipjs_withTcpCandidatesAndTelephoneEvents.sdp',
      'ims/volte_ue_offer_evs_amrwb_precondition.sdp',
      'ims/volte_sbc_183_answer_amr.sdp',
    ])
      expect([path, reasonOf(vector(path))]).toEqual([path, undefined]);
    expect(checkSdp(vector('aiortc/audio_chrome.sdp')).media).toEqual([
      { type: 'audio', protocol: 'UDP/TLS/RTP/SAVPF', port: 45076 },
    ]);
  });

  it('[RFC3261-21.4.26-unsatisfiable-sdp] MUST refuse malformed SDP with a reason fit for a Warning header', () => {
    expect(reasonOf(vector('sdp-transform/invalid.sdp'))).toBe('malformed SDP line 10');
    expect(reasonOf('')).toBe('SDP does not start with v=0');
    expect(reasonOf('hello world')).toBe('SDP does not start with v=0');
    expect(reasonOf(PCMA.replace('s=-\r\n', ''))).toBe('SDP has no s= line');
    expect(reasonOf(PCMA.replace('c=IN IP4 192.0.2.10', 'c=IN IP4 999.1.1.1'))).toBe(
      'malformed c= line (session)',
    );
    expect(reasonOf(PCMA.replace('c=IN IP4 192.0.2.10', 'c=IN IP7 X'))).toBe('malformed c= line (session)');
    expect(reasonOf(PCMA.replace('o=- 1 1 IN IP4 192.0.2.10', 'o=garbage'))).toBe('malformed o= line');
    expect(reasonOf(PCMA.replace('RTP/AVP 8 101', 'RTP/AVP 8 x1'))).toBe('bad payload types in m= line 1');
    expect(reasonOf(PCMA.replace('a=rtpmap:8', 'a=rtcp:9 IN IP7 X\r\na=rtpmap:8'))).toBe(
      'malformed a=rtcp in m= line 1',
    );
    expect(reasonOf(`${PCMA}a=x:\u0000\r\n`)).toBe('malformed SDP line 9');
    expect(reasonOf(PCMA + `a=x:${'y'.repeat(40_000)}\r\n`)).toBe('SDP larger than 32768 bytes');
  });

  it('[RFC3261-21.4.26-unsatisfiable-sdp] MUST refuse SDP with no media stream rtpengine can anchor', () => {
    const none = 'no usable media stream (audio or video over RTP)';
    expect(reasonOf(PCMA.replace(/m=audio[\s\S]*$/, ''))).toBe(none);
    expect(reasonOf(PCMA.replace('m=audio 40000', 'm=audio 0'))).toBe(none);
    expect(reasonOf(vector('sdp-transform/sctp-dtls-26.sdp'))).toBe(none);
    // No connection address anywhere for the stream.
    expect(reasonOf(PCMA.replace('c=IN IP4 192.0.2.10\r\n', ''))).toBe(none);
  });

  it('[TS23334-6.2.10-tls-id] MUST report whether the offer carries a=tls-id', () => {
    expect(checkSdp(PCMA).hasTlsId).toBe(false);
    expect(checkSdp(`${PCMA}a=tls-id:abc\r\n`).hasTlsId).toBe(true);
  });
});
