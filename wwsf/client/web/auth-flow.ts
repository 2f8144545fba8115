/**
 * Web-credential and guest sign-in of the WIC against the WAF (TS 33.203 Annex X.3/X.4 with the
 * WAF as the OAuth authority): the authorization code flow with PKCE across the redirect (the
 * verifier and `state` wait in sessionStorage, one tab's storage), the guest grant for
 * click-to-call domains, the refresh, and the token set kept for this tab so a reload does not
 * sign the user out. The IMS password of the other sign-in is never stored.
 */
import type { KeyValueStore } from './call-log.ts';
import type { AuthorizationConfig } from './discovery.ts';
import {
  authorizationUrl,
  endSessionUrl,
  exchangeCode,
  type Fetch,
  fetchMetadata,
  guestToken,
  OAuthError,
  readRedirect,
  refreshTokens,
  type TokenSet,
  type WafMetadata,
} from './oauth.ts';
import { createPkce, randomToken } from './pkce.ts';

const PENDING_KEY = 'wic.oauth.pending';
const TOKENS_KEY = 'wic.oauth.tokens';
/** a sign-in not finished within 10 minutes is stale (the WAF's interaction lifetime) */
const PENDING_TTL_MS = 600_000;

interface Pending {
  readonly state: string;
  readonly verifier: string;
  readonly redirectUri: string;
  readonly issuer: string;
  readonly at: number;
}

export type SignInKind = 'web' | 'guest';

export interface StoredTokens extends TokenSet {
  readonly kind: SignInKind;
  readonly issuer: string;
}

export interface AuthFlowOptions {
  readonly authorization: AuthorizationConfig;
  /** the tenant, for the guest grant */
  readonly domain: string;
  readonly fetch: Fetch;
  readonly storage: KeyValueStore;
  /** where the WAF sends the browser back (one of the wic's registered redirect URIs) */
  readonly redirectUri: string;
  readonly navigate: (url: string) => void;
  readonly now: () => number;
}

function parsePending(text: string | null): Pending | undefined {
  if (text === null) return undefined;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const { state, verifier, redirectUri, issuer, at } = v;
    if (
      typeof state === 'string' &&
      typeof verifier === 'string' &&
      typeof redirectUri === 'string' &&
      typeof issuer === 'string' &&
      typeof at === 'number'
    )
      return { state, verifier, redirectUri, issuer, at };
  } catch {
    // damaged: treated as absent
  }
  return undefined;
}

function parseTokens(text: string | null): StoredTokens | undefined {
  if (text === null) return undefined;
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const { kind, issuer, accessToken, expiresAt, refreshToken, idToken } = v;
    if ((kind !== 'web' && kind !== 'guest') || typeof issuer !== 'string') return undefined;
    if (typeof accessToken !== 'string' || typeof expiresAt !== 'number') return undefined;
    return {
      kind,
      issuer,
      accessToken,
      expiresAt,
      refreshToken: typeof refreshToken === 'string' ? refreshToken : undefined,
      idToken: typeof idToken === 'string' ? idToken : undefined,
    };
  } catch {
    return undefined;
  }
}

export class AuthFlow {
  private meta: Promise<WafMetadata> | undefined;

  constructor(private readonly o: AuthFlowOptions) {}

  get clientId(): string {
    return this.o.authorization.clientId;
  }

  metadata(): Promise<WafMetadata> {
    this.meta ??= fetchMetadata(this.o.fetch, this.o.authorization.metadata, this.o.authorization.issuer);
    this.meta.catch(() => {
      this.meta = undefined;
    });
    return this.meta;
  }

