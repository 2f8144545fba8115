/**
 * Validation of the WAF's IMS access tokens where they are used (the eP-CSCF for SIP requests,
 * RFC 8898 §2.2; the SAPI for HTTP requests, RFC 6750). Two modes:
 *
 *   jwks           the token is an RFC 9068 JWT verified locally against the WAF's JWKS (fetched
 *                  from `jwks_uri` of the issuer's metadata, or JWKS_URI), cached and fetched
 *                  again when a token names an unknown `kid` (key rotation);
 *   introspection  the token is sent to the WAF's RFC 7662 endpoint, which says whether it is
 *                  active and what it carries.
 *
 * Either way the result is checked the same: issuer, audience, lifetime (with a small clock
 * tolerance), the IMS claims (`parseImsClaims`) and the `ims` scope. A positive answer is kept for
 * at most `cacheMs` (30 s) and never past the token's expiry, so a busy client costs one
 * verification per half minute. `checkActive` asks the introspection endpoint afresh: the
 * periodic revocation check of tokens bound to registrations.
 */
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import { IMS_SCOPE, type ImsAccessToken, parseImsClaims } from './claims.ts';
import { IssuerDiscovery } from './discovery.ts';
import { type IntrospectionClient, introspect } from './introspection.ts';

export type TokenValidationMode = 'jwks' | 'introspection';

/**
 * `invalid_token` and `insufficient_scope` are RFC 6750 §3.1's; `unavailable` means the WAF (its
 * metadata, JWKS or introspection endpoint) could not be asked: the token is neither good nor bad.
 */
export type TokenValidationError = 'invalid_token' | 'insufficient_scope' | 'unavailable';

export type TokenValidation =
  | { readonly ok: true; readonly token: ImsAccessToken }
  | { readonly ok: false; readonly error: TokenValidationError; readonly reason: string };

export type ActiveCheck = 'active' | 'inactive' | 'unavailable';

export interface TokenValidator {
  validate(token: string): Promise<TokenValidation>;
  /** RFC 7662: is the token still active at the WAF (not revoked)? undefined without introspection credentials */
  readonly checkActive: ((token: string) => Promise<ActiveCheck>) | undefined;
}

export interface TokenValidatorOptions {
  /** the WAF's issuer identifier (a function: in-process it is known once the HTTP server listens) */
  readonly issuer: () => string;
  readonly audience: string;
  readonly mode: TokenValidationMode;
  /** the JWKS URL; undefined: `jwks_uri` from the issuer's metadata */
  readonly jwksUri?: string | undefined;
  /** the resource server's client at the WAF; needed for introspection mode and for checkActive */
  readonly introspection?: IntrospectionClient | undefined;
  /** the scope a token must carry; default `ims`; empty string: none */
  readonly requiredScope?: string;
  /** JWS algorithms accepted (never `none`, never HS*); default: RS/PS/ES 256-512 and EdDSA */
  readonly algorithms?: readonly string[];
  /** seconds of clock skew allowed on exp and nbf; default 5 */
  readonly clockToleranceSec?: number;
  /** how long a positive answer is kept, ms (at most 30 000); default 30 000; 0: not kept */
  readonly cacheMs?: number;
  /** least time between two JWKS fetches caused by an unknown kid, ms; default 10 000 */
  readonly jwksCooldownMs?: number;
  /** a JWKS older than this is fetched again, ms; default 600 000 */
  readonly jwksCacheMaxAgeMs?: number;
  /** wall-clock time in ms (token times are wall-clock); default Date.now */
  readonly clock?: { now(): number };
  readonly logger: Pick<Logger, 'debug' | 'warn'>;
}

export const DEFAULT_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

const MAX_CACHE_MS = 30_000;
const MAX_CACHE_ENTRIES = 10_000;

