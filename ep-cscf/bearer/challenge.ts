import { type BearerError, formatBearerChallenge } from '../../sip/auth/index.ts';
import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { TokenValidationError } from '../../token/validator.ts';
import { localResponse } from '../reply.ts';
import type { BearerAccess } from './bearer-access.ts';
import type { CredentialHeader } from './credentials.ts';

export interface BearerRefusal {
  /** undefined: no credentials at all (RFC 6750 §3.1: then no error code) */
  readonly error: TokenValidationError | 'invalid_request' | undefined;
  readonly reason: string;
  /** the header the credentials came in; the challenge answers in kind (RFC 8898 §2.2, §2.3) */
  readonly header?: CredentialHeader;
}

/** The Bearer challenge of the eP-CSCF: realm, the WAF as authz_server (RFC 8898 §2.3), and the error. */
export function bearerChallenge(
  access: BearerAccess,
  error: BearerError | undefined,
  description?: string,
): string {
  const issuer = access.issuer();
  return formatBearerChallenge({
    realm: access.realm,
    ...(issuer === '' ? {} : { authzServer: issuer }),
    ...(error === undefined ? {} : { error }),
    ...(description === undefined || error === undefined ? {} : { errorDescription: safe(description) }),
  });
}

/**
 * Answers a request whose bearer credentials do not do (RFC 6750 §3.1 via RFC 8898):
 *   none             401 + WWW-Authenticate: Bearer realm, authz_server (no error)
 *   invalid_request  400 + the challenge with error="invalid_request"
 *   invalid_token    401 + WWW-Authenticate (407 + Proxy-Authenticate for Proxy-Authorization)
 *   insufficient_scope 403 + the challenge with error="insufficient_scope"
 *   unavailable      503 + Retry-After: the WAF could not be asked; nothing is said about the token
 */
export function refuseBearer(txn: ServerTransaction, access: BearerAccess, r: BearerRefusal): void {
  const req = txn.request;
  const proxy = r.header === 'proxy-authorization';
  const challengeHeader = proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
  switch (r.error) {
    case undefined:
      txn.respond(
        localResponse(req, 401, 'Unauthorized', [['WWW-Authenticate', bearerChallenge(access, undefined)]]),
      );
      return;
    case 'invalid_request':
      txn.respond(
        localResponse(req, 400, 'Bad Request (Bearer credentials)', [
          [challengeHeader, bearerChallenge(access, 'invalid_request', r.reason)],
        ]),
      );
      return;
    case 'invalid_token':
      txn.respond(
        localResponse(req, proxy ? 407 : 401, proxy ? 'Proxy Authentication Required' : 'Unauthorized', [
          [challengeHeader, bearerChallenge(access, 'invalid_token', r.reason)],
        ]),
      );
      return;
    case 'insufficient_scope':
      txn.respond(
        localResponse(req, 403, 'Forbidden (insufficient scope)', [
          [challengeHeader, bearerChallenge(access, 'insufficient_scope', r.reason)],
        ]),
      );
      return;
    case 'unavailable':
      txn.respond(
        localResponse(req, 503, 'Service Unavailable (token validation unavailable)', [
          ['Retry-After', '10'],
        ]),
      );
      return;
  }
}

/** error_description is a quoted-string of printable ASCII without `"` and `\` (RFC 6750 §3). */
function safe(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, ' ');
}
