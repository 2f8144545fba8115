import { isWs, skipWs, TOKEN } from '../grammar/chars.ts';
import { classifyHostAt, classifyHostname, type HostKind, hostnameEnd } from '../grammar/host.ts';
import { type Params, parseGenericParams } from '../grammar/params.ts';

/**
 * Via = ( "Via" / "v" ) HCOLON via-parm *(COMMA via-parm)
 * via-parm = sent-protocol LWS sent-by *( SEMI via-params )     (RFC 3261 §20.42, §25.1)
 */
export interface Via {
  protocol: string;
  version: string;
  /** upper case: UDP, TCP, TLS, SCTP, WS, WSS or an extension */
  transport: string;
  host: string;
  hostKind: HostKind;
  port: number | undefined;
  params: Params;
}

/** RFC 3261 §8.1.1.7: branch IDs of RFC 3261 elements start with this cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

/** Parses every via-parm of one Via header value; returns a fault description on error. */
export function parseVia(value: string): Via[] | string {
  const out: Via[] = [];
  let i = 0;
  for (;;) {
    const r = parseViaParm(value, i);
    if (typeof r === 'string') return r;
    out.push(r.via);
    i = skipWs(value, r.end);
    if (i >= value.length) return out;
    if (value.charCodeAt(i) !== 0x2c) return `unexpected '${value[i]}' after Via value`;
    i = skipWs(value, i + 1);
  }
}

/**
 * Parses only the first via-parm of a Via header value (the top Via of the message), leaving
 * the rest for later: what every layer needs, at the cost of one via-parm.
 */
export function parseTopVia(value: string): Via | string {
  const r = parseViaParm(value, 0);
  if (typeof r === 'string') return r;
  const i = skipWs(value, r.end);
  if (i < value.length && value.charCodeAt(i) !== 0x2c) return `unexpected '${value[i]}' after Via value`;
  return r.via;
}

/**
 * End of the token starting at s[i] when it is one and is followed by what may follow a
 * sent-protocol element (SP, HTAB, "/", ";", ",", ":" or the end); else the negated end of the
 * text that should have been a token (for the fault message). An empty token ends at -i.
 */
function tokenEnd(s: string, i: number): number {
  let j = i;
  let c = s.charCodeAt(j);
  while (j < s.length && c < 128 && TOKEN[c] === 1) c = s.charCodeAt(++j);
  if (j > i && (j === s.length || isElementEnd(c))) return j;
  while (j < s.length && !isElementEnd(s.charCodeAt(j))) j++;
  return -j;
}

function isElementEnd(c: number): boolean {
  return isWs(c) || c === 0x2f || c === 0x3b || c === 0x2c || c === 0x3a;
}

/** s[a, b) as a string, without allocating when it is the usual "SIP" or "2.0". */
function element(s: string, a: number, b: number, usual: string): string {
  if (b - a !== usual.length) return s.slice(a, b);
  for (let k = 0; k < usual.length; k++)
    if (s.charCodeAt(a + k) !== usual.charCodeAt(k)) return s.slice(a, b);
  return usual;
}

/** The transport in upper case, without allocating for the registered ones. */
function transportAt(s: string, a: number, b: number): string {
  for (const t of TRANSPORTS) {
    if (t.length !== b - a) continue;
    let k = 0;
    while (k < t.length && (s.charCodeAt(a + k) & 0xdf) === t.charCodeAt(k)) k++;
    if (k === t.length) return t;
  }
  return s.slice(a, b).toUpperCase();
}

const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'WSS', 'WS', 'SCTP', 'TLS-SCTP'];

function parseViaParm(s: string, i: number): { via: Via; end: number } | string {
  i = skipWs(s, i);
  const p0 = i;
  const p1 = tokenEnd(s, p0);
  if (p1 <= 0) return p1 === -p0 ? 'empty Via value' : `Via protocol '${s.slice(p0, -p1)}' is not a token`;
  i = skipWs(s, p1);
  if (s.charCodeAt(i) !== 0x2f) return 'Via sent-protocol lacks "/"';
  const v0 = skipWs(s, i + 1);
  const v1 = tokenEnd(s, v0);
  if (v1 <= 0) return 'Via protocol version is not a token';
  i = skipWs(s, v1);
  if (s.charCodeAt(i) !== 0x2f) return 'Via sent-protocol lacks its transport';
  const t0 = skipWs(s, i + 1);
  const t1 = tokenEnd(s, t0);
  if (t1 <= 0) return 'Via transport is not a token';
  i = skipWs(s, t1);
  if (i === t1) return 'Via lacks whitespace between sent-protocol and sent-by';
  // sent-by = host [ COLON port ]
  const hostStart = i;
  let hostKind: HostKind | undefined;
  if (s.charCodeAt(i) === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0) return 'Via IPv6 reference lacks "]"';
    i = close + 1;
    hostKind = classifyHostAt(s, hostStart, i);
  } else {
    i = hostnameEnd(s, i, s.length);
    if (i === s.length || isHostEnd(s.charCodeAt(i))) hostKind = classifyHostname(s, hostStart, i);
    else {
      while (i < s.length && !isHostEnd(s.charCodeAt(i))) i++;
      hostKind = undefined;
    }
  }
  if (hostKind === undefined) {
    if (i === hostStart) return 'Via has no sent-by host';
    const host = s.slice(hostStart, i);
    return host.charCodeAt(0) === 0x5b
      ? `Via host '${host}' is not a valid IPv6 reference`
      : `Via host '${host}' is not valid (an IPv6 address needs [ ] and a port goes after them)`;
  }
  const host = s.slice(hostStart, i);
  let port: number | undefined;
  const afterHost = skipWs(s, i);
  if (s.charCodeAt(afterHost) === 0x3a) {
    const d0 = skipWs(s, afterHost + 1);
    let d1 = d0;
    let n = 0;
    for (let c = s.charCodeAt(d1); c >= 0x30 && c <= 0x39; c = s.charCodeAt(++d1)) n = n * 10 + (c - 0x30);
    if (d1 === d0 || d1 - d0 > 5 || n > 65535) return `Via port '${s.slice(d0, d1)}' is not valid`;
    port = n;
    i = d1;
  }
  const pr = parseGenericParams(s, i);
  if (typeof pr === 'string') return `Via parameters: ${pr}`;
  return {
    via: {
      protocol: element(s, p0, p1, 'SIP'),
      version: element(s, v0, v1, '2.0'),
      transport: transportAt(s, t0, t1),
      host,
      hostKind,
      port,
      params: pr.params,
    },
    end: pr.end,
  };
}

function isHostEnd(c: number): boolean {
  return isWs(c) || c === 0x3a || c === 0x3b || c === 0x2c;
}

export function formatVia(v: Via): string {
  const port = v.port === undefined ? '' : `:${v.port}`;
  return `${v.protocol}/${v.version}/${v.transport} ${v.host}${port}${v.params.toString()}`;
}
