/**
 * The web client's side of OAuth 2.0 with the WAF (a public client, RFC 6749 + RFC 7636 PKCE +
 * RFC 8707 resource indicators): the authorization request URL, the code exchange, the refresh
 * (§6), the guest grant of click-to-call domains (waf/guest-grant.ts) and the RP-initiated
 * logout URL. `fetch` is handed in; answers are parsed into typed values at this edge.
 */
import { tryUrl } from './discovery.ts';

/** The endpoints the client uses from the WAF's OpenID Connect discovery document. */
export interface WafMetadata {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly endSessionEndpoint: string | undefined;
  readonly revocationEndpoint: string | undefined;
}

export interface TokenSet {
  readonly accessToken: string;
  /** ms since the epoch, from expires_in */
  readonly expiresAt: number;
  readonly refreshToken: string | undefined;
  readonly idToken: string | undefined;
}

/** An error answer of the WAF (RFC 6749 §5.2), or a transport failure (`error: 'network'`). */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string | undefined,
    readonly status: number | undefined,
  ) {
    super(description === undefined ? error : `${error}: ${description}`);
    this.name = 'OAuthError';
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** The grant type of guest tokens (waf/clients.ts GUEST_GRANT). */
export const GUEST_GRANT = 'urn:webrtc-ims:grant-type:guest';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function endpoint(json: Record<string, unknown>, name: string): string | undefined {
  const v = json[name];
  return typeof v === 'string' && tryUrl(v) !== undefined ? v : undefined;
}

export function parseMetadata(json: unknown, expectedIssuer: string): WafMetadata {
  if (!isRecord(json)) throw new OAuthError('invalid_metadata', 'not a JSON object', undefined);
  // OpenID Connect Discovery §4.3: the issuer must be the one we asked about.
  if (json.issuer !== expectedIssuer)
    throw new OAuthError(
      'invalid_metadata',
      `issuer ${String(json.issuer)} is not ${expectedIssuer}`,
      undefined,
    );
  const authorizationEndpoint = endpoint(json, 'authorization_endpoint');
  const tokenEndpoint = endpoint(json, 'token_endpoint');
  if (authorizationEndpoint === undefined || tokenEndpoint === undefined)
    throw new OAuthError('invalid_metadata', 'authorization or token endpoint missing', undefined);
  return {
    issuer: expectedIssuer,
    authorizationEndpoint,
    tokenEndpoint,
    endSessionEndpoint: endpoint(json, 'end_session_endpoint'),
    revocationEndpoint: endpoint(json, 'revocation_endpoint'),
  };
}

export async function fetchMetadata(
  fetcher: Fetch,
  metadataUrl: string,
  issuer: string,
): Promise<WafMetadata> {
  const response = await send(fetcher, metadataUrl, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new OAuthError('invalid_metadata', `HTTP ${response.status}`, response.status);
  return parseMetadata(await response.json(), issuer);
}

export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly resource: string;
  readonly state: string;
  readonly codeChallenge: string;
  /** `consent` to be granted offline_access (a refresh token), per OIDC Core §11 */
  readonly prompt?: string;
  readonly loginHint?: string;
}

/** The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 8707 §2). */
export function authorizationUrl(meta: WafMetadata, r: AuthorizationRequest): string {
  const url = new URL(meta.authorizationEndpoint);
  const q = url.searchParams;
  q.set('response_type', 'code');
  q.set('client_id', r.clientId);
  q.set('redirect_uri', r.redirectUri);
  q.set('scope', r.scope);
  if (r.resource !== '') q.set('resource', r.resource);
  q.set('state', r.state);
  q.set('code_challenge', r.codeChallenge);
  q.set('code_challenge_method', 'S256');
  if (r.prompt !== undefined) q.set('prompt', r.prompt);
  if (r.loginHint !== undefined && r.loginHint !== '') q.set('login_hint', r.loginHint);
  return url.href;
}

export type RedirectResult =
  | { kind: 'none' }
  | { kind: 'code'; code: string; state: string }
  | { kind: 'error'; error: string; description: string | undefined; state: string | undefined };

/** What the WAF put in the redirect back to us (RFC 6749 §4.1.2 and §4.1.2.1). */
export function readRedirect(location: string): RedirectResult {
  const q = new URL(location).searchParams;
  const error = q.get('error');
  if (error !== null)
    return {
      kind: 'error',
      error,
      description: q.get('error_description') ?? undefined,
      state: q.get('state') ?? undefined,
    };
  const code = q.get('code');
  const state = q.get('state');
  if (code === null || state === null) return { kind: 'none' };
  return { kind: 'code', code, state };
}

async function send(fetcher: Fetch, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetcher(url, init);
  } catch (error) {
    throw new OAuthError('network', error instanceof Error ? error.message : String(error), undefined);
  }
}

