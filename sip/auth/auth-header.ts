/**
 * The generic grammar shared by WWW-Authenticate, Proxy-Authenticate, Authorization,
 * Proxy-Authorization and Authentication-Info header field values:
 *
 *   challenge / credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]   (RFC 7235 §2.1)
 *   auth-param              = token BWS "=" BWS ( token / quoted-string )
 *
 * RFC 3261 §7.3.1 makes these headers exceptions to the comma-combining rule, so a SIP peer
 * sends one challenge per header field; HTTP-style peers may still put several challenges in one
 * value (RFC 7235 §4.1), which `parseChallenges` splits. Credentials are always one per value.
 * Authentication-Info has no scheme (RFC 3261 §20.6); use `parseAuthParams` for it.
 *
 * The scanner works on char codes (no regular expressions) because the eP-CSCF parses the
 * Authorization header of every REGISTER it relays.
 */

/** One `name=value` pair. `value` is unescaped; `quoted` records how it was (or will be) written. */
export interface AuthParam {
  readonly name: string;
  readonly value: string;
  readonly quoted: boolean;
}

/** A parsed challenge or credentials value: a scheme followed by a token68 or by parameters. */
export interface AuthHeaderValue {
  /** As written; compare with `schemeIs()` (schemes are case-insensitive, RFC 7235 §2.1). */
  readonly scheme: string;
  /** Set when the scheme is followed by a token68 (e.g. `Bearer eyJ...`), then `params` is empty. */
  readonly token68?: string;
  readonly params: readonly AuthParam[];
}

export type AuthParseFault =
  | 'empty'
  | 'bad-scheme'
  | 'bad-param'
  | 'unterminated-quote'
  | 'bad-escape'
  | 'duplicate-param'
  | 'too-many-params';

export interface AuthParseError {
  readonly fault: AuthParseFault;
  /** Offset in the header value where the fault was seen. */
  readonly offset: number;
  readonly message: string;
}

/** Expected faults in received input are results, not exceptions (STYLE.md, pipeline). */
export type AuthResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: AuthParseError };

/** A header value never needs more; a longer list is an attack on the parser, not a peer. */
export const MAX_AUTH_PARAMS = 64;

const HTAB = 9;
const LF = 10;
const CR = 13;
const SP = 32;
const DQUOTE = 34;
const COMMA = 44;
const EQUALS = 61;
const BACKSLASH = 92;

// tchar (RFC 7230 §3.2.6) plus the token68 characters that are not tchar ("/"). Both sets are
// ASCII; a table lookup keeps the hot loop branch-light.
const TOKEN = new Uint8Array(128);
const TOKEN68 = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (const c of '-._~+/') TOKEN68[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TOKEN[c] = TOKEN68[c] = 1;
for (let c = 65; c <= 90; c++) TOKEN[c] = TOKEN68[c] = 1;
for (let c = 97; c <= 122; c++) TOKEN[c] = TOKEN68[c] = 1;

function isToken(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

function isTokenOr68(c: number): boolean {
  return c < 128 && (TOKEN[c] === 1 || TOKEN68[c] === 1);
}

/** Skips SP, HTAB and folded line breaks (CRLF followed by whitespace, RFC 3261 §7.3.1). */
function skipLws(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === SP || c === HTAB) i++;
    else if (c === CR || c === LF) {
      let j = i + (c === CR && s.charCodeAt(i + 1) === LF ? 2 : 1);
      const d = s.charCodeAt(j);
      if (d !== SP && d !== HTAB) return i;
      j++;
      i = j;
    } else return i;
  }
  return i;
}

function fail<T>(fault: AuthParseFault, offset: number, message: string): AuthResult<T> {
  return { ok: false, error: { fault, offset, message } };
}

/**
 * Parses one challenge or credentials value (`Digest realm="x", nonce="y"`, `Bearer abc`).
 * Any scheme is accepted, so that a proxy can forward one it does not know (RFC 4475 §3.3.7).
 * A value holding several comma-separated challenges is refused here: use `parseChallenges`.
 */
export function parseAuthHeader(value: string): AuthResult<AuthHeaderValue> {
  const r = parseOne(value, skipLws(value, 0));
  if (!r.ok) return r;
  if (r.value.end < value.length)
    return fail('bad-param', r.value.end, 'a second challenge in a single-value header');
  return { ok: true, value: r.value.header };
}

