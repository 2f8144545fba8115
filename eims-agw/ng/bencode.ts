/**
 * Bencode, the encoding of rtpengine's NG control protocol: integers, byte strings, lists and
 * dictionaries. Strict on input: bounded size and nesting, canonical integers and lengths (no
 * leading zeros, no `-0`), safe-integer range, dictionary keys unique, byte strings valid
 * UTF-8 (every NG value is text). One leniency: dictionary keys need not be sorted, because
 * rtpengine does not sort the keys of its replies (its NG protocol document says so).
 * Output is canonical: keys sorted by their bytes.
 */

export type BValue = number | string | readonly BValue[] | { readonly [key: string]: BValue };

/** What `bencode()` accepts: a dictionary value of `undefined` is left out. */
export type BInput =
  | number
  | string
  | Uint8Array
  | readonly BInput[]
  | { readonly [key: string]: BInput | undefined };

export type BencodeErrorCode =
  | 'too-large'
  | 'too-deep'
  | 'truncated'
  | 'trailing-bytes'
  | 'bad-integer'
  | 'bad-length'
  | 'bad-key'
  | 'duplicate-key'
  | 'invalid-utf8'
  | 'unexpected-byte'
  | 'unencodable';

export class BencodeError extends Error {
  override readonly name = 'BencodeError';
  constructor(
    readonly code: BencodeErrorCode,
    message: string,
    /** Byte offset of the fault in the input (decoding only). */
    readonly offset?: number,
  ) {
    super(message);
  }
}

export interface DecodeLimits {
  /** Largest input accepted, in bytes; default 65,535 (one UDP datagram). */
  readonly maxBytes?: number;
  /** Deepest nesting of lists and dictionaries; default 32. */
  readonly maxDepth?: number;
}

const E = 0x65; // 'e'
const I = 0x69; // 'i'
const L = 0x6c; // 'l'
const D = 0x64; // 'd'
const COLON = 0x3a;

/**
 * The canonical encoding of `value`, after `prefix` (ASCII text, such as an NG request's cookie
 * and space). Text is gathered in one string and converted once: a browser's offer is one
 * conversion, not one small Buffer per token.
 */
export function bencode(value: BInput, prefix = ''): Buffer {
  const out: Encoded = { text: prefix, chunks: undefined };
  encodeInto(value, out, 0);
  if (out.chunks === undefined) return Buffer.from(out.text, 'utf8');
  out.chunks.push(Buffer.from(out.text, 'utf8'));
  return Buffer.concat(out.chunks);
}

/** Encoded so far: UTF-8 text, and before it, when a byte string was met, Buffers. */
interface Encoded {
  text: string;
  chunks: Buffer[] | undefined;
}

