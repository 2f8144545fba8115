import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, seededDirectory } from '../conformance/waf/fixtures.ts';
import { payloadOf, wicLogin } from '../conformance/waf/helpers.ts';
import type { SubscriberDirectory } from '../store/directory.ts';
import { hashPassword } from '../store/password.ts';
import { parseImsClaims } from '../token/claims.ts';
import { subscriberClaims } from './ims-claims.ts';
import { type RunningWaf, startWaf } from './index.ts';

/**
 * The IMS identity the WAF binds a subscriber's tokens to (TS 33.203 X.3, scenario 2): from its
 * SIP mapping (no secret), else its IMS credential, else the domain's pool (X.4). The directory is
 * conformance/waf's: alice with an IMS credential, bob without one in a domain with a pool.
 */
describe('WAF IMS claims', () => {
  let directory: SubscriberDirectory;
  let waf: RunningWaf;
  const bobMapping = {
    id: 'map-bob',
    domain: 'example.com',
    subscriberId: 'sub-bob',
    impu: 'sip:bob@ims.example.com',
    impi: 'bob@ims.example.com',
  };
  beforeAll(async () => {
    directory = await seededDirectory();
    // dave: a web password and a SIP mapping, nothing else, in a domain without a pool.
    await directory.putDomain({
      name: 'tna.example',
      parent: undefined,
      allowedOrigins: [],
      anonymous: { enabled: false, tokenTtl: 60, capabilities: [] },
      services: ['call'],
    });
    await directory.putSubscriber({
      id: 'sub-dave',
      username: 'dave',
      domain: 'tna.example',
      role: 'user',
      capabilities: [],
      passwordHash: await hashPassword(PASSWORD, { ln: 10, r: 8, p: 1 }),
      disabled: false,
    });
    await directory.putSipMapping({
      id: 'map-dave',
      domain: 'tna.example',
      subscriberId: 'sub-dave',
      impu: 'tel:+15550123',
      impi: 'dave@ims.tna.example',
    });
    waf = await startWaf({ directory });
  });
  afterAll(async () => {
    await waf?.stop();
    await directory?.close();
  });

  it('[TS33203-X.3-sip-mapping-claim] a WAF access token of a subscriber with only a SIP mapping MUST carry that IMPU and IMPI', async () => {
    const { body } = await wicLogin(waf, 'dave@tna.example');
    const payload = payloadOf(String(body.access_token));
    expect(payload).toMatchObject({
      sub: 'sub-dave',
      ims: { domain: 'tna.example', impu: 'tel:+15550123', impi: 'dave@ims.tna.example' },
    });
    const parsed = parseImsClaims(payload);
    expect(parsed.ok && parsed.token.identity).toEqual({
      kind: 'subscriber',
      domain: 'tna.example',
      impu: 'tel:+15550123',
      impi: 'dave@ims.tna.example',
    });
  });

  it('[TS33203-X.3-sip-mapping-claim] a SIP mapping MUST take the place of the pool, and of an IMS credential, in the claims', async () => {
    const bob = await directory.getSubscriber('sub-bob');
    const alice = await directory.getSubscriber('sub-alice');
    if (bob === undefined || alice === undefined) throw new Error('seed changed');
    expect((await subscriberClaims(directory, bob)).ims).toEqual({ domain: 'example.com', pool: true });
    expect((await subscriberClaims(directory, alice)).ims).toMatchObject({
      impu: 'sip:alice@ims.example.com',
    });
    await directory.putSipMapping(bobMapping);
    await directory.putSipMapping({
      ...bobMapping,
      id: 'map-alice',
      subscriberId: 'sub-alice',
      impu: 'tel:+15550999',
      impi: 'alice.tna@ims.example.com',
    });
    expect((await subscriberClaims(directory, bob)).ims).toEqual({
      domain: 'example.com',
      impu: 'sip:bob@ims.example.com',
      impi: 'bob@ims.example.com',
    });
    expect((await subscriberClaims(directory, alice)).ims).toEqual({
      domain: 'example.com',
      impu: 'tel:+15550999',
      impi: 'alice.tna@ims.example.com',
    });
    // Mapping deleted: back to the IMS credential.
    await directory.deleteSipMapping('map-alice');
    expect((await subscriberClaims(directory, alice)).ims).toMatchObject({
      impu: 'sip:alice@ims.example.com',
    });
    const { body } = await wicLogin(waf, 'bob@example.com');
    expect(payloadOf(String(body.access_token)).ims).toEqual({
      domain: 'example.com',
      impu: 'sip:bob@ims.example.com',
      impi: 'bob@ims.example.com',
    });
  });
});
