import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { ReceivedMessage } from '../../sip/transport/index.ts';
import type { ImsAccessToken } from '../../token/claims.ts';
import type { BearerAccess } from './bearer-access.ts';
import { refuseBearer } from './challenge.ts';
import { readBearer, stripBearer } from './credentials.ts';

/** The capability an initial request needs from the token (the WAF's `caps`, TS 33.203 X.3). */
const CAPABILITY: Readonly<Record<string, string>> = { INVITE: 'call', MESSAGE: 'message' };

/**
 * Admission of a non-REGISTER request from a client (RFC 8898 §2.2, TS 24.371 §7.2.1: the WIC
 * carries its token in every request):
 * - a Bearer credential, when present, must validate and name the subject of the token the flow
 *   registered with (401 invalid_token otherwise); with BEARER_REQUIRED it must be present (401);
 * - the token (the request's, else the flow's) must grant the capability an initial INVITE
 *   (`call`) or MESSAGE (`message`) needs: 403 insufficient_scope (RFC 6750 §3.1) otherwise;
 * - the Bearer credential is removed: the token does not travel toward the core.
 * Resolves true when the request may go on; false when it has been answered.
 */
export async function admitBearerRequest(
  access: BearerAccess,
  txn: ServerTransaction,
  rm: ReceivedMessage,
): Promise<boolean> {
  const req = txn.request;
  const cred = readBearer(req);
  const connectionId = rm.source.connectionId;
  const bound = connectionId === undefined ? [] : access.bindings.forConnection(connectionId);
  let token: ImsAccessToken | undefined;
  if (cred.kind === 'malformed') {
    refuseBearer(txn, access, { error: 'invalid_request', reason: cred.reason, header: cred.header });
    return false;
  }
  if (cred.kind === 'bearer') {
    const v = await access.validate(cred.token);
    if (!v.ok) {
      refuseBearer(txn, access, { error: v.error, reason: v.reason, header: cred.header });
      return false;
    }
    if (bound.length > 0 && !bound.some((b) => b.token.subject === v.token.subject)) {
      refuseBearer(txn, access, {
        error: 'invalid_token',
        reason: 'token of another subject than the registration',
        header: cred.header,
      });
      return false;
    }
    token = v.token;
  } else {
    if (access.required) {
      access.metrics.validations.inc({ outcome: 'missing' });
      refuseBearer(txn, access, { error: undefined, reason: 'no token' });
      return false;
    }
    token = bound[0]?.token;
  }
  const needed = req.to.params.has('tag') ? undefined : CAPABILITY[req.method];
  if (token !== undefined && needed !== undefined && !token.capabilities.includes(needed)) {
    refuseBearer(txn, access, {
      error: 'insufficient_scope',
      reason: `capability ${needed} not granted`,
      header: cred.kind === 'bearer' ? cred.header : 'authorization',
    });
    return false;
  }
  stripBearer(req);
  return true;
}
