import type { SipRequest, SipResponse } from '../message/message.ts';
import { sameHopRequest } from './same-hop-request.ts';

/**
 * The ACK an INVITE client transaction sends for a 300-699 response (RFC 3261 §17.1.1.3):
 * Request-URI, Call-ID, From, CSeq number and the single Via from the original INVITE, the
 * To header field (with its tag) from the response, the INVITE's Route header fields, CSeq
 * method ACK. The ACK for a 2xx is not built here: it is the TU's (§13.2.2.4).
 */
export function buildAck(invite: SipRequest, response: SipResponse): SipRequest {
  const to = response.headers.first('to');
  if (to === undefined) throw new TypeError('cannot build ACK: the response has no To');
  return sameHopRequest(invite, 'ACK', to);
}