/**
 * Parses a WWW-Authenticate / Proxy-Authenticate value that may hold several comma-separated
 * challenges (`1#challenge`, RFC 7235 §4.1): `Digest realm="a", nonce="1", Bearer realm="b"`.
 * A list element that is a token followed by whitespace and no "=" starts a new challenge.
 */
export function parseChallenges(value: string): AuthResult<readonly AuthHeaderValue[]> {
  const out: AuthHeaderValue[] = [];
  let i = skipLws(value, 0);
  while (i < value.length && value.charCodeAt(i) === COMMA) i = skipLws(value, i + 1);
  do {
    const r = parseOne(value, i);
    if (!r.ok) return r;
    out.push(r.value.header);
    i = r.value.end;
    while (i < value.length && value.charCodeAt(i) === COMMA) i = skipLws(value, i + 1);
    if (out.length > MAX_AUTH_PARAMS) return fail('too-many-params', i, 'too many challenges');
  } while (i < value.length);
  return { ok: true, value: out };
}

/** Reads a scheme and its token68 or parameters; `end` is where the next challenge starts. */
function parseOne(s: string, start: number): AuthResult<{ header: AuthHeaderValue; end: number }> {
  const n = s.length;
  let i = start;
  if (i >= n) return fail('empty', i, 'empty header value');
  while (i < n && isToken(s.charCodeAt(i))) i++;
  if (i === start) return fail('bad-scheme', i, 'expected an authentication scheme token');
  const scheme = s.slice(start, i);
  const afterScheme = i;
  i = skipLws(s, i);
  if (i >= n || s.charCodeAt(i) === COMMA)
    return { ok: true, value: { header: { scheme, params: [] }, end: i } };
  if (i === afterScheme) return fail('bad-scheme', i, 'expected whitespace after the scheme');

  // token68: a run of token68 characters, then only "="s, then the end or a comma.
  const t68 = scanToken68(s, i);
  if (t68 !== undefined)
    return { ok: true, value: { header: { scheme, token68: t68.text, params: [] }, end: t68.end } };

  const params = parseParamList(s, i);
  if (!params.ok) return params;
  return { ok: true, value: { header: { scheme, params: params.value.params }, end: params.value.end } };
}

function scanToken68(s: string, start: number): { text: string; end: number } | undefined {
  const n = s.length;
  let i = start;
  while (i < n && isTokenOr68(s.charCodeAt(i))) i++;
  if (i === start) return undefined;
  while (i < n && s.charCodeAt(i) === EQUALS) i++;
  const textEnd = i;
  i = skipLws(s, i);
  if (i !== n && s.charCodeAt(i) !== COMMA) return undefined;
  // `name=` alone could be a parameter with an empty value, which the grammar forbids; a bare
  // run ending in "=" is therefore a token68 (RFC 7235 §2.1 says the same).
  return { text: s.slice(start, textEnd), end: i };
}

/** Parses a bare `#auth-param` list, as in Authentication-Info. */
export function parseAuthParams(value: string): AuthResult<readonly AuthParam[]> {
  const i = skipLws(value, 0);
  if (i >= value.length) return fail('empty', i, 'empty header value');
  const r = parseParamList(value, i, false);
  if (!r.ok) return r;
  return { ok: true, value: r.value.params };
}

/** True when s[i..] starts a new challenge: a token, then whitespace, then not "=". */
function startsChallenge(s: string, i: number): boolean {
  const n = s.length;
  let j = i;
  while (j < n && isToken(s.charCodeAt(j))) j++;
  if (j === i) return false;
  const k = skipLws(s, j);
  if (k >= n || s.charCodeAt(k) === COMMA) return true; // a scheme with nothing after it
  return k > j && s.charCodeAt(k) !== EQUALS;
}

