import { createLocalJWKSet, importJWK, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../storage/memory-storage.ts';
import { algOf, KeyRing } from './key-ring.ts';

const HOUR = 3_600_000;

async function signWith(ring: KeyRing): Promise<string> {
  const key = ring.active();
  const alg = algOf(key);
  return new SignJWT({ sub: 'alice' })
    .setProtectedHeader({ alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(await importJWK({ ...key.jwk }, alg));
}

function setup() {
  let now = 1_700_000_000_000;
  const storage = new MemoryStorage({ now: () => now });
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  return { storage, clock };
}

describe('signing key ring', () => {
  it('[RFC7517-5-jwks-public] MUST publish only the public part of each key, with kid, alg and use (RSA by default)', async () => {
    const { storage, clock } = setup();
    const ring = await KeyRing.open({ storage, now: clock.now, retentionMs: HOUR });
    const { keys } = ring.jwks();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toEqual({
      kty: 'RSA',
      n: expect.any(String),
      e: 'AQAB',
      kid: ring.active().kid,
      alg: 'RS256',
      use: 'sig',
    });
    // No private member of an RSA key (d, p, q, dp, dq, qi) leaves the ring.
    for (const member of ['"d"', '"p"', '"q"', '"dp"', '"dq"', '"qi"'])
      expect(JSON.stringify(keys)).not.toContain(member);
  });

  it('[WAF-keys-alg-setting] MUST sign with the configured algorithm (ES256 public part: crv, x, y) and make a new key at start when the setting changed, keeping the old one published', async () => {
    const { storage, clock } = setup();
    const rsa = await KeyRing.open({ storage, now: clock.now, retentionMs: HOUR });
    const token = await signWith(rsa);
    clock.advance(1000);
    const ec = await KeyRing.open({ storage, now: clock.now, retentionMs: HOUR, alg: 'ES256' });
    expect(algOf(ec.active())).toBe('ES256');
    const [active, old] = ec.jwks().keys;
    expect(active).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: ec.active().kid,
      alg: 'ES256',
      use: 'sig',
    });
    expect(old?.kid).toBe(rsa.active().kid);
    await expect(jwtVerify(token, createLocalJWKSet(ec.jwks()))).resolves.toBeDefined();
  });

  it('[WAF-keys-rotation-retention] MUST keep verifying a token signed before rotation and drop the old key once its tokens have expired', async () => {
    const { storage, clock } = setup();
    const ring = await KeyRing.open({ storage, now: clock.now, retentionMs: HOUR });
    const oldKid = ring.active().kid;
    const token = await signWith(ring);

    clock.advance(10 * HOUR);
    await ring.rotate();
    expect(ring.active().kid).not.toBe(oldKid);
    const afterRotation = ring.jwks();
    expect(afterRotation.keys.map((k) => k.kid)).toEqual([ring.active().kid, oldKid]);
    const verified = await jwtVerify(token, createLocalJWKSet(afterRotation), { currentDate: new Date() });
    expect(verified.protectedHeader.kid).toBe(oldKid);

    clock.advance(HOUR - 1);
    expect(ring.jwks().keys.map((k) => k.kid)).toContain(oldKid);
    clock.advance(1);
    expect(ring.jwks().keys.map((k) => k.kid)).toEqual([ring.active().kid]);
    await expect(jwtVerify(token, createLocalJWKSet(ring.jwks()))).rejects.toThrow();
    await ring.prune();
    expect((await storage.signingKeys()).map((k) => k.kid)).toEqual([ring.active().kid]);
  });

  it('[WAF-keys-shared] MUST let a second instance on the same storage see the new signing key on refresh', async () => {
    const { storage, clock } = setup();
    const a = await KeyRing.open({ storage, now: clock.now, retentionMs: HOUR });
    const b = await KeyRing.open({ storage, now: clock.now, retentionMs: HOUR });
    expect(b.active().kid).toBe(a.active().kid);
    clock.advance(1000);
    await a.rotate();
    expect(await b.refresh()).toBe(true);
    expect(b.active().kid).toBe(a.active().kid);
    expect(b.jwks()).toEqual(a.jwks());
  });

  it('[WAF-keys-rotation-due] MUST say a rotation is due once the signing key is as old as the interval', async () => {
    const { storage, clock } = setup();
    const ring = await KeyRing.open({ storage, now: clock.now, retentionMs: HOUR });
    expect(ring.rotationDue(24 * HOUR)).toBe(false);
    clock.advance(24 * HOUR);
    expect(ring.rotationDue(24 * HOUR)).toBe(true);
  });
});
