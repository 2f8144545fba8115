import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sapiClient } from '../test-support.ts';
import { type SapiFixture, sapiBackends, startSapiFixture } from './fixture.ts';

/**
 * Tenants acme.com and globex.com side by side: each admin works on its own tenant and cannot
 * read, change, delete or bind anything of the other, nor tell whether it exists.
 */
describe.each(sapiBackends())('SAPI tenant isolation ($name)', ({ open }) => {
  let f: SapiFixture;
  let globexCredential: string;
  beforeAll(async () => {
    f = await startSapiFixture(open);
    const r = await f.globexAdmin('POST', '/credentials/ims', {
      domain: 'globex.com',
      subscriberId: f.ids.carol,
      impu: 'sip:carol@ims.globex.com',
      impi: 'carol@ims.globex.com',
      secret: { kind: 'digest', password: 'carol-pw' },
    });
    globexCredential = (r.body as { id: string }).id;
  });
  afterAll(async () => {
    await f?.w.stop();
  });

  it('[WWSF-sapi-tenant-isolation] a domain admin MUST NOT see or change another tenant subscribers, credentials or domain (404 as if absent)', async () => {
    const carolBefore = await f.w.directory.getSubscriber(f.ids.carol);
    const credBefore = await f.w.directory.getImsCredential(globexCredential);
    for (const [method, path, body] of [
      ['GET', `/subscribers/${f.ids.carol}`, undefined],
      ['PATCH', `/subscribers/${f.ids.carol}`, { role: 'admin' }],
      ['DELETE', `/subscribers/${f.ids.carol}`, undefined],
      ['PUT', `/subscribers/${f.ids.carol}/credentials/basic`, { password: 'hijacked-pw' }],
      ['GET', `/credentials/ims/${globexCredential}`, undefined],
      ['DELETE', `/credentials/ims/${globexCredential}`, undefined],
      ['GET', '/domains/globex.com', undefined],
      ['GET', '/domains/globex.com/pool', undefined],
    ] as const) {
      const answer = await f.acmeAdmin(method, path, body);
      expect({ method, path, status: answer.status }).toEqual({ method, path, status: 404 });
      // Exactly what an id that exists nowhere gets.
      const ghost = await f.acmeAdmin(
        method,
        path.replace(/globex\.com|[0-9a-f-]{36}|id-carol/, 'ghost'),
        body,
      );
      expect(ghost.status).toBe(404);
    }
    expect(await f.w.directory.getSubscriber(f.ids.carol)).toEqual(carolBefore);
    expect(await f.w.directory.getImsCredential(globexCredential)).toEqual(credBefore);
  });

  it('[WWSF-sapi-tenant-scope] a domain admin MUST get 403 for operations naming another tenant, with nothing written there', async () => {
    const globexBefore = await f.w.directory.listSubscribers('globex.com');
    expect((await f.acmeAdmin('GET', '/subscribers?domain=globex.com')).status).toBe(403);
    expect((await f.acmeAdmin('GET', '/credentials/ims?domain=globex.com')).status).toBe(403);
    const create = await f.acmeAdmin('POST', '/subscribers', { username: 'mole', domain: 'globex.com' });
    expect(create.status).toBe(403);
    expect(create.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    const pool = await f.acmeAdmin('POST', '/credentials/ims', {
      domain: 'globex.com',
      impu: 'sip:spy@ims.globex.com',
      impi: 'spy@ims.globex.com',
      secret: { kind: 'digest', password: 'x' },
    });
    expect(pool.status).toBe(403);
    // Binding one's own credential to another tenant's subscriber is refused too.
    const bind = await f.acmeAdmin('POST', '/credentials/ims', {
      domain: 'acme.com',
      subscriberId: f.ids.carol,
      impu: 'sip:spy@ims.acme.com',
      impi: 'spy@ims.acme.com',
      secret: { kind: 'digest', password: 'x' },
    });
    expect(bind.status).toBe(422);
    expect(await f.w.directory.listSubscribers('globex.com')).toEqual(globexBefore);
    expect(await f.w.directory.poolOf('globex.com')).toEqual([]);
    expect(await f.w.directory.imsCredentialsOf(f.ids.carol)).toHaveLength(1);
  });

  it('[WWSF-sapi-tenant-user] a user MUST NOT see another user, even of its own domain, nor any credential but its own', async () => {
    const bob = await f.acmeAdmin('POST', '/subscribers', { username: 'bob', domain: 'acme.com' });
    const bobId = (bob.body as { id: string }).id;
    expect((await f.alice('GET', `/subscribers/${bobId}`)).status).toBe(404);
    expect((await f.alice('GET', `/credentials/ims?subscriberId=${bobId}`)).status).toBe(404);
    expect((await f.alice('GET', `/credentials/ims/${globexCredential}`)).status).toBe(404);
    expect((await f.alice('GET', `/subscribers/${f.ids.carol}`)).status).toBe(404);
  });

  it('[WWSF-sapi-operator] an admin of the operator domain MUST manage every tenant', async () => {
    expect((await f.operator('GET', `/subscribers/${f.ids.carol}`)).status).toBe(200);
    expect((await f.operator('GET', '/subscribers?domain=globex.com')).status).toBe(200);
    expect((await f.operator('GET', `/credentials/ims/${globexCredential}`)).status).toBe(200);
  });

  it('[WWSF-sapi-directory-role] MUST apply the directory current role and disabled flag of a known subscriber over its token claims', async () => {
    await f.w.directory.putSubscriber({
      id: 'id-ops',
      username: 'ops',
      domain: 'acme.com',
      role: 'admin',
      capabilities: [],
      passwordHash: undefined,
      disabled: false,
    });
    const ops = sapiClient(f.w, await f.w.token({ sub: 'id-ops', domain: 'acme.com', role: 'admin' }));
    expect((await ops('GET', '/subscribers')).status).toBe(200);
    expect((await f.operator('PATCH', '/subscribers/id-ops', { role: 'user' })).status).toBe(200);
    // Same token, still valid: the demotion counts at once.
    expect((await ops('GET', '/subscribers')).status).toBe(403);
    expect((await ops('GET', '/capabilities')).body).toMatchObject({ role: 'user' });
    expect((await f.operator('PATCH', '/subscribers/id-ops', { disabled: true })).status).toBe(200);
    const disabled = await ops('GET', '/capabilities');
    expect(disabled.status).toBe(403);
    expect(disabled.body).toMatchObject({ detail: 'this subscriber is disabled' });
  });
});
