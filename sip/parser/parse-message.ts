import { trimWs } from '../grammar/chars.ts';
import { type HeaderField, type ReceivedSection, SipHeaders } from '../message/headers.ts';
import { type SipMessage, SipRequest, SipResponse } from '../message/message.ts';
import { parseContentLength } from '../message/scalars.ts';
import { checkEssential } from './essential.ts';
import type { ParseFault, ParseResult, PartialFault } from './parse-fault.ts';
import { fieldLine, readFields } from './read-fields.ts';
import { isFault, parseStartLine, type StartLine } from './start-line.ts';

export { KNOWN_METHODS } from './essential.ts';

export interface ParseOptions {
  /**
   * 'datagram': the buffer is one UDP datagram or one WebSocket message; the body ends at
   * Content-Length, octets after it are ignored (RFC 3261 §18.3), and with no Content-Length
   * the body runs to the end. 'stream': the buffer is exactly one message cut by the stream
   * framer, Content-Length is mandatory and must match.
   */
  framing?: 'datagram' | 'stream';
}

/**
 * Parses one SIP message: start line, header fields (folding undone, raw bytes kept), body
 * framed by Content-Length, and the headers every message needs (Via, From, To, Call-ID,
 * CSeq, Max-Forwards) checked so that later layers can rely on them (RFC 3261 §7, §8.1.1,
 * §18.3, RFC 4475). Other headers are parsed on first use.
 *
 * The message refers to buf, not to a copy: the body is a view of it, and serialize copies the
 * fields still as received from it (headers.received). buf must not be written to while the
 * message is in use (transports hand over each received message's octets and keep them).
 */
export function parseMessage(buf: Buffer, opts: ParseOptions = {}): ParseResult<SipMessage> {
  const framing = opts.framing ?? 'datagram';
  let start = 0;
  // RFC 3261 §7.5: ignore CRLFs before the start line.
  while (start + 1 < buf.length && buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2;
  if (start >= buf.length) return fail({ code: 'empty', status: null, reason: 'no message (only CRLF)' });
  let headEnd = buf.indexOf(HEAD_END, start);
  let head: string;
  if (headEnd >= 0) {
    head = buf.toString('latin1', start, headEnd + 2);
  } else {
    // No empty line. A datagram is still read to its end so that the fault reported is the most
    // precise one (RFC 4475 §3.1.2.15 baddn ends without CRLF CRLF); it is rejected in any case.
    if (framing === 'stream')
      return fail({
        code: 'not-terminated',
        status: null,
        reason: 'header section is not terminated by an empty line',
      });
    head = buf.toString('latin1', start);
    if (!head.endsWith('\r\n')) head += '\r\n';
    headEnd = buf.length;
  }
  const terminated = headEnd < buf.length;
  const lineEnd = head.indexOf('\r\n');
  const sl = parseStartLine(head.slice(0, lineEnd));
  if (isFault(sl)) return startLineFault(sl, head, lineEnd);

  const read = readFields(head, lineEnd + 2);
  const fields = read.fields;
  if (read.fault !== undefined) return headerFault(sl, fields, read.fault);

  // Body framing (RFC 3261 §18.3, §20.14).
  const bodyStart = Math.min(headEnd + 4, buf.length);
  const available = buf.length - bodyStart;
  let bodyLength = available;
  let clField = -1;
  let cl: number | undefined;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.key !== 'content-length') continue;
    const n = parseContentLength(f.value);
    if (typeof n === 'string')
      return headerFault(sl, fields, {
        code: 'content-length',
        reason: `Content-Length ${n}`,
        header: 'Content-Length',
        line: fieldLine(head, read.raws, i),
      });
    if (cl !== undefined && n !== cl)
      return headerFault(sl, fields, {
        code: 'content-length',
        reason: `conflicting Content-Length values ${cl} and ${n}`,
        header: 'Content-Length',
        line: fieldLine(head, read.raws, i),
      });
    cl = n;
    clField = i;
  }
  if (cl !== undefined) {
    if (cl > available)
      return headerFault(sl, fields, {
        code: 'content-length',
        reason: `Content-Length ${cl} is larger than the ${available} octets of body received`,
        header: 'Content-Length',
        line: fieldLine(head, read.raws, clField),
      });
    if (framing === 'stream' && cl !== available)
      return headerFault(sl, fields, {
        code: 'content-length',
        reason: 'Content-Length does not match the framed body',
        header: 'Content-Length',
      });
    bodyLength = cl;
  } else if (framing === 'stream') {
    return headerFault(sl, fields, {
      code: 'content-length',
      reason: 'Content-Length is mandatory on stream transports (RFC 3261 §18.3)',
      header: 'Content-Length',
    });
  }
  const body = bodyLength === 0 ? EMPTY_BODY : buf.subarray(bodyStart, bodyStart + bodyLength);

  // The received octets, for the serialiser to copy untouched ranges from (only when the header
  // section really ends in the buffer: otherwise head carries a CRLF the buffer does not).
  let received: ReceivedSection | undefined;
  if (terminated) {
    const request = sl.kind === 'request';
    const exact = request ? head.startsWith(' SIP/2.0', lineEnd - 8) : head.startsWith('SIP/2.0 ');
    received = {
      buf,
      text: head,
      raws: read.raws,
      fieldsStart: start + lineEnd + 2,
      first: request ? sl.method : sl.status,
      second: request ? sl.uri : sl.reason,
      version: sl.version,
      lineStart: start,
      lineLength: exact ? lineEnd + 2 : -1,
      end: headEnd + 2,
    };
  }
  const headers = new SipHeaders(fields, received);
  const message: SipMessage =
    sl.kind === 'request'
      ? new SipRequest(sl.method, sl.uri, headers, body, sl.version)
      : new SipResponse(sl.status, sl.reason, headers, body, sl.version);
  const essential = checkEssential(message, head, read.raws);
  if (essential !== undefined) return headerFault(sl, fields, essential, message);
  if (!terminated)
    return headerFault(
      sl,
      fields,
      { code: 'not-terminated', reason: 'header section is not terminated by an empty line' },
      message,
    );
  return { ok: true, message };
}

const EMPTY_BODY = Buffer.alloc(0);
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/**
 * A request whose start line is faulty is still answered (400; 505 for an unsupported version,
 * RFC 3261 §21.5.6; RFC 4475 §3.1.2.7-11, §3.1.2.16), so its header fields are read to give the
 * server what it needs to build the response (Via, From, To, Call-ID, CSeq).
 */
function startLineFault(f: ParseFault, head: string, lineEnd: number): { ok: false; fault: ParseFault } {
  if (f.status === null) return fail(f);
  const line = head.slice(0, lineEnd);
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  const method = sp1 < 0 ? line : line.slice(0, sp1);
  const uri = sp1 < 0 ? '' : trimWs(line.slice(sp1 + 1, sp2 > sp1 ? sp2 : line.length));
  const read = readFields(head, lineEnd + 2);
  return fail({ ...f, partial: new SipRequest(method, uri, new SipHeaders(read.fields)) });
}

function fail(fault: ParseFault): { ok: false; fault: ParseFault } {
  return { ok: false, fault };
}

function headerFault(
  sl: StartLine,
  fields: HeaderField[],
  f: PartialFault,
  message?: SipMessage,
): { ok: false; fault: ParseFault } {
  const fault: ParseFault = { ...f, status: sl.kind === 'request' ? (f.status ?? 400) : null };
  if (sl.kind === 'request') {
    fault.partial =
      message?.kind === 'request' ? message : new SipRequest(sl.method, sl.uri, new SipHeaders(fields));
  }
  return fail(fault);
}
