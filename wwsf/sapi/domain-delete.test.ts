import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SapiFixture, sapiBackends, startSapiFixture } from './fixture.ts';

/** Domains under acme.com to delete: a leaf, a parent of a leaf, and a populated one. */
describe.each(sapiBackends())('SAPI domain delete ($name)', ({ open }) => {
  let f: SapiFixture;
  beforeAll(async () => {
    f = await startSapiFixture(open);
    for (const [name, parent] of [
      ['empty.acme.com', 'acme.com'],
      ['eu.sales.acme.com', 'sales.acme.com'],
      ['shop.acme.com', 'acme.com'],
    ] as const)
      expect((await f.operator('PUT', `/domains/${name}`, { parent })).status).toBe(201);
    const dave = await f.acmeAdmin('POST', '/subscribers', { username: 'dave', domain: 'shop.acme.com' });
    const daveId = (dave.body as { id: string }).id;
    const owner = { domain: 'shop.acme.com', subscriberId: daveId };
    const secret = { kind: 'digest', password: 'pw-shop' };
    for (const [path, body] of [
      ['/credentials/ims', { ...owner, impu: 'sip:dave@shop.acme.com', impi: 'dave@shop.acme.com', secret }],
      [
        '/credentials/ims',
        { ...owner, subscriberId: null, impu: 'sip:g1@shop.acme.com', impi: 'g1@shop.acme.com', secret },
      ],
      ['/credentials/sip-mapping', { ...owner, impu: 'tel:+15550200', impi: 'dave.tna@shop.acme.com' }],
    ] as const)
      expect((await f.acmeAdmin('POST', path, body)).status).toBe(201);
    await f.w.directory.leasePoolIdentity('shop.acme.com', 'flow-1', Date.now() + 60_000, Date.now());
  });
  afterAll(async () => {
    await f?.w.stop();
  });

  it('[WWSF-sapi-domain-delete] MUST delete an empty domain with 204, and answer 404 for one that does not exist', async () => {
    expect((await f.acmeAdmin('DELETE', '/domains/empty.acme.com')).status).toBe(204);
    expect(await f.w.directory.getDomain('empty.acme.com')).toBeUndefined();
    expect((await f.acmeAdmin('GET', '/domains/empty.acme.com')).status).toBe(404);
    expect((await f.acmeAdmin('DELETE', '/domains/empty.acme.com')).status).toBe(404);
    expect((await f.operator('DELETE', '/domains/never.example')).status).toBe(404);
    expect((await f.operator('DELETE', '/domains/Not_A_Domain')).status).toBe(400);
  });

  it('[WWSF-sapi-domain-delete-children] MUST refuse with 409 a domain with child domains, naming them, even with cascade', async () => {
    for (const query of ['', '?cascade=true']) {
      const refused = await f.acmeAdmin('DELETE', `/domains/sales.acme.com${query}`);
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.body).toMatchObject({
        status: 409,
        children: ['eu.sales.acme.com'],
        errors: [{ pointer: '/path/name' }],
      });
    }
    expect(await f.w.directory.getDomain('sales.acme.com')).toBeDefined();
  });

  it('[WWSF-sapi-domain-delete-contents] MUST refuse with 409 counting them a domain holding subscribers, credentials or mappings, unless cascade=true', async () => {
    const refused = await f.acmeAdmin('DELETE', '/domains/shop.acme.com');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      children: [],
      contents: { subscribers: 1, imsCredentials: 2, sipMappings: 1, activeLeases: 1 },
      errors: [{ pointer: '/query/cascade' }],
    });
    expect((await f.w.directory.listSubscribers('shop.acme.com')).length).toBe(1);
    expect((await f.acmeAdmin('DELETE', '/domains/shop.acme.com?cascade=maybe')).status).toBe(400);
    expect((await f.acmeAdmin('DELETE', '/domains/shop.acme.com?cascade=true')).status).toBe(204);
    const d = f.w.directory;
    expect(await d.getDomain('shop.acme.com')).toBeUndefined();
    expect(await d.listSubscribers('shop.acme.com')).toEqual([]);
    expect(await d.poolOf('shop.acme.com')).toEqual([]);
    expect(await d.sipMappingsIn('shop.acme.com')).toEqual([]);
    expect(await d.activeLeases('shop.acme.com', Date.now())).toEqual([]);
    expect(await d.findSipMapping('tel:+15550200')).toBeUndefined();
    expect((await f.acmeAdmin('GET', '/domains')).status).toBe(200);
  });

  it('[WWSF-sapi-domain-delete-admin] MUST let a domain admin delete only domains strictly below its own, and an operator admin any', async () => {
    // Its own domain: 403; another tenant's: 404 as if absent; users: 404.
    const own = await f.acmeAdmin('DELETE', '/domains/acme.com?cascade=true');
    expect(own.status).toBe(403);
    expect(own.headers.get('www-authenticate')).toMatch(/insufficient_scope/);
    expect((await f.acmeAdmin('DELETE', '/domains/globex.com?cascade=true')).status).toBe(404);
    expect((await f.alice('DELETE', '/domains/eu.sales.acme.com')).status).toBe(404);
    expect((await f.acmeAdmin('DELETE', '/domains/operator.net')).status).toBe(404);
    for (const name of ['acme.com', 'globex.com', 'eu.sales.acme.com'])
      expect(await f.w.directory.getDomain(name)).toBeDefined();
    // Below its own, at any depth.
    expect((await f.acmeAdmin('DELETE', '/domains/eu.sales.acme.com')).status).toBe(204);
    // The operator deletes a tenant with everything in it.
    expect((await f.operator('DELETE', '/domains/globex.com?cascade=true')).status).toBe(204);
    expect(await f.w.directory.getDomain('globex.com')).toBeUndefined();
    expect(await f.w.directory.getSubscriber(f.ids.carol)).toBeUndefined();
  });
});
