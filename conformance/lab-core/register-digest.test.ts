import { afterEach, describe, expect, it } from 'vitest';
import { parseDigestChallenge } from '../../sip/auth/index.ts';
import { DOMAIN, startTestCore } from './fixture.ts';
import { TestUa } from './test-ua.ts';

const running: Array<{ stop(): Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function setup(protocol: 'udp' | 'tcp', user: string, password: string, coreOpts = {}) {
  const core = await startTestCore(coreOpts);
  running.push(core);
  const ua = await TestUa.start({
    protocol,
    core,
    domain: DOMAIN,
    impu: `sip:${user}@${DOMAIN}`,
    impi: `${user}@${DOMAIN}`,
    secret: { password },
  });
  running.push(ua);
  return { core, ua };
}

function algorithmsOf(values: string[]): string[] {
  return values.map((v) => {
    const c = parseDigestChallenge(v);
    return c.ok ? (c.value.algorithm ?? 'MD5') : 'unparseable';
  });
}

describe('lab core registrar with SIP digest (RFC 3261 §10.3, TS 24.229 §5.4.1.2)', () => {
  it.each([
    ['udp', 'alice', 'alice-pw', ['MD5']],
    ['tcp', 'alice', 'alice-pw', ['MD5']],
    ['udp', 'sam', 'sam-pw', ['SHA-256']],
    ['tcp', 'bob', 'bob-pw', ['SHA-256', 'MD5']],
  ] as const)(
    '[TS24229-5.4.1.2.1-digest-challenge] [TS24229-5.4.1.2.2-service-route] over %s, %s gets 401 with the digest algorithms %s then 200 with Service-Route and P-Associated-URI',
    async (protocol, user, password, algorithms) => {
      const { core, ua } = await setup(protocol, user, password);
      const finals = await ua.register({ expires: 600 });
      expect(finals.map((r) => r.status)).toEqual([401, 200]);
      expect(algorithmsOf(finals[0]!.headers.values('www-authenticate'))).toEqual([...algorithms]);
      const ok = finals[1]!;
      expect(ok.headers.get('service-route')).toBe(`<sip:orig@127.0.0.1:${core.port};lr>`);
      const associated = ok.headers.values('p-associated-uri');
      expect(associated[0]).toBe(`<sip:${user}@${DOMAIN}>`);
      if (user === 'alice') expect(associated).toEqual(['<sip:alice@ims.lab>', '<tel:+15550100>']);
      const contacts = ok.headers.values('contact');
      expect(contacts).toHaveLength(1);
      expect(contacts[0]).toMatch(
        new RegExp(`^<${ua.contactUri.replace(/[.+?]/g, '\\$&')}>;expires=(600|599)$`),
      );
      expect(core.registrations.get(`sip:${user}@${DOMAIN}`)?.contacts.map((c) => c.uri)).toEqual([
        ua.contactUri,
      ]);
      if (user === 'alice') expect(core.registrations.get('tel:+15550100')?.impi).toBe('alice@ims.lab');
    },
  );

  it('[TS24229-5.4.1.2.3-digest-failure] MUST refuse a wrong password with 403 and store no binding', async () => {
    const { core, ua } = await setup('udp', 'alice', 'not-the-password');
    const finals = await ua.register();
    expect(finals.map((r) => r.status)).toEqual([401, 403]);
    expect(core.registrations.all()).toEqual([]);
  });

  it('[RFC3261-10.3-unknown-aor] answers 404 for an IMPU that is not provisioned and 403 when the IMPI does not own the IMPU', async () => {
    const core = await startTestCore();
    running.push(core);
    const stranger = await TestUa.start({
      protocol: 'udp',
      core,
      domain: DOMAIN,
      impu: 'sip:eve@ims.lab',
      impi: 'eve@ims.lab',
      secret: { password: 'x' },
    });
    running.push(stranger);
    expect((await stranger.register()).map((r) => r.status)).toEqual([404]);
    const thief = await TestUa.start({
      protocol: 'udp',
      core,
      domain: DOMAIN,
      impu: 'sip:alice@ims.lab',
      impi: 'bob@ims.lab',
      secret: { password: 'bob-pw' },
    });
    running.push(thief);
    expect((await thief.register()).map((r) => r.status)).toEqual([403]);
  });

  it('[RFC3261-10.3-unregister] MUST remove a binding registered with Expires 0, and every binding with Contact *', async () => {
    const { core, ua } = await setup('udp', 'alice', 'alice-pw');
    expect((await ua.register({ expires: 600 })).at(-1)?.status).toBe(200);
    expect(core.registrations.get('sip:alice@ims.lab')?.contacts).toHaveLength(1);
    const bye = (await ua.register({ expires: 0 })).at(-1)!;
    expect(bye.status).toBe(200);
    expect(bye.headers.values('contact')).toEqual([]);
    expect(core.registrations.get('sip:alice@ims.lab')).toBeUndefined();

    await ua.register({ expires: 600 });
    await ua.register({ expires: 600, contactParams: '', contact: `<sip:alice@127.0.0.1:9;transport=udp>` });
    expect(core.registrations.get('sip:alice@ims.lab')?.contacts).toHaveLength(2);
    const star = (await ua.register({ expires: 0, contact: '*' })).at(-1)!;
    expect(star.status).toBe(200);
    expect(core.registrations.get('sip:alice@ims.lab')).toBeUndefined();
  });

  it('[RFC3261-10.3-min-expires] MUST answer 423 with Min-Expires to an expiration below the minimum', async () => {
    const { core, ua } = await setup('tcp', 'alice', 'alice-pw', { minExpires: 120 });
    const finals = await ua.register({ expires: 30 });
    const last = finals.at(-1)!;
    expect(last.status).toBe(423);
    expect(last.headers.get('min-expires')).toBe('120');
    expect(core.registrations.all()).toEqual([]);
    expect((await ua.register({ expires: 120 })).at(-1)?.status).toBe(200);
  });

  it('[RFC3327-5.3-path-echo] MUST store the Path and return it in the 200 when the UA supports path', async () => {
    const { core, ua } = await setup('udp', 'alice', 'alice-pw');
    const path = '<sip:term@pcscf.ims.lab:5060;lr;ob>';
    const ok = (
      await ua.register({
        headers: [
          ['Path', path],
          ['Supported', 'path'],
          ['Require', 'path'],
        ],
      })
    ).at(-1)!;
    expect(ok.status).toBe(200);
    expect(ok.headers.values('path')).toEqual([path]);
    expect(core.registrations.get('sip:alice@ims.lab')?.contacts[0]?.path).toEqual([path]);
    // Without Supported: path the Path is stored but not returned.
    const quiet = (await ua.register({ headers: [['Path', path]] })).at(-1)!;
    expect(quiet.status).toBe(200);
    expect(quiet.headers.values('path')).toEqual([]);
  });

  it('[RFC5626-6-binding-key] keys a binding on +sip.instance and reg-id, and answers Require: outbound', async () => {
    const { core, ua } = await setup('udp', 'alice', 'alice-pw');
    const instance = ';+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";reg-id=1';
    const first = (await ua.register({ contactParams: instance })).at(-1)!;
    expect(first.headers.values('require')).toEqual(['outbound']);
    // The same instance and reg-id from another contact address replaces the binding.
    await ua.register({ contact: `<sip:alice@127.0.0.1:7;transport=udp>${instance}` });
    const view = core.registrations.get('sip:alice@ims.lab');
    expect(view?.contacts.map((c) => [c.uri, c.regId])).toEqual([['sip:alice@127.0.0.1:7;transport=udp', 1]]);
  });

  it('[RFC3261-10.3-cseq-order] MUST refuse with 500 a REGISTER for an existing binding whose Call-ID is the same and CSeq not higher', async () => {
    const { core, ua } = await setup('udp', 'alice', 'alice-pw');
    expect((await ua.register({ expires: 600 })).at(-1)?.status).toBe(200);
    const before = core.registrations.get('sip:alice@ims.lab')?.contacts[0]?.cseq;
    const auth = ua.client?.authorize(DOMAIN, { method: 'REGISTER', uri: `sip:${DOMAIN}` });
    const old = ua.request('REGISTER', `sip:${DOMAIN}`, '<sip:alice@ims.lab>', [
      ['Contact', `<${ua.contactUri}>`],
      ['Expires', '0'],
      ['Authorization', auth ?? ''],
    ]);
    old.headers.set('CSeq', `${before} REGISTER`);
    const res = await ua.send(old);
    expect(res.status).toBe(500);
    expect(core.registrations.get('sip:alice@ims.lab')?.contacts).toHaveLength(1);
  });
});
