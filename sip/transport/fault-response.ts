import { randomBytes } from 'node:crypto';
import { type HeaderField, makeField, SipHeaders } from '../message/headers.ts';
import { SipResponse } from '../message/message.ts';
import { parseNameAddr } from '../message/name-addr.ts';
import type { ParseFault } from '../parser/parse-fault.ts';
import { stampReceived } from './via-received.ts';

const STANDARD_REASON = { 400: 'Bad Request', 501: 'Not Implemented', 505: 'Version Not Supported' } as const;
const MAX_DETAIL = 120;

/**
 * The stateless answer to a request the parser refused (RFC 3261 §8.2.6, §21.4.1, §21.5.2,
 * §21.5.6; RFC 4475 §3.1.2): the fault's status, a reason phrase naming the fault (no Warning
 * header), and Via (all values, in order), From, To (with a tag added), Call-ID and CSeq copied
 * from what could be read of the request, with the top Via stamped as in §18.2.1.
 *
 * Returns undefined when there is nothing to answer: the fault has no status (responses and
 * garbage are dropped, §18.3) or no Via could be read, so no one could match an answer.
 */
export function faultResponse(
  fault: ParseFault,
  remoteAddress: string,
  remotePort: number,
): SipResponse | undefined {
  if (fault.status === null) return undefined;
  const source = fault.partial?.headers;
  if (source === undefined || !source.has('via')) return undefined;
  const fields: HeaderField[] = [];
  for (const f of source.fields) if (f.key === 'via') fields.push({ ...f });
  for (const key of ['from', 'to', 'call-id', 'cseq']) {
    const f = source.first(key);
    if (f === undefined) continue;
    fields.push(key === 'to' ? withToTag(f) : { ...f });
  }
  const headers = new SipHeaders(fields);
  stampReceived(headers, remoteAddress, remotePort);
  const reason = `${STANDARD_REASON[fault.status]} (${reasonText(fault.reason)})`;
  return new SipResponse(fault.status, reason, headers);
}

/** RFC 3261 §8.2.6.2: the UAS adds a tag to To when the request had none. */
function withToTag(f: HeaderField): HeaderField {
  const to = parseNameAddr(f.value);
  if (typeof to === 'string' || to.params.has('tag')) return { ...f };
  return makeField(f.name, `${f.value};tag=${randomBytes(5).toString('hex')}`);
}

/**
 * A fault description made safe for a Reason-Phrase (RFC 3261 §25.1: reserved, unreserved,
 * escaped, UTF-8, SP, HTAB): characters outside that set are replaced, and the text is capped.
 */
export function reasonText(detail: string): string {
  let out = '';
  for (let i = 0; i < detail.length && out.length < MAX_DETAIL; i++) {
    const ch = detail[i]!;
    const c = ch.charCodeAt(0);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) out += ch;
    else if (REASON_SAFE.indexOf(ch) >= 0) out += ch;
    else if (ch === '"') out += "'";
    else if (ch === '<' || ch === '[' || ch === '{') out += '(';
    else if (ch === '>' || ch === ']' || ch === '}') out += ')';
    else if (ch === '§') out += 'section ';
    else out += '?';
  }
  return out;
}

const REASON_SAFE = " -_.!~*'();/?:@&=+$,";
