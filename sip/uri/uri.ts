import { allIn, isEscapedIn, PARAMCHAR, SCHEME } from '../grammar/chars.ts';
import type { HostKind } from '../grammar/host.ts';
import { Params } from '../grammar/params.ts';
import { type SipUri, scanSipUri } from './sip-uri.ts';

/**
 * URIs as RFC 3261 §19.1 (sip, sips), RFC 3966 (tel) define them; any other scheme is kept
 * opaque (RFC 3261 §19.1: a proxy must not reject a message for a URI scheme it does not
 * understand unless it has to route on it).
 *
 * Fields keep the escaped form as written; `unescape()` gives the decoded text when needed
 * (RFC 3261 §19.1.4 comparison, RFC 4475 §3.1.1.3).
 */
export type Uri = SipUri | TelUri | OpaqueUri;

export type { HostKind, SipUri };

export interface TelUri {
  scheme: 'tel';
  number: string;
  params: Params;
}

export interface OpaqueUri {
  scheme: string;
  /** everything after "scheme:" */
  opaque: string;
}

export type UriResult = { ok: true; uri: Uri } | { ok: false; reason: string };

const fail = (reason: string): UriResult => ({ ok: false, reason });

export function parseUri(text: string): UriResult {
  // Fast path for the schemes this product routes on: "sip:" / "sips:" in any case.
  const c0 = text.charCodeAt(0) | 0x20;
  if (c0 === 0x73 && (text.charCodeAt(1) | 0x20) === 0x69 && (text.charCodeAt(2) | 0x20) === 0x70) {
    const c3 = text.charCodeAt(3);
    if (c3 === 0x3a) return parseSipUri('sip', text, 4);
    if ((c3 | 0x20) === 0x73 && text.charCodeAt(4) === 0x3a) return parseSipUri('sips', text, 5);
  }
  const colon = text.indexOf(':');
  if (colon <= 0) return fail(`'${text}' has no URI scheme`);
  const scheme = text.slice(0, colon);
  if (c0 < 0x61 || c0 > 0x7a || !allIn(SCHEME, scheme)) return fail(`'${scheme}' is not a URI scheme`);
  const lower = scheme.toLowerCase();
  const rest = text.slice(colon + 1);
  if (lower === 'tel') return parseTelUri(rest);
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return fail(`URI '${text}' contains whitespace or a control character`);
  }
  return { ok: true, uri: { scheme: lower, opaque: rest } };
}

function parseSipUri(scheme: 'sip' | 'sips', s: string, p: number): UriResult {
  const r = scanSipUri(scheme, s, p, true);
  return typeof r === 'object' ? { ok: true, uri: r } : fail(r as string);
}

/** parseUri without the result object, for parsers that build on it: the URI, or the fault. */
export function uriOrFault(text: string): Uri | string {
  const c0 = text.charCodeAt(0) | 0x20;
  if (c0 === 0x73 && (text.charCodeAt(1) | 0x20) === 0x69 && (text.charCodeAt(2) | 0x20) === 0x70) {
    const c3 = text.charCodeAt(3);
    if (c3 === 0x3a) return scanSipUri('sip', text, 4, true) as SipUri | string;
    if ((c3 | 0x20) === 0x73 && text.charCodeAt(4) === 0x3a)
      return scanSipUri('sips', text, 5, true) as SipUri | string;
  }
  const r = parseUri(text);
  return r.ok ? r.uri : r.reason;
}

/**
 * Checks a URI without building it (the Request-URI of a message that is only forwarded):
 * returns the fault, or whether it is a sip/sips URI with a headers component.
 */
export function checkUri(text: string): string | boolean {
  const c0 = text.charCodeAt(0) | 0x20;
  if (c0 === 0x73 && (text.charCodeAt(1) | 0x20) === 0x69 && (text.charCodeAt(2) | 0x20) === 0x70) {
    const c3 = text.charCodeAt(3);
    if (c3 === 0x3a) return scanSipUri('sip', text, 4, false) as string | boolean;
    if ((c3 | 0x20) === 0x73 && text.charCodeAt(4) === 0x3a)
      return scanSipUri('sips', text, 5, false) as string | boolean;
  }
  const r = parseUri(text);
  return r.ok ? false : r.reason;
}

/** telephone-subscriber of RFC 3966, checked loosely: visual separators, digits, '+', '*', '#', params. */
function parseTelUri(s: string): UriResult {
  const semi = s.indexOf(';');
  const number = semi >= 0 ? s.slice(0, semi) : s;
  if (!/^\+?[0-9A-Fa-f*#().-]+$/.test(number)) return fail(`'${number}' is not a telephone number`);
  const params = new Params();
  if (semi >= 0) {
    for (const item of s.slice(semi + 1).split(';')) {
      const eq = item.indexOf('=');
      const name = eq >= 0 ? item.slice(0, eq) : item;
      if (!isEscapedIn(PARAMCHAR, name)) return fail(`tel URI parameter '${item}' is malformed`);
      const value = eq >= 0 ? item.slice(eq + 1) : null;
      if (value !== null && !isEscapedIn(PARAMCHAR, value))
        return fail(`tel URI parameter '${item}' is malformed`);
      params.names.push(name);
      params.values.push(value);
    }
  }
  return { ok: true, uri: { scheme: 'tel', number, params } };
}

export function isSipUri(u: Uri): u is SipUri {
  return u.scheme === 'sip' || u.scheme === 'sips';
}

export function isTelUri(u: Uri): u is TelUri {
  return u.scheme === 'tel';
}

export function formatUri(u: Uri): string {
  if (isSipUri(u)) {
    let s = `${u.scheme}:`;
    if (u.user !== undefined) s += u.password !== undefined ? `${u.user}:${u.password}@` : `${u.user}@`;
    s += u.host;
    if (u.port !== undefined) s += `:${u.port}`;
    s += u.params.toString();
    if (u.headers !== undefined) s += `?${u.headers}`;
    return s;
  }
  if (isTelUri(u)) return `tel:${u.number}${u.params.toString()}`;
  return `${u.scheme}:${(u as OpaqueUri).opaque}`;
}

/** Decodes %HH escapes once (never recursively: RFC 4475 §3.1.1.3). Bytes are read as UTF-8. */
export function unescapeUri(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const enc = Buffer.from(s[i]!, 'utf8');
      for (const b of enc) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
