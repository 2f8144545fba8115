/**
 * The domain-delete part of the SubscriberDirectory contract. Run by `directoryContract`;
 * `fresh` gives an empty directory holding the domain ims.lab; `failing`, when the backend can
 * give one, a directory (holding ims.lab) in which removing a domain row fails, to show that a
 * cascading delete failing at its last step leaves everything as it was.
 */

import { expect, it } from 'vitest';
import type { SubscriberDirectory } from './directory.ts';
import { DomainInUse } from './directory-errors.ts';
import { credential, domain, sipMapping, subscriber } from './directory-fixtures.ts';

/** gone.lab with two subscribers (a credential, a mapping), a pool of two with one leased; other.lab beside it. */
async function populate(dir: SubscriberDirectory): Promise<void> {
  await dir.putDomain(domain('gone.lab'));
  await dir.putDomain(domain('other.lab'));
  const inGone = { domain: 'gone.lab' };
  await dir.putSubscriber(subscriber('s1', 'alice', inGone));
  await dir.putSubscriber(subscriber('s2', 'bob', inGone));
  await dir.putSubscriber(subscriber('s3', 'carol', { domain: 'other.lab' }));
  await dir.putImsCredential(credential('c1', 'alice', { ...inGone, subscriberId: 's1' }));
  await dir.putSipMapping(sipMapping('m1', 'bob', 's2', inGone));
  await dir.putImsCredential(credential('g1', 'guest1', inGone));
  await dir.putImsCredential(credential('g2', 'guest2', inGone));
  await dir.putImsCredential(credential('o1', 'other1', { domain: 'other.lab' }));
  await dir.leasePoolIdentity('gone.lab', 'flow-1', Date.now() + 60_000, Date.now());
}

/** What populate() put in gone.lab, as the directory reads it back. */
async function snapshot(dir: SubscriberDirectory) {
  return {
    domain: await dir.getDomain('gone.lab'),
    subscribers: (await dir.listSubscribers('gone.lab')).map((s) => s.id),
    credentials: [await dir.getImsCredential('c1'), ...(await dir.poolOf('gone.lab'))].map((c) => c?.id),
    mappings: (await dir.sipMappingsIn('gone.lab')).map((m) => m.id),
    leases: (await dir.activeLeases('gone.lab', Date.now())).map((l) => l.holder),
  };
}

async function refusal(promise: Promise<unknown>): Promise<DomainInUse> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainInUse);
  return error as DomainInUse;
}

export function directoryDeleteContract(
  fresh: () => Promise<SubscriberDirectory>,
  failing: (() => Promise<SubscriberDirectory>) | undefined,
): void {
  it('[STORE-directory-domain-delete] deletes an empty domain, answers false for an unknown one, and frees its name', async () => {
    const dir = await fresh();
    await dir.putDomain(domain('empty.lab', { parent: 'ims.lab' }));
    expect(await dir.deleteDomain('EMPTY.lab')).toBe(true);
    expect(await dir.getDomain('empty.lab')).toBeUndefined();
    expect(await dir.deleteDomain('empty.lab')).toBe(false);
    expect((await dir.listDomains()).map((d) => d.name)).toEqual(['ims.lab']);
    await dir.putDomain(domain('empty.lab'));
    expect((await dir.getDomain('empty.lab'))?.parent).toBeUndefined();
  });

  it('[STORE-directory-domain-delete-children] refuses to delete a domain with child domains, naming them, even when cascading', async () => {
    const dir = await fresh();
    await dir.putDomain(domain('b.ims.lab', { parent: 'ims.lab' }));
    await dir.putDomain(domain('a.ims.lab', { parent: 'ims.lab' }));
    for (const cascade of [false, true]) {
      const error = await refusal(dir.deleteDomain('ims.lab', { cascade }));
      expect(error.field).toBe('name');
      expect(error.children).toEqual(['a.ims.lab', 'b.ims.lab']);
    }
    expect((await dir.listDomains()).map((d) => d.name)).toEqual(['a.ims.lab', 'b.ims.lab', 'ims.lab']);
  });

  it('[STORE-directory-domain-delete-contents] refuses to delete a domain holding subscribers, credentials or mappings unless cascading, counting them', async () => {
    const dir = await fresh();
    await populate(dir);
    const before = await snapshot(dir);
    const error = await refusal(dir.deleteDomain('gone.lab'));
    expect(error.children).toEqual([]);
    expect(error.contents).toEqual({ subscribers: 2, imsCredentials: 3, sipMappings: 1, activeLeases: 1 });
    expect(await snapshot(dir)).toEqual(before);
  });

  it('[STORE-directory-domain-delete-cascade] a cascading delete removes the domain with its subscribers, credentials, mappings, pool and leases, and nothing else', async () => {
    const dir = await fresh();
    await populate(dir);
    expect(await dir.deleteDomain('gone.lab', { cascade: true })).toBe(true);
    expect(await snapshot(dir)).toEqual({
      domain: undefined,
      subscribers: [],
      credentials: [undefined],
      mappings: [],
      leases: [],
    });
    for (const id of ['s1', 's2']) expect(await dir.getSubscriber(id)).toBeUndefined();
    for (const id of ['g1', 'g2']) expect(await dir.getImsCredential(id)).toBeUndefined();
    expect(await dir.getSipMapping('m1')).toBeUndefined();
    expect(await dir.getSubscriber('s3')).toBeDefined();
    expect((await dir.poolOf('other.lab')).map((c) => c.id)).toEqual(['o1']);
    // Its identities are free again.
    await dir.putImsCredential(credential('c9', 'alice', { domain: 'other.lab' }));
    await dir.putSipMapping(sipMapping('m9', 'bob', 's3', { domain: 'other.lab' }));
  });

  if (failing === undefined) return;
  it('[STORE-directory-domain-delete-atomic] a cascading delete that fails at its last step leaves the domain and everything in it', async () => {
    const dir = await failing();
    await populate(dir);
    const before = await snapshot(dir);
    await expect(dir.deleteDomain('gone.lab', { cascade: true })).rejects.toThrow(/injected failure/);
    expect(await snapshot(dir)).toEqual(before);
    expect(before.subscribers).toEqual(['s1', 's2']);
    expect(before.leases).toEqual(['flow-1']);
  });
}
