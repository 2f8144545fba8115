import { isWs, TOKEN, trimWs } from '../grammar/chars.ts';
import { headerKey } from '../message/header-names.ts';
import { type HeaderField, SipHeaders } from '../message/headers.ts';
import { type SipMessage, SipRequest, SipResponse } from '../message/message.ts';
import { parseNameAddr } from '../message/name-addr.ts';
import { isCallId, parseContentLength, parseCSeq, parseMaxForwards } from '../message/scalars.ts';
import { parseTopVia } from '../message/via.ts';
import type { ParseFault, ParseResult } from './parse-fault.ts';
import { isFault, parseStartLine, type StartLine } from './start-line.ts';

export interface ParseOptions {
  /**
   * 'datagram': the buffer is one UDP datagram or one WebSocket message; the body ends at
   * Content-Length, octets after it are ignored (RFC 3261 §18.3), and with no Content-Length
   * the body runs to the end. 'stream': the buffer is exactly one message cut by the stream
   * framer, Content-Length is mandatory and must match.
   */
  framing?: 'datagram' | 'stream';
}

/** Methods of RFC 3261 and its extensions that this library knows (others get 501 from a UAS). */
export const KNOWN_METHODS = new Set([
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'INFO',
  'REFER',
  'MESSAGE',
  'UPDATE',
]);

const CRLF = 0x0a0d;

/**
 * Parses one SIP message: start line, header fields (folding undone, raw bytes kept), body
 * framed by Content-Length, and the headers every message needs (Via, From, To, Call-ID,
 * CSeq, Max-Forwards) checked so that later layers can rely on them (RFC 3261 §7, §8.1.1,
 * §18.3, RFC 4475). Other headers are parsed on first use.
 */
