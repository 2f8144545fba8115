import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../store/password.ts';
import { type SapiFixture, sapiBackends, startSapiFixture } from './fixture.ts';

interface SubscriberBody {
  id: string;
  credentials: { basic: boolean; ims: number; sipMappings: number };
  effectiveCapabilities: string[];
}

describe.each(sapiBackends())('SAPI subscribers ($name)', ({ open }) => {
  let f: SapiFixture;
  beforeAll(async () => {
    f = await startSapiFixture(open);
  });
  afterAll(async () => {
    await f?.w.stop();
  });

  it('[WWSF-sapi-subscriber-create] MUST create a subscriber with its role and capability rules and answer its effective capabilities', async () => {
    const created = await f.acmeAdmin('POST', '/subscribers', {
      username: 'bob',
      domain: 'acme.com',
      role: 'admin',
      capabilities: ['+whiteboard', '-message'],
    });
    expect(created.status).toBe(201);
    const body = created.body as SubscriberBody;
    expect(created.headers.get('location')).toBe(`/sapi/subscribers/${body.id}`);
    expect(created.body).toEqual({
      id: body.id,
      username: 'bob',
      domain: 'acme.com',
      role: 'admin',
      capabilities: ['+whiteboard', '-message'],
      effectiveCapabilities: ['call', 'video', 'whiteboard'],
      disabled: false,
      credentials: { basic: false, ims: 0, sipMappings: 0 },
    });
    expect(await f.w.directory.findSubscriber('bob', 'acme.com')).toMatchObject({
      id: body.id,
      role: 'admin',
    });
  });

  it('[WWSF-sapi-subscriber-conflict] MUST refuse a username already used in the domain with 409 naming /username, keeping the first', async () => {
    const first = await f.w.directory.findSubscriber('alice', 'acme.com');
    const again = await f.acmeAdmin('POST', '/subscribers', {
      username: 'alice',
      domain: 'acme.com',
      role: 'admin',
    });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toBe('application/problem+json');
    expect(again.body).toMatchObject({ status: 409, errors: [{ pointer: '/username' }] });
    expect(await f.w.directory.findSubscriber('alice', 'acme.com')).toEqual(first);
    // The same username in another domain is another subscriber.
    const elsewhere = await f.acmeAdmin('POST', '/subscribers', {
      username: 'alice',
      domain: 'sales.acme.com',
    });
    expect(elsewhere.status).toBe(201);
  });

  it('[WWSF-sapi-subscriber-invalid] MUST refuse bad subscriber input with 422 naming each field, storing nothing', async () => {
    const before = (await f.w.directory.listSubscribers('acme.com')).length;
    const bad = await f.acmeAdmin('POST', '/subscribers', {
      username: 'eve',
      domain: 'acme.com',
      role: 'root',
      capabilities: ['+ok', '*bad'],
      password: 'not-here',
    });
    expect(bad.status).toBe(422);
    const pointers = (bad.body as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/capabilities/1', '/password', '/role']);
    const unknownDomain = await f.operator('POST', '/subscribers', {
      username: 'eve',
      domain: 'nowhere.net',
    });
    expect(unknownDomain.status).toBe(422);
    expect(unknownDomain.body).toMatchObject({ errors: [{ pointer: '/domain' }] });
    expect((await f.w.directory.listSubscribers('acme.com')).length).toBe(before);
  });

  it('[WWSF-sapi-basic-credential] MUST store a basic credential only as a password hash that verifies, and never return it', async () => {
    const password = 'correct horse battery staple';
    const set = await f.acmeAdmin('PUT', `/subscribers/${f.ids.alice}/credentials/basic`, { password });
    expect(set.status).toBe(204);
    const stored = await f.w.directory.getSubscriber(f.ids.alice);
    expect(stored?.passwordHash).toMatch(/^\$scrypt\$/);
    expect(stored?.passwordHash).not.toContain(password);
    expect(await verifyPassword(password, stored?.passwordHash ?? '')).toBe(true);
    const read = await f.acmeAdmin('GET', `/subscribers/${f.ids.alice}`);
    expect((read.body as SubscriberBody).credentials.basic).toBe(true);
    const text = JSON.stringify(read.body);
    expect(text).not.toContain('scrypt');
    expect(text).not.toContain(password);
    const short = await f.acmeAdmin('PUT', `/subscribers/${f.ids.alice}/credentials/basic`, {
      password: 'short',
    });
    expect(short.status).toBe(422);
    expect(short.body).toMatchObject({ errors: [{ pointer: '/password' }] });
    expect((await f.w.directory.getSubscriber(f.ids.alice))?.passwordHash).toBe(stored?.passwordHash);
    const removed = await f.acmeAdmin('DELETE', `/subscribers/${f.ids.alice}/credentials/basic`);
    expect(removed.status).toBe(204);
    expect((await f.w.directory.getSubscriber(f.ids.alice))?.passwordHash).toBeUndefined();
  });

  it('[WWSF-sapi-user-self] MUST let a user read itself, set its own password and read its capabilities, and nothing more', async () => {
    const self = await f.alice('GET', `/subscribers/${f.ids.alice}`);
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ username: 'alice', effectiveCapabilities: ['call', 'message'] });
    expect(
      (await f.alice('PUT', `/subscribers/${f.ids.alice}/credentials/basic`, { password: 'alice-new-pw' }))
        .status,
    ).toBe(204);
    const promote = await f.alice('PATCH', `/subscribers/${f.ids.alice}`, { role: 'admin' });
    expect(promote.status).toBe(403);
    expect((await f.w.directory.getSubscriber(f.ids.alice))?.role).toBe('user');
    expect((await f.alice('GET', '/subscribers')).status).toBe(403);
    expect((await f.alice('POST', '/subscribers', { username: 'mallory', domain: 'acme.com' })).status).toBe(
      403,
    );
    const bob = await f.w.directory.findSubscriber('bob', 'acme.com');
    expect((await f.alice('GET', `/subscribers/${bob?.id}`)).status).toBe(404);
    expect((await f.alice('DELETE', `/subscribers/${bob?.id}`)).status).toBe(404);
    expect(await f.w.directory.findSubscriber('bob', 'acme.com')).toBeDefined();
  });

  it('[WWSF-sapi-capabilities] GET /sapi/capabilities MUST answer the caller effective capabilities (domain services within the stack, forced added, pruned removed)', async () => {
    const mine = await f.alice('GET', '/capabilities');
    expect(mine.status).toBe(200);
    // acme.com enables call, message, video; alice prunes video.
    expect(mine.body).toEqual({
      subject: f.ids.alice,
      domain: 'acme.com',
      role: 'user',
      capabilities: ['call', 'message'],
    });
    await f.acmeAdmin('PATCH', `/subscribers/${f.ids.alice}`, { capabilities: ['+screen-share'] });
    const after = await f.alice('GET', '/capabilities');
    expect((after.body as { capabilities: string[] }).capabilities).toEqual([
      'call',
      'message',
      'screen-share',
      'video',
    ]);
  });

  it('[WWSF-sapi-subscriber-manage] MUST let an admin change role, rules and disabled flag, and delete a subscriber with its IMS credentials', async () => {
    const created = await f.acmeAdmin('POST', '/subscribers', { username: 'temp', domain: 'acme.com' });
    const id = (created.body as SubscriberBody).id;
    const patched = await f.acmeAdmin('PATCH', `/subscribers/${id}`, { disabled: true, role: 'anonymous' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ disabled: true, role: 'anonymous', username: 'temp' });
    const cred = await f.acmeAdmin('POST', '/credentials/ims', {
      domain: 'acme.com',
      subscriberId: id,
      impu: 'sip:temp@ims.acme.com',
      impi: 'temp@ims.acme.com',
      secret: { kind: 'digest', password: 'pw' },
    });
    expect(cred.status).toBe(201);
    expect((await f.acmeAdmin('DELETE', `/subscribers/${id}`)).status).toBe(204);
    expect((await f.acmeAdmin('GET', `/subscribers/${id}`)).status).toBe(404);
    expect(await f.w.directory.getImsCredential((cred.body as { id: string }).id)).toBeUndefined();
    expect((await f.acmeAdmin('DELETE', `/subscribers/${id}`)).status).toBe(404);
  });
});
