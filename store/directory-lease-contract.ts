/**
 * The pool-lease part of the SubscriberDirectory contract (TS 33.203 Annex X.4: one pool
 * identity per registration). Run by `directoryContract`; `fresh` gives an empty directory
 * holding the domain ims.lab.
 */

import { expect, it } from 'vitest';
import type { SubscriberDirectory } from './directory.ts';
import { credential, domain, subscriber } from './directory-fixtures.ts';

export function directoryLeaseContract(fresh: () => Promise<SubscriberDirectory>): void {
  it('[STORE-directory-lease-exclusive] never leases one pool identity to two holders at once', async () => {
    const dir = await fresh();
    for (const n of [1, 2, 3]) await dir.putImsCredential(credential(`g${n}`, `guest${n}`));
    await dir.putSubscriber(subscriber('s1', 'alice'));
    await dir.putImsCredential(credential('c1', 'alice', { subscriberId: 's1' }));
    const leases = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => dir.leasePoolIdentity('ims.lab', `flow-${n}`, 10_000, 1_000)),
    );
    const granted = leases.filter((l) => l !== undefined);
    expect(granted).toHaveLength(3);
    expect(new Set(granted.map((l) => l.credential.impu))).toEqual(
      new Set(['sip:guest1@ims.lab', 'sip:guest2@ims.lab', 'sip:guest3@ims.lab']),
    );
    expect(await dir.leasePoolIdentity('other.lab', 'flow-9', 10_000, 1_000)).toBeUndefined();
  });

  it('[STORE-directory-lease-expiry] counts a lease past its expiry as free and hands the identity to a new holder', async () => {
    const dir = await fresh();
    await dir.putImsCredential(credential('g1', 'guest1'));
    const first = await dir.leasePoolIdentity('ims.lab', 'flow-1', 5_000, 1_000);
    expect(first?.credential.id).toBe('g1');
    expect(await dir.leasePoolIdentity('ims.lab', 'flow-2', 9_000, 4_999)).toBeUndefined();
    const second = await dir.leasePoolIdentity('ims.lab', 'flow-2', 9_000, 5_000);
    expect(second).toEqual({ credential: credential('g1', 'guest1'), holder: 'flow-2', expiresAt: 9_000 });
    expect(await dir.renewLease('g1', 'flow-1', 20_000)).toBe(false);
    expect(await dir.releaseLease('g1', 'flow-1')).toBe(false);
  });

  it('[STORE-directory-lease-holder] lets only the holder renew or release its lease', async () => {
    const dir = await fresh();
    await dir.putImsCredential(credential('g1', 'guest1'));
    await dir.leasePoolIdentity('ims.lab', 'flow-1', 5_000, 1_000);
    expect(await dir.renewLease('g1', 'flow-2', 50_000)).toBe(false);
    expect(await dir.releaseLease('g1', 'flow-2')).toBe(false);
    expect(await dir.renewLease('g1', 'flow-1', 50_000)).toBe(true);
    expect((await dir.activeLeases('ims.lab', 10_000)).map((l) => [l.holder, l.expiresAt])).toEqual([
      ['flow-1', 50_000],
    ]);
    expect(await dir.leasePoolIdentity('ims.lab', 'flow-2', 60_000, 10_000)).toBeUndefined();
    expect(await dir.releaseLease('g1', 'flow-1')).toBe(true);
    expect(await dir.releaseLease('g1', 'flow-1')).toBe(false);
    expect((await dir.leasePoolIdentity('ims.lab', 'flow-2', 60_000, 10_000))?.holder).toBe('flow-2');
  });

  it('[STORE-directory-active-leases] lists exactly the leases in force at a time, per domain', async () => {
    const dir = await fresh();
    await dir.putDomain(domain('other.lab'));
    for (const n of [1, 2, 3]) await dir.putImsCredential(credential(`g${n}`, `guest${n}`));
    await dir.putImsCredential(credential('o1', 'other1', { domain: 'other.lab', impu: 'sip:o1@other.lab' }));
    await dir.leasePoolIdentity('ims.lab', 'flow-1', 2_000, 1_000);
    await dir.leasePoolIdentity('ims.lab', 'flow-2', 8_000, 1_000);
    await dir.leasePoolIdentity('other.lab', 'flow-3', 8_000, 1_000);
    const active = await dir.activeLeases('ims.lab', 2_000);
    expect(active.map((l) => l.holder)).toEqual(['flow-2']);
    expect(active[0]?.credential.domain).toBe('ims.lab');
    expect((await dir.activeLeases('ims.lab', 1_500)).map((l) => l.holder)).toEqual(['flow-1', 'flow-2']);
    expect(await dir.activeLeases('ims.lab', 8_000)).toEqual([]);
  });

  it('[STORE-directory-lease-leaves-pool] ends a lease when its identity is deleted or given to a subscriber', async () => {
    const dir = await fresh();
    await dir.putSubscriber(subscriber('s1', 'alice'));
    await dir.putImsCredential(credential('g1', 'guest1'));
    await dir.putImsCredential(credential('g2', 'guest2'));
    await dir.leasePoolIdentity('ims.lab', 'flow-1', 9_000, 1_000);
    await dir.leasePoolIdentity('ims.lab', 'flow-2', 9_000, 1_000);
    await dir.putImsCredential(credential('g1', 'guest1', { subscriberId: 's1' }));
    expect(await dir.deleteImsCredential('g2')).toBe(true);
    expect(await dir.activeLeases('ims.lab', 2_000)).toEqual([]);
    expect(await dir.renewLease('g1', 'flow-1', 20_000)).toBe(false);
    expect(await dir.poolOf('ims.lab')).toEqual([]);
  });
}
