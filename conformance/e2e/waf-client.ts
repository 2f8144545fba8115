/**
 * What the web page does at the WAF, over real HTTP (no manual step): the authorization code
 * flow with PKCE S256 of the public `wic` client through the login form (the cookie-keeping
 * `Browser` of conformance/waf), sign-out (OpenID Connect RP-Initiated Logout: the WAF's
 * confirmation form, "yes, sign me out"), token revocation (RFC 7009, as the public client), the
 * guest grant (click-to-call) and RFC 7662 introspection as the resource server.
 */
import { GUEST_GRANT, RESOURCE_CLIENT_ID, type RunningWaf, WIC_CLIENT_ID } from '../../waf/index.ts';
import { authorizeWithPassword, Browser, form, formAction, pkcePair } from '../waf/browser.ts';
import { basic, tokenRequest } from '../waf/helpers.ts';
import { WEB_PASSWORD } from './e2e-directory.ts';

export interface WebLogin {
  /** the browser holding the WAF session cookie */
  readonly browser: Browser;
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly idToken: string | undefined;
}

export interface LoginOptions {
  /** default `openid ims`: no offline_access, so the grant lives with the login session */
  readonly scope?: string;
  /** further authorization request parameters (e.g. `resource`) */
  readonly extra?: Record<string, string>;
}

const redirectUriOf = (waf: RunningWaf): string => `${waf.origin}/callback`;

/**
 * Logs `login` (user@domain) in through the wic with PKCE and exchanges the code; throws with
 * what the WAF said when it does not end with tokens.
 */
export async function loginWithPkce(waf: RunningWaf, login: string, o: LoginOptions = {}): Promise<WebLogin> {
  const browser = new Browser();
  const issuer = waf.issuer();
  const redirectUri = redirectUriOf(waf);
  const { verifier, challenge } = pkcePair();
  const { code, callback } = await authorizeWithPassword(browser, {
    issuer,
    redirectUri,
    username: login,
    password: WEB_PASSWORD,
    scope: o.scope ?? 'openid ims',
    challenge,
    ...(o.extra === undefined ? {} : { extra: o.extra }),
  });
  if (code === undefined)
    throw new Error(`no authorization code for ${login}: ${callback?.search ?? 'the login page came back'}`);
  const token = await tokenRequest(issuer, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: WIC_CLIENT_ID,
    code_verifier: verifier,
  });
  if (token.status !== 200 || typeof token.body.access_token !== 'string')
    throw new Error(`token request for ${login} refused: ${token.status} ${JSON.stringify(token.body)}`);
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  return {
    browser,
    accessToken: token.body.access_token,
    refreshToken: str(token.body.refresh_token),
    idToken: str(token.body.id_token),
  };
}

/**
 * The authorization request alone, for a request the WAF should refuse: returns the `error`
 * the WAF sent back to the redirect URI (undefined when it issued a code instead).
 */
export async function authorizationError(
  waf: RunningWaf,
  login: string,
  extra: Record<string, string>,
): Promise<{ error: string | undefined; description: string | undefined; code: string | undefined }> {
  const { challenge } = pkcePair();
  const { code, callback } = await authorizeWithPassword(new Browser(), {
    issuer: waf.issuer(),
    redirectUri: redirectUriOf(waf),
    username: login,
    password: WEB_PASSWORD,
    scope: 'openid ims',
    challenge,
    extra,
  });
  return {
    error: callback?.searchParams.get('error') ?? undefined,
    description: callback?.searchParams.get('error_description') ?? undefined,
    code,
  };
}

/**
 * Signs the browser's user out at the WAF: GET /session/end, then the confirmation form with
 * `logout=yes` (sign out everywhere). Resolves with the status of the confirmation.
 */
export async function logout(waf: RunningWaf, browser: Browser): Promise<number> {
  const issuer = waf.issuer();
  const page = await browser.request(`${issuer}/session/end`);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the sign-out page answered ${page.status}`);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (xsrf === undefined) throw new Error('no xsrf field on the sign-out page');
  const action = new URL(formAction(html, '/session/end/confirm'), issuer).href;
  const done = await browser.follow(action, issuer, form({ xsrf, logout: 'yes' }));
  return done.response.status;
}

/** RFC 7009 revocation as the public wic (what the page does on sign-out); resolves with the status. */
export async function revokeAsWic(waf: RunningWaf, token: string, hint?: string): Promise<number> {
  const response = await fetch(
    `${waf.issuer()}/token/revocation`,
    form({
      token,
      client_id: WIC_CLIENT_ID,
      ...(hint === undefined ? {} : { token_type_hint: hint }),
    }),
  );
  await response.arrayBuffer();
  return response.status;
}

/** The guest (click-to-call) grant, asked by a page of `origin`. */
export async function guestToken(waf: RunningWaf, domain: string, origin: string): Promise<string> {
  const answer = await tokenRequest(
    waf.issuer(),
    { grant_type: GUEST_GRANT, client_id: WIC_CLIENT_ID, domain },
    { origin },
  );
  if (answer.status !== 200 || typeof answer.body.access_token !== 'string')
    throw new Error(`guest grant refused: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.access_token;
}

/** RFC 7662 as the resource server: whether the WAF still holds the token active. */
export async function activeAtWaf(waf: RunningWaf, token: string): Promise<boolean> {
  const { id, secret } = waf.authority.resourceClient;
  if (id !== RESOURCE_CLIENT_ID) throw new Error(`unexpected resource client ${id}`);
  const response = await fetch(`${waf.issuer()}/token/introspection`, {
    ...form({ token }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, secret) },
  });
  const body = (await response.json()) as { active?: unknown };
  return body.active === true;
}

/** The decoded payload of a JWT (no verification: what the test looks at, not what it trusts). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
