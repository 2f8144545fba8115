/**
 * JWT access tokens (RFC 9068) after they are issued. oidc-provider stores nothing for a JWT
 * access token and refuses to introspect or revoke one; the WAF does both:
 *
 * - every JWT access token issued gets a record keyed by its `jti` in the storage (under the
 *   `AccessToken` or `ClientCredentials` model, with `format: "jwt"` so oidc-provider never
 *   mistakes it for an opaque token), indexed by its grant and expiring with the token;
 * - introspection (RFC 7662) answers active only for a token whose signature verifies against
 *   our published keys, from our issuer, unexpired, whose record is still there and whose grant
 *   (if any) still exists. Revoking the token (RFC 7009) deletes its record; revoking its grant
 *   (a refresh token's revocation, exclusive login, the per-user cap) deletes every record of
 *   the grant. So a revoked JWT introspects inactive everywhere the storage is shared.
 *
 * Resource servers that validate locally against the JWKS cannot see revocation: that is what
 * introspection (or short token lifetimes) is for.
 */
import { createLocalJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import type { PublicJwk } from './keys/key-ring.ts';
import { SIGNING_ALGS } from './keys/key-ring.ts';
import type { WafStorage } from './storage/storage.ts';

const JWT_KINDS = ['AccessToken', 'ClientCredentials'] as const;
export type JwtKind = (typeof JWT_KINDS)[number];

export interface JwtRecord {
  readonly jti: string;
  readonly kind: JwtKind;
  readonly format: 'jwt';
  readonly clientId: string;
  readonly grantId: string | undefined;
  readonly accountId: string | undefined;
  /** seconds since the epoch */
  readonly iat: number;
  readonly exp: number;
}

/** True when the text has the shape of a JWS compact serialisation with a readable header. */
export function looksLikeJwt(token: string): boolean {
  if (token.split('.').length !== 3) return false;
  try {
    decodeProtectedHeader(token);
    return true;
  } catch {
    return false;
  }
}

export async function recordJwt(storage: WafStorage, record: JwtRecord, nowS: number): Promise<void> {
  const ttl = Math.max(1, record.exp - nowS);
  await storage.adapter(record.kind).upsert(
    record.jti,
    {
      jti: record.jti,
      kind: record.kind,
      format: 'jwt',
      clientId: record.clientId,
      ...(record.grantId === undefined ? {} : { grantId: record.grantId }),
      ...(record.accountId === undefined ? {} : { accountId: record.accountId }),
      iat: record.iat,
      exp: record.exp,
    },
    ttl,
  );
}

async function findRecord(
  storage: WafStorage,
  jti: string,
): Promise<{ kind: JwtKind; grantId: unknown } | undefined> {
  for (const kind of JWT_KINDS) {
    const found = await storage.adapter(kind).find(jti);
    if (found !== undefined && found.format === 'jwt') return { kind, grantId: found.grantId };
  }
  return undefined;
}

export type JwtCheck =
  | { readonly ok: true; readonly payload: JWTPayload & { client_id?: unknown }; readonly kind: JwtKind }
  | { readonly ok: false; readonly reason: string };

/** Verifies a JWT access token of ours and that it is neither revoked nor orphaned. */
export async function checkJwt(
  token: string,
  deps: { readonly storage: WafStorage; readonly issuer: string; readonly jwks: { keys: PublicJwk[] } },
): Promise<JwtCheck> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, createLocalJWKSet(deps.jwks), {
      issuer: deps.issuer,
      typ: 'at+jwt',
      algorithms: [...SIGNING_ALGS],
    }));
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.name : 'invalid' };
  }
  if (typeof payload.jti !== 'string') return { ok: false, reason: 'no jti' };
  const record = await findRecord(deps.storage, payload.jti);
  if (record === undefined) return { ok: false, reason: 'revoked' };
  if (typeof record.grantId === 'string') {
    const grant = await deps.storage.adapter('Grant').find(record.grantId);
    if (grant === undefined || (typeof grant.exp === 'number' && grant.exp * 1000 <= Date.now()))
      return { ok: false, reason: 'grant revoked' };
  }
  return { ok: true, payload, kind: record.kind };
}

/** Deletes the record of a JWT access token: it introspects inactive from now on. */
export async function revokeJwt(storage: WafStorage, kind: JwtKind, jti: string): Promise<void> {
  await storage.adapter(kind).destroy(jti);
}
