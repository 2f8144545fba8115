/**
 * The SIP-mapping part of the SubscriberDirectory contract (a subscriber's SIP identity without
 * a secret, TS 33.203 X.3 with Trusted Node Authentication). Run by `directoryContract`; `fresh`
 * gives an empty directory holding the domain ims.lab.
 */

import { expect, it } from 'vitest';
import type { SubscriberDirectory } from './directory.ts';
import { refused } from './directory-assert.ts';
import { DirectoryConflict, DirectoryInvalid, DirectoryMissing } from './directory-errors.ts';
import { credential, domain, sipMapping, subscriber } from './directory-fixtures.ts';

export function directoryMappingContract(fresh: () => Promise<SubscriberDirectory>): void {
  it('[STORE-directory-mapping-crud] stores SIP mappings, finds them by id, subscriber, domain and IMPU, replaces and deletes them', async () => {
    const dir = await fresh();
    await dir.putDomain(domain('other.lab'));
    await dir.putSubscriber(subscriber('s1', 'alice'));
    await dir.putSubscriber(subscriber('s2', 'bob'));
    await dir.putSubscriber(subscriber('s3', 'carol', { domain: 'other.lab' }));
    await dir.putSipMapping(sipMapping('m2', 'alice', 's1', { impu: 'tel:+15551234' }));
    await dir.putSipMapping(sipMapping('m1', 'alice', 's1'));
    await dir.putSipMapping(sipMapping('m3', 'bob', 's2'));
    await dir.putSipMapping(
      sipMapping('m4', 'carol', 's3', { domain: 'other.lab', impu: 'sip:carol@other.lab' }),
    );
    expect(await dir.getSipMapping('m1')).toEqual(sipMapping('m1', 'alice', 's1'));
    expect((await dir.sipMappingsOf('s1')).map((m) => m.id)).toEqual(['m1', 'm2']);
    expect((await dir.sipMappingsIn('IMS.lab')).map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect((await dir.findSipMapping('tel:+15551234'))?.subscriberId).toBe('s1');
    expect(await dir.findSipMapping('sip:nobody@ims.lab')).toBeUndefined();
    await dir.putSipMapping(sipMapping('m1', 'alice', 's1', { impu: 'sip:alice.smith@ims.lab' }));
    expect(await dir.findSipMapping('sip:alice@ims.lab')).toBeUndefined();
    expect((await dir.findSipMapping('sip:alice.smith@ims.lab'))?.id).toBe('m1');
    expect(await dir.deleteSipMapping('m1')).toBe(true);
    expect(await dir.deleteSipMapping('m1')).toBe(false);
    expect(await dir.getSipMapping('m1')).toBeUndefined();
    expect(await dir.imsCredentialsOf('s1')).toEqual([]);
  });

  it('[STORE-directory-mapping-impu-unique] an IMPU belongs to one SIP mapping or IMS credential, whichever came first', async () => {
    const dir = await fresh();
    await dir.putSubscriber(subscriber('s1', 'alice'));
    await dir.putSubscriber(subscriber('s2', 'bob'));
    await dir.putImsCredential(credential('c1', 'alice', { subscriberId: 's1' }));
    await dir.putSipMapping(sipMapping('m1', 'bob', 's2'));
    await refused(
      dir.putSipMapping(sipMapping('m2', 'x', 's2', { impu: 'sip:alice@ims.lab' })),
      DirectoryConflict,
      'impu',
    );
    await refused(
      dir.putImsCredential(credential('c2', 'x', { impu: 'sip:bob@ims.lab' })),
      DirectoryConflict,
      'impu',
    );
    await refused(
      dir.putSipMapping(sipMapping('m3', 'bob', 's1', { impi: 'b2@ims.lab' })),
      DirectoryConflict,
      'impu',
    );
    expect(await dir.getSipMapping('m2')).toBeUndefined();
    expect(await dir.getSipMapping('m3')).toBeUndefined();
    expect(await dir.getImsCredential('c2')).toBeUndefined();
    // Freed by a delete, the IMPU can be mapped.
    await dir.deleteImsCredential('c1');
    await dir.putSipMapping(sipMapping('m2', 'alice', 's1'));
    expect((await dir.findSipMapping('sip:alice@ims.lab'))?.id).toBe('m2');
  });

  it('[STORE-directory-mapping-impi] an IMPI with an IMS credential is never mapped, and mapped IMPIs stay with one subscriber', async () => {
    const dir = await fresh();
    await dir.putSubscriber(subscriber('s1', 'alice'));
    await dir.putSubscriber(subscriber('s2', 'bob'));
    await dir.putImsCredential(credential('g1', 'guest1'));
    await refused(
      dir.putSipMapping(sipMapping('m1', 'alice', 's1', { impi: 'guest1@ims.lab' })),
      DirectoryConflict,
      'impi',
    );
    await dir.putSipMapping(sipMapping('m1', 'alice', 's1'));
    // One IMPI with a second IMPU of the same subscriber: an implicit set.
    await dir.putSipMapping(sipMapping('m2', 'alice', 's1', { impu: 'tel:+15550001' }));
    await refused(
      dir.putSipMapping(sipMapping('m3', 'bob', 's2', { impi: 'alice@ims.lab' })),
      DirectoryConflict,
      'impi',
    );
    await refused(
      dir.putImsCredential(credential('c1', 'x', { subscriberId: 's1', impi: 'alice@ims.lab' })),
      DirectoryConflict,
      'impi',
    );
    expect((await dir.sipMappingsOf('s1')).map((m) => m.impu)).toEqual([
      'sip:alice@ims.lab',
      'tel:+15550001',
    ]);
    expect(await dir.sipMappingsOf('s2')).toEqual([]);
    expect(await dir.imsCredentialsOf('s1')).toEqual([]);
  });

  it('[STORE-directory-mapping-reference] refuses a SIP mapping without a subscriber of its domain, or with empty fields', async () => {
    const dir = await fresh();
    await dir.putDomain(domain('other.lab'));
    await dir.putSubscriber(subscriber('s1', 'alice'));
    await refused(dir.putSipMapping(sipMapping('m1', 'alice', 'nobody')), DirectoryMissing, 'subscriberId');
    await refused(
      dir.putSipMapping(sipMapping('m1', 'alice', 's1', { domain: 'nowhere.lab' })),
      DirectoryMissing,
      'domain',
    );
    await refused(
      dir.putSipMapping(sipMapping('m1', 'alice', 's1', { domain: 'other.lab' })),
      DirectoryInvalid,
      'domain',
    );
    await refused(dir.putSipMapping(sipMapping('m1', 'alice', 's1', { impi: '' })), DirectoryInvalid, 'impi');
    await refused(
      dir.putSipMapping(sipMapping('m1', 'alice', 's1', { domain: 'IMS.lab' })),
      DirectoryInvalid,
      'domain',
    );
    expect(await dir.getSipMapping('m1')).toBeUndefined();
  });

  it('[STORE-directory-mapping-cascade] deleting a subscriber deletes its SIP mappings, and only its own', async () => {
    const dir = await fresh();
    await dir.putSubscriber(subscriber('s1', 'alice'));
    await dir.putSubscriber(subscriber('s2', 'bob'));
    await dir.putSipMapping(sipMapping('m1', 'alice', 's1'));
    await dir.putSipMapping(sipMapping('m2', 'bob', 's2'));
    expect(await dir.deleteSubscriber('s1')).toBe(true);
    expect(await dir.getSipMapping('m1')).toBeUndefined();
    expect(await dir.findSipMapping('sip:alice@ims.lab')).toBeUndefined();
    expect((await dir.sipMappingsIn('ims.lab')).map((m) => m.id)).toEqual(['m2']);
  });
}
