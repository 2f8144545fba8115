import { isToken, isWs, skipWs } from './chars.ts';
import { scanQuoted } from './quoted.ts';

/**
 * An ordered list of `;name[=value]` parameters. Names compare case-insensitively
 * (RFC 3261 §7.3.1); values are kept exactly as written (a quoted value keeps its quotes)
 * so that serialisation reproduces the input. `value(name)` gives the unquoted value.
 */
export class Params {
  readonly names: string[] = [];
  readonly values: Array<string | null> = [];

  get size(): number {
    return this.names.length;
  }

  private indexOf(name: string): number {
    const n = this.names;
    for (let i = 0; i < n.length; i++) {
      const x = n[i]!;
      if (x === name || (x.length === name.length && x.toLowerCase() === name.toLowerCase())) return i;
    }
    return -1;
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  /** The raw value (quotes kept); null for a flag parameter; undefined when absent. */
  get(name: string): string | null | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.values[i];
  }

  /** The value with surrounding quotes and quoted-pairs removed; undefined when absent or a flag. */
  value(name: string): string | undefined {
    const v = this.get(name);
    if (v === undefined || v === null) return undefined;
    if (v.length >= 2 && v.charCodeAt(0) === 0x22) return scanQuoted(v, 0)?.value ?? v;
    return v;
  }

  set(name: string, value: string | null): void {
    const i = this.indexOf(name);
    if (i >= 0) this.values[i] = value;
    else {
      this.names.push(name);
      this.values.push(value);
    }
  }

  delete(name: string): boolean {
    const i = this.indexOf(name);
    if (i < 0) return false;
    this.names.splice(i, 1);
    this.values.splice(i, 1);
    return true;
  }

  entries(): Array<[string, string | null]> {
    return this.names.map((n, i) => [n, this.values[i] ?? null]);
  }

  clone(): Params {
    const p = new Params();
    p.names.push(...this.names);
    p.values.push(...this.values);
    return p;
  }

  /** `;a=b;c` */
  toString(): string {
    let s = '';
    for (let i = 0; i < this.names.length; i++) {
      const v = this.values[i];
      s += v === null || v === undefined ? `;${this.names[i]}` : `;${this.names[i]}=${v}`;
    }
    return s;
  }
}

export interface ParamsScan {
  params: Params;
  /** index of the first character not consumed (a ',' or end of input) */
  end: number;
}

/**
 * Parses `*( SEMI generic-param )` starting at s[i] (which should be ';' or the end), with
 * SWS allowed around ';' and '=' (RFC 3261 §25.1). gen-value = token / host / quoted-string.
 * Stops at ',' (list separator) or end of input. Returns a string describing the fault on error.
 */
export function parseGenericParams(s: string, i: number): ParamsScan | string {
  const params = new Params();
  i = skipWs(s, i);
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x2c) break;
    if (c !== 0x3b) return `unexpected character '${s[i]}' where ';' was expected`;
    i = skipWs(s, i + 1);
    let j = i;
    while (j < s.length && !isWs(s.charCodeAt(j)) && !isSep(s.charCodeAt(j))) j++;
    const name = s.slice(i, j);
    if (!isToken(name)) return name === '' ? 'empty parameter' : `parameter name '${name}' is not a token`;
    j = skipWs(s, j);
    let value: string | null = null;
    if (s.charCodeAt(j) === 0x3d) {
      j = skipWs(s, j + 1);
      if (s.charCodeAt(j) === 0x22) {
        const q = scanQuoted(s, j);
        if (q === undefined) return `unterminated quoted value of parameter '${name}'`;
        value = s.slice(j, q.end);
        j = q.end;
      } else {
        const k = j;
        if (s.charCodeAt(j) === 0x5b) {
          // IPv6 reference as a host value (e.g. received=[2001:db8::9], RFC 5118 §4.5)
          while (j < s.length && s.charCodeAt(j) !== 0x5d) j++;
          j++;
        } else {
          while (j < s.length && !isWs(s.charCodeAt(j)) && !isSep(s.charCodeAt(j))) j++;
        }
        value = s.slice(k, j);
        if (!isGenValue(value))
          return `value '${value}' of parameter '${name}' is not a token, host or quoted string`;
      }
      j = skipWs(s, j);
    }
    params.names.push(name);
    params.values.push(value);
    i = j;
  }
  return { params, end: i };
}

function isSep(c: number): boolean {
  return c === 0x3b || c === 0x2c || c === 0x3d || c === 0x22;
}

function isGenValue(v: string): boolean {
  if (v.length === 0) return false;
  if (v.charCodeAt(0) === 0x5b) return v.charCodeAt(v.length - 1) === 0x5d && v.length > 2;
  // token covers hostnames and IPv4; IPv6 without brackets (received=2001:db8::1) adds ':'
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x3a) continue;
    if (c >= 128 || !isToken(v[i]!)) return false;
  }
  return true;
}
