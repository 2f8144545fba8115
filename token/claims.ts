/**
 * The IMS access token: what the WAF puts in the RFC 9068 JWT access tokens it issues and what
 * the eP-CSCF (and the SAPI) accept. One contract, parsed at the edge into a typed value.
 *
 *   header:  { "typ": "at+jwt", "alg": "ES256" | "RS256" | "EdDSA", "kid": "..." }
 *   payload: {
 *     "iss": "https://wrtc.example.com/oauth",   the WAF issuer
 *     "aud": "urn:webrtc-ims:ep-cscf",           the eP-CSCF resource (RFC 8707 indicator)
 *     "sub": "<subscriber id>",  "client_id": "wic",  "jti": "...",
 *     "iat": 1700000000, "exp": 1700000300, ("nbf")
 *     "scope": "openid ims",
 *     "ims": {
 *       "domain": "example.com",                  the tenant
 *       "impu": "sip:alice@ims.example.com",      TS 33.203 X.3: the identity the WIC may use
 *       "impi": "alice@ims.example.com"           (scenario 2)
 *       -- or --
 *       "pool": true                              X.4: take an identity from the domain's pool
 *     },
 *     "caps": ["call", "message"],               effective capabilities
 *     "role": "user"                             admin | user | anonymous
 *   }
 */

export const IMS_AUDIENCE = 'urn:webrtc-ims:ep-cscf';
export const IMS_SCOPE = 'ims';

export type ImsTokenIdentity =
  /** TS 33.203 X.3: the WAF bound the token to one IMS identity (scenario 2). */
  | { readonly kind: 'subscriber'; readonly domain: string; readonly impu: string; readonly impi: string }
  /** TS 33.203 X.4: the eP-CSCF leases an identity from the domain's pool (scenario 3). */
  | { readonly kind: 'pool'; readonly domain: string };

export type TokenRole = 'admin' | 'user' | 'anonymous';

export interface ImsAccessToken {
  readonly issuer: string;
  readonly subject: string;
  readonly audience: readonly string[];
  readonly clientId: string;
  readonly tokenId: string;
  /** seconds since the epoch */
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly notBefore: number | undefined;
  readonly scopes: readonly string[];
  readonly identity: ImsTokenIdentity;
  readonly capabilities: readonly string[];
  readonly role: TokenRole;
}

export type ClaimsResult = { ok: true; token: ImsAccessToken } | { ok: false; reason: string };

const ROLES: readonly TokenRole[] = ['admin', 'user', 'anonymous'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringArray(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/**
 * Reads a verified JWT payload (or an RFC 7662 introspection answer, which carries the same
 * members) into an ImsAccessToken. Signature, issuer, audience and times are checked by the
 * validator before this; here only shape and the IMS claims.
 */
export function parseImsClaims(payload: unknown): ClaimsResult {
  if (!isRecord(payload)) return { ok: false, reason: 'claims are not an object' };
  const { iss, sub, aud, client_id, jti, iat, exp, nbf, scope, ims, caps, role } = payload;
  if (typeof iss !== 'string') return { ok: false, reason: 'iss missing' };
  if (typeof sub !== 'string' || sub === '') return { ok: false, reason: 'sub missing' };
  const audience = typeof aud === 'string' ? [aud] : stringArray(aud);
  if (audience === undefined) return { ok: false, reason: 'aud missing' };
  if (typeof client_id !== 'string') return { ok: false, reason: 'client_id missing' };
  if (typeof jti !== 'string' || jti === '') return { ok: false, reason: 'jti missing' };
  if (typeof iat !== 'number' || typeof exp !== 'number') return { ok: false, reason: 'iat or exp missing' };
  if (nbf !== undefined && typeof nbf !== 'number') return { ok: false, reason: 'nbf is not a number' };
  if (typeof scope !== 'string') return { ok: false, reason: 'scope missing' };
  if (!isRecord(ims)) return { ok: false, reason: 'ims claim missing' };
  const domain = ims.domain;
  if (typeof domain !== 'string' || domain === '') return { ok: false, reason: 'ims.domain missing' };
  let identity: ImsTokenIdentity;
  if (ims.pool === true) identity = { kind: 'pool', domain };
  else if (typeof ims.impu === 'string' && typeof ims.impi === 'string' && ims.impu !== '' && ims.impi !== '')
    identity = { kind: 'subscriber', domain, impu: ims.impu, impi: ims.impi };
  else return { ok: false, reason: 'ims claim names neither an identity (impu, impi) nor the pool' };
  const capabilities = caps === undefined ? [] : stringArray(caps);
  if (capabilities === undefined) return { ok: false, reason: 'caps is not a list of strings' };
  const r = role ?? 'user';
  if (typeof r !== 'string' || !(ROLES as readonly string[]).includes(r))
    return { ok: false, reason: 'role is not admin, user or anonymous' };
  return {
    ok: true,
    token: {
      issuer: iss,
      subject: sub,
      audience,
      clientId: client_id,
      tokenId: jti,
      issuedAt: iat,
      expiresAt: exp,
      notBefore: nbf,
      scopes: scope.split(' ').filter((s) => s !== ''),
      identity,
      capabilities,
      role: r as TokenRole,
    },
  };
}
