/**
 * The little a benchmark caller reads from a response to its INVITE or BYE: status code, Call-ID,
 * CSeq number and method, the To tag, the Record-Route entries (in order), the Contact URI (the
 * remote target) and the body. One scan over the header lines, no full parse (the load generator
 * shares a core with the IMS core, rtpengine and sipp). A message it cannot read is a failure of
 * the system under test.
 */

export interface CallResponseFacts {
  readonly status: number;
  readonly callId: string;
  readonly cseq: number;
  readonly method: string;
  /** the To tag ('' when absent) */
  readonly toTag: string;
  /** every Record-Route entry, top first (`<sip:...;lr>`, header lines and commas split) */
  readonly recordRoutes: readonly string[];
  /** the URI inside the first Contact's angle brackets, '' when absent */
  readonly contact: string;
  /** what follows the empty line */
  readonly body: string;
}

/** Reads a SIP response to a call's request; a string says why it is not one. */
export function readCallResponse(text: string): CallResponseFacts | string {
  if (!text.startsWith('SIP/2.0 ')) return `not a response: ${JSON.stringify(text.slice(0, 40))}`;
  const status = Number(text.slice(8, 11));
  if (!Number.isInteger(status) || status < 100 || status > 699) return 'bad status line';
  let callId = '';
  let cseq = -1;
  let method = '';
  let toTag = '';
  let contact = '';
  const recordRoutes: string[] = [];
  let at = text.indexOf('\r\n');
  let bodyAt = text.length;
  while (at >= 0) {
    const start = at + 2;
    const end = text.indexOf('\r\n', start);
    if (end < 0) break;
    if (end === start) {
      bodyAt = end + 2;
      break;
    }
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      const name = text.slice(start, colon).trim().toLowerCase();
      const value = text.slice(colon + 1, end).trim();
      if (name === 'call-id' || name === 'i') callId = value;
      else if (name === 'cseq') {
        const space = value.indexOf(' ');
        cseq = Number.parseInt(value, 10);
        method = space < 0 ? '' : value.slice(space + 1).trim();
      } else if (name === 'to' || name === 't') toTag = tagOf(value);
      else if (name === 'record-route') recordRoutes.push(...splitEntries(value));
      else if ((name === 'contact' || name === 'm') && contact === '') contact = uriOf(value);
    }
    at = end;
  }
  if (callId === '' || !(cseq >= 0) || method === '') return 'no Call-ID or CSeq';
  return { status, callId, cseq, method, toTag, recordRoutes, contact, body: text.slice(bodyAt) };
}

/** `;tag=` of a To/From value (outside its angle brackets). */
function tagOf(value: string): string {
  const close = value.lastIndexOf('>');
  const params = close < 0 ? value : value.slice(close + 1);
  const m = /;\s*tag=([^;\s,]+)/i.exec(params);
  return m?.[1] ?? '';
}

/** The URI of a name-addr (`<...>`) or of an addr-spec without parameters. */
function uriOf(value: string): string {
  const open = value.indexOf('<');
  if (open >= 0) {
    const close = value.indexOf('>', open);
    return close < 0 ? '' : value.slice(open + 1, close);
  }
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim();
}

/** Splits a header value at the commas outside angle brackets and quotes. */
export function splitEntries(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '<') depth++;
    else if (!quoted && c === '>') depth--;
    else if (!quoted && depth === 0 && c === ',') {
      out.push(value.slice(from, i).trim());
      from = i + 1;
    }
  }
  const last = value.slice(from).trim();
  if (last !== '') out.push(last);
  return out;
}
