/**
 * The cheap check made before any SDP goes to rtpengine: is it well-formed (RFC 8866 §5 line
 * grammar and the fields rtpengine relies on) and does it hold at least one media stream
 * rtpengine can anchor? A failure is an UnsatisfiableSdp whose reason the eP-CSCF puts in the
 * Warning of its 488 (RFC 3261 §21.4.26, TS 24.229 §5.2.7).
 *
 * Only o=, c=, m= and a=rtcp matter here, read with the same patterns sdp-transform uses for
 * them. A full sdp-transform parse tried each of its ~60 attribute patterns on every a= line
 * of a browser offer: it was the largest single cost of a call in the eIMS-AGW (BENCHMARKS.md,
 * "eP-CSCF vs Kamailio (calls)"); this runs every offer and answer of every call.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { UnsatisfiableSdp } from './errors.ts';
import { lineEnd, nextLine } from './sdp-lines.ts';

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
/** RFC 8866 §5: the one-letter types, in any order the parser accepts (then "=", no NUL or CR). */
const LINE_TYPES = new Uint8Array(128);
for (const c of 'vosiuepcbtrzkam') LINE_TYPES[c.charCodeAt(0)] = 1;
// sdp-transform's patterns for the lines read here (its grammar.js), applied after "x=".
const ORIGIN = /^(\S*) (\d*) (\d*) (\S*) IP(\d) (\S*)/;
const CONNECTION = /^IN IP(\d) (\S*)/;
const MEDIA = /^(\w*) (\d*)(?:\/(\d*))? ([\w/]*)(?: (.*))?/;
const RTCP = /^rtcp:(\d*)(?: (\S*) IP(\d) (\S*))?/;

export interface SdpCheckOptions {
  /** Largest SDP accepted, in bytes; default 32,768 (the NG request must fit one datagram). */
  readonly maxBytes?: number;
}

interface Connection {
  readonly version: number;
  readonly ip: string;
}

interface Section {
  readonly type: string | undefined;
  readonly port: number | undefined;
  readonly protocol: string;
  readonly payloads: string;
  connection: Connection | undefined;
  rtcp: { readonly ipVer: number | undefined; readonly address: string | undefined } | undefined;
}

