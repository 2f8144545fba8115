/**
 * Signing-key rotation seen from outside: the JWKS at <issuer>/jwks keeps the old public key
 * while tokens it signed can still be valid, new tokens carry the new kid, and the old key leaves
 * the JWKS once its tokens have expired (the WAF's clock is injected).
 */
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriberDirectory } from '../../store/directory.ts';
import { IMS_AUDIENCE } from '../../token/claims.ts';
import { type RunningWaf, startWaf } from '../../waf/index.ts';
import { seededDirectory } from './fixtures.ts';
import { introspect, wicLogin } from './helpers.ts';

let directory: SubscriberDirectory;
let waf: RunningWaf;
let now = Date.now();

beforeAll(async () => {
  directory = await seededDirectory();
  waf = await startWaf({ directory, now: () => now, env: { WAF_ACCESS_TOKEN_TTL: '600' } });
});
afterAll(async () => {
  await waf?.stop();
  await directory?.close();
});

async function jwks(): Promise<JSONWebKeySet> {
  const response = await fetch(`${waf.issuer()}/jwks`);
  expect(response.status).toBe(200);
  return (await response.json()) as JSONWebKeySet;
}

describe('WAF signing key rotation', () => {
  it('[WAF-keys-rotation-e2e] MUST keep a token signed before a rotation verifiable with the JWKS after it, sign new tokens with the new key, and drop the old key once its tokens expired', async () => {
    const before = String((await wicLogin(waf, 'alice@example.com')).body.access_token);
    const oldKid = decodeProtectedHeader(before).kid;
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([oldKid]);

    await waf.rotateKeys();
    const published = await jwks();
    expect(published.keys).toHaveLength(2);
    expect(published.keys.map((k) => k.kid)).toContain(oldKid);
    const verified = await jwtVerify(before, createLocalJWKSet(published), {
      issuer: waf.issuer(),
      audience: IMS_AUDIENCE,
    });
    expect(verified.payload.sub).toBe('sub-alice');
    expect((await introspect(waf, before)).active).toBe(true);

    const after = String((await wicLogin(waf, 'alice@example.com')).body.access_token);
    const newKid = decodeProtectedHeader(after).kid;
    expect(newKid).not.toBe(oldKid);
    expect(published.keys[0]?.kid).toBe(newKid);

    // Retention: the access token lifetime (600 s) plus the refresh interval and clock skew (120 s).
    now += 719_000;
    expect((await jwks()).keys.map((k) => k.kid)).toContain(oldKid);
    now += 2_000;
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([newKid]);
    await expect(jwtVerify(before, createLocalJWKSet(await jwks()))).rejects.toThrow();
    await jwtVerify(after, createLocalJWKSet(await jwks()), {
      issuer: waf.issuer(),
      currentDate: new Date(),
    });
  });
});
