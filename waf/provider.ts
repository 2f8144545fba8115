/**
 * The oidc-provider instance of the WAF: its configuration in one place. Rebuilt (cheaply, over
 * the same storage) when the signing key changes, since oidc-provider's keystore is fixed at
 * construction.
 *
 * - Access tokens: JWT (RFC 9068, `typ: at+jwt`) for the one resource server, the eP-CSCF
 *   (`aud` = IMS_AUDIENCE, RFC 8707 resource indicator, the default when a client names none),
 *   scope `ims`, signed ES256 with the active key; IMS claims from ims-claims.ts.
 * - Grants: authorization_code (PKCE S256 required of public clients), refresh_token,
 *   client_credentials, and the guest grant (guest-grant.ts).
 * - The first-party `wic` never sees a consent page: its grant is made on first use.
 */
import Provider, { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from '../app/logger.ts';
import type { SubscriberDirectory } from '../store/directory.ts';
import { IMS_AUDIENCE, IMS_SCOPE } from '../token/claims.ts';
import type { AccountPolicy } from './account-policy.ts';
import { type FileClient, GUEST_GRANT, RESOURCE_CLIENT_ID, WIC_CLIENT_ID } from './clients.ts';
import type { WafConfig } from './config.ts';
import { clientClaims, subscriberClaims } from './ims-claims.ts';
import { errorPage, logoutPage, messagePage } from './interaction/pages.ts';
import { recordJwt } from './jwt-tokens.ts';
import { algOf } from './keys/key-ring.ts';
import type { WafMetrics } from './metrics.ts';
import type { StoredSigningKey, WafStorage } from './storage/storage.ts';

export const INTERACTION_PATH = '/interaction';

export interface ProviderOptions {
  readonly issuer: string;
  /** where the provider is mounted on the HTTP server, e.g. `/oauth` */
  readonly mountPath: string;
  readonly config: WafConfig;
  readonly storage: WafStorage;
  readonly directory: SubscriberDirectory;
  /** the active key first, then the older ones still published */
  readonly signingKeys: readonly StoredSigningKey[];
  readonly cookieKeys: readonly string[];
  readonly clients: Configuration['clients'];
  readonly fileClients: ReadonlyMap<string, FileClient>;
  readonly policy: AccountPolicy;
  readonly metrics: WafMetrics;
  readonly logger: Logger;
  /** whether a browser at `origin` may call the token endpoints as the client `clientId` */
  readonly corsAllowed: (origin: string, clientId: string) => boolean;
}

/** The resource server description of the eP-CSCF audience. */
export function imsResourceServer(config: WafConfig, key: StoredSigningKey) {
  return {
    scope: IMS_SCOPE,
    audience: IMS_AUDIENCE,
    accessTokenFormat: 'jwt' as const,
    accessTokenTTL: config.accessTokenTtl,
    jwt: { sign: { alg: algOf(key), kid: key.kid } },
  };
}

export function buildProvider(o: ProviderOptions): Provider {
  const { config, storage, directory } = o;
  const active = o.signingKeys[0];
  if (active === undefined) throw new Error('buildProvider needs a signing key');
  const accessTtl = () => config.accessTokenTtl;
  const refreshTtl = () => config.refreshTokenTtl;

  const configuration: Configuration = {
    adapter: (name: string) => storage.adapter(name),
    clients: o.clients,
    jwks: { keys: o.signingKeys.map((k) => ({ ...k.jwk })) },
    cookies: { keys: [...o.cookieKeys] },
    clientDefaults: { id_token_signed_response_alg: algOf(active) },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    scopes: ['openid', 'offline_access'],
    claims: { openid: ['sub'] },
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    // The wic gets refresh tokens without offline_access (which OIDC ties to prompt=consent):
    // those live with its login session at the WAF (expiresWithSession).
    issueRefreshToken: (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('offline_access') || client.clientId === WIC_CLIENT_ID),
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) =>
          client.clientId === RESOURCE_CLIENT_ID || token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => {
          if (client.clientId === RESOURCE_CLIENT_ID || token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? IMS_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== IMS_AUDIENCE) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return imsResourceServer(config, active);
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = logoutPage(form, ctx.host);
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = messagePage('Signed out', 'You are signed out.');
        },
      },
    },
    clientBasedCORS: (_ctx, origin, client) => o.corsAllowed(origin, client.clientId),
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTtl(),
      ClientCredentials: accessTtl,
      IdToken: accessTtl,
      AuthorizationCode: () => 60,
      RefreshToken: refreshTtl,
      Grant: refreshTtl,
      Session: refreshTtl,
      Interaction: () => 600,
    },
    interactions: { url: (_ctx, interaction) => `${o.mountPath}${INTERACTION_PATH}/${interaction.uid}` },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(out);
    },
    findAccount: async (_ctx, sub) => {
      const subscriber = await directory.getSubscriber(sub);
      if (subscriber === undefined || subscriber.disabled) return undefined;
      return { accountId: sub, claims: () => ({ sub }) };
    },
    extraTokenClaims: async (_ctx, token) => {
      if (token.kind === 'AccessToken' && token.gty === GUEST_GRANT) return token.extra;
      if (token.kind === 'AccessToken' && typeof token.accountId === 'string') {
        const subscriber = await directory.getSubscriber(token.accountId);
        if (subscriber === undefined) throw new errors.InvalidGrant('the account no longer exists');
        return { ...(await subscriberClaims(directory, subscriber)) };
      }
      const fileClient = o.fileClients.get(token.clientId ?? '');
      return fileClient === undefined ? undefined : { ...(await clientClaims(directory, fileClient)) };
    },
    formats: {
      customizers: {
        jwt: async (_ctx, token, parts) => {
          const p = parts.payload;
          if (typeof p.jti !== 'string' || typeof p.exp !== 'number' || typeof p.iat !== 'number') return;
          const kind = token.kind === 'ClientCredentials' ? 'ClientCredentials' : 'AccessToken';
          const grantId = token.kind === 'AccessToken' ? token.grantId : undefined;
          const accountId = token.kind === 'AccessToken' ? token.accountId : undefined;
          const record = {
            jti: p.jti,
            kind,
            format: 'jwt',
            clientId: token.clientId ?? '',
            grantId,
            accountId,
            iat: p.iat,
            exp: p.exp,
          } as const;
          await recordJwt(storage, record, Math.floor(Date.now() / 1000));
        },
      },
    },
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const clientId = oidc.client?.clientId;
      const accountId = oidc.session?.accountId;
      if (clientId === undefined || accountId === undefined) return undefined;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
      const existing = grantId === undefined ? undefined : await oidc.provider.Grant.find(grantId);
      if (existing !== undefined || clientId !== WIC_CLIENT_ID) return existing;
      // First-party client: grant what it asked for, without a consent page.
      const grant = new oidc.provider.Grant({ clientId, accountId });
      const asked = String(oidc.params?.scope ?? '').split(' ');
      grant.addOIDCScope(asked.filter((s) => s === 'openid' || s === 'offline_access'));
      grant.addResourceScope(IMS_AUDIENCE, IMS_SCOPE);
      await grant.save();
      await o.policy.afterGrant(accountId);
      return grant;
    },
  };

  const provider = new Provider(o.issuer, configuration);
  provider.proxy = config.trustProxy;
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    o.metrics.tokensIssued.inc({ grant_type: String(ctx.oidc.params?.grant_type ?? 'unknown') });
  });
  const logError = (event: string) => (ctx: KoaContextWithOIDC, error: Error) => {
    const status = (error as { status?: unknown }).status;
    const level = typeof status === 'number' && status < 500 ? 'debug' : 'error';
    o.logger[level](
      { event, route: ctx.oidc?.route, client: ctx.oidc?.client?.clientId, error: error.message },
      'oauth request failed',
    );
  };
  provider.on('grant.error', logError('grant.error'));
  provider.on('authorization.error', logError('authorization.error'));
  provider.on('introspection.error', logError('introspection.error'));
  provider.on('revocation.error', logError('revocation.error'));
  provider.on('server_error', logError('server_error'));
  return provider;
}
