import { type HeaderField, makeField, SipHeaders } from '../message/headers.ts';
import { SipRequest } from '../message/message.ts';

/**
 * A request that travels the same hop as `original` and shares its transaction identity: the
 * ACK for a non-2xx final response (RFC 3261 §17.1.1.3) and CANCEL (§9.1). Both carry the
 * Request-URI, Call-ID, From and CSeq number of the original, exactly one Via equal to the
 * original's top Via, the original's Route header fields, and no body. `to` is the To field
 * to use (the response's for an ACK, the original's for a CANCEL).
 */
export function sameHopRequest(original: SipRequest, method: 'ACK' | 'CANCEL', to: HeaderField): SipRequest {
  const h = original.headers;
  const topVia = h.values('via')[0];
  if (topVia === undefined) throw new TypeError(`cannot build ${method}: the request has no Via`);
  const fields: HeaderField[] = [makeField('Via', topVia)];
  const maxForwards = h.first('max-forwards');
  fields.push(maxForwards === undefined ? makeField('Max-Forwards', '70') : { ...maxForwards });
  for (const f of h.fields) if (f.key === 'route') fields.push({ ...f });
  fields.push(copy(h, 'from'), { ...to }, copy(h, 'call-id'));
  fields.push(makeField('CSeq', `${original.cseq.seq} ${method}`));
  return new SipRequest(method, original.uri, new SipHeaders(fields));
}

function copy(h: SipHeaders, key: string): HeaderField {
  const f = h.first(key);
  if (f === undefined) throw new TypeError(`the request has no ${key} header`);
  return { ...f };
}