function parseParamList(
  s: string,
  start: number,
  stopAtScheme = true,
): AuthResult<{ params: readonly AuthParam[]; end: number }> {
  const n = s.length;
  const params: AuthParam[] = [];
  const seen = new Set<string>();
  let i = start;
  for (;;) {
    // Empty list elements ("a=1, , b=2") are allowed by the #rule (RFC 7230 §7).
    while (i < n && s.charCodeAt(i) === COMMA) i = skipLws(s, i + 1);
    if (i >= n) break;
    if (stopAtScheme && params.length > 0 && startsChallenge(s, i)) break;
    const nameStart = i;
    while (i < n && isToken(s.charCodeAt(i))) i++;
    if (i === nameStart) return fail('bad-param', i, 'expected a parameter name');
    const name = s.slice(nameStart, i);
    i = skipLws(s, i);
    if (s.charCodeAt(i) !== EQUALS) return fail('bad-param', i, `expected "=" after ${name}`);
    i = skipLws(s, i + 1);
    let val: string;
    let quoted = false;
    if (s.charCodeAt(i) === DQUOTE) {
      const q = scanQuoted(s, i);
      if (!q.ok) return q;
      val = q.value.text;
      i = q.value.end;
      quoted = true;
    } else {
      const valStart = i;
      while (i < n && isToken(s.charCodeAt(i))) i++;
      if (i === valStart) return fail('bad-param', i, `expected a token or quoted-string for ${name}`);
      val = s.slice(valStart, i);
    }
    const key = name.toLowerCase();
    // RFC 7235 §2.2: each parameter name MUST only occur once per challenge.
    if (seen.has(key)) return fail('duplicate-param', nameStart, `parameter ${name} appears twice`);
    seen.add(key);
    params.push({ name, value: val, quoted });
    if (params.length > MAX_AUTH_PARAMS) return fail('too-many-params', nameStart, 'too many parameters');
    i = skipLws(s, i);
    if (i >= n) break;
    if (s.charCodeAt(i) !== COMMA) return fail('bad-param', i, 'expected "," between parameters');
    i = skipLws(s, i + 1);
  }
  return { ok: true, value: { params, end: i } };
}

function scanQuoted(s: string, open: number): AuthResult<{ text: string; end: number }> {
  const n = s.length;
  let i = open + 1;
  let runStart = i;
  let text = '';
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === DQUOTE) return { ok: true, value: { text: text + s.slice(runStart, i), end: i + 1 } };
    if (c === BACKSLASH) {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)   (RFC 3261 §25.1)
      const d = s.charCodeAt(i + 1);
      if (i + 1 >= n || d === CR || d === LF || d > 0x7f) return fail('bad-escape', i, 'bad quoted-pair');
      text += s.slice(runStart, i) + s[i + 1];
      i += 2;
      runStart = i;
    } else i++;
  }
  return fail('unterminated-quote', open, 'unterminated quoted-string');
}

/** Escapes `"` and `\` so that the text can stand inside a quoted-string. */
export function quote(text: string): string {
  let needs = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === DQUOTE || c === BACKSLASH) {
      needs = true;
      break;
    }
  }
  if (!needs) return `"${text}"`;
  let out = '"';
  for (const ch of text) out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  return `${out}"`;
}

/** True when `text` can be written as a bare token. */
export function isTokenText(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isToken(text.charCodeAt(i))) return false;
  return true;
}

/** Writes a parameter list; a value marked unquoted that is not a valid token is quoted anyway. */
export function formatAuthParams(params: readonly AuthParam[]): string {
  let out = '';
  for (const p of params) {
    if (out) out += ', ';
    out += `${p.name}=${p.quoted || !isTokenText(p.value) ? quote(p.value) : p.value}`;
  }
  return out;
}

/** Writes a challenge or credentials value. */
export function formatAuthHeader(h: AuthHeaderValue): string {
  if (h.token68 !== undefined) return `${h.scheme} ${h.token68}`;
  return h.params.length ? `${h.scheme} ${formatAuthParams(h.params)}` : h.scheme;
}

/** Case-insensitive scheme comparison (RFC 7235 §2.1). */
export function schemeIs(h: AuthHeaderValue, scheme: string): boolean {
  return h.scheme.length === scheme.length && h.scheme.toLowerCase() === scheme.toLowerCase();
}

/** Parses a single value and requires the given scheme (`bad-scheme` otherwise). */
export function parseSchemeValue(value: string, scheme: string): AuthResult<AuthHeaderValue> {
  const parsed = parseAuthHeader(value);
  if (!parsed.ok || schemeIs(parsed.value, scheme)) return parsed;
  return fail('bad-scheme', 0, `scheme ${parsed.value.scheme} is not ${scheme}`);
}

/** The parameter of that name (case-insensitive, RFC 7235 §2.1), if present. */
export function findParam(params: readonly AuthParam[], name: string): AuthParam | undefined {
  const lower = name.toLowerCase();
  for (const p of params) if (p.name.length === lower.length && p.name.toLowerCase() === lower) return p;
  return undefined;
}
