import { isWs, TOKEN, trimWs } from '../grammar/chars.ts';
import { knownWireName, learnWireName, type WireName } from '../message/header-names.ts';
import type { HeaderField } from '../message/headers.ts';
import type { PartialFault } from './parse-fault.ts';

/** The fields read from a header section and their raw text, or a fault. */
export interface FieldsRead {
  fields: HeaderField[];
  raws: string[];
  fault: PartialFault | undefined;
}

/**
 * Reads the header fields of head from pos: folding undone, raw bytes kept (RFC 3261 §7.3.1).
 * A field-name already seen is looked up without being scanned or cut out.
 */
export function readFields(head: string, pos: number): FieldsRead {
  const fields: HeaderField[] = [];
  const raws: string[] = [];
  const n = head.length;
  while (pos < n) {
    let end = crlf(head, pos);
    // RFC 3261 §7.3.1: a line starting with SP/HTAB continues the previous field.
    let folded = false;
    while (end + 2 < n && isWs(head.charCodeAt(end + 2))) {
      end = crlf(head, end + 2);
      folded = true;
    }
    // field-name = token, then HCOLON = *( SP / HTAB ) ":" SWS. A spelling seen before is
    // recognised whole (knownWireName); any other is checked character by character.
    let colon = head.indexOf(':', pos);
    let wn: WireName | undefined;
    if (colon > pos && colon < end) {
      let nameEnd = colon;
      while (nameEnd > pos && isWs(head.charCodeAt(nameEnd - 1))) nameEnd--;
      wn = knownWireName(head, pos, nameEnd);
    }
    if (wn === undefined) {
      let i = pos;
      let c = head.charCodeAt(i);
      while (i < end && c < 128 && TOKEN[c] === 1) c = head.charCodeAt(++i);
      const nameEnd = i;
      while (i < end && isWs(c)) c = head.charCodeAt(++i);
      if (c !== 0x3a || nameEnd === pos)
        return { fields, raws, fault: nameFault(head, pos, end, nameEnd, lineAt(head, pos)) };
      wn = learnWireName(head, pos, nameEnd);
      colon = i;
    }
    let i = colon + 1;
    while (i < end && isWs(head.charCodeAt(i))) i++;
    let valueEnd = end;
    while (valueEnd > i && isWs(head.charCodeAt(valueEnd - 1))) valueEnd--;
    let value = head.slice(i, valueEnd);
    if (folded) value = trimWs(value.replace(/[ \t]*\r\n[ \t]+/g, ' '));
    const raw = head.slice(pos, end + 2);
    fields.push({ name: wn.name, key: wn.key, value, raw });
    raws.push(raw);
    pos = end + 2;
  }
  return { fields, raws, fault: undefined };
}

/** head.indexOf('\r\n', from), searching for the CR alone (a faster search); head ends with CRLF. */
function crlf(head: string, from: number): number {
  let cr = head.indexOf('\r', from);
  while (cr >= 0 && head.charCodeAt(cr + 1) !== 0x0a) cr = head.indexOf('\r', cr + 1);
  return cr;
}

/** 1-based line number of field k (fields follow the start line without a gap). */
export function fieldLine(head: string, raws: string[], k: number): number {
  let offset = head.indexOf('\r\n') + 2;
  for (let j = 0; j < k; j++) offset += raws[j]!.length;
  return lineAt(head, offset);
}

/** 1-based line number of offset in head (the start line is line 1). */
export function lineAt(head: string, offset: number): number {
  let line = 1;
  for (let i = head.indexOf('\r\n'); i >= 0 && i < offset; i = head.indexOf('\r\n', i + 2)) line++;
  return line;
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