/** Parses a token endpoint answer (RFC 6749 §5.1 success, §5.2 error). */
export async function readTokenResponse(response: Response, now: number): Promise<TokenSet> {
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  if (!response.ok || !isRecord(json)) {
    const error = isRecord(json) && typeof json.error === 'string' ? json.error : 'server_error';
    const description =
      isRecord(json) && typeof json.error_description === 'string' ? json.error_description : undefined;
    throw new OAuthError(error, description ?? `HTTP ${response.status}`, response.status);
  }
  const { access_token, token_type, expires_in, refresh_token, id_token } = json;
  if (typeof access_token !== 'string' || access_token === '')
    throw new OAuthError('invalid_response', 'no access_token', response.status);
  if (typeof token_type !== 'string' || token_type.toLowerCase() !== 'bearer')
    throw new OAuthError(
      'invalid_response',
      `token_type ${String(token_type)} is not Bearer`,
      response.status,
    );
  const lifetime = typeof expires_in === 'number' && expires_in > 0 ? expires_in : 300;
  return {
    accessToken: access_token,
    expiresAt: now + lifetime * 1000,
    refreshToken: typeof refresh_token === 'string' ? refresh_token : undefined,
    idToken: typeof id_token === 'string' ? id_token : undefined,
  };
}

async function tokenRequest(
  fetcher: Fetch,
  meta: WafMetadata,
  form: Record<string, string>,
  now: () => number,
): Promise<TokenSet> {
  const response = await send(fetcher, meta.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  return readTokenResponse(response, now());
}

export function exchangeCode(
  fetcher: Fetch,
  meta: WafMetadata,
  o: { clientId: string; code: string; redirectUri: string; verifier: string; resource: string },
  now: () => number = Date.now,
): Promise<TokenSet> {
  return tokenRequest(
    fetcher,
    meta,
    {
      grant_type: 'authorization_code',
      client_id: o.clientId,
      code: o.code,
      redirect_uri: o.redirectUri,
      code_verifier: o.verifier,
      ...(o.resource === '' ? {} : { resource: o.resource }),
    },
    now,
  );
}

/** RFC 6749 §6; a refresh token the WAF does not rotate is kept. */
export async function refreshTokens(
  fetcher: Fetch,
  meta: WafMetadata,
  o: { clientId: string; refreshToken: string; resource: string },
  now: () => number = Date.now,
): Promise<TokenSet> {
  const set = await tokenRequest(
    fetcher,
    meta,
    {
      grant_type: 'refresh_token',
      client_id: o.clientId,
      refresh_token: o.refreshToken,
      ...(o.resource === '' ? {} : { resource: o.resource }),
    },
    now,
  );
  return set.refreshToken === undefined ? { ...set, refreshToken: o.refreshToken } : set;
}

export function guestToken(
  fetcher: Fetch,
  meta: WafMetadata,
  o: { clientId: string; domain: string },
  now: () => number = Date.now,
): Promise<TokenSet> {
  return tokenRequest(
    fetcher,
    meta,
    { grant_type: GUEST_GRANT, client_id: o.clientId, domain: o.domain },
    now,
  );
}

/** RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2), when the WAF offers it. */
export function endSessionUrl(
  meta: WafMetadata,
  o: { clientId: string; idToken: string | undefined; postLogoutRedirectUri: string },
): string | undefined {
  if (meta.endSessionEndpoint === undefined) return undefined;
  const url = new URL(meta.endSessionEndpoint);
  url.searchParams.set('client_id', o.clientId);
  if (o.idToken !== undefined) url.searchParams.set('id_token_hint', o.idToken);
  url.searchParams.set('post_logout_redirect_uri', o.postLogoutRedirectUri);
  return url.href;
}
