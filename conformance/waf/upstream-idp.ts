/**
 * An upstream OpenID Provider for the federation tests: a second oidc-provider on 127.0.0.1
 * with one confidential client (the WAF). Its "login" signs in whoever `user()` names at that
 * moment and consents at once: the test decides who the upstream authenticates.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { MemoryStorage } from '../../waf/storage/memory-storage.ts';

export interface UpstreamUser {
  readonly sub: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly preferred_username?: string;
}

export interface UpstreamIdp {
  readonly issuer: string;
  stop(): Promise<void>;
}

export async function startUpstreamIdp(options: {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  readonly user: () => UpstreamUser;
}): Promise<UpstreamIdp> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const hour = () => 3600;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const storage = new MemoryStorage();
  const provider = new Provider(issuer, {
    adapter: (name: string) => storage.adapter(name),
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig' }] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [...options.redirectUris],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    cookies: { keys: ['upstream-test-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: hour, IdToken: hour, Interaction: hour, Session: hour, Grant: hour },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ ...options.user(), sub }),
    }),
  });
  const callback = provider.callback();
  handler = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) {
      callback(req, res);
      return;
    }
    (async () => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        await provider.interactionFinished(req, res, { login: { accountId: options.user().sub } });
        return;
      }
      const grant = new provider.Grant({
        accountId: details.session?.accountId ?? '',
        clientId: options.clientId,
      });
      const missing = details.prompt.details;
      grant.addOIDCScope(
        Array.isArray(missing.missingOIDCScope) ? (missing.missingOIDCScope as string[]) : [],
      );
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId: await grant.save() } },
        { mergeWithLastSubmission: true },
      );
    })().catch(() => {
      res.statusCode = 500;
      res.end();
    });
  };
  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
