import { HEX, HNV, isEscapedAt, PARAMCHAR, PASSWORD, USER } from '../grammar/chars.ts';
import { classifyHostAt, classifyHostname, type HostKind, hostnameEnd } from '../grammar/host.ts';
import { Params } from '../grammar/params.ts';

/**
 * SIP-URI / SIPS-URI = ( "sip:" / "sips:" ) [ userinfo ] hostport uri-parameters [ headers ]
 * (RFC 3261 §19.1.1, §25.1).
 */
export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | undefined;
  password: string | undefined;
  /** host as written; an IPv6 reference keeps its brackets */
  host: string;
  hostKind: HostKind;
  port: number | undefined;
  params: Params;
  /** the headers component after '?', escaped, without the '?' */
  headers: string | undefined;
}

/**
 * Reads the part of a sip/sips URI after "scheme:", s[p, s.length), in one pass over the text:
 * every component is checked where it is written and cut out only when `build` is set (the
 * URI parameters are located, not cut: see Params). Returns the fault; otherwise the URI when
 * building, else whether it has a headers component.
 */
export function scanSipUri(
  scheme: 'sip' | 'sips',
  s: string,
  p: number,
  build: boolean,
): SipUri | string | boolean {
  const end = s.length;
  let user: string | undefined;
  let password: string | undefined;
  let i = p;
  let c = 0;
  // userinfo ends at the first '@': neither user nor password may contain one.
  const at = s.indexOf('@', p);
  if (at >= 0) {
    while (i < at) {
      c = s.charCodeAt(i);
      if (c < 128 && USER[c] === 1) i++;
      else if (c === 0x25 && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) i += 3;
      else break;
    }
    const userEnd = i;
    if (userEnd === p || (i < at && c !== 0x3a)) {
      let pc = s.indexOf(':', p);
      if (pc < 0 || pc > at) pc = at;
      return `user part '${s.slice(p, pc)}' has characters not allowed in a SIP URI`;
    }
    if (i < at) {
      for (i++; i < at; ) {
        c = s.charCodeAt(i);
        if (c < 128 && PASSWORD[c] === 1) i++;
        else if (c === 0x25 && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) i += 3;
        else return 'password part has characters not allowed in a SIP URI';
      }
      if (build) password = s.slice(userEnd + 1, at);
    }
    if (build) user = s.slice(p, userEnd);
    i = at + 1;
  }

  // host: hostname / IPv4address / IPv6reference
  const hs = i;
  let hostKind: HostKind | undefined;
  if (s.charCodeAt(i) === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0) return 'IPv6 reference is missing its closing bracket';
    i = close + 1;
    hostKind = classifyHostAt(s, hs, i);
  } else {
    i = hostnameEnd(s, i, end);
    c = s.charCodeAt(i);
    if (i === end || c === 0x3a || c === 0x3b || c === 0x3f) hostKind = classifyHostname(s, hs, i);
  }
  if (hostKind === undefined) return hostFault(s, hs);
  const host = build ? s.slice(hs, i) : '';

  let port: number | undefined;
  if (s.charCodeAt(i) === 0x3a) {
    let n = 0;
    let j = i + 1;
    for (; j < end; j++) {
      c = s.charCodeAt(j);
      if (c === 0x3b || c === 0x3f) break;
      n = c >= 0x30 && c <= 0x39 ? n * 10 + (c - 0x30) : Number.NaN;
    }
    if (j === i + 1 || j - i > 6 || !(n <= 65535)) return `'${s.slice(i + 1, j)}' is not a valid port`;
    port = n;
    i = j;
  }

  let marks: number[] | undefined;
  while (s.charCodeAt(i) === 0x3b) {
    const nameStart = i + 1;
    let eq = -1;
    let valid = true;
    let j = nameStart;
    for (; j < end; j++) {
      c = s.charCodeAt(j);
      if (c < 128 && PARAMCHAR[c] === 1) continue;
      if (c === 0x3b || c === 0x3f) break;
      if (c === 0x3d && eq < 0) eq = j;
      else if (c === 0x25 && isHex(s.charCodeAt(j + 1)) && isHex(s.charCodeAt(j + 2))) j += 2;
      else valid = false;
    }
    const nameEnd = eq < 0 ? j : eq;
    if (!valid || nameEnd === nameStart || eq === j - 1) return paramFault(s, nameStart, nameEnd, j);
    if (build) {
      if (marks === undefined) marks = [nameStart, nameEnd, eq < 0 ? -1 : eq + 1, eq < 0 ? -1 : j];
      else marks.push(nameStart, nameEnd, eq < 0 ? -1 : eq + 1, eq < 0 ? -1 : j);
    }
    i = j;
  }

  let headers: string | undefined;
  const hasHeaders = s.charCodeAt(i) === 0x3f;
  if (hasHeaders) {
    for (let h = i + 1; h <= end; ) {
      let amp = s.indexOf('&', h);
      if (amp < 0) amp = end;
      let eq = s.indexOf('=', h);
      if (eq > amp) eq = -1;
      if (eq <= h || !isEscapedAt(HNV, s, h, eq) || !isEscapedAt(HNV, s, eq + 1, amp, true))
        return `URI header '${s.slice(h, amp)}' is malformed`;
      h = amp + 1;
    }
    if (build) headers = s.slice(i + 1);
    i = end;
  }
  if (i !== end) return `unexpected '${s.slice(i)}' in SIP URI`;
  if (!build) return hasHeaders;
  const params = marks === undefined ? new Params() : Params.located(s, marks);
  return { scheme, user, password, host, hostKind, port, params, headers };
}

function isHex(c: number): boolean {
  return c < 128 && HEX[c] === 1;
}

/** The fault of the host starting at s[hs] (it runs to the first ':', ';' or '?'). */
function hostFault(s: string, hs: number): string {
  if (s.charCodeAt(hs) === 0x5b) {
    const close = s.indexOf(']', hs);
    return `'${s.slice(hs, close + 1)}' is not a valid IPv6 reference`;
  }
  let j = hs;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c === 0x3a || c === 0x3b || c === 0x3f) break;
    j++;
  }
  return j === hs ? 'SIP URI has no host' : `'${s.slice(hs, j)}' is not a valid host`;
}

function paramFault(s: string, nameStart: number, nameEnd: number, end: number): string {
  if (!isEscapedAt(PARAMCHAR, s, nameStart, nameEnd))
    return `URI parameter '${s.slice(nameStart, end)}' is malformed`;
  return `value of URI parameter '${s.slice(nameStart, nameEnd)}' is malformed`;
}
