import { isToken, isWs, trimWs } from '../grammar/chars.ts';
import { headerKey } from '../message/header-names.ts';
import { type HeaderField, SipHeaders } from '../message/headers.ts';
import { type SipMessage, SipRequest, SipResponse } from '../message/message.ts';
import { parseNameAddr } from '../message/name-addr.ts';
import { isCallId, parseContentLength, parseCSeq, parseMaxForwards } from '../message/scalars.ts';
import { parseVia } from '../message/via.ts';
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
  while (pos < head.length) {
    let end = head.indexOf('\r\n', pos);
    lineNo++;
    const first = lineNo;
    // RFC 3261 §7.3.1: a line starting with SP/HTAB continues the previous field.
    while (end + 2 < head.length && isWs(head.charCodeAt(end + 2))) {
      end = head.indexOf('\r\n', end + 2);
      lineNo++;
    }
    const raw = head.slice(pos, end + 2);
    const colon = raw.indexOf(':');
    if (isWs(raw.charCodeAt(0)))
      return {
        fields,
        fault: { code: 'header-syntax', reason: 'continuation line before any header', line: first },
      };
    if (colon <= 0)
      return { fields, fault: { code: 'header-syntax', reason: 'header line has no ":"', line: first } };
    const name = trimWs(raw.slice(0, colon));
    if (!isToken(name))
      return {
        fields,
        fault: { code: 'header-syntax', reason: `header name '${name}' is not a token`, line: first },
      };
    let value = raw.slice(colon + 1, raw.length - 2);
    if (first !== lineNo) value = value.replace(/\r\n[ \t]+/g, ' ');
    fields.push({ name, key: headerKey(name), value: trimWs(value), raw });
    lines.push(first);
    pos = end + 2;
  }
  return { fields, lines };
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

const SINGLE = [
  ['call-id', 'Call-ID'],
  ['cseq', 'CSeq'],
  ['from', 'From'],
  ['to', 'To'],
  ['max-forwards', 'Max-Forwards'],
] as const;

/** RFC 3261 §8.1.1 / §8.2 / RFC 4475 §3.1.2, §3.3.1, §3.3.8: the headers every message relies on. */
function checkEssential(m: SipMessage, lines: number[]): PartialFault | undefined {
  const fields = m.headers.fields;
  const lineOf = (key: string, nth = 0): number | undefined => {
    let seen = 0;
    for (let i = 0; i < fields.length; i++) if (fields[i]!.key === key && seen++ === nth) return lines[i];
    return undefined;
  };
  for (const [key, name] of SINGLE) {
    const n = m.headers.count(key);
    if (n > 1)
      return {
        code: 'multiple-values',
        reason: `${name} appears ${n} times but allows one value`,
        header: name,
        line: lineOf(key, 1),
      };
    if (n === 0 && key !== 'max-forwards')
      return { code: 'missing-header', reason: `${name} is missing`, header: name };
  }
  const vias = m.typed('via', (h) => {
    const all = h.all('via');
    if (all.length === 0) return 'Via missing';
    const out = [];
    for (const f of all) {
      const r = parseVia(f.value);
      if (typeof r === 'string') return r;
      out.push(...r);
    }
    return out;
  });
  if (typeof vias === 'string')
    return {
      code: vias === 'Via missing' ? 'missing-header' : 'header-value',
      reason: vias,
      header: 'Via',
      line: lineOf('via'),
    };
  for (const key of ['from', 'to'] as const) {
    const r = m.typed(key, (h) => parseNameAddr(h.get(key)!));
    if (typeof r === 'string')
      return { code: 'header-value', reason: r, header: key === 'from' ? 'From' : 'To', line: lineOf(key) };
  }
  if (!isCallId(m.headers.get('call-id')!))
    return {
      code: 'header-value',
      reason: 'Call-ID is not word["@"word]',
      header: 'Call-ID',
      line: lineOf('call-id'),
    };
  const cseq = m.typed('cseq', (h) => parseCSeq(h.get('cseq')!));
  if (typeof cseq === 'string')
    return { code: 'header-value', reason: cseq, header: 'CSeq', line: lineOf('cseq') };
  const mf = m.headers.get('max-forwards');
  if (mf !== undefined) {
    const n = parseMaxForwards(mf);
    if (typeof n === 'string')
      return {
        code: 'header-value',
        reason: `Max-Forwards ${n}`,
        header: 'Max-Forwards',
        line: lineOf('max-forwards'),
      };
  }
  if (m.kind === 'request' && cseq.method !== m.method) {
    const status = KNOWN_METHODS.has(m.method) ? 400 : 501;
    return {
      code: 'cseq-mismatch',
      status,
      reason: `CSeq method ${cseq.method} does not match the request method ${m.method}`,
      header: 'CSeq',
      line: lineOf('cseq'),
    };
  }
  return undefined;
}
