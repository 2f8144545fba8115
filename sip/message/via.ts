import { allIn, DIGIT, HOSTNAME, isToken, isWs, skipWs } from '../grammar/chars.ts';
import { classifyHost, type HostKind } from '../grammar/host.ts';
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

function readToken(s: string, i: number): [string, number] {
  const start = i;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isWs(c) || c === 0x2f || c === 0x3b || c === 0x2c || c === 0x3a) break;
    i++;
  }
  return [s.slice(start, i), i];
}

function parseViaParm(s: string, i: number): { via: Via; end: number } | string {
  i = skipWs(s, i);
  const [protocol, i1] = readToken(s, i);
  if (!isToken(protocol))
    return protocol === '' ? 'empty Via value' : `Via protocol '${protocol}' is not a token`;
  i = skipWs(s, i1);
  if (s.charCodeAt(i) !== 0x2f) return 'Via sent-protocol lacks "/"';
  const [version, i2] = readToken(s, skipWs(s, i + 1));
  if (!isToken(version)) return 'Via protocol version is not a token';
  i = skipWs(s, i2);
  if (s.charCodeAt(i) !== 0x2f) return 'Via sent-protocol lacks its transport';
  const [transport, i3] = readToken(s, skipWs(s, i + 1));
  if (!isToken(transport)) return 'Via transport is not a token';
  i = skipWs(s, i3);
  if (i === i3) return 'Via lacks whitespace between sent-protocol and sent-by';
  // sent-by = host [ COLON port ]
  const hostStart = i;
  if (s.charCodeAt(i) === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0) return 'Via IPv6 reference lacks "]"';
    i = close + 1;
  } else {
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (isWs(c) || c === 0x3a || c === 0x3b || c === 0x2c) break;
      i++;
    }
  }
  const host = s.slice(hostStart, i);
  const hostKind = classifyHost(host);
  if (hostKind === undefined) {
    if (host === '') return 'Via has no sent-by host';
    return host.charCodeAt(0) === 0x5b
      ? `Via host '${host}' is not a valid IPv6 reference`
      : `Via host '${host}' is not valid (an IPv6 address needs [ ] and a port goes after them)`;
  }
  let port: number | undefined;
  const afterHost = skipWs(s, i);
  if (s.charCodeAt(afterHost) === 0x3a) {
    const p0 = skipWs(s, afterHost + 1);
    let p1 = p0;
    while (p1 < s.length && s.charCodeAt(p1) >= 0x30 && s.charCodeAt(p1) <= 0x39) p1++;
    const p = s.slice(p0, p1);
    if (!allIn(DIGIT, p) || p.length > 5 || Number(p) > 65535) return `Via port '${p}' is not valid`;
    port = Number(p);
    i = p1;
  }
  const pr = parseGenericParams(s, i);
  if (typeof pr === 'string') return `Via parameters: ${pr}`;
  return {
    via: { protocol, version, transport: transport.toUpperCase(), host, hostKind, port, params: pr.params },
    end: pr.end,
  };
}

export function formatVia(v: Via): string {
  const port = v.port === undefined ? '' : `:${v.port}`;
  return `${v.protocol}/${v.version}/${v.transport} ${v.host}${port}${v.params.toString()}`;
}
