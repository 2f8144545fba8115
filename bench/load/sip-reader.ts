/**
 * The little a benchmark client reads from a response to its REGISTER: status code, Call-ID,
 * CSeq number, the WWW-Authenticate challenge and whether a Service-Route came back. One scan
 * over the header lines, no full parse: the load generator shares a core with the IMS core and
 * must stay cheap. A response it cannot read is a failure of the system under test.
 */

export interface ResponseFacts {
  readonly status: number;
  readonly callId: string;
  readonly cseq: number;
  /** the WWW-Authenticate value of a 401 (the first one) */
  readonly challenge: string | undefined;
  readonly serviceRoute: boolean;
}

/** Reads a SIP response; a string says why it is not one. */
export function readResponse(text: string): ResponseFacts | string {
  if (!text.startsWith('SIP/2.0 ')) return `not a response: ${JSON.stringify(text.slice(0, 40))}`;
  const status = Number(text.slice(8, 11));
  if (!Number.isInteger(status) || status < 100 || status > 699) return 'bad status line';
  let callId = '';
  let cseq = -1;
  let challenge: string | undefined;
  let serviceRoute = false;
  let at = text.indexOf('\r\n');
  while (at >= 0) {
    const start = at + 2;
    const end = text.indexOf('\r\n', start);
    if (end < 0 || end === start) break; // end of the header section
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      const name = text.slice(start, colon).trim().toLowerCase();
      const value = (): string => text.slice(colon + 1, end).trim();
      if (name === 'call-id' || name === 'i') callId = value();
      else if (name === 'cseq') cseq = Number.parseInt(value(), 10);
      else if (name === 'www-authenticate') challenge ??= value();
      else if (name === 'service-route') serviceRoute = true;
    }
    at = end;
  }
  if (callId === '' || !(cseq >= 0)) return 'no Call-ID or CSeq';
  return { status, callId, cseq, challenge, serviceRoute };
}
