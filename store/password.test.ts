import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT_COST, hashPassword, needsRehash, verifyPassword } from './password.ts';

/** A cheap cost for tests that only check the format logic (the default cost is tested once). */
const CHEAP = { ln: 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('[STORE-password-kdf] MUST store a salted scrypt hash in PHC form at N=2^15, r=8, p=1 and verify it', async () => {
    const phc = await hashPassword('alice-web-password');
    expect(phc).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(phc).not.toContain('alice-web-password');
    expect(await verifyPassword('alice-web-password', phc)).toBe(true);
    expect(await verifyPassword('alice-web-passwore', phc)).toBe(false);
    expect(await verifyPassword('Alice-web-password', phc)).toBe(false);
    expect(needsRehash(phc)).toBe(false);
  });

  it('[STORE-password-kdf] MUST salt each hash: the same password hashes differently twice', async () => {
    const [a, b] = await Promise.all([hashPassword('same', CHEAP), hashPassword('same', CHEAP)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('[STORE-password-cost-in-hash] MUST read the cost from the stored string and flag weaker hashes for rehash', async () => {
    const weak = await hashPassword('bob-web-password', CHEAP);
    expect(weak.startsWith('$scrypt$ln=10,r=8,p=1$')).toBe(true);
    expect(await verifyPassword('bob-web-password', weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(weak, CHEAP)).toBe(false);
    expect(needsRehash(`${DEFAULT_SCRYPT_COST.ln}`)).toBe(true);
    // The same salt and hash under a different cost no longer verify: the cost is part of the hash.
    expect(await verifyPassword('bob-web-password', weak.replace('ln=10', 'ln=11'))).toBe(false);
  });

  it('[STORE-password-empty] MUST refuse to hash an empty password and never match one', async () => {
    await expect(hashPassword('')).rejects.toThrow(RangeError);
    const phc = await hashPassword('x', CHEAP);
    expect(await verifyPassword('', phc)).toBe(false);
  });

  it('[STORE-password-malformed] MUST refuse stored strings that are not bounded scrypt PHC hashes, without echoing them', async () => {
    const phc = await hashPassword('x', CHEAP);
    for (const bad of ['x', '$argon2id$v=19$m=65536,t=3,p=4$abc$def', phc.replace('ln=10', 'ln=40')]) {
      const error = await verifyPassword('x', bad).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TypeError);
      expect(String(error)).not.toContain(bad);
    }
  });

  it('[STORE-password-nfc] MUST match a password typed in composed or decomposed Unicode form', async () => {
    const phc = await hashPassword('caf\u00e9-pass', CHEAP);
    expect(await verifyPassword('cafe\u0301-pass', phc)).toBe(true);
  });
});
