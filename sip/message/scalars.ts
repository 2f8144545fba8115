import { allIn, DIGIT, isToken, skipWs, WORD } from '../grammar/chars.ts';

/** CSeq = 1*DIGIT LWS Method; the number is below 2^31 (RFC 3261 §8.1.1.5, §20.16). */
export interface CSeq {
  seq: number;
  method: string;
}

const MAX_CSEQ = 2 ** 31 - 1;

export function parseCSeq(value: string): CSeq | string {
  let i = 0;
  let seq = 0;
  for (let c = value.charCodeAt(0); c >= 0x30 && c <= 0x39; c = value.charCodeAt(++i))
    seq = seq * 10 + (c - 0x30);
  if (i === 0) return 'CSeq does not start with a sequence number';
  const j = skipWs(value, i);
  if (j === i) return 'CSeq lacks whitespace between number and method';
  const method = value.slice(j);
  if (!isToken(method)) return `CSeq method '${method}' is not a token`;
  if (i > 10 || seq > MAX_CSEQ) return `CSeq number ${value.slice(0, i)} exceeds 2^31-1`;
  return { seq, method };
}

/** A non-negative decimal integer no larger than max (Content-Length, Max-Forwards, Expires...). */
export function parseUint(value: string, max: number): number | string {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return `'${value}' is not a non-negative integer`;
    n = n * 10 + (c - 0x30);
  }
  if (value.length === 0) return `'${value}' is not a non-negative integer`;
  if (value.length > 15 || n > max) return `${value} exceeds ${max}`;
  return n;
}

/** Max-Forwards = 1*DIGIT, 0..255 (RFC 3261 §20.22). */
export function parseMaxForwards(value: string): number | string {
  return parseUint(value, 255);
}

/** Content-Length = 1*DIGIT (RFC 3261 §20.14); bounded by the maximum message size we accept. */
export function parseContentLength(value: string): number | string {
  return parseUint(value, 2 ** 31 - 1);
}

/** Expires = delta-seconds; RFC 3261 §20.19 treats values above 2^32-1 as 2^32-1. */
export function parseExpires(value: string): number | string {
  if (!allIn(DIGIT, value)) return `'${value}' is not a delta-seconds value`;
  const n = value.length > 15 ? Number.POSITIVE_INFINITY : Number(value);
  return Math.min(n, 2 ** 32 - 1);
}

/** Call-ID = word [ "@" word ] (RFC 3261 §25.1). */
export function isCallId(value: string): boolean {
  let at = -1;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 128 && WORD[c] === 1) continue;
    // word "@" word: one "@", with a word on each side
    if (c !== 0x40 || at >= 0 || i === 0) return false;
    at = i;
  }
  return value.length > 0 && at !== value.length - 1;
}

/** option-tag lists of Require, Proxy-Require, Supported, Unsupported (RFC 3261 §20.32). */
export function parseTokenList(values: string[]): string[] | string {
  const out: string[] = [];
  for (const v of values) {
    if (v === '' && values.length === 1) continue;
    if (!isToken(v)) return `'${v}' is not a token`;
    out.push(v);
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** SIP-date = rfc1123-date; only "GMT" is a legal zone (RFC 3261 §20.17). Returns epoch ms. */
export function parseSipDate(value: string): number | string {
  const m = /^([A-Z][a-z]{2}), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (\S+)$/.exec(value);
  if (m === null) return `Date '${value}' is not an RFC 1123 date`;
  if (m[8] !== 'GMT') return `Date zone '${m[8]}' is not GMT`;
  if (!DAYS.includes(m[1]!)) return `Date weekday '${m[1]}' is not valid`;
  const month = MONTHS.indexOf(m[3]!);
  if (month < 0) return `Date month '${m[3]}' is not valid`;
  const t = Date.UTC(Number(m[4]), month, Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
  if (Number.isNaN(t)) return `Date '${value}' is not a valid time`;
  return t;
}
