/**
 * Two WAF instances on one Redis (REDIS_URL), behind one public issuer as behind a load
 * balancer: what one issues the other knows, what one revokes the other sees, and both sign with
 * and publish the same keys.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriberDirectory } from '../../store/directory.ts';
import { type RunningWaf, startWaf } from '../../waf/index.ts';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type Redis, startRedis } from '../redis/redis.ts';
import { authorizeWithPassword, Browser, form, pkcePair } from './browser.ts';
import { PASSWORD, seededDirectory } from './fixtures.ts';
import { basic, tokenRequest } from './helpers.ts';

const ISSUER = 'https://waf.example.test/oauth';
let ports: PortAllocator;
let redis: Redis | undefined;
let directory: SubscriberDirectory;
let a: RunningWaf;
let b: RunningWaf;
printPeerOutputOnFailure(() => [redis]);

beforeAll(async () => {
  ports = await PortAllocator.open();
  redis = await startRedis({ ports });
  directory = await seededDirectory();
  const env = {
    REDIS_URL: redis.url,
    WAF_REDIS_PREFIX: `waf-${randomUUID()}:`,
    WAF_ISSUER: ISSUER,
    WAF_WIC_REDIRECT_URIS: 'https://app.example.test/callback',
  };
  a = await startWaf({ directory, env });
  b = await startWaf({ directory, env });
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await directory?.close();
  await redis?.stop();
  await ports?.close();
});

/** Introspection at one instance's address with that instance's resource client. */
async function introspectAt(w: RunningWaf, token: string): Promise<Record<string, unknown>> {
  const { id, secret } = w.authority.resourceClient;
  const response = await fetch(`${w.origin}/oauth/token/introspection`, {
    ...form({ token }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, secret) },
  });
  return (await response.json()) as Record<string, unknown>;
}

/** Logs in at `login`'s address and redeems the code at `redeem`'s. */
async function loginAcross(login: RunningWaf, redeem: RunningWaf) {
  const redirectUri = 'https://app.example.test/callback';
  const { verifier, challenge } = pkcePair();
  const browser = new Browser();
  const { code } = await authorizeWithPassword(browser, {
    issuer: `${login.origin}/oauth`,
    redirectUri,
    username: 'alice@example.com',
    password: PASSWORD,
    challenge,
  });
  return tokenRequest(`${redeem.origin}/oauth`, {
    grant_type: 'authorization_code',
    code: code ?? '',
    redirect_uri: redirectUri,
    client_id: 'wic',
    code_verifier: verifier,
  });
}

describe('two WAF instances on one Redis', () => {
  it('[WAF-redis-shared-grants] MUST let one instance redeem, introspect and refresh what the other issued, and see the other revoke it', async () => {
    const issued = await loginAcross(a, b);
    expect(issued.status).toBe(200);
    const access = String(issued.body.access_token);
    expect((await introspectAt(b, access)).active).toBe(true);
    expect((await introspectAt(a, access)).active).toBe(true);

    const refreshed = await tokenRequest(`${a.origin}/oauth`, {
      grant_type: 'refresh_token',
      refresh_token: String(issued.body.refresh_token),
      client_id: 'wic',
    });
    expect(refreshed.status).toBe(200);
    expect((await introspectAt(b, String(refreshed.body.access_token))).active).toBe(true);

    const revoke = await fetch(
      `${b.origin}/oauth/token/revocation`,
      form({ token: String(refreshed.body.access_token), client_id: 'wic' }),
    );
    expect(revoke.status).toBe(200);
    expect((await introspectAt(a, String(refreshed.body.access_token))).active).toBe(false);

    const revokeGrant = await fetch(
      `${a.origin}/oauth/token/revocation`,
      form({ token: String(refreshed.body.refresh_token), client_id: 'wic' }),
    );
    expect(revokeGrant.status).toBe(200);
    const again = await tokenRequest(`${b.origin}/oauth`, {
      grant_type: 'refresh_token',
      refresh_token: String(refreshed.body.refresh_token),
      client_id: 'wic',
    });
    expect(again.body.error).toBe('invalid_grant');
  });

  it('[WAF-redis-shared-keys] MUST publish the same JWKS on both instances, including a key the other rotated in', async () => {
    const jwks = async (w: RunningWaf) =>
      (await (await fetch(`${w.origin}/oauth/jwks`)).json()) as { keys: { kid: string }[] };
    expect(await jwks(b)).toEqual(await jwks(a));
    await a.rotateKeys();
    await b.waf.refreshKeys();
    const both = await jwks(b);
    expect(both.keys).toHaveLength(2);
    expect(both).toEqual(await jwks(a));
  });
});
