/**
 * The introspection (RFC 7662) and revocation (RFC 7009) endpoints for JWT access tokens, which
 * oidc-provider refuses (see jwt-tokens.ts). Opaque tokens (refresh tokens) still go to
 * oidc-provider. Client authentication follows the client's registered method (RFC 6749
 * §2.3.1: client_secret_basic, client_secret_post, or none for public clients); errors keep
 * oidc-provider's JSON format.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { RESOURCE_CLIENT_ID } from './clients.ts';
import { sendJson } from './http-util.ts';
import { checkJwt, revokeJwt } from './jwt-tokens.ts';
import type { PublicJwk } from './keys/key-ring.ts';
import type { WafMetrics } from './metrics.ts';
import type { WafStorage } from './storage/storage.ts';

export interface JwtEndpointDeps {
  readonly provider: Provider;
  readonly storage: WafStorage;
  readonly jwks: () => { keys: PublicJwk[] };
  readonly metrics: WafMetrics;
  /** whether a browser at `origin` may call these endpoints as the public client `clientId` */
  readonly corsAllowed: (origin: string, clientId: string) => boolean;
}

type Caller =
  | { readonly ok: true; readonly clientId: string; readonly isPublic: boolean }
  | { readonly ok: false; readonly basic: boolean };

function secretsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function decodeBasic(header: string): { id: string; secret: string } | undefined {
  const text = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  try {
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, '%20'));
    return { id: decode(text.slice(0, colon)), secret: decode(text.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

async function authenticate(
  provider: Provider,
  req: IncomingMessage,
  form: ReadonlyMap<string, string>,
): Promise<Caller> {
  const header = req.headers.authorization;
  const basic = header?.toLowerCase().startsWith('basic ') === true ? decodeBasic(header) : undefined;
  const usedBasic = header !== undefined;
  if (usedBasic && (basic === undefined || form.has('client_secret'))) return { ok: false, basic: usedBasic };
  const id = basic?.id ?? form.get('client_id');
  if (id === undefined || (basic !== undefined && form.has('client_id') && form.get('client_id') !== id))
    return { ok: false, basic: usedBasic };
  const client = await provider.Client.find(id);
  if (client === undefined) return { ok: false, basic: usedBasic };
  const method = client.clientAuthMethod;
  const presented = basic?.secret ?? form.get('client_secret');
  if (method === 'none')
    return presented === undefined
      ? { ok: true, clientId: id, isPublic: true }
      : { ok: false, basic: usedBasic };
  const viaRightPlace =
    method === 'client_secret_basic'
      ? basic !== undefined
      : method === 'client_secret_post' && basic === undefined;
  if (!viaRightPlace || presented === undefined || client.clientSecret === undefined)
    return { ok: false, basic: usedBasic };
  return secretsEqual(presented, client.clientSecret)
    ? { ok: true, clientId: id, isPublic: false }
    : { ok: false, basic: usedBasic };
}

/** Answers an introspection or revocation request whose token is a JWT. */
export async function handleJwtTokenRequest(
  route: 'introspection' | 'revocation',
  req: IncomingMessage,
  res: ServerResponse,
  form: ReadonlyMap<string, string>,
  deps: JwtEndpointDeps,
): Promise<void> {
  const token = form.get('token') ?? '';
  const caller = await authenticate(deps.provider, req, form);
  if (!caller.ok) {
    const headers: Record<string, string> = caller.basic
      ? {
          'www-authenticate': `Basic realm="${deps.provider.issuer}", error="invalid_client", error_description="client authentication failed"`,
        }
      : {};
    sendJson(
      res,
      401,
      { error: 'invalid_client', error_description: 'client authentication failed' },
      headers,
    );
    return;
  }
  const origin = req.headers.origin;
  const cors: Record<string, string> = {};
  if (origin !== undefined) {
    if (!deps.corsAllowed(origin, caller.clientId)) {
      sendJson(
        res,
        400,
        {
          error: 'invalid_request',
          error_description: `origin ${origin} not allowed for client: ${caller.clientId}`,
        },
        { vary: 'Origin' },
      );
      return;
    }
    Object.assign(cors, {
      'access-control-allow-origin': origin,
      vary: 'Origin',
      'access-control-expose-headers': 'WWW-Authenticate',
    });
  }
  const checked = await checkJwt(token, {
    storage: deps.storage,
    issuer: deps.provider.issuer,
    jwks: deps.jwks(),
  });
  // RFC 7662 §2.2 / RFC 7009 §2.1: only the resource servers' client, or the client the token was
  // issued to, learns about (or may revoke) a token.
  const allowed =
    checked.ok && (caller.clientId === RESOURCE_CLIENT_ID || checked.payload.client_id === caller.clientId);
  if (route === 'introspection') {
    deps.metrics.introspections.inc({ format: 'jwt', active: allowed ? 'true' : 'false' });
    const body =
      checked.ok && allowed ? { ...checked.payload, active: true, token_type: 'Bearer' } : { active: false };
    sendJson(res, 200, body, cors);
    return;
  }
  deps.metrics.revocations.inc({ format: 'jwt' });
  // As oidc-provider: a confidential client is told it may not; a public one is answered 200.
  if (checked.ok && !allowed && !caller.isPublic) {
    sendJson(
      res,
      400,
      {
        error: 'invalid_request',
        error_description: 'client is not authorized to revoke the presented token',
      },
      cors,
    );
    return;
  }
  if (checked.ok && typeof checked.payload.jti === 'string')
    await revokeJwt(deps.storage, checked.kind, checked.payload.jti);
  // RFC 7009 §2.2: an invalid or unknown token is answered 200 as well.
  res.writeHead(200, { 'content-length': '0', 'cache-control': 'no-store', ...cors });
  res.end();
}
