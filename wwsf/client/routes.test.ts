import { describe, expect, it } from 'vitest';
import { buildClient, type ClientBundle } from './build.ts';
import { clientRoutes } from './routes.ts';

const asset = (name: string, type: string, text: string) => ({
  name,
  contentType: type,
  body: new TextEncoder().encode(text),
  etag: `"${name}"`,
});
const FAKE: ClientBundle = {
  script: asset('wic-aaaa.js', 'text/javascript; charset=utf-8', 'console.log(1)'),
  style: asset('wic-bbbb.css', 'text/css; charset=utf-8', 'body{}'),
};

describe('web client routes', () => {
  const app = clientRoutes({
    bundle: Promise.resolve(FAKE),
    connectSources: () => ['wss://edge.example.com:8443/sip', 'https://login.example.com/oauth', 'not a url'],
  });

  it('[WIC-serve-csp] MUST serve the page with a strict CSP that still allows the SIP WebSocket and media', async () => {
    const res = await app.request('http://wrtc.example.com/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = Object.fromEntries(
      csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
    );
    expect(directives).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'media-src': "'self' blob: mediastream:",
      'connect-src': "'self' ws://wrtc.example.com wss://edge.example.com:8443 https://login.example.com",
      'base-uri': "'none'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
      'object-src': "'none'",
    });
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('permissions-policy')).toContain('microphone=(self)');
    const html = await res.text();
    expect(html).toContain('<script defer src="/assets/wic-aaaa.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/assets/wic-bbbb.css">');
    expect(html).toContain('<meta name="wic-discovery" content="/.well-known/webrtc-ims">');
    // no inline script or style the CSP would have to allow
    expect(html).not.toMatch(/<script>(?!<\/script>)|<style|style="/);
    const secure = await app.request('https://wrtc.example.com/callback?code=x&state=y');
    expect(secure.status).toBe(200);
    expect(secure.headers.get('content-security-policy')).toContain(
      "connect-src 'self' wss://wrtc.example.com ",
    );
  });

  it('[WIC-serve-cache] MUST serve the content-named assets as immutable with an ETag, and 404 others', async () => {
    const js = await app.request('http://x/assets/wic-aaaa.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('etag')).toBe('"wic-aaaa.js"');
    expect(await js.text()).toBe('console.log(1)');
    const again = await app.request('http://x/assets/wic-aaaa.js', {
      headers: { 'if-none-match': '"wic-aaaa.js"' },
    });
    expect(again.status).toBe(304);
    expect((await app.request('http://x/assets/wic-bbbb.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    expect((await app.request('http://x/assets/other.js')).status).toBe(404);
  });

  it('[WIC-serve-csp] MUST answer 503 rather than a broken page when the bundle cannot be built', async () => {
    const broken = clientRoutes({ bundle: Promise.reject(new Error('esbuild failed')) });
    const res = await broken.request('http://x/');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('[WIC-serve-build] MUST bundle the client into one script and one stylesheet named by their content', async () => {
    const bundle = await buildClient();
    expect(bundle.script.name).toMatch(/^wic-[0-9a-f]{16}\.js$/);
    expect(bundle.style.name).toMatch(/^wic-[0-9a-f]{16}\.css$/);
    const js = new TextDecoder().decode(bundle.script.body);
    // JsSIP is inside; nothing is loaded from elsewhere at run time
    expect(js).toContain('JsSIP');
    expect(js).not.toMatch(/\bimport\(|\brequire\("/);
    expect(new TextDecoder().decode(bundle.style.body)).toContain('.keypad');
  }, 30_000);
});
