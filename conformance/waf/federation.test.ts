/**
 * Federation over real HTTP: the WAF as relying party of a second oidc-provider (the upstream,
 * started here on 127.0.0.1). The login page links upstream; the upstream signs in whoever the
 * test names; the WAF maps the ID token to a subscriber, creating one when configured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriberDirectory } from '../../store/directory.ts';
import { parseImsClaims } from '../../token/claims.ts';
import { type RunningWaf, startWaf } from '../../waf/index.ts';
import { PortAllocator } from '../harness/ports.ts';
import { Browser, pkcePair } from './browser.ts';
import { seededDirectory } from './fixtures.ts';
import { payloadOf, tokenRequest } from './helpers.ts';
import { startUpstreamIdp, type UpstreamIdp, type UpstreamUser } from './upstream-idp.ts';

const CLIENT = { id: 'webrtc-ims-waf', secret: 'upstream-client-secret-0123456789' };
let ports: PortAllocator;
let upstream: UpstreamIdp;
let directory: SubscriberDirectory;
/** creates unknown users in example.com with +video */
let creating: RunningWaf;
/** refuses unknown users */
let strict: RunningWaf;
let who: UpstreamUser = { sub: 'up-1' };

beforeAll(async () => {
  ports = await PortAllocator.open();
  const [p1, p2] = [await ports.tcp(), await ports.tcp()];
  ports.release(p1);
  ports.release(p2);
  upstream = await startUpstreamIdp({
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    redirectUris: [p1, p2].map((p) => `http://127.0.0.1:${p}/oauth/federation/callback`),
    user: () => who,
  });
  directory = await seededDirectory();
  const federation = {
    WAF_UPSTREAM_ISSUER: upstream.issuer,
    WAF_UPSTREAM_CLIENT_ID: CLIENT.id,
    WAF_UPSTREAM_CLIENT_SECRET: CLIENT.secret,
    WAF_UPSTREAM_NAME: 'Example <IdP>',
  };
  creating = await startWaf({
    directory,
    port: p1,
    env: {
      ...federation,
      WAF_UPSTREAM_CREATE_USERS: 'true',
      WAF_UPSTREAM_FORCED_DOMAIN: 'example.com',
      WAF_UPSTREAM_NEW_USER_CAPS: '+video,-message',
    },
  });
  strict = await startWaf({ directory, port: p2, env: federation });
});
afterAll(async () => {
  await creating?.stop();
  await strict?.stop();
  await upstream?.stop();
  await directory?.close();
  await ports?.close();
});

/** From the WAF's login page, through the upstream, back to the wic's redirect URI (or a page). */
async function federatedLogin(waf: RunningWaf) {
  const browser = new Browser();
  const issuer = waf.issuer();
  const redirectUri = `${waf.origin}/callback`;
  const { verifier, challenge } = pkcePair();
  const query = new URLSearchParams({
    client_id: 'wic',
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid ims',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const start = await browser.follow(`${issuer}/auth?${query}`, issuer);
  const page = await start.response.text();
  const link = /<a class="button secondary" href="([^"]+)">([^<]*)<\/a>/.exec(page);
  expect(link?.[2]).toBe('Sign in with Example &lt;IdP&gt;');
  const done = await browser.follow(
    new URL(link?.[1] ?? '', waf.origin).href,
    (next) => next.href !== redirectUri && !next.href.startsWith(`${redirectUri}?`),
  );
  if (done.left === undefined) return { page: done.response, token: undefined };
  const code = done.left.searchParams.get('code') ?? '';
  const token = await tokenRequest(issuer, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: 'wic',
    code_verifier: verifier,
  });
  return { page: undefined, token };
}

describe('WAF federation to an upstream OpenID Provider', () => {
  it('[WAF-federation-existing] MUST sign in an existing subscriber matched by the upstream verified email', async () => {
    who = { sub: 'up-alice', email: 'alice@example.com', email_verified: true };
    const { token } = await federatedLogin(strict);
    expect(token?.status).toBe(200);
    const claims = payloadOf(String(token?.body.access_token));
    expect(claims.sub).toBe('sub-alice');
    expect(parseImsClaims(claims).ok).toBe(true);
  });

  it('[WAF-federation-create] MUST create an unknown upstream user in the forced domain with the configured capabilities when creation is on', async () => {
    who = {
      sub: 'up-dave',
      email: 'dave@elsewhere.example',
      email_verified: true,
      preferred_username: 'dave',
    };
    expect(await directory.findSubscriber('dave', 'example.com')).toBeUndefined();
    const { token } = await federatedLogin(creating);
    expect(token?.status).toBe(200);
    const dave = await directory.findSubscriber('dave', 'example.com');
    expect(dave).toMatchObject({
      role: 'user',
      capabilities: ['+video', '-message'],
      passwordHash: undefined,
      disabled: false,
    });
    const claims = payloadOf(String(token?.body.access_token));
    expect(claims).toMatchObject({
      sub: dave?.id,
      caps: ['call', 'video'],
      role: 'user',
      ims: { domain: 'example.com', pool: true },
    });
    const again = await federatedLogin(creating);
    expect(payloadOf(String(again.token?.body.access_token)).sub).toBe(dave?.id);
  });

  it('[WAF-federation-refused] MUST refuse an unknown upstream user when creation is off, and an unverified email, creating nothing', async () => {
    who = { sub: 'up-erin', email: 'erin@example.com', email_verified: true };
    const unknown = await federatedLogin(strict);
    expect(unknown.page?.status).toBe(403);
    expect(await unknown.page?.text()).toContain('no account erin@example.com here');
    expect(await directory.findSubscriber('erin', 'example.com')).toBeUndefined();

    who = { sub: 'up-mallory', email: 'alice@example.com', email_verified: false };
    const unverified = await federatedLogin(strict);
    expect(unverified.page?.status).toBe(403);
    expect(unverified.token).toBeUndefined();
  });
});
