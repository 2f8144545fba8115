/**
 * Character classes of the RFC 3261 §25.1 grammar as 128-entry lookup tables.
 * Tables are indexed by char code; codes >= 128 are outside every class here
 * (UTF-8 only appears in quoted strings, comments and reason phrases).
 */

function table(chars: string, ranges: Array<[string, string]> = []): Uint8Array {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  for (const [from, to] of ranges) {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) t[c] = 1;
  }
  return t;
}

const ALNUM: Array<[string, string]> = [
  ['a', 'z'],
  ['A', 'Z'],
  ['0', '9'],
];

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = table("-.!%*_+`'~", ALNUM);
/** unreserved = alphanum / mark; mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")" */
export const UNRESERVED = table("-_.!~*'()", ALNUM);
/** user = 1*( unreserved / escaped / user-unreserved ); user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/" */
export const USER = table("-_.!~*'()&=+$,;?/", ALNUM);
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
export const PASSWORD = table("-_.!~*'()&=+$,", ALNUM);
/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$" */
export const PARAMCHAR = table("-_.!~*'()[]/:&+$", ALNUM);
/** hname / hvalue = *( hnv-unreserved / unreserved / escaped ); hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$" */
export const HNV = table("-_.!~*'()[]/?:+$", ALNUM);
/** word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" / "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}") */
export const WORD = table('-.!%*_+`\'~()<>:\\"/[]?{}', ALNUM);
/** hostname characters (labels of alphanum and "-", joined by ".") */
export const HOSTNAME = table('-.', ALNUM);
export const DIGIT = table('0123456789');
export const HEX = table('0123456789abcdefABCDEF');
/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
export const SCHEME = table('+-.', ALNUM);

export function inClass(cls: Uint8Array, code: number): boolean {
  return code < 128 && cls[code] === 1;
}

/** True when every character of s (non-empty) is in the class. */
export function allIn(cls: Uint8Array, s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || cls[c] !== 1) return false;
  }
  return true;
}

export function isToken(s: string): boolean {
  return allIn(TOKEN, s);
}

export function isWs(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Skips SP / HTAB (the message parser has already unfolded CRLF+WSP into SP). */
export function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}

/** Trims SP / HTAB from both ends without allocating when nothing to trim. */
export function trimWs(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * Checks that %-escapes in s are well formed (escaped = "%" HEXDIG HEXDIG) and that every
 * other character is in cls. Used for URI user, password, params and headers.
 */
export function isEscapedIn(cls: Uint8Array, s: string, allowEmpty = false): boolean {
  return isEscapedAt(cls, s, 0, s.length, allowEmpty);
}

/** isEscapedIn for s[start, end), without cutting it out. */
export function isEscapedAt(
  cls: Uint8Array,
  s: string,
  start: number,
  end: number,
  allowEmpty = false,
): boolean {
  if (end <= start) return allowEmpty;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x25 && c < 128 && cls[c] === 1) continue;
    if (c !== 0x25 || i + 2 >= end) return false;
    const h1 = s.charCodeAt(i + 1);
    const h2 = s.charCodeAt(i + 2);
    if (!(h1 < 128 && HEX[h1] === 1 && h2 < 128 && HEX[h2] === 1)) return false;
    i += 2;
  }
  return true;
}
