import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SapiFixture, sapiBackends, startSapiFixture } from './fixture.ts';

describe.each(sapiBackends())('SAPI domains ($name)', ({ open }) => {
  let f: SapiFixture;
  beforeAll(async () => {
    f = await startSapiFixture(open);
  });
  afterAll(async () => {
    await f?.w.stop();
  });

  const names = (body: unknown) =>
    (body as { domains: { name: string }[] }).domains.map((d) => d.name).sort();

  it('[WWSF-sapi-domain-create] MUST create a domain with its parent, origins, anonymous policy and services, and replace it on a second PUT', async () => {
    const created = await f.operator('PUT', '/domains/initech.com', {
      parent: 'operator.net',
      allowedOrigins: ['https://phone.initech.com'],
      anonymous: { enabled: true, tokenTtl: 120, capabilities: ['-video'] },
      services: ['call', 'video', 'chat'],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/sapi/domains/initech.com');
    expect(created.body).toEqual({
      name: 'initech.com',
      parent: 'operator.net',
      allowedOrigins: ['https://phone.initech.com'],
      anonymous: { enabled: true, tokenTtl: 120, capabilities: ['-video'] },
      services: ['call', 'video', 'chat'],
      capabilities: ['call', 'video'],
    });
    expect((await f.w.directory.getDomain('initech.com'))?.allowedOrigins).toEqual([
      'https://phone.initech.com',
    ]);
    const replaced = await f.operator('PUT', '/domains/initech.com', { parent: 'operator.net' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ services: ['call', 'message'], anonymous: { enabled: false } });
  });

  it('[WWSF-sapi-domain-admin] MUST let a domain admin manage its domain and the domains below it, and nothing else', async () => {
    const list = await f.acmeAdmin('GET', '/domains');
    expect(list.status).toBe(200);
    expect(names(list.body)).toEqual(['acme.com', 'sales.acme.com']);
    const all = await f.operator('GET', '/domains');
    expect(names(all.body)).toEqual(expect.arrayContaining(['acme.com', 'globex.com', 'operator.net']));
    const child = await f.acmeAdmin('PUT', '/domains/support.acme.com', { parent: 'acme.com' });
    expect(child.status).toBe(201);
    const grandchild = await f.acmeAdmin('PUT', '/domains/eu.sales.acme.com', { parent: 'sales.acme.com' });
    expect(grandchild.status).toBe(201);
    const own = await f.acmeAdmin('PUT', '/domains/acme.com', { parent: 'operator.net', services: ['call'] });
    expect(own.status).toBe(200);
    // Not above itself, not beside itself, not at the top.
    expect((await f.acmeAdmin('PUT', '/domains/evil.com', { parent: 'globex.com' })).status).toBe(403);
    expect((await f.acmeAdmin('PUT', '/domains/top.com', {})).status).toBe(403);
    expect((await f.acmeAdmin('PUT', '/domains/acme.com', { parent: 'globex.com' })).status).toBe(403);
    expect((await f.acmeAdmin('GET', '/domains/globex.com')).status).toBe(404);
    expect((await f.acmeAdmin('PUT', '/domains/globex.com', { parent: 'operator.net' })).status).toBe(404);
    expect((await f.w.directory.getDomain('globex.com'))?.parent).toBe('operator.net');
    // Users manage no domain.
    expect((await f.alice('GET', '/domains')).status).toBe(403);
    expect((await f.alice('GET', '/domains/acme.com')).status).toBe(404);
  });

  it('[WWSF-sapi-domain-operator] MUST let only an admin of WWSF_OPERATOR_DOMAIN create top-level domains', async () => {
    const top = await f.operator('PUT', '/domains/independent.org', {});
    expect(top.status).toBe(201);
    expect(top.body).toMatchObject({ parent: null });
  });

  it('[WWSF-sapi-domain-invalid] MUST refuse bad domain input with 422 naming each field, and keep the stored domain unchanged', async () => {
    const before = await f.w.directory.getDomain('globex.com');
    const bad = await f.operator('PUT', '/domains/globex.com', {
      parent: 'operator.net',
      allowedOrigins: ['https://ok.example', 'https://with.path/x'],
      services: ['call', 'Bad Service'],
      anonymous: { enabled: 'yes', tokenTtl: 60, capabilities: [] },
    });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    const pointers = (bad.body as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/allowedOrigins/1', '/anonymous/enabled', '/services/1']);
    const orphan = await f.operator('PUT', '/domains/globex.com', { parent: 'missing.net' });
    expect(orphan.status).toBe(422);
    expect(orphan.body).toMatchObject({ errors: [{ pointer: '/parent' }] });
    expect((await f.operator('GET', '/domains/Not_A_Domain')).status).toBe(400);
    expect(await f.w.directory.getDomain('globex.com')).toEqual(before);
  });

  it('[WWSF-sapi-domain-loop] MUST refuse with 409 a parent that would make the hierarchy loop, changing nothing', async () => {
    const loop = await f.operator('PUT', '/domains/acme.com', { parent: 'sales.acme.com' });
    expect(loop.status).toBe(409);
    expect(loop.body).toMatchObject({ errors: [{ pointer: '/parent' }] });
    expect((await f.w.directory.getDomain('acme.com'))?.parent).toBe('operator.net');
  });

  it('[WWSF-sapi-pool] MUST report the size of a domain anonymous pool and how many identities are leased', async () => {
    const d = f.w.directory;
    for (const n of [1, 2, 3])
      await d.putImsCredential({
        id: `pool-${n}`,
        domain: 'sales.acme.com',
        subscriberId: undefined,
        impu: `sip:guest${n}@sales.acme.com`,
        impi: `guest${n}@sales.acme.com`,
        secret: { kind: 'digest', password: `pw-${n}` },
        wssServer: undefined,
      });
    await d.leasePoolIdentity('sales.acme.com', 'flow-1', Date.now() + 60_000, Date.now());
    const pool = await f.acmeAdmin('GET', '/domains/sales.acme.com/pool');
    expect(pool.status).toBe(200);
    expect(pool.body).toEqual({ domain: 'sales.acme.com', size: 3, leased: 1, available: 2 });
    expect((await f.globexAdmin('GET', '/domains/sales.acme.com/pool')).status).toBe(404);
  });
});
