import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../store/password.ts';
import { domain, startWwsf, type WwsfUnderTest } from './test-support.ts';

/** The provisioning links as the WWSF role serves them (wwsf/provisioning/, mounted in app.ts). */
describe('provisioning links through the WWSF role', () => {
  let w: WwsfUnderTest | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  async function seeded(): Promise<WwsfUnderTest> {
    w = await startWwsf({
      PROVISIONING_LINK_SECRET: 'a-provisioning-secret-of-enough-length-0123456789',
      PROVISIONING_KEY: '00112233445566778899aabbccddeeff',
      PROVISIONING_IV: 'ffeeddccbbaa99887766554433221100',
    });
    await w.directory.putDomain(domain('shop.example'));
    await w.directory.putDomain(domain('other.example'));
    await w.directory.putSubscriber({
      id: 'sub-1',
      username: 'dana',
      domain: 'shop.example',
      role: 'user',
      capabilities: [],
      passwordHash: await hashPassword('dana-password'),
      disabled: false,
    });
    return w;
  }

  it('[WWSF-provisioning-mounted] MUST hand a domain admin a single-use link for its subscriber, launched as a 302, and refuse it to another tenant', async () => {
    const u = await seeded();
    const admin = await u.token({ sub: 'adm', domain: 'shop.example', role: 'admin' });
    const ask = (token: string) =>
      fetch(`${u.url}/sapi/provisioning-links`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ subscriberId: 'sub-1', format: 'web' }),
      });
    const made = await ask(admin);
    expect(made.status).toBe(200);
    const { url } = (await made.json()) as { url: string };
    expect(url.startsWith(`${u.url}/p?c=`)).toBe(true);
    const first = await fetch(url, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toMatch(/#provisioning=/);
    const again = await fetch(url, { redirect: 'manual' });
    expect(again.status).toBe(410);

    const stranger = await u.token({ sub: 'adm2', domain: 'other.example', role: 'admin' });
    expect((await ask(stranger)).status).toBe(404);
    const anonymous = await fetch(`${u.url}/sapi/provisioning-links`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
  });
});
