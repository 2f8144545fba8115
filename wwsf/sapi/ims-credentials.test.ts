import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SapiFixture, sapiBackends, startSapiFixture } from './fixture.ts';

const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';

describe.each(sapiBackends())('SAPI IMS credentials ($name)', ({ open }) => {
  let f: SapiFixture;
  beforeAll(async () => {
    f = await startSapiFixture(open);
  });
  afterAll(async () => {
    await f?.w.stop();
  });

  const digest = (impu: string, impi: string, subscriberId: string | null = null) => ({
    domain: 'acme.com',
    subscriberId,
    impu,
    impi,
    secret: { kind: 'digest', password: 'ims-secret-pw' },
  });

  it('[WWSF-sapi-ims-credential] MUST bind digest and AKA IMS credentials to a subscriber, keep their secrets, and never return them', async () => {
    const d = await f.acmeAdmin('POST', '/credentials/ims', {
      ...digest('sip:alice@ims.acme.com', 'alice@ims.acme.com', f.ids.alice),
      wssServer: 'wss://edge.acme.com/sip',
    });
    expect(d.status).toBe(201);
    const id = (d.body as { id: string }).id;
    expect(d.headers.get('location')).toBe(`/sapi/credentials/ims/${id}`);
    expect(d.body).toEqual({
      id,
      domain: 'acme.com',
      subscriberId: f.ids.alice,
      impu: 'sip:alice@ims.acme.com',
      impi: 'alice@ims.acme.com',
      secretKind: 'digest',
      wssServer: 'wss://edge.acme.com/sip',
    });
    expect((await f.w.directory.getImsCredential(id))?.secret).toEqual({
      kind: 'digest',
      password: 'ims-secret-pw',
    });
    const aka = await f.acmeAdmin('POST', '/credentials/ims', {
      domain: 'acme.com',
      subscriberId: f.ids.alice,
      impu: 'tel:+15551234',
      impi: 'alice-aka@ims.acme.com',
      secret: { kind: 'aka', k: K, opc: OPC, amf: '8000' },
    });
    expect(aka.status).toBe(201);
    expect(aka.body).toMatchObject({ secretKind: 'aka' });
    const mine = await f.alice('GET', `/credentials/ims?subscriberId=${f.ids.alice}`);
    expect(mine.status).toBe(200);
    const text = JSON.stringify(mine.body);
    expect((mine.body as { credentials: unknown[] }).credentials).toHaveLength(2);
    for (const secret of ['ims-secret-pw', K, OPC]) expect(text).not.toContain(secret);
  });

  it('[TS33203-X.4-pool] MUST put IMS credentials without a subscriber into the domain anonymous pool', async () => {
    for (const n of [1, 2]) {
      const r = await f.acmeAdmin(
        'POST',
        '/credentials/ims',
        digest(`sip:guest${n}@ims.acme.com`, `guest${n}@ims.acme.com`),
      );
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ subscriberId: null });
    }
    const pool = await f.acmeAdmin('GET', '/credentials/ims?domain=acme.com&pool=true');
    expect((pool.body as { credentials: { impi: string }[] }).credentials.map((c) => c.impi).sort()).toEqual([
      'guest1@ims.acme.com',
      'guest2@ims.acme.com',
    ]);
    expect((await f.w.directory.poolOf('acme.com')).length).toBe(2);
    const all = await f.acmeAdmin('GET', '/credentials/ims');
    expect((all.body as { credentials: unknown[] }).credentials.length).toBe(4);
  });

  it('[WWSF-sapi-ims-conflict] MUST refuse an IMPU or IMPI already provisioned with 409 naming it, leaving the first untouched', async () => {
    const before = await f.w.directory.poolOf('acme.com');
    const impu = await f.acmeAdmin(
      'POST',
      '/credentials/ims',
      digest('sip:guest1@ims.acme.com', 'fresh@ims.acme.com'),
    );
    expect(impu.status).toBe(409);
    expect(impu.body).toMatchObject({ errors: [{ pointer: '/impu' }] });
    const impi = await f.acmeAdmin(
      'POST',
      '/credentials/ims',
      digest('sip:fresh@ims.acme.com', 'guest2@ims.acme.com'),
    );
    expect(impi.status).toBe(409);
    expect(impi.body).toMatchObject({ errors: [{ pointer: '/impi' }] });
    expect(await f.w.directory.poolOf('acme.com')).toEqual(before);
  });

  it('[WWSF-sapi-ims-invalid] MUST refuse bad IMS credential input with 422 naming each field', async () => {
    const bad = await f.acmeAdmin('POST', '/credentials/ims', {
      domain: 'acme.com',
      impu: 'alice',
      impi: 'no-realm',
      secret: { kind: 'aka', k: 'zz', opc: OPC },
      wssServer: 'https://not-ws',
    });
    expect(bad.status).toBe(422);
    const pointers = (bad.body as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/impi', '/impu', '/secret/k', '/wssServer']);
    const unknownKind = await f.acmeAdmin('POST', '/credentials/ims', {
      ...digest('sip:x@ims.acme.com', 'x@ims.acme.com'),
      secret: { kind: 'plain', password: 'x' },
    });
    expect(unknownKind.status).toBe(422);
    expect(unknownKind.body).toMatchObject({ errors: [{ pointer: '/secret/kind' }] });
    const otherOwner = await f.acmeAdmin(
      'POST',
      '/credentials/ims',
      digest('sip:y@ims.acme.com', 'y@ims.acme.com', f.ids.carol),
    );
    expect(otherOwner.status).toBe(422);
    expect(otherOwner.body).toMatchObject({ errors: [{ pointer: '/subscriberId' }] });
    expect(await f.w.directory.imsCredentialsOf(f.ids.carol)).toEqual([]);
  });

  it('[WWSF-sapi-ims-manage] MUST replace and delete an IMS credential for an admin of its domain, not for its owner', async () => {
    const created = await f.acmeAdmin(
      'POST',
      '/credentials/ims',
      digest('sip:z@ims.acme.com', 'z@ims.acme.com', f.ids.alice),
    );
    const id = (created.body as { id: string }).id;
    expect((await f.alice('GET', `/credentials/ims/${id}`)).status).toBe(200);
    expect((await f.alice('DELETE', `/credentials/ims/${id}`)).status).toBe(403);
    const replaced = await f.acmeAdmin('PUT', `/credentials/ims/${id}`, {
      ...digest('sip:z2@ims.acme.com', 'z@ims.acme.com', f.ids.alice),
      secret: { kind: 'digest', password: 'rotated' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id, impu: 'sip:z2@ims.acme.com' });
    expect((await f.w.directory.getImsCredential(id))?.secret).toEqual({
      kind: 'digest',
      password: 'rotated',
    });
    expect((await f.acmeAdmin('DELETE', `/credentials/ims/${id}`)).status).toBe(204);
    expect((await f.acmeAdmin('GET', `/credentials/ims/${id}`)).status).toBe(404);
  });
});
