import { SipRequest } from '../message/message.ts';

/**
 * The copy of a request a proxy forwards (RFC 3261 §16.6 steps 1, 3 and 8): the same method,
 * Request-URI, header fields and body, with Max-Forwards decremented (70 when absent) and the
 * proxy's Via on top. Fields the proxy does not touch keep their received bytes.
 *
 * `via` is the Via value without branch (e.g. `SIP/2.0/TCP 192.0.2.4:5060`); `branch` is the
 * client transaction's branch (RFC 3261 §16.6 step 8: unique per forwarded request).
 */
export function forwardCopy(request: SipRequest, via: string, branch: string): SipRequest {
  // clone() keeps the received bytes, so untouched fields are copied as byte ranges.
  const headers = request.headers.clone();
  const mf = request.maxForwards;
  headers.set('Max-Forwards', String(mf === undefined ? 70 : Math.max(0, mf - 1)));
  headers.prepend('Via', `${via};branch=${branch}`);
  return new SipRequest(request.method, request.uri, headers, request.body, request.version);
}
