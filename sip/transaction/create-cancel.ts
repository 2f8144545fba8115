import type { SipRequest } from '../message/message.ts';
import { sameHopRequest } from './same-hop-request.ts';

export interface CancelOptions {
  /** a Reason header value to add (RFC 3326), e.g. `SIP;cause=200;text="Call completed elsewhere"` */
  reason?: string;
}

/**
 * A CANCEL for a pending request (RFC 3261 §9.1): Request-URI, Call-ID, To, From and CSeq
 * number as in the request (tags included), a single Via equal to the request's top Via (so
 * the same branch), the request's Route header fields, CSeq method CANCEL, no body.
 * It is sent as a non-INVITE client transaction to the same destination as the request; see
 * `TransactionLayer.cancel`, which also waits for a provisional response first.
 */
export function createCancel(request: SipRequest, options: CancelOptions = {}): SipRequest {
  if (request.method === 'ACK' || request.method === 'CANCEL')
    throw new TypeError(`an ${request.method} cannot be cancelled (RFC 3261 §9.1)`);
  const to = request.headers.first('to');
  if (to === undefined) throw new TypeError('cannot build CANCEL: the request has no To');
  const cancel = sameHopRequest(request, 'CANCEL', to);
  if (options.reason !== undefined) cancel.headers.append('Reason', options.reason);
  return cancel;
}
