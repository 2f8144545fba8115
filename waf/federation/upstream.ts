/**
 * Federation: the WAF as an OpenID Connect relying party of an upstream provider (OIDC Core
 * §3.1, authorization code flow, with PKCE S256 and a nonce). The login page links to
 * `start()`, which sends the browser upstream; the upstream comes back to our callback, and
 * `finish()` exchanges the code (client_secret_basic), verifies the ID token against the
 * upstream's JWKS (iss, aud, exp, nonce), adds the UserInfo claims when the ID token carries no
 * email or user name (OIDC Core §5.3, `sub` must match) and hands them to mapping.ts.
 * The state of a login in progress is kept in the storage for 10 minutes, used once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type { WafStorage } from '../storage/storage.ts';

const STATE_MODEL = 'UpstreamLogin';
const STATE_TTL_S = 600;

export interface UpstreamOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly storage: WafStorage;
  /** our callback URL registered at the upstream (known once the WAF's issuer is) */
  readonly redirectUri: () => string;
  readonly fetch?: typeof fetch;
}

interface Discovery {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly userinfo_endpoint: string | undefined;
}

export type UpstreamResult =
  | { readonly ok: true; readonly claims: JWTPayload }
  | { readonly ok: false; readonly reason: string };

const b64url = (buf: Buffer) => buf.toString('base64url');

export class Upstream {
  private discovery: Promise<Discovery> | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: UpstreamOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The upstream authorization URL for the interaction `uid`. */
  async start(uid: string): Promise<string> {
    const meta = await this.meta();
    const state = b64url(randomBytes(24));
    const nonce = b64url(randomBytes(24));
    const verifier = b64url(randomBytes(32));
    await this.options.storage
      .adapter(STATE_MODEL)
      .upsert(state, { uid, nonce, codeVerifier: verifier }, STATE_TTL_S);
    const url = new URL(meta.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.options.clientId,
      redirect_uri: this.options.redirectUri(),
      scope: 'openid email profile',
      state,
      nonce,
      code_challenge: b64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
    }).toString();
    return url.href;
  }

  /** The interaction a callback's `state` belongs to, if it is one of ours and still pending. */
  async interactionOf(state: string): Promise<string | undefined> {
    const record = await this.options.storage.adapter(STATE_MODEL).find(state);
    return typeof record?.uid === 'string' ? record.uid : undefined;
  }

  /** Completes the login of interaction `uid` from the callback's query. */
  async finish(uid: string, query: URLSearchParams): Promise<UpstreamResult> {
    const state = query.get('state') ?? '';
    const states = this.options.storage.adapter(STATE_MODEL);
    const record = state === '' ? undefined : await states.find(state);
    if (record === undefined || record.uid !== uid)
      return { ok: false, reason: 'unknown or expired login state' };
    await states.destroy(state);
    const error = query.get('error');
    if (error !== null) return { ok: false, reason: `the upstream provider answered ${error}` };
    const code = query.get('code');
    if (code === null || typeof record.codeVerifier !== 'string' || typeof record.nonce !== 'string')
      return { ok: false, reason: 'no authorization code' };
    const meta = await this.meta();
    const basic = Buffer.from(
      `${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`,
    ).toString('base64');
    const response = await this.fetch(meta.token_endpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.options.redirectUri(),
        code_verifier: record.codeVerifier,
      }),
    });
    const body = (await response.json().catch(() => undefined)) as
      | { id_token?: unknown; access_token?: unknown; error?: unknown }
      | undefined;
    if (!response.ok || typeof body?.id_token !== 'string')
      return { ok: false, reason: `token request refused (${String(body?.error ?? response.status)})` };
    this.jwks ??= createRemoteJWKSet(new URL(meta.jwks_uri));
    try {
      const { payload } = await jwtVerify(body.id_token, this.jwks, {
        issuer: this.options.issuer,
        audience: this.options.clientId,
      });
      if (payload.nonce !== record.nonce) return { ok: false, reason: 'ID token nonce mismatch' };
      if (payload.email !== undefined || payload.preferred_username !== undefined)
        return { ok: true, claims: payload };
      const extra =
        typeof body.access_token === 'string' ? await this.userinfo(meta, body.access_token) : undefined;
      if (extra !== undefined && extra.sub !== payload.sub)
        return { ok: false, reason: 'UserInfo names another subject' };
      return { ok: true, claims: { ...extra, ...payload } };
    } catch (err) {
      return { ok: false, reason: `ID token rejected (${err instanceof Error ? err.name : 'invalid'})` };
    }
  }

  private async userinfo(meta: Discovery, accessToken: string): Promise<JWTPayload | undefined> {
    if (meta.userinfo_endpoint === undefined) return undefined;
    const response = await this.fetch(meta.userinfo_endpoint, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    });
    if (!response.ok) return undefined;
    const claims = (await response.json().catch(() => undefined)) as unknown;
    return typeof claims === 'object' && claims !== null ? (claims as JWTPayload) : undefined;
  }

  private meta(): Promise<Discovery> {
    this.discovery ??= this.discover().catch((error: unknown) => {
      this.discovery = undefined;
      throw error;
    });
    return this.discovery;
  }

  private async discover(): Promise<Discovery> {
    const response = await this.fetch(`${this.options.issuer}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`upstream discovery answered ${response.status}`);
    const doc = (await response.json()) as Record<string, unknown>;
    if (doc.issuer !== this.options.issuer) throw new Error('upstream discovery names another issuer');
    const { authorization_endpoint: a, token_endpoint: t, jwks_uri: j, userinfo_endpoint: u } = doc;
    if (typeof a !== 'string' || typeof t !== 'string' || typeof j !== 'string')
      throw new Error('upstream discovery lacks authorization_endpoint, token_endpoint or jwks_uri');
    return {
      authorization_endpoint: a,
      token_endpoint: t,
      jwks_uri: j,
      userinfo_endpoint: typeof u === 'string' ? u : undefined,
    };
  }
}
