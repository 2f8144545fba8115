import { readdirSync, readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { parse as parseSdp } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { UnsatisfiableSdp } from './errors.ts';
import { checkSdp, type SdpSummary } from './sdp-check.ts';

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
    // A CR is a line end only right before LF: a bare one, last or not, is a malformed line.
    expect(reasonOf(`${PCMA}a=sendrecv\r`)).toBe('malformed SDP line 9');
    expect(reasonOf(PCMA.replace('s=-\r\n', 's=-\r'))).toBe('malformed SDP line 3');
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

/**
 * The check as it was written on sdp-transform's full parse (before the line reader replaced
 * it for speed): both must give the same verdict and summary on every input.
 */
function referenceCheck(sdp: string): { reason?: string; summary?: SdpSummary } {
  const fail = (reason: string) => ({ reason });
  if (Buffer.byteLength(sdp, 'utf8') > 32_768) return fail('SDP larger than 32768 bytes');
  const lines = sdp.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== 'v=0') return fail('SDP does not start with v=0');
  const bad = lines.findIndex((line) => !/^[vosiuepcbtrzkam]=[^\0\r\n]*$/.test(line));
  if (bad >= 0) return fail(`malformed SDP line ${bad + 1}`);
  for (const required of ['o=', 's=', 't='])
    if (!lines.some((line) => line.startsWith(required))) return fail(`SDP has no ${required} line`);
  const session = parseSdp(sdp);
  const origin = session.origin as Partial<typeof session.origin> | undefined;
  if (origin?.netType !== 'IN' || (origin.ipVer !== 4 && origin.ipVer !== 6) || !origin.address)
    return fail('malformed o= line');
  const address = (v: number | undefined, a: string | undefined) => {
    const host = (a ?? '').split('/')[0] ?? '';
    return a !== undefined && (v === 4 ? isIPv4(host) : v === 6 ? isIPv6(host) : false);
  };
  const c = session.connection;
  if (c !== undefined && !address(c.version, c.ip)) return fail('malformed c= line (session)');
  const rtp = ['RTP/AVP', 'RTP/AVPF', 'RTP/SAVP', 'RTP/SAVPF', 'UDP/TLS/RTP/SAVP', 'UDP/TLS/RTP/SAVPF'];
  const usable: { type: string; protocol: string; port: number }[] = [];
  for (const [index, media] of session.media.entries()) {
    const where = `m= line ${index + 1}`;
    if (!Number.isInteger(media.port) || media.port < 0 || media.port > 65_535)
      return fail(`bad port in ${where}`);
    const mc = media.connection;
    if (mc !== undefined && !address(mc.version, mc.ip)) return fail(`malformed c= line (${where})`);
    if (media.rtcp?.address !== undefined && !address(media.rtcp.ipVer, media.rtcp.address))
      return fail(`malformed a=rtcp in ${where}`);
    const payloads = String(media.payloads ?? '').trim();
    if (payloads === '') return fail(`no formats in ${where}`);
    if (rtp.includes(media.protocol) && !/^\d{1,3}( \d{1,3})*$/.test(payloads))
      return fail(`bad payload types in ${where}`);
    const connected = mc !== undefined || c !== undefined;
    if (
      media.port !== 0 &&
      connected &&
      ['audio', 'video'].includes(media.type) &&
      rtp.includes(media.protocol)
    )
      usable.push({ type: media.type, protocol: media.protocol, port: media.port });
  }
  if (usable.length === 0) return fail('no usable media stream (audio or video over RTP)');
  return { summary: { media: usable, hasTlsId: lines.some((line) => line.startsWith('a=tls-id:')) } };
}

function verdict(sdp: string): { reason?: string; summary?: SdpSummary } {
  try {
    return { summary: checkSdp(sdp) };
  } catch (error) {
    if (error instanceof UnsatisfiableSdp) return { reason: error.reason };
    throw error;
  }
}

/** Every .sdp file of the shared vectors. */
function allVectors(): string[] {
  const root = new URL('../../shared/vectors/sdp/', import.meta.url);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('.sdp'))
    .map((p) => readFileSync(new URL(p, root), 'utf8'));
}

/** Edits of the lines this check reads (o=, c=, m=, a=rtcp), each applied alone. */
const EDITS: readonly ((line: string) => string | undefined)[] = [
  () => undefined,
  (l) => l.replace(/\d/, 'x'),
  (l) => l.replace(/ \S+$/, ''),
  (l) => l.replace(' ', '  '),
  (l) => l.replace('IP4', 'IP6'),
  (l) => l.replace('IN', 'XX'),
  (l) => l.replace(/\d+/, '070000'),
  (l) => l.replace(/\d+/, '007'),
  (l) => `${l} 1.2.3.4`,
  (l) => l.replace(/ [^ ]*$/, ' 127.0.0.1/255'),
  (l) => l.replace(/RTP\/\w+/, 'TCP/MSRP'),
  (l) => l.slice(0, 6),
];

describe('SDP pre-check against a full sdp-transform parse', () => {
  it('[RFC3261-21.4.26-unsatisfiable-sdp] MUST give the verdict the full parse gives, on every vector and on edits of the lines it reads', () => {
    let compared = 0;
    for (const sdp of allVectors()) {
      const lines = sdp.split(/\r?\n/);
      const inputs = [sdp];
      lines.forEach((line, i) => {
        if (!/^(o|c|m)=|^a=rtcp:/.test(line)) return;
        for (const edit of EDITS) {
          const edited = edit(line);
          inputs.push(
            [...lines.slice(0, i), ...(edited === undefined ? [] : [edited]), ...lines.slice(i + 1)].join(
              '\r\n',
            ),
          );
        }
      });
      for (const input of inputs) {
        expect(verdict(input)).toEqual(referenceCheck(input));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
