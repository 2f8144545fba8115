import { isWs, TOKEN } from './chars.ts';
import { scanQuoted } from './quoted.ts';

/**
 * An ordered list of `;name[=value]` parameters. Names compare case-insensitively
 * (RFC 3261 §7.3.1); values are kept exactly as written (a quoted value keeps its quotes)
 * so that serialisation reproduces the input. `value(name)` gives the unquoted value.
 *
 * A parser hands over the text it validated and the offsets of each name and value; the
 * strings are cut only when asked for (`get`, `value`), and the `names` / `values` arrays are
 * built on first use of them or of a change. Most parameters of a forwarded message are never
 * read, so most are never materialised.
 */
export class Params {
  private src: string;
  /** per parameter: name start, name end, value start (-1 for a flag), value end */
  private marks: number[] | undefined;
  private namesList: string[] | undefined;
  private valuesList: Array<string | null> | undefined;

  /** An empty list; a parser passes the text it validated and the marks of each parameter in it. */
  constructor(src?: string, marks?: number[]) {
    this.src = src ?? '';
    this.marks = marks;
    this.namesList = marks === undefined ? [] : undefined;
    this.valuesList = marks === undefined ? [] : undefined;
  }

  /** Parameters already validated in src, located by marks (see the field comment). */
  static located(src: string, marks: number[]): Params {
    return new Params(src, marks);
  }

  /** Parameter names as written, in order (materialises the list). */
  get names(): string[] {
    if (this.namesList === undefined) this.materialise();
    return this.namesList!;
  }

  /** Raw values (quotes kept, null for a flag), in the order of `names` (materialises the list). */
  get values(): Array<string | null> {
    if (this.valuesList === undefined) this.materialise();
    return this.valuesList!;
  }

  get size(): number {
    const m = this.marks;
    return m !== undefined ? m.length >> 2 : this.namesList!.length;
  }

  private materialise(): void {
    const m = this.marks ?? [];
    const src = this.src;
    const names: string[] = [];
    const values: Array<string | null> = [];
    for (let k = 0; k < m.length; k += 4) {
      names.push(src.slice(m[k], m[k + 1]));
      const vs = m[k + 2]!;
      values.push(vs < 0 ? null : src.slice(vs, m[k + 3]));
    }
    this.namesList = names;
    this.valuesList = values;
    this.marks = undefined;
    this.src = '';
  }

