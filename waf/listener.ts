/**
 * The WAF's node:http listener, mounted at a path prefix (`/oauth`). It answers itself:
 *   GET  <mount>/jwks                      the published keys (key-ring.ts), so rotation shows at once
 *   POST <mount>/token/introspection|revocation with a JWT token (token-endpoints.ts)
 *   *    <mount>/interaction/...           login and consent pages (interaction/routes.ts)
 *   GET  <mount>/federation/callback       the upstream provider's redirect (federation)
 * and hands everything else to oidc-provider, with the URL made relative to the mount (as
 * Express does: `req.url` without the prefix, `req.originalUrl` with it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Logger } from '../app/logger.ts';
import type { Upstream } from './federation/upstream.ts';
import {
  BodyTooLarge,
  isForm,
  parseForm,
  readBody,
  redirect,
  replayRequest,
  sendHtml,
  sendJson,
} from './http-util.ts';
import { messagePage } from './interaction/pages.ts';
import type { InteractionRoutes } from './interaction/routes.ts';
import { looksLikeJwt } from './jwt-tokens.ts';
import type { PublicJwk } from './keys/key-ring.ts';
import type { WafMetrics } from './metrics.ts';
import { handleJwtTokenRequest, type JwtEndpointDeps } from './token-endpoints.ts';

export interface ListenerDeps {
  readonly mountPath: string;
  readonly provider: () => Promise<Provider>;
  /** called before a request that may need CORS decisions (refreshes the allowed origins) */
  readonly beforeCors: (origin: string) => Promise<void>;
  readonly jwks: () => { keys: PublicJwk[] };
  readonly interactions: InteractionRoutes;
  readonly upstream: Upstream | undefined;
  readonly jwtDeps: (provider: Provider) => JwtEndpointDeps;
  readonly metrics: WafMetrics;
  readonly logger: Logger;
}

const TOKEN_ROUTES = new Map<string, 'introspection' | 'revocation'>([
  ['/token/introspection', 'introspection'],
  ['/token/revocation', 'revocation'],
]);
/** oidc-provider's own body limit */
const BODY_LIMIT = 56 * 1024;

export function wafListener(deps: ListenerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  // Koa composes its middleware in callback(): once per provider instance.
  const callbacks = new WeakMap<Provider, ReturnType<Provider['callback']>>();
  const callbackOf = (provider: Provider) => {
    const callback = callbacks.get(provider) ?? provider.callback();
    callbacks.set(provider, callback);
    return callback;
  };
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const full = req.url ?? '/';
    const rel = full.slice(deps.mountPath.length);
    const relative = rel === '' || rel.startsWith('?') ? `/${rel}` : rel;
    const path = relative.split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    if (path === '/jwks' && (method === 'GET' || method === 'HEAD')) {
      sendJson(res, 200, deps.jwks(), {
        'cache-control': 'public, max-age=60',
        'access-control-allow-origin': '*',
      });
      return;
    }
    if (path.startsWith('/interaction/')) {
      await deps.interactions.handle(path.slice('/interaction/'.length), req, res);
      return;
    }
    if (path === '/federation/callback' && deps.upstream !== undefined && method === 'GET') {
      const query = new URL(relative, 'http://x').searchParams;
      const uid = await deps.upstream.interactionOf(query.get('state') ?? '');
      if (uid === undefined) {
        sendHtml(
          res,
          400,
          messagePage(
            'Sign-in expired',
            'This sign-in has expired. Go back to the application and start again.',
          ),
        );
        return;
      }
      redirect(res, `${deps.mountPath}/interaction/${uid}/upstream/return?${query.toString()}`);
      return;
    }
    const provider = await deps.provider();
    if (req.headers.origin !== undefined) await deps.beforeCors(req.headers.origin);
    let forward = req;
    const tokenRoute = TOKEN_ROUTES.get(path);
    if (tokenRoute !== undefined && method === 'POST' && isForm(req)) {
      let body: Buffer;
      try {
        body = await readBody(req, BODY_LIMIT);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        sendJson(res, 400, {
          error: 'invalid_request',
          error_description: 'failed to parse the request body',
        });
        return;
      }
      const form = parseForm(body);
      const token = form?.get('token');
      if (form !== undefined && token !== undefined && looksLikeJwt(token)) {
        await handleJwtTokenRequest(tokenRoute, req, res, form, deps.jwtDeps(provider));
        return;
      }
      if (tokenRoute === 'introspection')
        deps.metrics.introspections.inc({ format: 'opaque', active: 'unknown' });
      else deps.metrics.revocations.inc({ format: 'opaque' });
      forward = replayRequest(req, body);
    }
    Object.assign(forward, { originalUrl: full });
    forward.url = relative;
    await callbackOf(provider)(forward, res);
  };
  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      deps.logger.error({ err: error, path: (req.url ?? '').split('?')[0] }, 'WAF request failed');
      if (!res.headersSent)
        sendJson(res, 500, { error: 'server_error', error_description: 'see the server log' });
      else res.destroy();
    });
  };
}
