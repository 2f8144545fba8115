/**
 * The header fields every later layer relies on, checked on every parsed message (RFC 3261
 * §8.1.1, §8.2; RFC 4475 §3.1.2, §3.3.1, §3.3.8).
 */
import type { HeaderField } from '../message/headers.ts';
import type { SipMessage } from '../message/message.ts';
import { parseNameAddr } from '../message/name-addr.ts';
import { isCallId, parseCSeq, parseMaxForwards } from '../message/scalars.ts';
import { parseTopVia } from '../message/via.ts';
import type { PartialFault } from './parse-fault.ts';
import { fieldLine } from './read-fields.ts';

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
export function checkEssential(m: SipMessage, head: string, raws: string[]): PartialFault | undefined {
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
      line: fieldLine(head, raws, secondIndex(fields, dup)),
    };
  }
  if (callId < 0) return { code: 'missing-header', reason: 'Call-ID is missing', header: 'Call-ID' };
  if (cseq < 0) return { code: 'missing-header', reason: 'CSeq is missing', header: 'CSeq' };
  if (from < 0) return { code: 'missing-header', reason: 'From is missing', header: 'From' };
  if (to < 0) return { code: 'missing-header', reason: 'To is missing', header: 'To' };
  if (via < 0) return { code: 'missing-header', reason: 'Via is missing', header: 'Via' };
  const top = parseTopVia(fields[via]!.value);
  if (typeof top === 'string')
    return { code: 'header-value', reason: top, header: 'Via', line: fieldLine(head, raws, via) };
  m.seed('via-top', top, 'via');
  const fromAddr = parseNameAddr(fields[from]!.value);
  if (typeof fromAddr === 'string')
    return { code: 'header-value', reason: fromAddr, header: 'From', line: fieldLine(head, raws, from) };
  m.seed('from', fromAddr);
  const toAddr = parseNameAddr(fields[to]!.value);
  if (typeof toAddr === 'string')
    return { code: 'header-value', reason: toAddr, header: 'To', line: fieldLine(head, raws, to) };
  m.seed('to', toAddr);
  if (!isCallId(fields[callId]!.value))
    return {
      code: 'header-value',
      reason: 'Call-ID is not word["@"word]',
      header: 'Call-ID',
      line: fieldLine(head, raws, callId),
    };
  const cs = parseCSeq(fields[cseq]!.value);
  if (typeof cs === 'string')
    return { code: 'header-value', reason: cs, header: 'CSeq', line: fieldLine(head, raws, cseq) };
  m.seed('cseq', cs);
  if (mf >= 0) {
    const n = parseMaxForwards(fields[mf]!.value);
    if (typeof n === 'string')
      return {
        code: 'header-value',
        reason: `Max-Forwards ${n}`,
        header: 'Max-Forwards',
        line: fieldLine(head, raws, mf),
      };
  }
  if (m.kind === 'request' && cs.method !== m.method) {
    const status = KNOWN_METHODS.has(m.method) ? 400 : 501;
    return {
      code: 'cseq-mismatch',
      status,
      reason: `CSeq method ${cs.method} does not match the request method ${m.method}`,
      header: 'CSeq',
      line: fieldLine(head, raws, cseq),
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