  /** Index (in parameters) of name, or -1. */
  private indexOf(name: string): number {
    const m = this.marks;
    if (m !== undefined) {
      const src = this.src;
      const len = name.length;
      for (let k = 0; k < m.length; k += 4) {
        const start = m[k]!;
        if (m[k + 1]! - start === len && sameName(src, start, name)) return k >> 2;
      }
      return -1;
    }
    const n = this.namesList!;
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
    if (i < 0) return undefined;
    const m = this.marks;
    if (m === undefined) return this.valuesList![i];
    const vs = m[(i << 2) + 2]!;
    return vs < 0 ? null : this.src.slice(vs, m[(i << 2) + 3]);
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
    const values = this.values;
    if (i >= 0) values[i] = value;
    else {
      this.names.push(name);
      values.push(value);
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
    const values = this.values;
    return this.names.map((n, i) => [n, values[i] ?? null]);
  }

  clone(): Params {
    const m = this.marks;
    if (m !== undefined) return Params.located(this.src, m);
    const p = new Params();
    p.namesList!.push(...this.namesList!);
    p.valuesList!.push(...this.valuesList!);
    return p;
  }

  /** The same JSON as a list built by hand (logs, snapshots): names and raw values. */
  toJSON(): { names: string[]; values: Array<string | null> } {
    return { names: this.names, values: this.values };
  }

  /** `;a=b;c` */
  toString(): string {
    let s = '';
    const m = this.marks;
    if (m !== undefined) {
      const src = this.src;
      for (let k = 0; k < m.length; k += 4) {
        const vs = m[k + 2]!;
        s +=
          vs < 0
            ? `;${src.slice(m[k], m[k + 1])}`
            : `;${src.slice(m[k], m[k + 1])}=${src.slice(vs, m[k + 3])}`;
      }
      return s;
    }
    const names = this.namesList!;
    const values = this.valuesList!;
    for (let i = 0; i < names.length; i++) {
      const v = values[i];
      s += v === null || v === undefined ? `;${names[i]}` : `;${names[i]}=${v}`;
    }
    return s;
  }
}

/** Whether src[start, start + name.length) equals name, ASCII letters compared case-insensitively. */
function sameName(src: string, start: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const a = src.charCodeAt(start + i);
    const b = name.charCodeAt(i);
    if (a === b) continue;
    const la = a | 0x20;
    if (la !== (b | 0x20) || la < 0x61 || la > 0x7a) return false;
  }
  return true;
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
  const end = s.length;
  let marks: number[] | undefined;
  while (i < end && isWs(s.charCodeAt(i))) i++;
  while (i < end) {
    let c = s.charCodeAt(i);
    if (c === 0x2c) break;
    if (c !== 0x3b) return `unexpected character '${s[i]}' where ';' was expected`;
    i++;
    while (i < end && isWs(s.charCodeAt(i))) i++;
    const nameStart = i;
    c = s.charCodeAt(i);
    while (i < end && c < 128 && TOKEN[c] === 1) c = s.charCodeAt(++i);
    const nameEnd = i;
    if (i < end && !isWs(c) && !isSep(c)) return nameFault(s, nameStart, end);
    if (nameEnd === nameStart) return 'empty parameter';
    while (i < end && isWs(s.charCodeAt(i))) i++;
    let vs = -1;
    let ve = -1;
    if (i < end && s.charCodeAt(i) === 0x3d) {
      i++;
      while (i < end && isWs(s.charCodeAt(i))) i++;
      vs = i;
      c = s.charCodeAt(i);
      if (c === 0x22) {
        const q = quotedEnd(s, i, end);
        if (q < 0) return `unterminated quoted value of parameter '${s.slice(nameStart, nameEnd)}'`;
        i = q;
      } else if (c === 0x5b) {
        // IPv6 reference as a host value (e.g. received=[2001:db8::9], RFC 5118 §4.5)
        while (i < end && s.charCodeAt(i) !== 0x5d) i++;
        i++;
        if (i > end || i - vs <= 2) return valueFault(s, nameStart, nameEnd, vs, Math.min(i, end));
      } else {
        // token covers hostnames and IPv4; IPv6 without brackets (received=2001:db8::1) adds ':'
        while (i < end && c < 128 && (TOKEN[c] === 1 || c === 0x3a)) c = s.charCodeAt(++i);
        if (i === vs || (i < end && !isWs(c) && !isSep(c))) return valueFault(s, nameStart, nameEnd, vs, end);
      }
      ve = i;
      while (i < end && isWs(s.charCodeAt(i))) i++;
    }
    if (marks === undefined) marks = [nameStart, nameEnd, vs, ve];
    else marks.push(nameStart, nameEnd, vs, ve);
  }
  return { params: marks === undefined ? new Params() : Params.located(s, marks), end: i };
}

/** Index just after the closing quote of the quoted-string at s[i], or -1 (see scanQuoted). */
function quotedEnd(s: string, i: number, end: number): number {
  for (i++; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      const n = s.charCodeAt(i + 1);
      if (i + 1 >= end || n === 0x0a || n === 0x0d) return -1;
      i++;
    } else if (c === 0x0d || c === 0x0a) {
      return -1;
    }
  }
  return -1;
}

function nameFault(s: string, start: number, end: number): string {
  let j = start;
  while (j < end && !isWs(s.charCodeAt(j)) && !isSep(s.charCodeAt(j))) j++;
  return `parameter name '${s.slice(start, j)}' is not a token`;
}

function valueFault(s: string, nameStart: number, nameEnd: number, vs: number, end: number): string {
  let j = vs;
  if (s.charCodeAt(j) === 0x5b) j = end;
  else while (j < end && !isWs(s.charCodeAt(j)) && !isSep(s.charCodeAt(j))) j++;
  return `value '${s.slice(vs, j)}' of parameter '${s.slice(nameStart, nameEnd)}' is not a token, host or quoted string`;
}

function isSep(c: number): boolean {
  return c === 0x3b || c === 0x2c || c === 0x3d || c === 0x22;
}