  /** Sends the browser to the WAF's login page. Asks for a refresh token (offline_access). */
  async begin(loginHint?: string): Promise<void> {
    const meta = await this.metadata();
    const pkce = await createPkce();
    const pending: Pending = {
      state: randomToken(16),
      verifier: pkce.verifier,
      redirectUri: this.o.redirectUri,
      issuer: this.o.authorization.issuer,
      at: this.o.now(),
    };
    this.o.storage.setItem(PENDING_KEY, JSON.stringify(pending));
    const scopes = new Set(this.o.authorization.scope.split(' ').filter((s) => s !== ''));
    scopes.add('openid');
    scopes.add('offline_access');
    this.o.navigate(
      authorizationUrl(meta, {
        clientId: this.clientId,
        redirectUri: pending.redirectUri,
        scope: [...scopes].join(' '),
        resource: this.o.authorization.resource,
        state: pending.state,
        codeChallenge: pkce.challenge,
        // OpenID Connect Core §11: offline_access is granted only with prompt=consent.
        prompt: 'consent',
        ...(loginHint === undefined ? {} : { loginHint }),
      }),
    );
  }

  /**
   * Finishes a sign-in when `href` is the WAF's redirect back to us: undefined when it is not
   * one; the token set, or an OAuthError (the WAF's error, or `state_mismatch`).
   */
  async complete(href: string): Promise<StoredTokens | undefined> {
    const result = readRedirect(href);
    if (result.kind === 'none') return undefined;
    const pending = parsePending(this.o.storage.getItem(PENDING_KEY));
    this.o.storage.removeItem(PENDING_KEY);
    if (result.kind === 'error') throw new OAuthError(result.error, result.description, undefined);
    // RFC 6749 §10.12: the state must be the one this tab sent, recently.
    if (pending === undefined || pending.state !== result.state || this.o.now() - pending.at > PENDING_TTL_MS)
      throw new OAuthError(
        'state_mismatch',
        'the sign-in answer does not match a sign-in of this page',
        undefined,
      );
    const meta = await this.metadata();
    const set = await exchangeCode(
      this.o.fetch,
      meta,
      {
        clientId: this.clientId,
        code: result.code,
        redirectUri: pending.redirectUri,
        verifier: pending.verifier,
        resource: this.o.authorization.resource,
      },
      this.o.now,
    );
    return this.save({ ...set, kind: 'web', issuer: this.o.authorization.issuer });
  }

  async guest(): Promise<StoredTokens> {
    const meta = await this.metadata();
    const set = await guestToken(
      this.o.fetch,
      meta,
      { clientId: this.clientId, domain: this.o.domain },
      this.o.now,
    );
    return this.save({ ...set, kind: 'guest', issuer: this.o.authorization.issuer });
  }

  async refresh(current: StoredTokens): Promise<StoredTokens> {
    if (current.refreshToken === undefined)
      throw new OAuthError('invalid_grant', 'no refresh token', undefined);
    const meta = await this.metadata();
    const set = await refreshTokens(
      this.o.fetch,
      meta,
      {
        clientId: this.clientId,
        refreshToken: current.refreshToken,
        resource: this.o.authorization.resource,
      },
      this.o.now,
    );
    return this.save({
      ...set,
      idToken: set.idToken ?? current.idToken,
      kind: current.kind,
      issuer: current.issuer,
    });
  }

  /** The tokens of this tab's earlier sign-in, if still valid for at least 30 s. */
  stored(): StoredTokens | undefined {
    const set = parseTokens(this.o.storage.getItem(TOKENS_KEY));
    if (set === undefined || set.issuer !== this.o.authorization.issuer) return undefined;
    if (set.expiresAt - this.o.now() < 30_000 && set.refreshToken === undefined) return undefined;
    return set;
  }

  forget(): void {
    this.o.storage.removeItem(TOKENS_KEY);
  }

  /** The WAF's logout URL for a web sign-in (ends its session too), if it has one. */
  async logoutUrl(set: StoredTokens, postLogoutRedirectUri: string): Promise<string | undefined> {
    if (set.kind !== 'web') return undefined;
    const meta = await this.metadata().catch(() => undefined);
    if (meta === undefined) return undefined;
    return endSessionUrl(meta, { clientId: this.clientId, idToken: set.idToken, postLogoutRedirectUri });
  }

  private save(set: StoredTokens): StoredTokens {
    try {
      this.o.storage.setItem(TOKENS_KEY, JSON.stringify(set));
    } catch {
      // storage disabled: the sign-in lasts for this page only
    }
    return set;
  }
}
