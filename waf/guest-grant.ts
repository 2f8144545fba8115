/**
 * Guest access for click-to-call (TS 33.203 X.4 with anonymous users): a custom grant at the
 * token endpoint (RFC 6749 §4.5 extension grant),
 *
 *   POST <issuer>/token  grant_type=urn:webrtc-ims:grant-type:guest&client_id=wic&domain=example.com
 *   Origin: https://shop.example.com
 *
 * answered with a short-lived JWT access token (the domain's anonymous tokenTtl, never more
 * than WAF_ACCESS_TOKEN_TTL) with `role: anonymous`, `ims: {domain, pool: true}` and the
 * domain's anonymous capability rules applied. Refused (invalid_grant, with the reason) when the
 * domain is unknown, its anonymous policy is disabled, or the request's Origin is not one of the
 * domain's allowedOrigins (the product's own origins when that list is empty). No refresh token.
 */
import { randomUUID } from 'node:crypto';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { SubscriberDirectory } from '../store/directory.ts';
import { IMS_AUDIENCE, IMS_SCOPE } from '../token/claims.ts';
import { GUEST_GRANT } from './clients.ts';
import type { WafConfig } from './config.ts';
import { guestClaims } from './ims-claims.ts';
import { imsResourceServer } from './provider.ts';
import type { StoredSigningKey } from './storage/storage.ts';

export interface GuestGrantDeps {
  readonly directory: SubscriberDirectory;
  readonly config: WafConfig;
  /** the product's own origins (used when a domain lists no allowed origins) */
  readonly ownOrigins: () => readonly string[];
  /** the key that signs now */
  readonly signingKey: StoredSigningKey;
}

/** invalid_grant with the reason shown (oidc-provider's InvalidGrant hides its description). */
function refused(reason: string): Error {
  return new errors.CustomOIDCProviderError('invalid_grant', reason);
}

export function registerGuestGrant(provider: Provider, deps: GuestGrantDeps): void {
  provider.registerGrantType(
    GUEST_GRANT,
    async (ctx) => {
      const { client, params } = ctx.oidc;
      const name = typeof params.domain === 'string' ? params.domain.toLowerCase() : '';
      if (name === '') throw new errors.InvalidRequest('missing required parameter: domain');
      const domain = await deps.directory.getDomain(name);
      if (domain === undefined) throw refused(`unknown domain ${name}`);
      if (!domain.anonymous.enabled) throw refused(`guest access is disabled for domain ${name}`);
      const origin = ctx.get('origin');
      const allowed = domain.allowedOrigins.length > 0 ? domain.allowedOrigins : deps.ownOrigins();
      if (origin === '') throw refused('guest access needs the Origin of the calling page');
      if (!allowed.includes(origin)) throw refused(`origin ${origin} is not allowed for domain ${name}`);

      const ttl = Math.max(1, Math.min(domain.anonymous.tokenTtl, deps.config.accessTokenTtl));
      // No grant: a guest token stands alone. oidc-provider handles a token without grantId; its
      // type definitions insist on one, hence the cast.
      type AccessTokenInit = ConstructorParameters<typeof provider.AccessToken>[0];
      const init = {
        client,
        accountId: `guest-${randomUUID()}`,
        gty: GUEST_GRANT,
        scope: IMS_SCOPE,
        expiresIn: ttl,
        extra: { ...guestClaims(domain) },
        resourceServer: new provider.ResourceServer(
          IMS_AUDIENCE,
          imsResourceServer(deps.config, deps.signingKey),
        ),
      };
      const token = new provider.AccessToken(init as unknown as AccessTokenInit);
      ctx.oidc.entity('AccessToken', token);
      const value = await token.save();
      ctx.body = {
        access_token: value,
        token_type: token.tokenType,
        expires_in: token.expiration,
        scope: IMS_SCOPE,
      };
    },
    ['domain'],
  );
}
