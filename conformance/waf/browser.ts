/**
 * What a browser does in an OAuth flow, minus the rendering: `fetch` with manual redirects and a
 * cookie jar (per origin, name and path: the test servers share 127.0.0.1 and stand for
 * different hosts), plus PKCE (RFC 7636) and the authorization code flow of the `wic` client
 * driven through the WAF's login form.
 */
import { createHash, randomBytes } from 'node:crypto';

interface Cookie {
  readonly origin: string;
  readonly name: string;
  readonly value: string;
  readonly path: string;
}

export class Browser {
  private readonly jar = new Map<string, Cookie>();

  constructor(readonly origin: string | undefined = undefined) {}

  /** One request, no redirect followed; cookies sent and stored. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = [...this.jar.values()]
      .filter((c) => c.origin === target.origin && target.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    if (cookie !== '') headers.set('cookie', cookie);
    if (this.origin !== undefined && init.method === 'POST') headers.set('origin', this.origin);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.store(target.origin, line);
    return response;
  }

  /**
   * Follows redirects while they stay under `within` (a URL prefix, or a test of the next URL);
   * returns the last response and the URL that left it.
   */
  async follow(
    url: string,
    within: string | ((next: URL) => boolean),
    init: RequestInit = {},
  ): Promise<{ response: Response; left?: URL }> {
    const stays = typeof within === 'string' ? (next: URL) => next.href.startsWith(within) : within;
    let response = await this.request(url, init);
    let base = url;
    for (let hops = 0; hops < 10; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return { response };
      const next = new URL(location, base);
      if (!stays(next)) return { response, left: next };
      base = next.href;
      response = await this.request(next.href);
    }
    throw new Error('too many redirects');
  }

  private store(origin: string, line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const path =
      attributes
        .map((a) => a.trim())
        .find((a) => a.toLowerCase().startsWith('path='))
        ?.slice(5) ?? '/';
    const expires = attributes.map((a) => a.trim().toLowerCase()).find((a) => a.startsWith('expires='));
    const gone = value === '' || (expires !== undefined && Date.parse(expires.slice(8)) < Date.now());
    const key = `${origin} ${path} ${name}`;
    if (gone) this.jar.delete(key);
    else this.jar.set(key, { origin, name, value, path });
  }
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

/** The `action` of the first form on an HTML page whose action ends with `suffix`. */
export function formAction(html: string, suffix: string): string {
  for (const m of html.matchAll(/<form[^>]*action="([^"]+)"/g)) {
    const action = (m[1] ?? '').replace(/&amp;/g, '&');
    if (action.endsWith(suffix)) return action;
  }
  throw new Error(`no form posting to *${suffix} on the page`);
}

export interface AuthorizeOptions {
  readonly issuer: string;
  readonly clientId?: string;
  readonly redirectUri: string;
  readonly scope?: string;
  readonly username: string;
  readonly password: string;
  readonly challenge?: string;
  readonly extra?: Record<string, string>;
}

/** Drives GET /auth → login page → POST login → (no consent for the wic) → redirect with a code. */
export async function authorizeWithPassword(
  browser: Browser,
  o: AuthorizeOptions,
): Promise<{ code: string | undefined; callback: URL | undefined; loginPage: Response | undefined }> {
  const url = new URL(`${o.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: o.clientId ?? 'wic',
    response_type: 'code',
    redirect_uri: o.redirectUri,
    scope: o.scope ?? 'openid offline_access ims',
    state: randomBytes(8).toString('hex'),
    ...(o.challenge === undefined ? {} : { code_challenge: o.challenge, code_challenge_method: 'S256' }),
    ...o.extra,
  }).toString();
  const origin = new URL(o.issuer).origin;
  const start = await browser.follow(url.href, o.issuer);
  if (start.left !== undefined)
    return {
      code: start.left.searchParams.get('code') ?? undefined,
      callback: start.left,
      loginPage: undefined,
    };
  const html = await start.response.text();
  const action = new URL(formAction(html, '/login'), origin).href;
  const done = await browser.follow(action, o.issuer, form({ username: o.username, password: o.password }));
  if (done.left === undefined) return { code: undefined, callback: undefined, loginPage: done.response };
  return { code: done.left.searchParams.get('code') ?? undefined, callback: done.left, loginPage: undefined };
}