export function checkSdp(sdp: string, options: SdpCheckOptions = {}): SdpSummary {
  const maxBytes = options.maxBytes ?? 32_768;
  if (Buffer.byteLength(sdp, 'utf8') > maxBytes)
    throw new UnsatisfiableSdp(`SDP larger than ${maxBytes} bytes`);
  // Lines end at LF, with or without CR; empty lines at the end do not count. Read in place, in
  // one pass: a browser's offer has forty lines, and only o=, c=, m= and a=rtcp are parsed.
  let stop = sdp.length;
  while (stop > 0 && sdp.charCodeAt(stop - 1) === 0x0a) {
    stop--;
    if (stop > 0 && sdp.charCodeAt(stop - 1) === 0x0d) stop--;
  }
  let index = 0;
  let firstIsV0 = false;
  let malformed = -1;
  let seen = 0; // bits: 1 o=, 2 s=, 4 t=
  let hasTlsId = false;
  let origin: RegExpExecArray | null | undefined;
  let sessionConnection: Connection | undefined;
  const sections: Section[] = [];
  let nul = sdp.indexOf('\0');
  let cr = sdp.indexOf('\r');
  for (let at = 0; at < stop; index++) {
    const end = lineEnd(sdp, at, stop);
    const type = sdp.charCodeAt(at);
    if (index === 0) firstIsV0 = end - at === 3 && sdp.startsWith('v=0', at);
    while (nul >= 0 && nul < at) nul = sdp.indexOf('\0', at);
    while (cr >= 0 && cr < at) cr = sdp.indexOf('\r', at);
    if (
      malformed < 0 &&
      (end - at < 2 ||
        type > 0x7f ||
        LINE_TYPES[type] !== 1 ||
        sdp.charCodeAt(at + 1) !== 0x3d ||
        (nul >= 0 && nul < end) ||
        (cr >= 0 && cr < end))
    )
      malformed = index;
    const section = sections.at(-1);
    if (type === 0x6d /* m */) sections.push(mediaSection(sdp.slice(at + 2, end)));
    else if (type === 0x6f /* o */) {
      seen |= 1;
      origin = ORIGIN.exec(sdp.slice(at + 2, end)) ?? origin;
    } else if (type === 0x73 /* s */) seen |= 2;
    else if (type === 0x74 /* t */) seen |= 4;
    else if (type === 0x63 /* c */) {
      const c = connectionOf(sdp.slice(at + 2, end));
      if (c !== undefined) {
        if (section === undefined) sessionConnection = c;
        else section.connection = c;
      }
    } else if (type === 0x61 /* a */) {
      if (sdp.startsWith('a=tls-id:', at)) hasTlsId = true;
      else if (section !== undefined && sdp.startsWith('a=rtcp:', at)) {
        const m = RTCP.exec(sdp.slice(at + 2, end));
        if (m !== null) section.rtcp = { ipVer: intOf(m[3]), address: m[4] };
      }
    }
    at = nextLine(sdp, end);
  }
  if (!firstIsV0) throw new UnsatisfiableSdp('SDP does not start with v=0');
  if (malformed >= 0) throw new UnsatisfiableSdp(`malformed SDP line ${malformed + 1}`);
  if ((seen & 1) === 0) throw new UnsatisfiableSdp('SDP has no o= line');
  if ((seen & 2) === 0) throw new UnsatisfiableSdp('SDP has no s= line');
  if ((seen & 4) === 0) throw new UnsatisfiableSdp('SDP has no t= line');

  // The origin's address only names the session (RFC 8866 §5.2): a host name is fine there.
  if (
    origin === undefined ||
    origin === null ||
    origin[4] !== 'IN' ||
    (origin[5] !== '4' && origin[5] !== '6') ||
    !origin[6]
  )
    throw new UnsatisfiableSdp('malformed o= line');
  checkConnection(sessionConnection, 'session');

  const usable: { type: string; protocol: string; port: number }[] = [];
  sections.forEach((media, index) => {
    const where = `m= line ${index + 1}`;
    if (media.port === undefined || media.port < 0 || media.port > 65_535)
      throw new UnsatisfiableSdp(`bad port in ${where}`);
    checkConnection(media.connection, where);
    if (media.rtcp?.address !== undefined && !validAddress(media.rtcp.ipVer, media.rtcp.address))
      throw new UnsatisfiableSdp(`malformed a=rtcp in ${where}`);
    const payloads = media.payloads.trim();
    if (payloads === '') throw new UnsatisfiableSdp(`no formats in ${where}`);
    if (RTP_PROTOCOLS.has(media.protocol) && !/^\d{1,3}( \d{1,3})*$/.test(payloads))
      throw new UnsatisfiableSdp(`bad payload types in ${where}`);
    const connected = media.connection !== undefined || sessionConnection !== undefined;
    const type = media.type ?? '';
    if (media.port !== 0 && connected && MEDIA_TYPES.has(type) && RTP_PROTOCOLS.has(media.protocol))
      usable.push({ type, protocol: media.protocol, port: media.port });
  });
  if (usable.length === 0) throw new UnsatisfiableSdp('no usable media stream (audio or video over RTP)');
  return { media: usable, hasTlsId };
}

/** An m= line; one sdp-transform's pattern does not match still opens a section (with no port). */
function mediaSection(content: string): Section {
  const m = MEDIA.exec(content);
  return {
    type: m?.[1],
    port: intOf(m?.[2]),
    protocol: m?.[4] ?? '',
    payloads: m?.[5] ?? '',
    connection: undefined,
    rtcp: undefined,
  };
}

/** A c= line sdp-transform can read; it ignores one it cannot (so does this). */
function connectionOf(content: string): Connection | undefined {
  const m = CONNECTION.exec(content);
  const version = intOf(m?.[1]);
  return m === null || version === undefined ? undefined : { version, ip: m[2] ?? '' };
}

/** A decimal integer written as such ("" and "007" are not, as in sdp-transform). */
function intOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return String(n) === v && Number.isInteger(n) ? n : undefined;
}

function checkConnection(connection: Connection | undefined, where: string): void {
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
