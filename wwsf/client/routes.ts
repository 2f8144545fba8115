/**
 * `clientRoutes()`: the hono sub-application serving the web client.
 *
 *   GET /            the page (also /callback, where the WAF sends the browser back);
 *                    `Cache-Control: no-cache`, the Content-Security-Policy of page.ts
 *   GET /assets/<n>  the bundled script and stylesheet, named by content hash;
 *                    `Cache-Control: public, max-age=31536000, immutable`, ETag
 *
 * The bundle is built once, when the routes are created; requests wait for it. A build
 * failure is answered 503 (and logged), never a half page.
 */
import { type Context, Hono } from 'hono';
import type { Logger } from '../../app/logger.ts';
import { buildClient, type ClientBundle } from './build.ts';
import { contentSecurityPolicy, indexHtml, SECURITY_HEADERS } from './page.ts';

export interface ClientRoutesOptions {
  /** where the discovery document is (default the WWSF's `/.well-known/webrtc-ims`) */
  readonly discoveryPath?: string;
  /** the path prefix the routes are mounted at, ending in `/` (default `/`) */
  readonly basePath?: string;
  /**
   * URLs whose origins the page may connect to besides its own: the eP-CSCF's WebSocket URLs
   * when on another host, the WAF issuer when elsewhere. Read per request.
   */
  readonly connectSources?: () => readonly string[];
  readonly title?: string;
  readonly logger?: Logger;
  /** a prebuilt bundle (tests); default: built now with esbuild */
  readonly bundle?: Promise<ClientBundle>;
}

export const DEFAULT_DISCOVERY_PATH = '/.well-known/webrtc-ims';
const IMMUTABLE = 'public, max-age=31536000, immutable';

export function clientRoutes(options: ClientRoutesOptions = {}): Hono {
  const basePath = options.basePath ?? '/';
  if (!basePath.startsWith('/') || !basePath.endsWith('/'))
    throw new Error(`clientRoutes basePath must start and end with /: ${basePath}`);
  const bundle = options.bundle ?? buildClient();
  bundle.then(
    (b) => options.logger?.info({ script: b.script.name, style: b.style.name }, 'web client built'),
    (error: unknown) => options.logger?.error({ err: error }, 'web client build failed'),
  );
  const ready = bundle.then(
    (b) => ({
      bundle: b,
      html: indexHtml({
        bundle: b,
        basePath,
        discoveryPath: options.discoveryPath ?? DEFAULT_DISCOVERY_PATH,
        title: options.title ?? 'Web phone',
      }),
    }),
    () => undefined,
  );

  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  });
  const unavailable = () =>
    new Response(
      JSON.stringify({
        type: 'about:blank',
        title: 'Web client unavailable',
        status: 503,
        detail: 'the web client could not be built; see the server log',
      }),
      { status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '30' } },
    );

  const page = async (c: Context) => {
    const built = await ready;
    if (built === undefined) return unavailable();
    const url = new URL(c.req.url);
    const forwarded = c.req.header('x-forwarded-proto');
    const secure = url.protocol === 'https:' || forwarded === 'https';
    c.header(
      'content-security-policy',
      contentSecurityPolicy({ host: url.host, secure, connect: options.connectSources?.() ?? [] }),
    );
    c.header('cache-control', 'no-cache');
    c.header('x-frame-options', 'DENY');
    return c.html(built.html);
  };
  app.get('/', page);
  app.get('/callback', page);

  app.get('/assets/:name', async (c) => {
    const built = await ready;
    if (built === undefined) return unavailable();
    const name = c.req.param('name');
    const found = [built.bundle.script, built.bundle.style].find((a) => a.name === name);
    if (found === undefined) return c.notFound();
    c.header('etag', found.etag);
    if (c.req.header('if-none-match') === found.etag)
      return c.body(null, 304, { 'cache-control': IMMUTABLE });
    c.header('cache-control', IMMUTABLE);
    c.header('content-type', found.contentType);
    return c.body(found.body as Uint8Array<ArrayBuffer>);
  });
  return app;
}