export function createTokenValidator(o: TokenValidatorOptions): TokenValidator {
  const now = (): number => (o.clock ?? Date).now();
  const tolerance = o.clockToleranceSec ?? 5;
  const requiredScope = o.requiredScope ?? IMS_SCOPE;
  const cacheMs = Math.min(o.cacheMs ?? MAX_CACHE_MS, MAX_CACHE_MS);
  const algorithms = [...(o.algorithms ?? DEFAULT_ALGORITHMS)];
  for (const a of algorithms)
    if (a === 'none' || /^HS/i.test(a))
      throw new Error(`algorithm ${a} must not be accepted for access tokens`);
  const discovery = new IssuerDiscovery({ now });
  const keySets = new Map<string, JWTVerifyGetKey>();
  const cache = new Map<string, { token: ImsAccessToken; until: number }>();

  const keySet = (url: string): JWTVerifyGetKey => {
    let ks = keySets.get(url);
    if (ks === undefined) {
      ks = createRemoteJWKSet(new URL(url), {
        cooldownDuration: o.jwksCooldownMs ?? 10_000,
        cacheMaxAge: o.jwksCacheMaxAgeMs ?? 600_000,
        timeoutDuration: 5000,
      });
      keySets.set(url, ks);
    }
    return ks;
  };

  const jwksUrl = async (issuer: string): Promise<string | TokenValidation> => {
    if (o.jwksUri !== undefined) return o.jwksUri;
    const m = await discovery.metadata(issuer);
    if (!m.ok) return { ok: false, error: 'unavailable', reason: m.reason };
    if (m.metadata.jwksUri === undefined)
      return { ok: false, error: 'unavailable', reason: 'the issuer publishes no jwks_uri' };
    return m.metadata.jwksUri;
  };

  const introspectionEndpoint = async (issuer: string): Promise<string | undefined> => {
    if (o.introspection?.endpoint !== undefined) return o.introspection.endpoint;
    const m = await discovery.metadata(issuer);
    return m.ok ? m.metadata.introspectionEndpoint : undefined;
  };

  const verifyJwt = async (token: string, issuer: string): Promise<TokenValidation> => {
    const url = await jwksUrl(issuer);
    if (typeof url !== 'string') return url;
    try {
      const { payload } = await jwtVerify(token, keySet(url), {
        issuer,
        audience: o.audience,
        algorithms,
        // RFC 9068 §4: the resource server must check typ is at+jwt (application/at+jwt).
        typ: 'at+jwt',
        clockTolerance: tolerance,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
      });
      return claimsResult(payload);
    } catch (err) {
      return classify(err);
    }
  };

  const askIntrospection = async (token: string, issuer: string): Promise<TokenValidation> => {
    const client = o.introspection;
    const endpoint = await introspectionEndpoint(issuer);
    if (client === undefined || endpoint === undefined)
      return { ok: false, error: 'unavailable', reason: 'no introspection endpoint or client' };
    const a = await introspect(endpoint, client, token);
    if (a.kind === 'unavailable') return { ok: false, error: 'unavailable', reason: a.reason };
    if (a.kind === 'inactive') return invalid('token is not active');
    const c = a.claims;
    if (c.iss !== undefined && c.iss !== issuer) return invalid('issuer does not match');
    const aud = typeof c.aud === 'string' ? [c.aud] : Array.isArray(c.aud) ? c.aud : [];
    if (!aud.includes(o.audience)) return invalid('audience does not match');
    const type = typeof c.token_type === 'string' ? c.token_type.toLowerCase() : 'bearer';
    if (type !== 'bearer' && type !== 'access_token') return invalid('not an access token');
    const t = now() / 1000;
    if (typeof c.exp !== 'number' || c.exp + tolerance <= t) return invalid('token expired');
    if (typeof c.nbf === 'number' && c.nbf - tolerance > t) return invalid('token not yet valid');
    return claimsResult(c);
  };

  const claimsResult = (payload: unknown): TokenValidation => {
    const parsed = parseImsClaims(payload);
    if (!parsed.ok) return invalid(parsed.reason);
    if (requiredScope !== '' && !parsed.token.scopes.includes(requiredScope))
      return { ok: false, error: 'insufficient_scope', reason: `scope ${requiredScope} missing` };
    return parsed;
  };

  const cacheKey = (token: string): string => createHash('sha256').update(token).digest('base64url');

  const remember = (key: string, token: ImsAccessToken): void => {
    if (cacheMs <= 0) return;
    if (cache.size >= MAX_CACHE_ENTRIES) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(key, { token, until: Math.min(now() + cacheMs, token.expiresAt * 1000) });
  };

  return {
    async validate(token) {
      if (token === '' || token.length > 16_384) return invalid('token is empty or too long');
      const key = cacheKey(token);
      const hit = cache.get(key);
      if (hit !== undefined) {
        if (now() < hit.until) return { ok: true, token: hit.token };
        cache.delete(key);
      }
      const issuer = o.issuer();
      if (issuer === '') return { ok: false, error: 'unavailable', reason: 'issuer not known yet' };
      const r = o.mode === 'jwks' ? await verifyJwt(token, issuer) : await askIntrospection(token, issuer);
      if (r.ok) remember(key, r.token);
      else if (r.error === 'unavailable') o.logger.warn({ reason: r.reason }, 'token validation unavailable');
      else o.logger.debug({ error: r.error, reason: r.reason }, 'token refused');
      return r;
    },
    checkActive:
      o.introspection === undefined
        ? undefined
        : async (token) => {
            const client = o.introspection;
            const endpoint = await introspectionEndpoint(o.issuer());
            if (client === undefined || endpoint === undefined) return 'unavailable';
            const a = await introspect(endpoint, client, token);
            if (a.kind === 'inactive') cache.delete(cacheKey(token));
            return a.kind;
          },
  };
}

function invalid(reason: string): TokenValidation {
  return { ok: false, error: 'invalid_token', reason };
}

/** jose's failures, in RFC 6750 terms. */
function classify(err: unknown): TokenValidation {
  if (err instanceof errors.JWTExpired) return invalid('token expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return invalid('token not yet valid');
    if (err.claim === 'iss') return invalid('issuer does not match');
    if (err.claim === 'aud') return invalid('audience does not match');
    if (err.claim === 'typ') return invalid('token type is not at+jwt');
    return invalid(`claim ${err.claim} is not acceptable`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return invalid('signing algorithm not accepted');
  if (err instanceof errors.JWSSignatureVerificationFailed) return invalid('signature does not verify');
  if (err instanceof errors.JWKSNoMatchingKey) return invalid('no key of the issuer matches the token');
  if (err instanceof errors.JWKSMultipleMatchingKeys) return invalid('more than one key matches the token');
  if (err instanceof errors.JWKSTimeout)
    return { ok: false, error: 'unavailable', reason: 'JWKS fetch timed out' };
  if (err instanceof errors.JWKSInvalid)
    return { ok: false, error: 'unavailable', reason: 'JWKS is malformed' };
  if (
    err instanceof errors.JWSInvalid ||
    err instanceof errors.JWTInvalid ||
    err instanceof errors.JOSENotSupported ||
    err instanceof errors.JWKInvalid
  )
    return invalid('malformed token');
  // Anything else is the WAF's JWKS endpoint failing (HTTP status, network): not the token's fault.
  return {
    ok: false,
    error: 'unavailable',
    reason: `JWKS unavailable: ${err instanceof Error ? err.message : String(err)}`,
  };
}
