import { reasonPhrase, type SipError } from '../sip/error/sip-error.ts';
import type { SipRequest, SipResponse } from '../sip/index.ts';
import { buildResponse, type ServerTransaction } from '../sip/transaction/index.ts';
import { processIds } from './ids.ts';

/** A locally generated response (RFC 3261 §8.2.6), with a To tag and any headers it requires. */
export function localResponse(
  req: SipRequest,
  status: number,
  reason = reasonPhrase(status),
  headers: ReadonlyArray<readonly [string, string]> = [],
): SipResponse {
  const res = buildResponse(req, status, reason, status === 100 ? undefined : processIds.tag());
  for (const [name, value] of headers) res.headers.append(name, value);
  return res;
}

export function respondError(txn: ServerTransaction, err: SipError): void {
  // A transaction that answered already has released its request and would discard this.
  if (!txn.holdsRequest) return;
  txn.respond(localResponse(txn.request, err.status, err.reason, err.headers));
}
