import { isWs, skipWs, TOKEN } from '../grammar/chars.ts';
import { type Params, parseGenericParams } from '../grammar/params.ts';
import { quote, scanQuoted } from '../grammar/quoted.ts';
import { formatUri, type Uri, uriOrFault } from '../uri/uri.ts';

/**
 * ( name-addr / addr-spec ) *( SEMI params ) as used by From, To, Contact, Route,
 * Record-Route, Path, Service-Route, P-Asserted-Identity, P-Associated-URI (RFC 3261 §20, §25.1).
 * name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
 * display-name = *(token LWS) / quoted-string
 */
export interface NameAddr {
  /** unquoted display name, undefined when absent */
  displayName: string | undefined;
  /** true when the display name was a quoted-string */
  quotedName: boolean;
  uri: Uri;
  /** the URI text exactly as written when parsed (informational; formatting uses `uri`) */
  uriText: string;
  /** whether the URI was enclosed in <> */
  bracketed: boolean;
  params: Params;
}

/** Parses a comma-separated list of name-addr/addr-spec values (Contact, Route, ...). */
export function parseNameAddrList(value: string): NameAddr[] | string {
  const out: NameAddr[] = [];
  let i = 0;
  for (;;) {
    const r = parseNameAddrAt(value, i);
    if (typeof r === 'string') return r;
    out.push(r.value);
    i = skipWs(value, r.end);
    if (i >= value.length) return out;
    if (value.charCodeAt(i) !== 0x2c) return `unexpected '${value[i]}' after address`;
    i = i + 1;
  }
}

/** Parses a header value that must hold exactly one address (From, To). */
export function parseNameAddr(value: string): NameAddr | string {
  const lt = value.indexOf('<');
  if (lt > 0 && value.indexOf('"') < 0) {
    // A single address: everything before '<' is the display name, which must be tokens.
    const fault = displayNameFault(value, 0, lt);
    if (fault !== undefined) return fault;
  }
  const r = parseNameAddrAt(value, 0);
  if (typeof r === 'string') return r;
  if (skipWs(value, r.end) !== value.length) return 'more than one address where one is allowed';
  return r.value;
}

/**
 * display-name = *(token LWS) (RFC 3261 §25.1), when it is not a quoted-string: the text of
 * s[start, end) trimmed (as String.prototype.trim does) must be tokens separated by SP/HTAB.
 * Returns the fault, or undefined. Works in place: no split, no regular expression.
 */
function displayNameFault(s: string, start: number, end: number): string | undefined {
  let a = start;
  let b = end;
  while (a < b && isTrimmed(s.charCodeAt(a))) a++;
  while (b > a && isTrimmed(s.charCodeAt(b - 1))) b--;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (!(c < 128 && TOKEN[c] === 1) && !isWs(c))
      return `display name '${s.slice(a, b)}' must be a quoted string (it is not a sequence of tokens)`;
  }
  return undefined;
}

/** Whitespace that String.prototype.trim removes (ECMAScript WhiteSpace and LineTerminator). */
function isTrimmed(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function parseNameAddrAt(s: string, i: number): { value: NameAddr; end: number } | string {
  i = skipWs(s, i);
  let displayName: string | undefined;
  let quotedName = false;
  let uriText: string;
  let bracketed = false;
  if (s.charCodeAt(i) === 0x22) {
    const q = scanQuoted(s, i);
    if (q === undefined) return 'unterminated quoted display name';
    displayName = q.value;
    quotedName = true;
    i = skipWs(s, q.end);
    if (s.charCodeAt(i) !== 0x3c) return 'quoted display name is not followed by <URI>';
  } else {
    // Either tokens followed by "<", a "<" directly, or a bare addr-spec.
    const lt = findAngle(s, i);
    if (lt > i) {
      const fault = displayNameFault(s, i, lt);
      if (fault !== undefined) return fault;
      const name = s.slice(i, lt).trim();
      if (name.length > 0) displayName = name;
    }
    if (lt >= 0) i = lt;
  }
  if (s.charCodeAt(i) === 0x3c) {
    const gt = s.indexOf('>', i);
    if (gt < 0) return 'missing ">" after URI';
    uriText = s.slice(i + 1, gt);
    if (uriText.length === 0) return 'empty URI in <>';
    if (isWs(uriText.charCodeAt(0)) || isWs(uriText.charCodeAt(uriText.length - 1)))
      return 'whitespace inside <> around the URI';
    bracketed = true;
    i = gt + 1;
  } else {
    // addr-spec: the URI ends at ';' (header params follow), ',' or whitespace.
    const start = i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 0x3b || c === 0x2c || isWs(c)) break;
      i++;
    }
    uriText = s.slice(start, i);
    if (uriText.length === 0) return 'missing URI';
    if (uriText.indexOf('?') >= 0) return 'a URI with headers must be enclosed in <> (RFC 3261 §20)';
  }
  const uri = uriOrFault(uriText);
  if (typeof uri === 'string') return uri;
  const pr = parseGenericParams(s, i);
  if (typeof pr === 'string') return pr;
  return {
    value: { displayName, quotedName, uri, uriText, bracketed, params: pr.params },
    end: pr.end,
  };
}

/** Index of a '<' that starts a name-addr at or after i (before any ',', ';' or quoted string), or -1. */
function findAngle(s: string, i: number): number {
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x3c) return j;
    if (c === 0x2c || c === 0x3b || c === 0x22) return -1;
    if (c === 0x3a) return -1; // a ':' before '<' means a bare URI (scheme separator)
  }
  return -1;
}

/** Serialises an address, always in name-addr form (<URI>), which is valid for every header using it. */
export function formatNameAddr(a: NameAddr): string {
  const name = a.displayName === undefined ? '' : `${a.quotedName ? quote(a.displayName) : a.displayName} `;
  return `${name}<${formatUri(a.uri)}>${a.params.toString()}`;
}