function encodeInto(value: BInput, out: Encoded, depth: number): void {
  if (depth > 64) throw new BencodeError('unencodable', 'value nested too deeply (cycle?)');
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new BencodeError('unencodable', `not a safe integer: ${value}`);
    out.text += `i${value}e`;
  } else if (typeof value === 'string') {
    // Buffer.byteLength counts what Buffer.from writes (a lone surrogate as EF BF BD too).
    out.text += `${Buffer.byteLength(value, 'utf8')}:${value}`;
  } else if (value instanceof Uint8Array) {
    out.text += `${value.length}:`;
    out.chunks ??= [];
    out.chunks.push(Buffer.from(out.text, 'utf8'), Buffer.from(value));
    out.text = '';
  } else if (Array.isArray(value)) {
    out.text += 'l';
    for (const item of value as readonly BInput[]) encodeInto(item, out, depth + 1);
    out.text += 'e';
  } else if (typeof value === 'object' && value !== null) {
    const dict = value as { readonly [key: string]: BInput | undefined };
    const keys = Object.keys(dict).filter((key) => dict[key] !== undefined);
    // Sorted by their UTF-8 bytes: for ASCII keys (all of NG's) that is the default string order.
    if (keys.every(isAscii)) keys.sort();
    else keys.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    out.text += 'd';
    for (const key of keys) {
      out.text += `${Buffer.byteLength(key, 'utf8')}:${key}`;
      encodeInto(dict[key] as BInput, out, depth + 1);
    }
    out.text += 'e';
  } else {
    throw new BencodeError('unencodable', `cannot bencode a ${typeof value}`);
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes exactly one value spanning the whole input. */
export function bdecode(input: Uint8Array, limits: DecodeLimits = {}): BValue {
  const maxBytes = limits.maxBytes ?? 65_535;
  if (input.length > maxBytes)
    throw new BencodeError('too-large', `input of ${input.length} bytes exceeds ${maxBytes}`, 0);
  const decoder = new Decoder(input, limits.maxDepth ?? 32);
  const value = decoder.value(0);
  if (decoder.pos !== input.length)
    throw new BencodeError('trailing-bytes', `trailing bytes at offset ${decoder.pos}`, decoder.pos);
  return value;
}

class Decoder {
  pos = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly maxDepth: number,
  ) {}

  value(depth: number): BValue {
    const c = this.buf[this.pos];
    if (c === undefined)
      throw new BencodeError('truncated', `unexpected end at offset ${this.pos}`, this.pos);
    if (c === I) return this.integer();
    if (c >= 0x30 && c <= 0x39) return this.string();
    if (c === L || c === D) {
      if (depth >= this.maxDepth)
        throw new BencodeError(
          'too-deep',
          `nesting deeper than ${this.maxDepth} at offset ${this.pos}`,
          this.pos,
        );
      return c === L ? this.list(depth) : this.dict(depth);
    }
    throw new BencodeError(
      'unexpected-byte',
      `unexpected byte 0x${c.toString(16)} at offset ${this.pos}`,
      this.pos,
    );
  }

  private integer(): number {
    const start = this.pos;
    const end = this.find(E, start + 1, 'bad-integer');
    const text = latin1(this.buf, start + 1, end);
    // Canonical form: no leading zeros, no "-0", no empty digits.
    if (!/^(0|-?[1-9]\d*)$/.test(text))
      throw new BencodeError('bad-integer', `bad integer at offset ${start}`, start);
    const value = Number(text);
    if (!Number.isSafeInteger(value))
      throw new BencodeError('bad-integer', `integer out of range at offset ${start}`, start);
    this.pos = end + 1;
    return value;
  }

  private string(): string {
    const start = this.pos;
    const colon = this.find(COLON, start, 'bad-length');
    const text = latin1(this.buf, start, colon);
    if (!/^(0|[1-9]\d{0,8})$/.test(text))
      throw new BencodeError('bad-length', `bad string length at offset ${start}`, start);
    const from = colon + 1;
    const to = from + Number(text);
    if (to > this.buf.length)
      throw new BencodeError('truncated', `string at offset ${start} runs past the end`, start);
    this.pos = to;
    try {
      return utf8.decode(this.buf.subarray(from, to));
    } catch {
      throw new BencodeError('invalid-utf8', `string at offset ${start} is not valid UTF-8`, start);
    }
  }

  private list(depth: number): BValue[] {
    const items: BValue[] = [];
    this.pos++;
    while (this.peek() !== E) items.push(this.value(depth + 1));
    this.pos++;
    return items;
  }

  private dict(depth: number): { [key: string]: BValue } {
    // No prototype: a key such as "__proto__" or "constructor" is an ordinary key.
    const dict: { [key: string]: BValue } = Object.create(null);
    this.pos++;
    while (this.peek() !== E) {
      const at = this.pos;
      const first = this.buf[at];
      if (first === undefined || first < 0x30 || first > 0x39)
        throw new BencodeError('bad-key', `dictionary key is not a string at offset ${at}`, at);
      const key = this.string();
      if (Object.hasOwn(dict, key))
        throw new BencodeError('duplicate-key', `duplicate dictionary key at offset ${at}`, at);
      dict[key] = this.value(depth + 1);
    }
    this.pos++;
    return dict;
  }

  private peek(): number {
    const c = this.buf[this.pos];
    if (c === undefined)
      throw new BencodeError('truncated', `unexpected end at offset ${this.pos}`, this.pos);
    return c;
  }

  /** Index of `byte` at or after `from`, looked for within 21 bytes (the longest number accepted). */
  private find(byte: number, from: number, code: 'bad-integer' | 'bad-length'): number {
    const limit = from + 21;
    for (let i = from; i < this.buf.length && i < limit; i++) if (this.buf[i] === byte) return i;
    throw new BencodeError(
      this.buf.length < limit ? 'truncated' : code,
      `unterminated number at offset ${this.pos}`,
      this.pos,
    );
  }
}

function latin1(buf: Uint8Array, from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += String.fromCharCode(buf[i] as number);
  return text;
}

/** A decoded dictionary, or undefined when the value is something else. */
export function asDict(value: BValue | undefined): { readonly [key: string]: BValue } | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as { readonly [key: string]: BValue })
    : undefined;
}

/** A decoded list, or undefined when the value is something else. */
export function asList(value: BValue | undefined): readonly BValue[] | undefined {
  return Array.isArray(value) ? (value as readonly BValue[]) : undefined;
}
