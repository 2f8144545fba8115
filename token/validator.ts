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
 *
 * JWKS mode is the hot path (issue #5: >= 20,000 first-sight tokens/s per core): the keys are
 * held as KeyObjects (jwks-cache.ts) and each token is checked synchronously with node:crypto
 * (jwt-verify.ts); jose's WebCrypto-based jwtVerify was about three times slower.
 */
import type { Logger } from 'pino';
import { IMS_SCOPE, type ImsAccessToken, parseImsClaims } from './claims.ts';
import { IssuerDiscovery } from './discovery.ts';
import { type IntrospectionClient, introspect } from './introspection.ts';
import { JwksCache } from './jwks-cache.ts';
import { JWS_ALGORITHMS, MAX_TOKEN_LENGTH, verifyJws } from './jwt-verify.ts';

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
  for (const a of algorithms) {
    if (a === 'none' || /^HS/i.test(a))
      throw new Error(`algorithm ${a} must not be accepted for access tokens`);
    if (!JWS_ALGORITHMS.has(a)) throw new Error(`algorithm ${a} is not supported`);
  }
  const allowed: ReadonlySet<string> = new Set(algorithms);
  const discovery = new IssuerDiscovery({ now });
  /** the JWKS of each issuer seen (by issuer: the URL is found once, then no await on the hot path) */
  const keySets = new Map<string, JwksCache>();
  const byUrl = new Map<string, JwksCache>();
  const cache = new Map<string, { token: ImsAccessToken; until: number }>();

  const jwksOf = async (issuer: string): Promise<JwksCache | TokenValidation> => {
    let url = o.jwksUri;
    if (url === undefined) {
      const m = await discovery.metadata(issuer);
      if (!m.ok) return { ok: false, error: 'unavailable', reason: m.reason };
      if (m.metadata.jwksUri === undefined)
        return { ok: false, error: 'unavailable', reason: 'the issuer publishes no jwks_uri' };
      url = m.metadata.jwksUri;
    }
    let ks = byUrl.get(url);
    if (ks === undefined) {
      ks = new JwksCache({
        url,
        algorithms,
        cooldownMs: o.jwksCooldownMs ?? 10_000,
        maxAgeMs: o.jwksCacheMaxAgeMs ?? 600_000,
        timeoutMs: 5000,
        now,
        logger: o.logger,
      });
      byUrl.set(url, ks);
    }
    keySets.set(issuer, ks);
    return ks;
  };

  const introspectionEndpoint = async (issuer: string): Promise<string | undefined> => {
    if (o.introspection?.endpoint !== undefined) return o.introspection.endpoint;
    const m = await discovery.metadata(issuer);
    return m.ok ? m.metadata.introspectionEndpoint : undefined;
  };

  /** RFC 9068 §4 with jwt-verify.ts: synchronous once the issuer's keys are held. */
  const verifyJwt = async (token: string, issuer: string): Promise<TokenValidation> => {
    const ks = keySets.get(issuer) ?? (await jwksOf(issuer));
    if (!(ks instanceof JwksCache)) return ks;
    let keys = ks.current();
    if (keys === undefined) {
      const k = await ks.keys();
      if (!k.ok) return { ok: false, error: 'unavailable', reason: k.reason };
      keys = k.keys;
    }
    const options = {
      algorithms: allowed,
      issuer,
      audience: o.audience,
      clockToleranceSec: tolerance,
      nowMs: now(),
    };
    let r = verifyJws(token, keys, options);
    if (!r.ok && r.unknownKey) {
      // OIDC Core §10.1.1: a kid we do not hold may be a key the WAF rotated in.
      const again = await ks.refresh();
      if (again === 'cooling') return invalid(r.reason);
      if (!again.ok) return { ok: false, error: 'unavailable', reason: again.reason };
      r = verifyJws(token, again.keys, options);
    }
    return r.ok ? claimsResult(r.payload) : invalid(r.reason);
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

  /**
   * The result cache is keyed by the token itself: only tokens the WAF vouched for (signed, or
   * active at introspection) get in, at most MAX_CACHE_ENTRIES of them, and a Map lookup of a
   * ~1 kB string costs far less than a SHA-256 of it (measured: ~3 M/s against ~0.34 M/s).
   * The key is copied on the way in, so that a token sliced out of a SIP message does not keep the
   * whole message alive.
   */
  const remember = (token: string, result: ImsAccessToken): void => {
    if (cacheMs <= 0) return;
    if (cache.size >= MAX_CACHE_ENTRIES) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(JSON.parse(JSON.stringify(token)) as string, {
      token: result,
      until: Math.min(now() + cacheMs, result.expiresAt * 1000),
    });
  };

  return {
    async validate(token) {
      if (token === '' || token.length > MAX_TOKEN_LENGTH) return invalid('token is empty or too long');
      const hit = cache.get(token);
      if (hit !== undefined) {
        if (now() < hit.until) return { ok: true, token: hit.token };
        cache.delete(token);
      }
      const issuer = o.issuer();
      if (issuer === '') return { ok: false, error: 'unavailable', reason: 'issuer not known yet' };
      const r = o.mode === 'jwks' ? await verifyJwt(token, issuer) : await askIntrospection(token, issuer);
      if (r.ok) remember(token, r.token);
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
            if (a.kind === 'inactive') cache.delete(token);
            return a.kind;
          },
  };
}

function invalid(reason: string): TokenValidation {
  return { ok: false, error: 'invalid_token', reason };
}