export function parseMessage(buf: Buffer, opts: ParseOptions = {}): ParseResult<SipMessage> {
  const framing = opts.framing ?? 'datagram';
  let start = 0;
  // RFC 3261 §7.5: ignore CRLFs before the start line.
  while (start + 1 < buf.length && buf.readUInt16LE(start) === CRLF) start += 2;
  if (start >= buf.length) return fail({ code: 'empty', status: null, reason: 'no message (only CRLF)' });
  let headEnd = buf.indexOf('\r\n\r\n', start, 'latin1');
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
  if ('fault' in read) return headerFault(sl, read.fields, read.fault);
  const { fields, lines } = read;
  const headers = new SipHeaders(fields);

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
        line: lines[i],
      });
    if (cl !== undefined && n !== cl)
      return headerFault(sl, fields, {
        code: 'content-length',
        reason: `conflicting Content-Length values ${cl} and ${n}`,
        header: 'Content-Length',
        line: lines[i],
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
        line: lines[clField],
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

  const message: SipMessage =
    sl.kind === 'request'
      ? new SipRequest(sl.method, sl.uri, headers, body, sl.version)
      : new SipResponse(sl.status, sl.reason, headers, body, sl.version);
  const essential = checkEssential(message, lines);
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

type FieldsRead = { fields: HeaderField[]; lines: number[] } | { fields: HeaderField[]; fault: PartialFault };

/** Reads the header fields of head from pos: folding undone, raw bytes kept (RFC 3261 §7.3.1). */
function readFields(head: string, pos: number): FieldsRead {
  const fields: HeaderField[] = [];
  const lines: number[] = [];
  let lineNo = 1;
  const n = head.length;
  while (pos < n) {
    let end = head.indexOf('\r\n', pos);
    lineNo++;
    const first = lineNo;
    // RFC 3261 §7.3.1: a line starting with SP/HTAB continues the previous field.
    while (end + 2 < n && isWs(head.charCodeAt(end + 2))) {
      end = head.indexOf('\r\n', end + 2);
      lineNo++;
    }
    // field-name = token, then HCOLON = *( SP / HTAB ) ":" SWS, scanned in one pass.
    let i = pos;
    let c = head.charCodeAt(i);
    while (i < end && c < 128 && TOKEN[c] === 1) c = head.charCodeAt(++i);
    const nameEnd = i;
    while (i < end && isWs(c)) c = head.charCodeAt(++i);
    if (c !== 0x3a || nameEnd === pos) return { fields, fault: nameFault(head, pos, end, nameEnd, first) };
    i++;
    while (i < end && isWs(head.charCodeAt(i))) i++;
    let valueEnd = end;
    while (valueEnd > i && isWs(head.charCodeAt(valueEnd - 1))) valueEnd--;
    const name = head.slice(pos, nameEnd);
    let value = head.slice(i, valueEnd);
    if (first !== lineNo) value = trimWs(value.replace(/[ \t]*\r\n[ \t]+/g, ' '));
    fields.push({ name, key: headerKey(name), value, raw: head.slice(pos, end + 2) });
    lines.push(first);
    pos = end + 2;
  }
  return { fields, lines };
}

function nameFault(head: string, pos: number, end: number, nameEnd: number, line: number): PartialFault {
  if (isWs(head.charCodeAt(pos)))
    return { code: 'header-syntax', reason: 'continuation line before any header', line };
  const colon = head.indexOf(':', pos);
  if (colon < 0 || colon > end) return { code: 'header-syntax', reason: 'header line has no ":"', line };
  const name = trimWs(head.slice(pos, colon));
  return {
    code: 'header-syntax',
    reason: `header name '${name}' is not a token`,
    line,
    column: nameEnd - pos + 1,
  };
}

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

type PartialFault = Omit<ParseFault, 'status'> & { status?: ParseFault['status'] };

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

/** RFC 3261 §8.1.1 / §8.2 / RFC 4475 §3.1.2, §3.3.1, §3.3.8: the headers every message relies on. */
/** Index of the first field with this key, or -1. */
function firstIndex(fields: HeaderField[], key: string): number {
  for (let i = 0; i < fields.length; i++) if (fields[i]!.key === key) return i;
  return -1;
}

function secondIndex(fields: HeaderField[], key: string): number {
  const first = firstIndex(fields, key);
  for (let i = first + 1; i < fields.length; i++) if (fields[i]!.key === key) return i;
  return -1;
}

/**
 * RFC 3261 §8.1.1 / §8.2 / RFC 4475 §3.1.2, §3.3.1, §3.3.8: the headers every message relies
 * on, checked in one pass over the fields. Only the top Via is parsed here (it is what every
 * layer needs); the others are parsed on first use (`viaList()`).
 */
function checkEssential(m: SipMessage, lines: number[]): PartialFault | undefined {
  const fields = m.headers.fields;
  let via = -1;
  let from = -1;
  let to = -1;
  let callId = -1;
  let cseq = -1;
  let mf = -1;
  let dups = 0;
  for (let i = 0; i < fields.length; i++) {
    switch (fields[i]!.key) {
      case 'via':
        if (via < 0) via = i;
        break;
      case 'from':
        if (from >= 0) dups |= 4;
        from = from < 0 ? i : from;
        break;
      case 'to':
        if (to >= 0) dups |= 8;
        to = to < 0 ? i : to;
        break;
      case 'call-id':
        if (callId >= 0) dups |= 1;
        callId = callId < 0 ? i : callId;
        break;
      case 'cseq':
        if (cseq >= 0) dups |= 2;
        cseq = cseq < 0 ? i : cseq;
        break;
      case 'max-forwards':
        if (mf >= 0) dups |= 16;
        mf = mf < 0 ? i : mf;
        break;
    }
  }
  if (dups !== 0) {
    // Reported in a fixed order: Call-ID, CSeq, From, To, Max-Forwards.
    const dup = SINGLE_KEYS[31 - Math.clz32(dups & -dups)]!;
    const name = SINGLE_NAMES[dup]!;
    return {
      code: 'multiple-values',
      reason: `${name} appears ${m.headers.count(dup)} times but allows one value`,
      header: name,
      line: lines[secondIndex(fields, dup)],
    };
  }
  if (callId < 0) return { code: 'missing-header', reason: 'Call-ID is missing', header: 'Call-ID' };
  if (cseq < 0) return { code: 'missing-header', reason: 'CSeq is missing', header: 'CSeq' };
  if (from < 0) return { code: 'missing-header', reason: 'From is missing', header: 'From' };
  if (to < 0) return { code: 'missing-header', reason: 'To is missing', header: 'To' };
  if (via < 0) return { code: 'missing-header', reason: 'Via is missing', header: 'Via' };
  const top = parseTopVia(fields[via]!.value);
  if (typeof top === 'string') return { code: 'header-value', reason: top, header: 'Via', line: lines[via] };
  m.seed('via-top', top);
  const fromAddr = parseNameAddr(fields[from]!.value);
  if (typeof fromAddr === 'string')
    return { code: 'header-value', reason: fromAddr, header: 'From', line: lines[from] };
  m.seed('from', fromAddr);
  const toAddr = parseNameAddr(fields[to]!.value);
  if (typeof toAddr === 'string')
    return { code: 'header-value', reason: toAddr, header: 'To', line: lines[to] };
  m.seed('to', toAddr);
  if (!isCallId(fields[callId]!.value))
    return {
      code: 'header-value',
      reason: 'Call-ID is not word["@"word]',
      header: 'Call-ID',
      line: lines[callId],
    };
  const cs = parseCSeq(fields[cseq]!.value);
  if (typeof cs === 'string') return { code: 'header-value', reason: cs, header: 'CSeq', line: lines[cseq] };
  m.seed('cseq', cs);
  if (mf >= 0) {
    const n = parseMaxForwards(fields[mf]!.value);
    if (typeof n === 'string')
      return { code: 'header-value', reason: `Max-Forwards ${n}`, header: 'Max-Forwards', line: lines[mf] };
  }
  if (m.kind === 'request' && cs.method !== m.method) {
    const status = KNOWN_METHODS.has(m.method) ? 400 : 501;
    return {
      code: 'cseq-mismatch',
      status,
      reason: `CSeq method ${cs.method} does not match the request method ${m.method}`,
      header: 'CSeq',
      line: lines[cseq],
    };
  }
  return undefined;
}

const SINGLE_KEYS = ['call-id', 'cseq', 'from', 'to', 'max-forwards'];

const SINGLE_NAMES: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  from: 'From',
  to: 'To',
  'max-forwards': 'Max-Forwards',
};
