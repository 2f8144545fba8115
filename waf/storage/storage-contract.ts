/**
 * The contract every WafStorage backend meets (memory now, Redis): call
 * `storageContract(name, open)` from the backend's test file. `open` gives a fresh, empty
 * storage and a way to let time pass (a fake clock for memory, real waiting for Redis).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WafStorage } from './storage.ts';

export interface StorageUnderTest {
  readonly storage: WafStorage;
  /** lets `ms` of time pass for the storage's expiry */
  advance(ms: number): Promise<void>;
}

export function storageContract(name: string, open: () => Promise<StorageUnderTest>): void {
  describe(`WafStorage contract: ${name}`, () => {
    let current: StorageUnderTest | undefined;
    const fresh = async () => {
      current = await open();
      return current;
    };
    afterEach(async () => {
      await current?.storage.close();
      current = undefined;
    });

    it('[WAF-storage-adapter-crud] MUST return what was upserted, find by uid and user code, and forget destroyed records', async () => {
      const { storage } = await fresh();
      const sessions = storage.adapter('Session');
      await sessions.upsert('s1', { uid: 'u1', accountId: 'a1', kind: 'Session' }, 60);
      expect(await sessions.find('s1')).toMatchObject({ uid: 'u1', accountId: 'a1' });
      expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'a1' });
      expect(await storage.adapter('Grant').find('s1')).toBeUndefined();
      const devices = storage.adapter('DeviceCode');
      await devices.upsert('d1', { userCode: 'ABCD-EFGH', kind: 'DeviceCode' }, 60);
      expect(await devices.findByUserCode('ABCD-EFGH')).toMatchObject({ kind: 'DeviceCode' });
      await sessions.upsert('s1', { uid: 'u1', accountId: 'a2', kind: 'Session' }, 60);
      expect(await sessions.find('s1')).toMatchObject({ accountId: 'a2' });
      await sessions.destroy('s1');
      expect(await sessions.find('s1')).toBeUndefined();
      expect(await sessions.findByUid('u1')).toBeUndefined();
    });

    it('[WAF-storage-adapter-expiry] MUST stop returning a record once its expiresIn has passed', async () => {
      const { storage, advance } = await fresh();
      const codes = storage.adapter('AuthorizationCode');
      await codes.upsert('c1', { kind: 'AuthorizationCode' }, 1);
      await codes.upsert('c2', { kind: 'AuthorizationCode' }, 60);
      expect(await codes.find('c1')).toBeDefined();
      await advance(1500);
      expect(await codes.find('c1')).toBeUndefined();
      expect(await codes.find('c2')).toBeDefined();
    });

    it('[WAF-storage-adapter-consume] MUST mark a consumed record with the time of consumption, keeping the rest', async () => {
      const { storage } = await fresh();
      const codes = storage.adapter('AuthorizationCode');
      await codes.upsert('c1', { kind: 'AuthorizationCode', grantId: 'g1' }, 60);
      expect((await codes.find('c1'))?.consumed).toBeUndefined();
      await codes.consume('c1');
      const found = await codes.find('c1');
      expect(typeof found?.consumed).toBe('number');
      expect(found?.grantId).toBe('g1');
      await codes.consume('missing');
      expect(await codes.find('missing')).toBeUndefined();
    });

    it('[WAF-storage-adapter-revoke-grant] MUST remove every record of a grant, whatever its model, and nothing else', async () => {
      const { storage } = await fresh();
      await storage.adapter('AccessToken').upsert('t1', { grantId: 'g1', kind: 'AccessToken' }, 60);
      await storage.adapter('RefreshToken').upsert('r1', { grantId: 'g1', kind: 'RefreshToken' }, 60);
      await storage.adapter('RefreshToken').upsert('r2', { grantId: 'g2', kind: 'RefreshToken' }, 60);
      await storage.adapter('AccessToken').revokeByGrantId('g1');
      expect(await storage.adapter('AccessToken').find('t1')).toBeUndefined();
      expect(await storage.adapter('RefreshToken').find('r1')).toBeUndefined();
      expect(await storage.adapter('RefreshToken').find('r2')).toBeDefined();
    });

    it('[WAF-storage-account-index] MUST list the grants and sessions of an account oldest first, without destroyed ones or ones now of another account', async () => {
      const { storage, advance } = await fresh();
      const grants = storage.adapter('Grant');
      const sessions = storage.adapter('Session');
      await grants.upsert('g1', { accountId: 'alice', kind: 'Grant' }, 60);
      await advance(20);
      await sessions.upsert('s1', { accountId: 'alice', uid: 'u1', kind: 'Session' }, 60);
      await advance(20);
      await grants.upsert('g2', { accountId: 'alice', kind: 'Grant' }, 60);
      await grants.upsert('g3', { accountId: 'bob', kind: 'Grant' }, 60);
      await grants.upsert('g1', { accountId: 'alice', kind: 'Grant', scope: 'x' }, 60);
      expect((await storage.accountEntries('alice')).map((e) => `${e.model}:${e.id}`)).toEqual([
        'Grant:g1',
        'Session:s1',
        'Grant:g2',
      ]);
      await grants.destroy('g1');
      await sessions.upsert('s1', { accountId: 'bob', uid: 'u1', kind: 'Session' }, 60);
      expect((await storage.accountEntries('alice')).map((e) => e.id)).toEqual(['g2']);
      expect(await storage.accountEntries('nobody')).toEqual([]);
    });

    it('[WAF-storage-signing-keys] MUST keep signing keys until deleted', async () => {
      const { storage } = await fresh();
      const key = { kid: 'k1', jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'd' }, createdAt: 5 };
      await storage.putSigningKey(key);
      await storage.putSigningKey({ ...key, kid: 'k2', createdAt: 6 });
      expect((await storage.signingKeys()).sort((a, b) => a.createdAt - b.createdAt)).toEqual([
        key,
        { ...key, kid: 'k2', createdAt: 6 },
      ]);
      await storage.deleteSigningKey('k1');
      expect((await storage.signingKeys()).map((k) => k.kid)).toEqual(['k2']);
    });

    it('[WAF-storage-shared-secret] MUST give every caller the first secret stored under a name', async () => {
      const { storage } = await fresh();
      expect(await storage.sharedSecret('cookies', 'first')).toBe('first');
      expect(await storage.sharedSecret('cookies', 'second')).toBe('first');
      expect(await storage.sharedSecret('other', 'third')).toBe('third');
    });
  });
}
