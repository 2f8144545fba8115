/**
 * Message framing on stream transports (TCP, TLS; RFC 3261 §18.3): bytes accumulate until the
 * empty line ending the header section, Content-Length (long or compact `l`) says how many
 * body octets follow, and exactly that many are cut as one message. Between messages, CRLF
 * keep-alives are skipped; a double CRLF is a "ping" that the owner answers with a single CRLF
 * "pong" (RFC 5626 §3.5.1).
 *
 * A missing, malformed, negative or conflicting Content-Length leaves no way to find the next
 * message (RFC 4475 §3.1.2.3 ncl, §3.3.9 mcl01), nor does a header section or message larger
 * than the limit: the framer reports one fault and stops; the owner closes the connection.
 *
 * Copies are kept low: a chunk that holds whole messages is cut without copying; only the
 * unfinished tail of a chunk is copied, into a buffer sized for the whole message when its
 * length is known, grown by doubling otherwise. An idle framer holds no buffer.
 */

export type FramingFaultCode =
  | 'no-content-length'
  | 'bad-content-length'
  | 'conflicting-content-length'
  | 'header-too-large'
  | 'message-too-large';

export interface FramingFault {
  code: FramingFaultCode;
  reason: string;
  /**
   * The header section (start line to the empty line) when it was complete: the owner can
   * parse it to answer a request with 400 before closing.
   */
  head: Buffer | undefined;
}

/** Upcalls of a framer to the connection that owns it. */
export interface FrameSink {
  /** One message, exactly as framed (no leading CRLF). */
  receiveFrame(frame: Buffer): void;
  /** A double-CRLF keep-alive ping between messages: answer with CRLF (RFC 5626 §3.5.1). */
  receivePing(): void;
  /** Framing is lost; no further upcalls follow. */
  receiveFramingFault(fault: FramingFault): void;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');
const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
/** Smallest buffer allocated for an unfinished message whose length is not yet known. */
const MIN_CAPACITY = 2048;

export class StreamFramer {
  /** Pending bytes are buf[0, len); they start at a message start (or are a lone CR). */
  private buf: Buffer | undefined = undefined;
  private len = 0;
  /** buf is our own storage that no emitted frame refers to, so it may be written into. */
  private owned = false;
  /** A message has started (its first octet is pending). */
  private inMessage = false;
  /** Where the search for CRLF CRLF resumes, relative to the message start. */
  private scanFrom = 0;
  /** Length of the current message once its header section has been read, else -1. */
  private frameLength = -1;
  /** CRLFs seen in a row between messages. */
  private crlfs = 0;
  private stopped = false;

  constructor(
    private readonly sink: FrameSink,
    private readonly maxMessageSize: number,
  ) {}

  /** Octets held for a message not yet complete (0 when idle). */
  get pendingBytes(): number {
    return this.len;
  }

  /** True once a fault was reported or stop() was called. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Stops framing and releases the buffer (the connection is closing). */
  stop(): void {
    this.stopped = true;
    this.release();
  }

  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    let data: Buffer;
    if (this.len === 0) {
      data = chunk;
    } else {
      this.append(chunk);
      data = this.buf!.subarray(0, this.len);
    }
    const end = data.length;
    let pos = 0;
    while (pos < end && !this.stopped) {
      if (!this.inMessage) {
        // Between messages: CRLF keep-alives (RFC 5626 §3.5.1) and RFC 3261 §7.5 leading CRLFs.
        if (data[pos] === CR) {
          if (pos + 1 === end) break; // is it CRLF? wait for the next octet
          if (data[pos + 1] === LF) {
            pos += 2;
            if (++this.crlfs === 2) {
              this.crlfs = 0;
              this.sink.receivePing();
            }
            continue;
          }
        }
        this.crlfs = 0;
        this.inMessage = true;
        this.scanFrom = 0;
      }
      if (this.frameLength < 0) {
        const headEnd = data.indexOf(HEAD_END, pos + this.scanFrom);
        if (headEnd < 0) {
          const have = end - pos;
          if (have > this.maxMessageSize) {
            this.fail('header-too-large', `header section exceeds ${this.maxMessageSize} octets`, undefined);
            return;
          }
          this.scanFrom = Math.max(0, have - 3);
          break;
        }
        const headLength = headEnd + 4 - pos;
        const cl = contentLength(data, pos, headEnd + 2);
        if (typeof cl !== 'number') {
          this.fail(cl.code, cl.reason, data.subarray(pos, headEnd + 4));
          return;
        }
        if (headLength + cl > this.maxMessageSize) {
          this.fail(
            'message-too-large',
            `message of ${headLength + cl} octets exceeds ${this.maxMessageSize}`,
            data.subarray(pos, headEnd + 4),
          );
          return;
        }
        this.frameLength = headLength + cl;
      }
      if (end - pos < this.frameLength) break; // the body is still coming (RFC 4475 §3.1.2.2 clerr)
      const frame = data.subarray(pos, pos + this.frameLength);
      pos += this.frameLength;
      this.frameLength = -1;
      this.inMessage = false;
      if (data !== chunk) this.owned = false; // the frame refers to our storage from now on
      this.sink.receiveFrame(frame);
    }
    if (this.stopped) return;
    this.keep(data, chunk, pos);
  }

