/**
 * The contract every SubscriberDirectory backend must meet (SQLite and PostgreSQL): call
 * `directoryContract(name, open, options)` from the backend's test file; `open` must give a fresh,
 * empty directory each time. `options.openFailing`, when the backend can, gives a fresh directory
 * whose removal of a domain row fails with "injected failure" (a trigger), for the atomicity
 * test of cascading domain deletes.
 */

import { afterEach, describe, expect, it } from 'vitest';
import type { SubscriberDirectory } from './directory.ts';
import { refused } from './directory-assert.ts';
import { directoryDeleteContract } from './directory-delete-contract.ts';
import { DirectoryConflict, DirectoryInvalid, DirectoryMissing } from './directory-errors.ts';
import { credential, domain, subscriber } from './directory-fixtures.ts';
import { directoryLeaseContract } from './directory-lease-contract.ts';
import { directoryMappingContract } from './directory-mapping-contract.ts';

export { credential, domain, subscriber } from './directory-fixtures.ts';

export interface DirectoryContractOptions {
  readonly openFailing?: () => Promise<SubscriberDirectory>;
}

export function directoryContract(
  name: string,
  open: () => Promise<SubscriberDirectory>,
  options: DirectoryContractOptions = {},
): void {
  describe(`${name}: SubscriberDirectory contract`, () => {
    const opened: SubscriberDirectory[] = [];
    const track = (opener: () => Promise<SubscriberDirectory>) => async (): Promise<SubscriberDirectory> => {
      const dir = await opener();
      opened.push(dir);
      await dir.putDomain(domain('ims.lab'));
      return dir;
    };
    const fresh = track(open);
    afterEach(async () => {
      for (const dir of opened.splice(0)) await dir.close();
    });

    it('[STORE-directory-domain-crud] stores domains with their policy and replaces them on put', async () => {
      const dir = await fresh();
      await dir.putDomain(
        domain('shop.ims.lab', { parent: 'ims.lab', allowedOrigins: ['https://shop.example'] }),
      );
      await dir.putDomain(domain('shop.ims.lab', { parent: 'ims.lab', services: ['call'] }));
      expect(await dir.getDomain('shop.ims.lab')).toEqual(
        domain('shop.ims.lab', { parent: 'ims.lab', services: ['call'] }),
      );
      expect((await dir.listDomains()).map((d) => d.name)).toEqual(['ims.lab', 'shop.ims.lab']);
      expect(await dir.getDomain('SHOP.ims.lab')).toBeDefined();
      expect(await dir.getDomain('nowhere.lab')).toBeUndefined();
    });

    it('[STORE-directory-parent-missing] refuses a domain whose parent does not exist, or a parent loop', async () => {
      const dir = await fresh();
      await refused(dir.putDomain(domain('a.lab', { parent: 'nowhere.lab' })), DirectoryMissing, 'parent');
      await dir.putDomain(domain('b.ims.lab', { parent: 'ims.lab' }));
      await refused(dir.putDomain(domain('ims.lab', { parent: 'b.ims.lab' })), DirectoryConflict, 'parent');
      await refused(dir.putDomain(domain('ims.lab', { parent: 'ims.lab' })), DirectoryConflict, 'parent');
      expect((await dir.getDomain('ims.lab'))?.parent).toBeUndefined();
      expect(await dir.getDomain('a.lab')).toBeUndefined();
    });

    it('[STORE-directory-subscriber-crud] stores, finds (case-insensitively), lists and replaces subscribers', async () => {
      const dir = await fresh();
      await dir.putSubscriber(subscriber('s1', 'alice'));
      await dir.putSubscriber(subscriber('s2', 'bob', { role: 'admin', passwordHash: undefined }));
      await dir.putSubscriber(subscriber('s1', 'alice', { disabled: true, capabilities: ['-video'] }));
      expect(await dir.getSubscriber('s1')).toEqual(
        subscriber('s1', 'alice', { disabled: true, capabilities: ['-video'] }),
      );
      expect((await dir.findSubscriber('Bob', 'IMS.LAB'))?.id).toBe('s2');
      expect((await dir.getSubscriber('s2'))?.passwordHash).toBeUndefined();
      expect((await dir.listSubscribers('ims.lab')).map((s) => s.username)).toEqual(['alice', 'bob']);
      expect(await dir.getSubscriber('nobody')).toBeUndefined();
    });

    it('[STORE-directory-username-unique] refuses a second subscriber with the same username in a domain', async () => {
      const dir = await fresh();
      await dir.putDomain(domain('other.lab'));
      await dir.putSubscriber(subscriber('s1', 'alice'));
      await refused(dir.putSubscriber(subscriber('s2', 'alice')), DirectoryConflict, 'username');
      await dir.putSubscriber(subscriber('s3', 'alice', { domain: 'other.lab' }));
      expect(await dir.getSubscriber('s2')).toBeUndefined();
      expect((await dir.findSubscriber('alice', 'other.lab'))?.id).toBe('s3');
    });

    it('[STORE-directory-reference-missing] refuses subscribers and credentials whose domain or subscriber does not exist', async () => {
      const dir = await fresh();
      await refused(
        dir.putSubscriber(subscriber('s1', 'alice', { domain: 'nowhere.lab' })),
        DirectoryMissing,
        'domain',
      );
      await refused(
        dir.putImsCredential(credential('c1', 'alice', { domain: 'nowhere.lab' })),
        DirectoryMissing,
        'domain',
      );
      await refused(
        dir.putImsCredential(credential('c1', 'alice', { subscriberId: 'nobody' })),
        DirectoryMissing,
        'subscriberId',
      );
      await dir.putDomain(domain('other.lab'));
      await dir.putSubscriber(subscriber('s1', 'alice', { domain: 'other.lab' }));
      await refused(
        dir.putImsCredential(credential('c1', 'alice', { subscriberId: 's1' })),
        DirectoryInvalid,
        'domain',
      );
      expect(await dir.getImsCredential('c1')).toBeUndefined();
    });

    it('[STORE-directory-credential-crud] keeps IMS credentials of subscribers apart from the domain pool', async () => {
      const dir = await fresh();
      await dir.putSubscriber(subscriber('s1', 'alice'));
      const aka = credential('c2', 'carol', {
        subscriberId: 's1',
        secret: {
          kind: 'aka',
          k: '465b5ce8b199b49faa5f0a2ee238a6bc',
          opc: 'cd63cb71954a9f4e48a5994e37a02baf',
          amf: '8000',
        },
        wssServer: 'wss://edge.ims.lab/sip',
      });
      await dir.putImsCredential(credential('c1', 'alice', { subscriberId: 's1' }));
      await dir.putImsCredential(aka);
      await dir.putImsCredential(credential('g1', 'guest1'));
      expect(await dir.getImsCredential('c2')).toEqual(aka);
      expect((await dir.imsCredentialsOf('s1')).map((c) => c.id)).toEqual(['c1', 'c2']);
      expect((await dir.poolOf('ims.lab')).map((c) => c.id)).toEqual(['g1']);
      await dir.putImsCredential(
        credential('c1', 'alice', { subscriberId: 's1', secret: { kind: 'digest', password: 'new' } }),
      );
      expect((await dir.getImsCredential('c1'))?.secret).toEqual({ kind: 'digest', password: 'new' });
      expect(await dir.deleteImsCredential('c1')).toBe(true);
      expect(await dir.deleteImsCredential('c1')).toBe(false);
      expect((await dir.imsCredentialsOf('s1')).map((c) => c.id)).toEqual(['c2']);
    });

    it('[STORE-directory-identity-unique] refuses an IMPU or IMPI another credential already has', async () => {
      const dir = await fresh();
      await dir.putImsCredential(credential('c1', 'alice'));
      await refused(dir.putImsCredential(credential('c2', 'alice')), DirectoryConflict, 'impu');
      await refused(
        dir.putImsCredential(credential('c2', 'x', { impi: 'alice@ims.lab' })),
        DirectoryConflict,
        'impi',
      );
      await dir.putImsCredential(credential('c1', 'alice', { impi: 'alice2@ims.lab' }));
      await dir.putImsCredential(credential('c2', 'x', { impi: 'alice@ims.lab' }));
      expect((await dir.poolOf('ims.lab')).length).toBe(2);
    });

    it('[STORE-directory-invalid] refuses malformed objects naming the field', async () => {
      const dir = await fresh();
      await refused(dir.putDomain(domain('Upper.lab')), DirectoryInvalid, 'name');
      await refused(
        dir.putDomain(domain('x.lab', { anonymous: { enabled: true, tokenTtl: 0, capabilities: [] } })),
        DirectoryInvalid,
        'anonymous.tokenTtl',
      );
      await refused(dir.putSubscriber(subscriber('s1', '')), DirectoryInvalid, 'username');
      await refused(
        dir.putSubscriber(subscriber('s1', 'a', { passwordHash: 'plain-text' })),
        DirectoryInvalid,
        'passwordHash',
      );
      await refused(
        dir.putImsCredential(credential('c1', 'a', { secret: { kind: 'aka', k: 'zz', opc: '00' } })),
        DirectoryInvalid,
        'secret.k',
      );
      await refused(dir.leasePoolIdentity('ims.lab', '', 10, 0), DirectoryInvalid, 'holder');
      expect(await dir.listSubscribers('ims.lab')).toEqual([]);
    });

    it('[STORE-directory-delete-cascade] deleting a subscriber deletes its IMS credentials and nothing else', async () => {
      const dir = await fresh();
      await dir.putSubscriber(subscriber('s1', 'alice'));
      await dir.putSubscriber(subscriber('s2', 'bob'));
      await dir.putImsCredential(credential('c1', 'alice', { subscriberId: 's1' }));
      await dir.putImsCredential(credential('c2', 'bob', { subscriberId: 's2' }));
      await dir.putImsCredential(credential('g1', 'guest1'));
      expect(await dir.deleteSubscriber('s1')).toBe(true);
      expect(await dir.deleteSubscriber('s1')).toBe(false);
      expect(await dir.getImsCredential('c1')).toBeUndefined();
      expect(await dir.imsCredentialsOf('s1')).toEqual([]);
      expect(await dir.getImsCredential('c2')).toBeDefined();
      expect((await dir.poolOf('ims.lab')).map((c) => c.id)).toEqual(['g1']);
      // The freed IMPU can be provisioned again.
      await dir.putImsCredential(credential('c3', 'alice'));
    });

    it('[STORE-directory-failed-write-intact] a refused write leaves what was stored before unchanged', async () => {
      const dir = await fresh();
      await dir.putSubscriber(subscriber('s1', 'alice'));
      await dir.putSubscriber(subscriber('s2', 'bob'));
      await dir.putImsCredential(credential('c1', 'alice', { subscriberId: 's1' }));
      await dir.putImsCredential(credential('c2', 'bob', { subscriberId: 's2' }));
      const before = [
        await dir.getSubscriber('s2'),
        await dir.getImsCredential('c2'),
        await dir.getDomain('ims.lab'),
      ];
      await refused(
        dir.putSubscriber(subscriber('s2', 'alice', { role: 'admin' })),
        DirectoryConflict,
        'username',
      );
      await refused(
        dir.putImsCredential(credential('c2', 'alice', { subscriberId: 's2' })),
        DirectoryConflict,
        'impu',
      );
      await refused(
        dir.putDomain(domain('ims.lab', { parent: 'nowhere.lab', services: [] })),
        DirectoryMissing,
        'parent',
      );
      expect([
        await dir.getSubscriber('s2'),
        await dir.getImsCredential('c2'),
        await dir.getDomain('ims.lab'),
      ]).toEqual(before);
    });

    directoryLeaseContract(fresh);
    directoryMappingContract(fresh);
    directoryDeleteContract(
      fresh,
      options.openFailing === undefined ? undefined : track(options.openFailing),
    );
  });
}
