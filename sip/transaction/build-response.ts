import { type HeaderField, makeField, SipHeaders } from '../message/headers.ts';
import { type SipRequest, SipResponse } from '../message/message.ts';

/** The headers a response copies from its request (RFC 3261 §8.2.6.2), in this order. */
const COPIED = ['via', 'from', 'to', 'call-id', 'cseq'] as const;

/**
 * The skeleton of a response to `request` (RFC 3261 §8.2.6): every Via in order, From, To,
 * Call-ID and CSeq copied byte for byte, and for 100 (Trying) the Timestamp too (§8.2.6.1).
 * With `toTag`, a To without a tag gets one (§8.2.6.2); 100 (Trying) from a server transaction
 * carries none (§17.2.1). The TU adds whatever else the response needs (Contact, Allow, ...).
 */
export function buildResponse(
  request: SipRequest,
  status: number,
  reason: string,
  toTag?: string,
): SipResponse {
  if (!Number.isInteger(status) || status < 100 || status > 699)
    throw new RangeError(`status ${status} is not a SIP status code`);
  const fields: HeaderField[] = [];
  for (const key of COPIED) {
    for (const f of request.headers.fields) {
      if (f.key !== key) continue;
      if (key === 'to' && toTag !== undefined && !request.to.params.has('tag'))
        fields.push(makeField(f.name, `${f.value};tag=${toTag}`));
      else fields.push({ ...f });
    }
  }
  if (status === 100) {
    const ts = request.headers.first('timestamp');
    if (ts !== undefined) fields.push({ ...ts });
  }
  return new SipResponse(status, reason, new SipHeaders(fields));
}
