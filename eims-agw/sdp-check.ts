/**
 * The cheap check made before any SDP goes to rtpengine: is it well-formed (RFC 8866 §5 line
 * grammar and the fields rtpengine relies on) and does it hold at least one media stream
 * rtpengine can anchor? A failure is an UnsatisfiableSdp whose reason the eP-CSCF puts in the
 * Warning of its 488 (RFC 3261 §21.4.26, TS 24.229 §5.2.7). sdp-transform does the parsing;
 * it is lenient, so the line grammar and addresses are checked here first.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { type MediaDescription, parse } from 'sdp-transform';
import { UnsatisfiableSdp } from './errors.ts';

/** What the policy and the gateway need to know about a checked SDP. */
export interface SdpSummary {
  /** The usable (anchorable) media streams. */
  readonly media: readonly { readonly type: string; readonly protocol: string; readonly port: number }[];
  /** Some media section carries `a=tls-id` (RFC 8842). */
  readonly hasTlsId: boolean;
}

/** Transport protocols rtpengine relays (RTP profiles, with or without DTLS). */
const RTP_PROTOCOLS = new Set([
  'RTP/AVP',
  'RTP/AVPF',
  'RTP/SAVP',
  'RTP/SAVPF',
  'UDP/TLS/RTP/SAVP',
  'UDP/TLS/RTP/SAVPF',
]);
const MEDIA_TYPES = new Set(['audio', 'video']);
/** RFC 8866 §5: the one-letter types, in any order the parser accepts. */
const LINE = /^[vosiuepcbtrzkam]=[^\0\r\n]*$/;

export interface SdpCheckOptions {
  /** Largest SDP accepted, in bytes; default 32,768 (the NG request must fit one datagram). */
  readonly maxBytes?: number;
}

export function checkSdp(sdp: string, options: SdpCheckOptions = {}): SdpSummary {
  const maxBytes = options.maxBytes ?? 32_768;
  if (Buffer.byteLength(sdp, 'utf8') > maxBytes)
    throw new UnsatisfiableSdp(`SDP larger than ${maxBytes} bytes`);
  const lines = sdp.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== 'v=0') throw new UnsatisfiableSdp('SDP does not start with v=0');
  lines.forEach((line, index) => {
    if (!LINE.test(line)) throw new UnsatisfiableSdp(`malformed SDP line ${index + 1}`);
  });
  for (const required of ['o=', 's=', 't=']) {
    if (!lines.some((line) => line.startsWith(required)))
      throw new UnsatisfiableSdp(`SDP has no ${required} line`);
  }

  const session = parse(sdp);
  const origin = session.origin as Partial<typeof session.origin> | undefined;
  // The origin's address only names the session (RFC 8866 §5.2): a host name is fine there.
  if (origin?.netType !== 'IN' || (origin.ipVer !== 4 && origin.ipVer !== 6) || !origin.address)
    throw new UnsatisfiableSdp('malformed o= line');
  checkConnection(session.connection, 'session');

  const usable: { type: string; protocol: string; port: number }[] = [];
  session.media.forEach((media: MediaDescription, index) => {
    const where = `m= line ${index + 1}`;
    if (!Number.isInteger(media.port) || media.port < 0 || media.port > 65_535)
      throw new UnsatisfiableSdp(`bad port in ${where}`);
    checkConnection(media.connection, where);
    if (media.rtcp?.address !== undefined && !validAddress(media.rtcp.ipVer, media.rtcp.address))
      throw new UnsatisfiableSdp(`malformed a=rtcp in ${where}`);
    const payloads = String(media.payloads ?? '').trim();
    if (payloads === '') throw new UnsatisfiableSdp(`no formats in ${where}`);
    if (RTP_PROTOCOLS.has(media.protocol) && !/^\d{1,3}( \d{1,3})*$/.test(payloads))
      throw new UnsatisfiableSdp(`bad payload types in ${where}`);
    const connected = media.connection !== undefined || session.connection !== undefined;
    if (media.port !== 0 && connected && MEDIA_TYPES.has(media.type) && RTP_PROTOCOLS.has(media.protocol))
      usable.push({ type: media.type, protocol: media.protocol, port: media.port });
  });
  if (usable.length === 0) throw new UnsatisfiableSdp('no usable media stream (audio or video over RTP)');
  return { media: usable, hasTlsId: lines.some((line) => line.startsWith('a=tls-id:')) };
}

function checkConnection(connection: { version: number; ip: string } | undefined, where: string): void {
  if (connection === undefined) return;
  if (!validAddress(connection.version, connection.ip))
    throw new UnsatisfiableSdp(`malformed c= line (${where})`);
}

/** `IN IP4 <dotted quad>` or `IN IP6 <address>`; host names are not accepted by rtpengine. */
function validAddress(ipVer: number | undefined, address: string | undefined): boolean {
  if (address === undefined) return false;
  // A multicast c= may carry /ttl; rtpengine relays unicast only, but the syntax is valid.
  const host = address.split('/')[0] ?? '';
  if (ipVer === 4) return isIPv4(host);
  if (ipVer === 6) return isIPv6(host);
  return false;
}
