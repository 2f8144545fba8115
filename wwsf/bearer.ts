/**
 * Bearer tokens on the WWSF's HTTP interfaces (RFC 6750): `Authorization: Bearer <token>`,
 * checked by a validator the role injects (token/validator.ts in production, a test verifier in
 * tests). Refusals follow RFC 6750 §3: no token → 401 with a bare `WWW-Authenticate: Bearer`
 * challenge; a bad one → 401 `error="invalid_token"`; a good one without the right →
 * 403 `error="insufficient_scope"`.
 */
import type { ImsAccessToken } from '../token/claims.ts';
import type { TokenValidation } from '../token/validator.ts';
import { ProblemError } from './problem.ts';

/**
 * Verifies an access token (signature, issuer, audience, times, IMS claims): the `validate` of
 * token/validator.ts. `unavailable` (the WAF cannot be asked) is answered 503, not 401.
 */
export type TokenCheck = (token: string) => Promise<TokenValidation>;

const REALM = 'webrtc-ims';
// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

function quoted(text: string): string {
  // error_description is limited to %x20-21 / %x23-5B / %x5D-7E (RFC 6750 §3).
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');
}

export function challenge(
  error?: 'invalid_token' | 'invalid_request' | 'insufficient_scope',
  description?: string,
) {
  const parts = [`realm="${REALM}"`];
  if (error !== undefined) parts.push(`error="${error}"`);
  if (description !== undefined) parts.push(`error_description="${quoted(description)}"`);
  return { 'www-authenticate': `Bearer ${parts.join(', ')}` };
}

/**
 * The token of an Authorization header (RFC 6750 §2.1). Undefined when there is none or it uses
 * another scheme (§3.1: such a request lacks authentication, and gets a challenge without an
 * error code when a token is needed); a malformed Bearer credential is a 400 invalid_request.
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  const text = authorization?.trim() ?? '';
  if (!/^bearer(\s|$)/i.test(text)) return undefined;
  const m = BEARER.exec(text);
  if (m === null)
    throw new ProblemError(400, 'the Bearer credential is malformed (RFC 6750 §2.1)', {
      headers: challenge('invalid_request', 'expected Authorization: Bearer <token>'),
    });
  return m[1];
}

/** The caller's token, or undefined when the request carries none; a bad token is a 401 problem. */
export async function optionalCaller(
  authorization: string | undefined,
  check: TokenCheck,
): Promise<ImsAccessToken | undefined> {
  const token = bearerToken(authorization);
  if (token === undefined) return undefined;
  const result = await check(token);
  if (result.ok) return result.token;
  if (result.error === 'unavailable')
    throw new ProblemError(503, 'the access token cannot be checked now (the WAF is unreachable)', {
      headers: { 'retry-after': '5' },
    });
  if (result.error === 'insufficient_scope')
    throw new ProblemError(403, `the access token was refused: ${result.reason}`, {
      headers: challenge('insufficient_scope', result.reason),
    });
  throw new ProblemError(401, `the access token was refused: ${result.reason}`, {
    headers: challenge('invalid_token', result.reason),
  });
}

/** The caller's token; a request without one is a 401 problem. */
export async function requiredCaller(
  authorization: string | undefined,
  check: TokenCheck,
): Promise<ImsAccessToken> {
  const token = await optionalCaller(authorization, check);
  if (token === undefined)
    throw new ProblemError(401, 'this resource needs an access token from the WAF (Authorization: Bearer)', {
      headers: challenge(),
    });
  return token;
}

/** A 403 for a caller whose token is valid but does not allow the operation. */
export function forbidden(detail: string): ProblemError {
  return new ProblemError(403, detail, { headers: challenge('insufficient_scope', detail) });
}
