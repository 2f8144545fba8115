/**
 * Minimal bencode (the encoding of rtpengine's NG control protocol): integers, byte strings
 * (read and written as UTF-8 strings), lists and dictionaries. Enough for readiness probes and
 * smoke tests; the product's own NG client lives in eims-agw/.
 */
export type BValue = number | string | readonly BValue[] | { readonly [key: string]: BValue };

export function bencode(value: BValue): Buffer {
  const parts: Buffer[] = [];
  encodeInto(value, parts);
  return Buffer.concat(parts);
}

function encodeInto(value: BValue, parts: Buffer[]): void {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`bencode integers only, got ${value}`);
    parts.push(Buffer.from(`i${value}e`));
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    parts.push(Buffer.from(`${bytes.length}:`), bytes);
  } else if (Array.isArray(value)) {
    parts.push(Buffer.from('l'));
    for (const item of value as readonly BValue[]) encodeInto(item, parts);
    parts.push(Buffer.from('e'));
  } else {
    parts.push(Buffer.from('d'));
    const dict = value as { readonly [key: string]: BValue };
    // Keys sorted as raw strings, as bencode requires.
    for (const key of Object.keys(dict).sort()) {
      encodeInto(key, parts);
      encodeInto(dict[key] as BValue, parts);
    }
    parts.push(Buffer.from('e'));
  }
}

export class BencodeError extends Error {
  override readonly name = 'BencodeError';
}

/** Decodes exactly one value spanning the whole input. */
export function bdecode(input: Buffer): BValue {
  const [value, end] = decodeAt(input, 0);
  if (end !== input.length) throw new BencodeError(`trailing bytes at offset ${end}`);
  return value;
}

function decodeAt(buf: Buffer, at: number): [BValue, number] {
  const c = buf[at];
  if (c === undefined) throw new BencodeError(`unexpected end at offset ${at}`);
  if (c === 0x69 /* i */) {
    const end = buf.indexOf(0x65 /* e */, at);
    const text = end < 0 ? '' : buf.toString('latin1', at + 1, end);
    if (!/^-?\d+$/.test(text)) throw new BencodeError(`bad integer at offset ${at}`);
    return [Number(text), end + 1];
  }
  if (c === 0x6c /* l */) {
    const list: BValue[] = [];
    let pos = at + 1;
    while (buf[pos] !== 0x65) {
      const [item, next] = decodeAt(buf, pos);
      list.push(item);
      pos = next;
    }
    return [list, pos + 1];
  }
  if (c === 0x64 /* d */) {
    const dict: Record<string, BValue> = {};
    let pos = at + 1;
    while (buf[pos] !== 0x65) {
      const [key, afterKey] = decodeAt(buf, pos);
      if (typeof key !== 'string') throw new BencodeError(`dictionary key is not a string at offset ${pos}`);
      const [value, next] = decodeAt(buf, afterKey);
      dict[key] = value;
      pos = next;
    }
    return [dict, pos + 1];
  }
  if (c >= 0x30 && c <= 0x39) {
    const colon = buf.indexOf(0x3a /* : */, at);
    const text = colon < 0 ? '' : buf.toString('latin1', at, colon);
    if (!/^\d+$/.test(text)) throw new BencodeError(`bad string length at offset ${at}`);
    const start = colon + 1;
    const end = start + Number(text);
    if (end > buf.length) throw new BencodeError(`string at offset ${at} runs past the end`);
    return [buf.toString('utf8', start, end), end];
  }
  throw new BencodeError(`unexpected byte 0x${c.toString(16)} at offset ${at}`);
}

/** A decoded dictionary, or undefined when the value is something else. */
export function asDict(value: BValue | undefined): { readonly [key: string]: BValue } | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as { readonly [key: string]: BValue })
    : undefined;
}
