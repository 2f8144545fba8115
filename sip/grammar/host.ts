import { isIP } from 'node:net';
import { HOSTNAME } from './chars.ts';

export type HostKind = 'domain' | 'ipv4' | 'ipv6';

/**
 * host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1). A hostname's last label
 * (toplabel) starts with a letter, so a host whose last label starts with a digit must be an
 * IPv4 address; only IPv6 references go through node:net. Returns undefined when invalid.
 */
export function classifyHost(host: string): HostKind | undefined {
  return classifyHostAt(host, 0, host.length);
}

/** classifyHost for the host written in s[start, end), without cutting it out. */
export function classifyHostAt(s: string, start: number, end: number): HostKind | undefined {
  const n = end - start;
  if (n <= 0) return undefined;
  const c0 = s.charCodeAt(start);
  if (c0 === 0x5b) {
    if (n < 4 || s.charCodeAt(end - 1) !== 0x5d) return undefined;
    const addr = s.slice(start + 1, end - 1);
    if (isIP(addr) === 6) return 'ipv6';
    // RFC 5118 §4.10: accept the extra colon produced by the RFC 3261 ABNF bug.
    return addr.includes(':::') && isIP(addr.replace(':::', '::')) === 6 ? 'ipv6' : undefined;
  }
  if (c0 === 0x2d || c0 === 0x2e) return undefined;
  let lastDot = start - 1;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || HOSTNAME[c] !== 1) return undefined;
    if (c === 0x2e && i < end - 1) lastDot = i;
  }
  const t = s.charCodeAt(lastDot + 1);
  if (t >= 0x30 && t <= 0x39) return isIpv4At(s, start, end) ? 'ipv4' : undefined;
  return 'domain';
}

/** End of the run of hostname characters (alphanum, "-", ".") that starts at s[i], before end. */
export function hostnameEnd(s: string, i: number, end: number): number {
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || HOSTNAME[c] !== 1) break;
  }
  return i;
}

/**
 * classifyHost for s[start, end) when every character there is a hostname character (as
 * hostnameEnd found them): only the first character and the toplabel need looking at.
 */
export function classifyHostname(s: string, start: number, end: number): HostKind | undefined {
  if (end <= start) return undefined;
  const c0 = s.charCodeAt(start);
  if (c0 === 0x2d || c0 === 0x2e) return undefined;
  // The toplabel starts after the last dot before the final character (a trailing dot is
  // allowed). A loop bounded by start: lastIndexOf is a runtime call in V8 and, for a name with
  // no dot, would search the text before start too.
  let dot = end - 2;
  while (dot >= start && s.charCodeAt(dot) !== 0x2e) dot--;
  const t = s.charCodeAt(dot < start ? start : dot + 1);
  if (t >= 0x30 && t <= 0x39) return isIpv4At(s, start, end) ? 'ipv4' : undefined;
  return 'domain';
}

/** IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each 0-255. */
export function isIpv4(s: string): boolean {
  return isIpv4At(s, 0, s.length);
}

export function isIpv4At(s: string, start: number, end: number): boolean {
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const c = i === end ? 0x2e : s.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || value > 255) return false;
      parts++;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (++digits > 3) return false;
      value = value * 10 + (c - 0x30);
    } else {
      return false;
    }
  }
  return parts === 4;
}
