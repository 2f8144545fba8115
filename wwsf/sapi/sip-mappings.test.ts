import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sapiClient } from '../test-support.ts';
import { type Call, type SapiFixture, sapiBackends, startSapiFixture } from './fixture.ts';

interface MappingBody {
  id: string;
  subscriberId: string;
  impu: string;
}
const mappings = (body: unknown) => (body as { mappings: MappingBody[] }).mappings;

describe.each(sapiBackends())('SAPI SIP mappings ($name)', ({ open }) => {
  let f: SapiFixture;
  let salesBob: string;
  beforeAll(async () => {
    f = await startSapiFixture(open);
    const bob = await f.acmeAdmin('POST', '/subscribers', { username: 'bob', domain: 'sales.acme.com' });
    salesBob = (bob.body as { id: string }).id;
  });
  afterAll(async () => {
    await f?.w.stop();
  });

  const map = (call: Call, impu: string, impi: string, subscriberId = f.ids.alice, domain = 'acme.com') =>
    call('POST', '/credentials/sip-mapping', { domain, subscriberId, impu, impi });

  it('[WWSF-sapi-sip-mapping] MUST bind a SIP identity without a secret to a subscriber, and let the subscriber read it', async () => {
    const created = await map(f.acmeAdmin, 'sip:alice@ims.acme.com', 'alice@ims.acme.com');
    expect(created.status).toBe(201);
    const id = (created.body as MappingBody).id;
    expect(created.headers.get('location')).toBe(`/sapi/credentials/sip-mapping/${id}`);
    expect(created.body).toEqual({
      id,
      domain: 'acme.com',
      subscriberId: f.ids.alice,
      impu: 'sip:alice@ims.acme.com',
      impi: 'alice@ims.acme.com',
    });
    expect((await f.w.directory.findSipMapping('sip:alice@ims.acme.com'))?.subscriberId).toBe(f.ids.alice);
    // A second IMPU on the same IMPI (an implicit set): a tel URI.
    expect((await map(f.acmeAdmin, 'tel:+15550100', 'alice@ims.acme.com')).status).toBe(201);
    const own = await f.alice('GET', `/credentials/sip-mapping?subscriberId=${f.ids.alice}`);
    expect(own.status).toBe(200);
    expect(
      mappings(own.body)
        .map((m) => m.impu)
        .sort(),
    ).toEqual(['sip:alice@ims.acme.com', 'tel:+15550100']);
    expect((await f.alice('GET', `/credentials/sip-mapping/${id}`)).status).toBe(200);
    const sub = await f.alice('GET', `/subscribers/${f.ids.alice}`);
    expect(sub.body).toMatchObject({ credentials: { ims: 0, sipMappings: 2 } });
  });

  it('[WWSF-sapi-sip-mapping-lookup] MUST find the subscriber of a SIP identity by ?impu=, only for callers who may see it', async () => {
    const found = await f.acmeAdmin(
      'GET',
      `/credentials/sip-mapping?impu=${encodeURIComponent('tel:+15550100')}`,
    );
    expect(found.status).toBe(200);
    expect(mappings(found.body).map((m) => m.subscriberId)).toEqual([f.ids.alice]);
    const none = await f.acmeAdmin('GET', '/credentials/sip-mapping?impu=sip%3Anobody%40ims.acme.com');
    expect(mappings(none.body)).toEqual([]);
    // Another tenant's admin gets the same empty answer as for an unknown IMPU.
    const foreign = await f.globexAdmin(
      'GET',
      `/credentials/sip-mapping?impu=${encodeURIComponent('tel:+15550100')}`,
    );
    expect(foreign.status).toBe(200);
    expect(mappings(foreign.body)).toEqual([]);
    const all = await f.acmeAdmin('GET', '/credentials/sip-mapping?domain=acme.com');
    expect(mappings(all.body)).toHaveLength(2);
    expect((await f.acmeAdmin('GET', '/credentials/sip-mapping?domain=globex.com')).status).toBe(403);
  });

  it('[WWSF-sapi-sip-mapping-conflict] MUST refuse with 409 naming /impu an IMPU already mapped or held by an IMS credential, and keep the first', async () => {
    const ims = await f.acmeAdmin('POST', '/credentials/ims', {
      domain: 'acme.com',
      subscriberId: f.ids.alice,
      impu: 'sip:alice.ims@ims.acme.com',
      impi: 'alice.ims@ims.acme.com',
      secret: { kind: 'digest', password: 'ims-secret-pw' },
    });
    expect(ims.status).toBe(201);
    const mapped = await map(
      f.acmeAdmin,
      'sip:alice@ims.acme.com',
      'other@ims.acme.com',
      salesBob,
      'sales.acme.com',
    );
    expect(mapped.status).toBe(409);
    expect(mapped.body).toMatchObject({ errors: [{ pointer: '/impu' }] });
    const heldByIms = await map(f.acmeAdmin, 'sip:alice.ims@ims.acme.com', 'x@ims.acme.com');
    expect(heldByIms.status).toBe(409);
    expect(heldByIms.body).toMatchObject({ errors: [{ pointer: '/impu' }] });
    // And the other way round: an IMS credential cannot take a mapped IMPU.
    const imsOnMapped = await f.acmeAdmin('POST', '/credentials/ims', {
      domain: 'acme.com',
      impu: 'tel:+15550100',
      impi: 'pool9@ims.acme.com',
      secret: { kind: 'digest', password: 'pw' },
    });
    expect(imsOnMapped.status).toBe(409);
    expect(imsOnMapped.body).toMatchObject({ errors: [{ pointer: '/impu' }] });
    // An IMPI with a secret here is never mapped without one.
    const secretImpi = await map(f.acmeAdmin, 'sip:alias@ims.acme.com', 'alice.ims@ims.acme.com');
    expect(secretImpi.status).toBe(409);
    expect(secretImpi.body).toMatchObject({ errors: [{ pointer: '/impi' }] });
    expect((await f.w.directory.findSipMapping('sip:alice@ims.acme.com'))?.subscriberId).toBe(f.ids.alice);
    expect(await f.w.directory.sipMappingsOf(salesBob)).toEqual([]);
  });

  it('[WWSF-sapi-sip-mapping-realm] MUST refuse with 422 naming the field an identity outside the admin own domain, unless an operator admin maps it', async () => {
    const foreign = await map(f.acmeAdmin, 'sip:ceo@ims.globex.com', 'ceo@ims.globex.com');
    expect(foreign.status).toBe(422);
    const pointers = (foreign.body as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/impi', '/impu']);
    // Naming a child domain after another tenant's realm does not help.
    expect((await f.acmeAdmin('PUT', '/domains/ims.globex.com', { parent: 'acme.com' })).status).toBe(201);
    const spy = await f.acmeAdmin('POST', '/subscribers', { username: 'spy', domain: 'ims.globex.com' });
    const spyId = (spy.body as { id: string }).id;
    const named = await map(
      f.acmeAdmin,
      'sip:ceo@ims.globex.com',
      'ceo@ims.globex.com',
      spyId,
      'ims.globex.com',
    );
    expect(named.status).toBe(422);
    // A tel IMPU has no host: its IMPI's realm decides.
    const tel = await map(f.acmeAdmin, 'tel:+15559999', 'ceo@ims.globex.com');
    expect(tel.status).toBe(422);
    expect(tel.body).toMatchObject({ errors: [{ pointer: '/impi' }] });
    // A subdomain admin stays within its own domain, even for identities of its parent's realm.
    const salesAdmin = await f.w.token({ sub: 'id-sales-admin', domain: 'sales.acme.com', role: 'admin' });
    const sales = sapiClient(f.w, salesAdmin);
    expect(
      (await map(sales, 'sip:bob@ims.acme.com', 'bob@ims.acme.com', salesBob, 'sales.acme.com')).status,
    ).toBe(422);
    expect(
      (await map(sales, 'sip:bob@sales.acme.com', 'bob@sales.acme.com', salesBob, 'sales.acme.com')).status,
    ).toBe(201);
    expect(await f.w.directory.findSipMapping('sip:ceo@ims.globex.com')).toBeUndefined();
    // The operator maps a realm of its choosing: the explicit allowance.
    const operator = await map(f.operator, 'sip:alice@ims.acme-operator.net', 'alice@ims.acme-operator.net');
    expect(operator.status).toBe(201);
  });

  it('[WWSF-sapi-sip-mapping-invalid] MUST refuse bad SIP mapping input with 422 naming each field, storing nothing', async () => {
    const before = await f.w.directory.sipMappingsIn('acme.com');
    const bad = await f.acmeAdmin('POST', '/credentials/sip-mapping', {
      domain: 'acme.com',
      impu: 'alice',
      impi: 'no-realm',
      secret: { kind: 'digest', password: 'x' },
    });
    expect(bad.status).toBe(422);
    const pointers = (bad.body as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/impi', '/impu', '/secret', '/subscriberId']);
    const otherTenant = await map(f.acmeAdmin, 'sip:carol@ims.acme.com', 'carol@ims.acme.com', f.ids.carol);
    expect(otherTenant.status).toBe(422);
    expect(otherTenant.body).toMatchObject({ errors: [{ pointer: '/subscriberId' }] });
    const unknownDomain = await map(
      f.operator,
      'sip:x@nowhere.net',
      'x@nowhere.net',
      f.ids.alice,
      'nowhere.net',
    );
    expect(unknownDomain.status).toBe(422);
    expect(unknownDomain.body).toMatchObject({ errors: [{ pointer: '/domain' }] });
    expect(await f.w.directory.sipMappingsIn('acme.com')).toEqual(before);
  });

  it('[WWSF-sapi-sip-mapping-manage] MUST let an admin of its domain replace and delete a SIP mapping, its subscriber only read it, other tenants not see it', async () => {
    const created = await map(f.acmeAdmin, 'sip:al@ims.acme.com', 'al@ims.acme.com');
    const id = (created.body as MappingBody).id;
    const path = `/credentials/sip-mapping/${id}`;
    const body = {
      domain: 'acme.com',
      subscriberId: f.ids.alice,
      impu: 'sip:al2@ims.acme.com',
      impi: 'al@ims.acme.com',
    };
    expect((await f.alice('PUT', path, body)).status).toBe(403);
    expect((await f.alice('DELETE', path)).status).toBe(403);
    for (const [method, payload] of [
      ['GET', undefined],
      ['PUT', body],
      ['DELETE', undefined],
    ] as const)
      expect((await f.globexAdmin(method, path, payload)).status).toBe(404);
    const replaced = await f.acmeAdmin('PUT', path, body);
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id, impu: 'sip:al2@ims.acme.com' });
    expect(await f.w.directory.findSipMapping('sip:al@ims.acme.com')).toBeUndefined();
    expect((await f.acmeAdmin('DELETE', path)).status).toBe(204);
    expect((await f.acmeAdmin('GET', path)).status).toBe(404);
    expect(await f.w.directory.getSipMapping(id)).toBeUndefined();
  });

  it('[WWSF-sapi-sip-mapping-cascade] MUST delete a subscriber SIP mappings with the subscriber', async () => {
    const temp = await f.acmeAdmin('POST', '/subscribers', { username: 'temp', domain: 'acme.com' });
    const tempId = (temp.body as { id: string }).id;
    const created = await map(f.acmeAdmin, 'sip:temp@ims.acme.com', 'temp@ims.acme.com', tempId);
    expect(created.status).toBe(201);
    expect((await f.acmeAdmin('DELETE', `/subscribers/${tempId}`)).status).toBe(204);
    expect(await f.w.directory.findSipMapping('sip:temp@ims.acme.com')).toBeUndefined();
    // The identity can be mapped again.
    expect((await map(f.acmeAdmin, 'sip:temp@ims.acme.com', 'temp@ims.acme.com')).status).toBe(201);
  });
});
