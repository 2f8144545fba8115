import { reasonPhrase } from '../error/sip-error.ts';
import type { SipRequest, SipResponse } from '../message/message.ts';
import {
  buildResponse,
  type ClientTransaction,
  type ClientTransactionUser,
  type Transaction,
  type TransactionLayer,
} from '../transaction/index.ts';
import type { Destination } from '../transport/types.ts';

export interface UacOptions {
  /** every provisional response (1xx) as it arrives */
  onProvisional?(response: SipResponse): void;
}

/**
 * Sends a request in a client transaction and resolves with its final response (RFC 3261
 * §8.1.3): a timeout resolves as 408 and a transport failure as 503 (§8.1.3.1), so callers
 * handle every outcome as a response. The promise never rejects for network reasons; it rejects
 * when the layer refuses the request (ACK, CSeq method mismatch, duplicate branch). Only the
 * first final response is reported: the ACK for a 2xx and later 2xx forks are the caller's
 * (use the layer directly when they matter).
 */
export function sendRequest(
  layer: TransactionLayer,
  request: SipRequest,
  destination: Destination,
  options: UacOptions = {},
): Promise<SipResponse> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: SipResponse): void => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    const user: ClientTransactionUser = {
      receiveResponse(_txn: ClientTransaction, response: SipResponse): void {
        if (response.status < 200) options.onProvisional?.(response);
        else settle(response);
      },
      onTimeout(_txn: Transaction): void {
        settle(buildResponse(request, 408, reasonPhrase(408)));
      },
      onTransportError(_txn: Transaction): void {
        settle(buildResponse(request, 503, reasonPhrase(503)));
      },
    };
    layer.sendRequest(request, destination, user);
  });
}
