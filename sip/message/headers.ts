import { splitList } from '../grammar/quoted.ts';
import { canonicalName, headerKey, isListHeader } from './header-names.ts';

/**
 * One header field as received or added. `raw` holds the exact bytes (latin1) of the field as
 * received, including the name as written, folding and the trailing CRLF, so that a field the
 * product does not touch is forwarded byte-identical. It is cleared when the field changes.
 */
export interface HeaderField {
  /** name as written (compact or long form) */
  readonly name: string;
  /** lower-case long name */
  readonly key: string;
  /** value with folding replaced by a single SP and surrounding whitespace trimmed */
  readonly value: string;
  readonly raw: string | undefined;
}

/**
 * The received header section a SipHeaders was parsed from, kept so that the serialiser can
 * copy the bytes of fields that are still as received instead of encoding their text again.
 * Header text is latin1, one character per octet, and the fields follow each other without a
 * gap, so a field whose `raw` equals `raws[k]` is exactly the octets of `buf` from
 * `fieldsStart + raws[0].length + ... + raws[k - 1].length` on.
 */
export interface ReceivedSection {
  readonly buf: Buffer;
  /** the header section as received, decoded as latin1: buf[lineStart, end) */
  readonly text: string;
  /** the raw text of every received field, in order */
  readonly raws: readonly string[];
  /** offset in buf of the first field */
  readonly fieldsStart: number;
  /**
   * The start line as parsed: method (request) or status (response), Request-URI or reason
   * phrase, version; it occupies buf[lineStart, lineStart + lineLength) with its CRLF.
   * lineLength is -1 when the received line differs from what serialize writes for these
   * values (a version written in lower case).
   */
  readonly first: string | number;
  readonly second: string;
  readonly version: string;
  readonly lineStart: number;
  readonly lineLength: number;
  /** offset in buf of the CRLF that ends the header section (the body follows it) */
  readonly end: number;
}

/** The ordered header fields of a message. Lookups take any spelling of a name. */
export class SipHeaders {
  readonly fields: HeaderField[];
  private changes = 0;
  /** where the fields were parsed from, when they were received (see ReceivedSection) */
  readonly received: ReceivedSection | undefined;
  /**
   * The keys changed since creation, each with `version` at its last change: [key, version, ...].
   * Typed views compare against the version of the one header they read, so that a change to one
   * header (our Via on top, Max-Forwards) leaves the parsed views of the others valid.
   */
  private changed: Array<string | number> | undefined = undefined;

  constructor(fields: HeaderField[] = [], received?: ReceivedSection) {
    this.fields = fields;
    this.received = received;
  }

  /** Bumped on every change (through the methods below, or `touch`). */
  get version(): number {
    return this.changes;
  }

  /** `version` at the last change of the fields with this key; 0 when none changed since creation. */
  versionOf(key: string): number {
    const c = this.changed;
    if (c !== undefined) for (let i = 0; i < c.length; i += 2) if (c[i] === key) return c[i + 1] as number;
    return 0;
  }

  /**
   * Records a change of the fields with this key (lower-case long name). Every method below calls
   * it; code that replaces an element of `fields` itself must call it too.
   */
  touch(key: string): void {
    const v = ++this.changes;
    const c = this.changed;
    if (c === undefined) {
      this.changed = [key, v];
      return;
    }
    for (let i = 0; i < c.length; i += 2)
      if (c[i] === key) {
        c[i + 1] = v;
        return;
      }
    c.push(key, v);
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
    const out: HeaderField[] = [];
    for (const f of this.fields) if (f.key === key) out.push(f);
    return out;
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
    const field = makeField(name, value);
    this.fields.push(field);
    this.touch(field.key);
  }

  /** Adds a field before the first field of the same name, or at the top when there is none. */
  prepend(name: string, value: string): void {
    const field = makeField(name, value);
    const i = indexOfKey(this.fields, field.key);
    if (i <= 0) this.fields.unshift(field);
    else this.fields.splice(i, 0, field);
    this.touch(field.key);
  }

  /** Replaces every field of this name by one field (placed where the first one was). */
  set(name: string, value: string): void {
    const field = makeField(name, value);
    const i = indexOfKey(this.fields, field.key);
    if (i < 0) {
      this.fields.push(field);
    } else {
      this.fields[i] = field;
      for (let j = this.fields.length - 1; j > i; j--)
        if (this.fields[j]!.key === field.key) this.fields.splice(j, 1);
    }
    this.touch(field.key);
  }

  /** Removes every field of this name; returns how many were removed. */
  remove(name: string): number {
    const key = headerKey(name);
    const before = this.fields.length;
    for (let j = this.fields.length - 1; j >= 0; j--)
      if (this.fields[j]!.key === key) this.fields.splice(j, 1);
    const removed = before - this.fields.length;
    if (removed > 0) this.touch(key);
    return removed;
  }

  /**
   * Removes the first value of a list header (e.g. the top Via or Route, RFC 3261 §16.7 and
   * §18.1.2): the first field loses its first element, or disappears when it had only one.
   */
  removeFirstValue(name: string): string | undefined {
    const key = headerKey(name);
    const i = indexOfKey(this.fields, key);
    if (i < 0) return undefined;
    const f = this.fields[i]!;
    const parts = f.value.indexOf(',') >= 0 ? (splitList(f.value) ?? [f.value]) : [f.value];
    const [top, ...rest] = parts;
    if (rest.length === 0) this.fields.splice(i, 1);
    else this.fields[i] = { name: f.name, key: f.key, value: rest.join(', '), raw: undefined };
    this.touch(key);
    return top;
  }

  /** JSON (logs, snapshots) shows the fields, not the received octets they were read from. */
  toJSON(): { fields: HeaderField[]; version: number } {
    return { fields: this.fields, version: this.version };
  }

  /**
   * A copy whose fields can be changed independently; untouched fields keep their received bytes.
   * The field objects are shared: a field is never changed in place (every change above puts a
   * new one in the list), so only the list is copied.
   */
  clone(): SipHeaders {
    return new SipHeaders(this.fields.slice(), this.received);
  }
}

function indexOfKey(fields: HeaderField[], key: string): number {
  for (let i = 0; i < fields.length; i++) if (fields[i]!.key === key) return i;
  return -1;
}

export function makeField(name: string, value: string): HeaderField {
  const key = headerKey(name);
  const spelled = name === key ? canonicalName(key) : name;
  return { name: spelled, key, value, raw: undefined };
}
