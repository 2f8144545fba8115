import { splitList } from '../grammar/quoted.ts';
import { canonicalName, headerKey, isListHeader } from './header-names.ts';

/**
 * One header field as received or added. `raw` holds the exact bytes (latin1) of the field as
 * received, including the name as written, folding and the trailing CRLF, so that a field the
 * product does not touch is forwarded byte-identical. It is cleared when the field changes.
 */
export interface HeaderField {
  /** name as written (compact or long form) */
  name: string;
  /** lower-case long name */
  key: string;
  /** value with folding replaced by a single SP and surrounding whitespace trimmed */
  value: string;
  raw: string | undefined;
}

/** The ordered header fields of a message. Lookups take any spelling of a name. */
export class SipHeaders {
  readonly fields: HeaderField[];
  /** bumped on every change; typed-header caches compare against it */
  version = 0;

  constructor(fields: HeaderField[] = []) {
    this.fields = fields;
  }

  first(name: string): HeaderField | undefined {
    const key = headerKey(name);
    for (const f of this.fields) if (f.key === key) return f;
    return undefined;
  }

  /** Value of the first field with this name. */
  get(name: string): string | undefined {
    return this.first(name)?.value;
  }

  all(name: string): HeaderField[] {
    const key = headerKey(name);
    return this.fields.filter((f) => f.key === key);
  }

  count(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const f of this.fields) if (f.key === key) n++;
    return n;
  }

  has(name: string): boolean {
    return this.first(name) !== undefined;
  }

  /**
   * All values of a header in order. For list headers (RFC 3261 §7.3.1) each field is split
   * on top-level commas; a field with an unterminated quoted string is returned whole.
   */
  values(name: string): string[] {
    const key = headerKey(name);
    const list = isListHeader(key);
    const out: string[] = [];
    for (const f of this.fields) {
      if (f.key !== key) continue;
      if (list && f.value.indexOf(',') >= 0) out.push(...(splitList(f.value) ?? [f.value]));
      else out.push(f.value);
    }
    return out;
  }

  /** Adds a field after all others. */
  append(name: string, value: string): void {
    this.fields.push(makeField(name, value));
    this.version++;
  }

  /** Adds a field before the first field of the same name, or at the top when there is none. */
  prepend(name: string, value: string): void {
    const field = makeField(name, value);
    const i = this.fields.findIndex((f) => f.key === field.key);
    this.fields.splice(Math.max(i, 0), 0, field);
    this.version++;
  }

  /** Replaces every field of this name by one field (placed where the first one was). */
  set(name: string, value: string): void {
    const field = makeField(name, value);
    const i = this.fields.findIndex((f) => f.key === field.key);
    if (i < 0) {
      this.fields.push(field);
    } else {
      this.fields[i] = field;
      for (let j = this.fields.length - 1; j > i; j--)
        if (this.fields[j]!.key === field.key) this.fields.splice(j, 1);
    }
    this.version++;
  }

  /** Removes every field of this name; returns how many were removed. */
  remove(name: string): number {
    const key = headerKey(name);
    const before = this.fields.length;
    for (let j = this.fields.length - 1; j >= 0; j--)
      if (this.fields[j]!.key === key) this.fields.splice(j, 1);
    const removed = before - this.fields.length;
    if (removed > 0) this.version++;
    return removed;
  }

  /**
   * Removes the first value of a list header (e.g. the top Via or Route, RFC 3261 §16.7 and
   * §18.1.2): the first field loses its first element, or disappears when it had only one.
   */
  removeFirstValue(name: string): string | undefined {
    const key = headerKey(name);
    const i = this.fields.findIndex((f) => f.key === key);
    if (i < 0) return undefined;
    const f = this.fields[i]!;
    const parts = f.value.indexOf(',') >= 0 ? (splitList(f.value) ?? [f.value]) : [f.value];
    const [top, ...rest] = parts;
    if (rest.length === 0) this.fields.splice(i, 1);
    else this.fields[i] = { name: f.name, key: f.key, value: rest.join(', '), raw: undefined };
    this.version++;
    return top;
  }

  clone(): SipHeaders {
    return new SipHeaders(this.fields.map((f) => ({ ...f })));
  }
}

export function makeField(name: string, value: string): HeaderField {
  const key = headerKey(name);
  const spelled = name === key ? canonicalName(key) : name;
  return { name: spelled, key, value, raw: undefined };
}
