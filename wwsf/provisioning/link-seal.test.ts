import { describe, expect, it } from 'vitest';
import { type LinkClaims, LinkSealer } from './link-seal.ts';
import { MemoryUsedNonces } from './used-nonces.ts';

const SECRET = 'a-provisioning-secret-of-at-least-32-chars';
const claims: LinkClaims = {
  subscriberId: 'sub-alice',
  domain: 'ims.lab',
  format: 'web',
  expiresAt: 1_700_000_000_000,
  nonce: 'n0nce-1',
};

describe('sealed provisioning links (format 2)', () => {
  it('[WWSF-provisioning-seal] MUST carry subscriber, domain, format, expiry and nonce, readable only under the same secret', () => {
    const sealer = new LinkSealer(SECRET);
    const token = sealer.seal('link', claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sealer.open('link', token)).toEqual(claims);
    // Encrypted, not just signed: nothing of the claims shows in the token.
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toMatch(/sub-alice|ims\.lab|n0nce/);
    expect(new LinkSealer(`${SECRET}!`).open('link', token)).toBeUndefined();
    // Two seals of the same claims differ (fresh IV).
    expect(sealer.seal('link', claims)).not.toBe(token);
  });

  it('[WWSF-provisioning-seal] MUST refuse a token altered anywhere, truncated, or sealed for the other purpose', () => {
    const sealer = new LinkSealer(SECRET);
    const bytes = Buffer.from(sealer.seal('link', claims), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const altered = Buffer.from(bytes);
      altered[i] = (altered[i] ?? 0) ^ 0x01;
      expect(sealer.open('link', altered.toString('base64url')), `byte ${i}`).toBeUndefined();
    }
    expect(sealer.open('link', bytes.subarray(0, -1).toString('base64url'))).toBeUndefined();
    expect(sealer.open('code', bytes.toString('base64url'))).toBeUndefined();
    expect(sealer.open('link', 'x'.repeat(5000))).toBeUndefined();
    expect(sealer.open('link', 'not/base64url')).toBeUndefined();
  });

  it('[WWSF-provisioning-seal] MUST refuse a secret shorter than 32 characters', () => {
    expect(() => new LinkSealer('short')).toThrow(RangeError);
  });
});

describe('used nonces', () => {
  it('[WWSF-provisioning-nonces] MUST accept a nonce once until it expires, also under concurrent use, and forget it afterwards', async () => {
    let now = 1_000;
    const nonces = new MemoryUsedNonces(() => now);
    const first = await Promise.all([nonces.use('a', 5_000), nonces.use('a', 5_000)]);
    expect(first.sort()).toEqual([false, true]);
    expect(await nonces.use('b', 90_000)).toBe(true);
    now = 4_999;
    expect(await nonces.use('a', 5_000)).toBe(false);
    now = 70_000; // past the sweep interval: 'a' (expired) is forgotten, 'b' kept
    expect(await nonces.use('c', 80_000)).toBe(true);
    expect(nonces.size).toBe(2);
    expect(await nonces.use('b', 90_000)).toBe(false);
  });
});
