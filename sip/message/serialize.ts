import type { ReceivedSection } from './headers.ts';
import type { SipMessage } from './message.ts';

/**
 * Serialises a message once, for sending. Fields that were received and not changed are
 * written from their raw bytes (name spelling, compact form and folding preserved); others as
 * `Name: value`. Content-Length always states the body length: the field is rewritten when
 * it disagrees, and added when absent (stream transports require it, RFC 3261 §18.3).
 *
 * For a received message (headers.received), the start line, fields, empty line and body that
 * are still as received form runs of the received octets; a long run is copied from them in one
 * go instead of being encoded again from text (the output is the same octets either way).
 */
export function serialize(m: SipMessage): Buffer {
  const w = m.headers.received;
  const fields = m.headers.fields;
  const body = m.body;
  const lengthText = String(body.length);

  // The output as pieces: a string, or a range [start, end) of the received octets (two numbers).
  const pieces: Array<string | number> = [];
  let size = 0;
  let runStart = -1;
  let runEnd = -1;
  if (w !== undefined && lineUnchanged(m, w)) {
    runStart = w.lineStart;
    runEnd = runStart + w.lineLength;
  } else {
    const line =
      m.kind === 'request'
        ? `${m.method} ${m.uri} ${m.version}\r\n`
        : `${m.version} ${m.status} ${m.reason}\r\n`;
    pieces.push(line);
    size += line.length;
  }
  let sawLength = false;
  // Received fields are usually met in order: k is the next one, at offset kOffset.
  let k = 0;
  let kOffset = w === undefined ? 0 : w.fieldsStart;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    let text: string | undefined;
    if (f.key === 'content-length') {
      if (sawLength) continue;
      sawLength = true;
      if (f.value !== lengthText || f.raw === undefined) text = `${f.name}: ${lengthText}\r\n`;
    }
    if (text === undefined) {
      const raw = f.raw;
      if (raw !== undefined && w !== undefined) {
        const at = receivedIndex(w.raws, raw, k);
        if (at >= 0) {
          if (at !== k) kOffset = offsetOf(w, at);
          k = at + 1;
          const from = kOffset;
          kOffset += raw.length;
          if (from !== runEnd) {
            if (runEnd > runStart) {
              pieces.push(runStart, runEnd);
              size += runEnd - runStart;
            }
            runStart = from;
          }
          runEnd = from + raw.length;
          continue;
        }
      }
      text = raw ?? `${f.name}: ${f.value}\r\n`;
    }
    if (runEnd > runStart) {
      pieces.push(runStart, runEnd);
      size += runEnd - runStart;
      runStart = runEnd = -1;
    }
    pieces.push(text);
    size += text.length;
  }
  if (!sawLength) {
    if (runEnd > runStart) {
      pieces.push(runStart, runEnd);
      size += runEnd - runStart;
      runStart = runEnd = -1;
    }
    const text = `Content-Length: ${lengthText}\r\n`;
    pieces.push(text);
    size += text.length;
  }
  // The empty line, and the body when it is still the received one, extend a run that reaches them.
  let bodyDone = false;
  if (w !== undefined && runEnd === w.end && runEnd > runStart) {
    runEnd += 2;
    const src = w.buf;
    if (body.length > 0 && body.buffer === src.buffer && body.byteOffset === src.byteOffset + runEnd) {
      runEnd += body.length;
      bodyDone = true;
    }
    pieces.push(runStart, runEnd);
    size += runEnd - runStart;
  } else {
    if (runEnd > runStart) {
      pieces.push(runStart, runEnd);
      size += runEnd - runStart;
    }
    pieces.push('\r\n');
    size += 2;
  }
  if (!bodyDone) size += body.length;

  const out = allocate(size);
  let pos = 0;
  let text = '';
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (typeof p === 'string') {
      text += p;
      continue;
    }
    const end = pieces[++i] as number;
    const r = w!;
    if (end - p < COPY_MIN && end <= r.end + 2) {
      // A short run costs less as text (one encode with its neighbours) than as its own copy.
      text += r.text.slice(p - r.lineStart, Math.min(end, r.end) - r.lineStart);
      if (end > r.end) text += '\r\n';
      continue;
    }
    if (text.length > 0) {
      pos += out.write(text, pos, 'latin1');
      text = '';
    }
    pos += w!.buf.copy(out, pos, p, end);
  }
  if (text.length > 0) pos += out.write(text, pos, 'latin1');
  if (!bodyDone && body.length > 0) body.copy(out, pos);
  return out;
}

/**
 * Output buffers are cut from 64 KiB slabs, as Buffer.allocUnsafe cuts small buffers from its
 * 8 KiB pool, but with room for some twenty messages per slab instead of two or three: every
 * slab is one ArrayBuffer allocation, the dominant cost of serialising a message. A slab is
 * freed once no buffer cut from it is referenced any more (outputs are handed to a socket and
 * dropped). Larger outputs get their own buffer.
 */
function allocate(size: number): Buffer {
  if (size > SLAB_SIZE >>> 3) return Buffer.allocUnsafe(size);
  if (slabUsed + size > SLAB_SIZE) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + size);
  slabUsed = (slabUsed + size + 7) & ~7;
  return out;
}

const SLAB_SIZE = 64 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
let slabUsed = 0;

/** Runs of received octets shorter than this are written from their text instead of copied. */
const COPY_MIN = 256;

function lineUnchanged(m: SipMessage, w: ReceivedSection): boolean {
  if (w.lineLength < 0 || m.version !== w.version) return false;
  return m.kind === 'request'
    ? m.method === w.first && m.uri === w.second
    : m.status === w.first && m.reason === w.second;
}

/** Offset in the received octets of received field k. */
function offsetOf(w: ReceivedSection, k: number): number {
  let offset = w.fieldsStart;
  for (let j = 0; j < k; j++) offset += w.raws[j]!.length;
  return offset;
}

/**
 * Index of the received field whose raw text a field still has, looking first at `hint`
 * (fields usually stay in order), or -1 when the field was added or changed.
 */
function receivedIndex(raws: readonly string[], raw: string, hint: number): number {
  if (hint < raws.length && raws[hint] === raw) return hint;
  for (let j = hint + 1; j < raws.length; j++) if (raws[j] === raw) return j;
  for (let j = 0; j < hint && j < raws.length; j++) if (raws[j] === raw) return j;
  return -1;
}