  /** Keeps data[pos, end) for the next push. */
  private keep(data: Buffer, chunk: Buffer, pos: number): void {
    const rest = data.length - pos;
    if (rest === 0) {
      this.release();
      return;
    }
    if (data === chunk) {
      // Copy the tail out of the socket's chunk, into room for the whole message when known.
      const next = Buffer.allocUnsafe(this.capacityFor(rest));
      chunk.copy(next, 0, pos);
      this.buf = next;
      this.owned = true;
    } else if (pos > 0) {
      this.buf = this.buf!.subarray(pos);
    }
    this.len = rest;
  }

  private append(chunk: Buffer): void {
    const need = this.len + chunk.length;
    const buf = this.buf!;
    if (this.owned && buf.length >= need) {
      chunk.copy(buf, this.len);
    } else {
      const next = Buffer.allocUnsafe(this.capacityFor(need));
      buf.copy(next, 0, 0, this.len);
      chunk.copy(next, this.len);
      this.buf = next;
      this.owned = true;
    }
    this.len = need;
  }

  private capacityFor(need: number): number {
    if (this.frameLength >= need) return this.frameLength;
    return Math.max(need, Math.min(need * 2, this.maxMessageSize + 4), MIN_CAPACITY);
  }

  private release(): void {
    this.buf = undefined;
    this.len = 0;
    this.owned = false;
  }

  private fail(code: FramingFaultCode, reason: string, head: Buffer | undefined): void {
    this.stopped = true;
    this.release();
    this.sink.receiveFramingFault({ code, reason, head });
  }
}

type LengthFault = { code: FramingFaultCode; reason: string };

/**
 * Reads Content-Length (or `l`, any case) from the header lines in b[start, end), where end is
 * just past the CRLF of the last header line. Folded values are followed. A value is one or
 * more digits with optional surrounding whitespace; anything else is a fault, and so are two
 * fields with different values.
 */
export function contentLength(b: Buffer, start: number, end: number): number | LengthFault {
  let p = b.indexOf(CRLF, start) + 2; // skip the start line
  let found = -1;
  while (p < end) {
    let eol = b.indexOf(CRLF, p);
    if (eol < 0 || eol > end - 2) eol = end - 2;
    const first = b[p]! | 0x20;
    let q = -1;
    if (first === 0x6c) q = p + 1;
    else if (first === 0x63 && eol - p >= 14 && isContentLength(b, p)) q = p + 14;
    if (q >= 0) {
      while (q < eol && (b[q] === SP || b[q] === HTAB)) q++;
      if (q < eol && b[q] === COLON) {
        let valueEnd = eol;
        while (valueEnd + 2 < end && (b[valueEnd + 2] === SP || b[valueEnd + 2] === HTAB)) {
          const next = b.indexOf(CRLF, valueEnd + 2);
          valueEnd = next < 0 || next > end - 2 ? end - 2 : next;
        }
        const n = digits(b, q + 1, valueEnd);
        if (n < 0)
          return {
            code: 'bad-content-length',
            reason: `Content-Length '${b.toString('latin1', q + 1, valueEnd).trim()}' is not a non-negative integer`,
          };
        if (found >= 0 && n !== found)
          return {
            code: 'conflicting-content-length',
            reason: `conflicting Content-Length values ${found} and ${n}`,
          };
        found = n;
        eol = valueEnd;
      }
    }
    p = eol + 2;
  }
  if (found < 0)
    return { code: 'no-content-length', reason: 'Content-Length is mandatory on stream transports' };
  return found;
}

function isContentLength(b: Buffer, p: number): boolean {
  for (let i = 1; i < 14; i++) if ((b[p + i]! | 0x20) !== CONTENT_LENGTH[i]) return false;
  return true;
}

/** 1*DIGIT between optional whitespace (CR/LF of folding included); -1 when not that. */
function digits(b: Buffer, from: number, to: number): number {
  let i = from;
  while (i < to && isLws(b[i]!)) i++;
  const start = i;
  let n = 0;
  while (i < to && b[i]! >= 0x30 && b[i]! <= 0x39) {
    n = n * 10 + (b[i]! - 0x30);
    i++;
  }
  const count = i - start;
  while (i < to && isLws(b[i]!)) i++;
  if (count === 0 || i !== to || count > 10) return -1;
  return n;
}

function isLws(c: number): boolean {
  return c === SP || c === HTAB || c === CR || c === LF;
}
