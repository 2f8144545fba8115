import { createDecipheriv } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IV_HEX, KEY_HEX, startProvisioningServer, type TestServer } from './test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startProvisioningServer();
});
afterAll(async () => {
  await server.close();
});

const ADMIN = 'Bearer admin:ims.lab';

async function createLink(body: unknown, authorization = ADMIN, srv = server) {
  const response = await fetch(`${srv.origin}/sapi/provisioning-links`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { url: string; expiresAt: string; errors?: { pointer: string }[] };
  return { status: response.status, type: response.headers.get('content-type'), body: json };
}

async function linkFor(subscriberId: string, format: 'sipphone' | 'web', ttl?: number): Promise<string> {
  const { status, body } = await createLink({ subscriberId, format, ...(ttl ? { ttl } : {}) });
  expect(status).toBe(200);
  return (body as { url: string }).url;
}

async function open(url: string) {
  const response = await fetch(url, { redirect: 'manual' });
  const text = await response.text();
  return {
    status: response.status,
    location: response.headers.get('location'),
    type: response.headers.get('content-type'),
    cache: response.headers.get('cache-control'),
    problem: text === '' ? undefined : (JSON.parse(text) as { status: number; reason?: string }),
  };
}

async function redeem(code: string) {
  const response = await fetch(`${server.origin}/p/redeem`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Decrypts a sipphone:// link with the configured key, independently of sipphone.ts. */
function sipPhoneText(location: string): string {
  const decipher = createDecipheriv('aes-128-cbc', Buffer.from(KEY_HEX, 'hex'), Buffer.from(IV_HEX, 'hex'));
  const sealed = Buffer.from(location.replace(/^sipphone:\/\//, ''), 'base64');
  return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
}

describe('provisioning links over HTTP', () => {
  it('[WWSF-provisioning-sipphone-launch] MUST answer the link of a sipphone request with 302 Location: sipphone://… holding the subscriber’s SIP account', async () => {
    const url = await linkFor('sub-alice', 'sipphone');
    expect(url.startsWith(`${server.origin}/p?c=`)).toBe(true);
    expect(url).not.toContain('alice-lab-password');
    const launched = await open(url);
    expect(launched.status).toBe(302);
    expect(launched.cache).toBe('no-store');
    expect(launched.location?.startsWith('sipphone://')).toBe(true);
    expect(sipPhoneText(launched.location ?? '')).toBe(
      'username=alice&server=ims.lab&password=alice-lab-password',
    );
  });

  it('[WWSF-provisioning-web-launch] MUST send a web link to the web client with a one-time code that yields the pre-configuration once', async () => {
    const url = await linkFor('sub-alice', 'web');
    const launched = await open(url);
    expect(launched.status).toBe(302);
    const location = new URL(launched.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${server.origin}/`);
    const code = new URLSearchParams(location.hash.slice(1)).get('provisioning') ?? '';
    expect(code).not.toBe('');
    expect(await redeem(code)).toEqual({
      status: 200,
      body: {
        subscriberId: 'sub-alice',
        domain: 'ims.lab',
        username: 'alice',
        discovery: `${server.origin}/.well-known/webrtc-ims?domain=ims.lab`,
      },
    });
    expect((await redeem(code)).body).toMatchObject({ status: 410, reason: 'used' });
    // The link itself is no code, and a code is no link.
    expect((await redeem(new URL(url).searchParams.get('c') ?? '')).body).toMatchObject({
      status: 400,
      reason: 'invalid',
    });
    expect((await open(`${server.origin}/p?c=${code}`)).problem).toMatchObject({ status: 400 });
  });

  it('[WWSF-provisioning-single-use] MUST refuse a link opened a second time with 410 (problem+json)', async () => {
    for (const format of ['sipphone', 'web'] as const) {
      const url = await linkFor('sub-alice', format);
      expect((await open(url)).status).toBe(302);
      const again = await open(url);
      expect(again.status).toBe(410);
      expect(again.type).toBe('application/problem+json');
      expect(again.problem).toMatchObject({ status: 410, title: 'Gone', reason: 'used' });
    }
  });

  it('[WWSF-provisioning-expiry] MUST refuse a link or code past its expiry with 410', async () => {
    const start = server.now;
    try {
      const url = await linkFor('sub-alice', 'web', 600);
      server.now = start + 600_000;
      expect((await open(url)).problem).toMatchObject({ status: 410, reason: 'expired' });
      server.now = start;
      const other = await linkFor('sub-alice', 'web', 600);
      const code = new URLSearchParams(new URL((await open(other)).location ?? '').hash.slice(1)).get(
        'provisioning',
      );
      server.now = start + 120_000;
      expect((await redeem(code ?? '')).body).toMatchObject({ status: 410, reason: 'expired' });
    } finally {
      server.now = start;
    }
  });

  it('[WWSF-provisioning-tamper] MUST refuse an altered, truncated or missing link code with 400', async () => {
    const url = await linkFor('sub-alice', 'sipphone');
    const c = new URL(url).searchParams.get('c') ?? '';
    const flipped = `${c.slice(0, 10)}${c[10] === 'A' ? 'B' : 'A'}${c.slice(11)}`;
    for (const bad of [flipped, c.slice(0, -2), 'garbage']) {
      const result = await open(`${server.origin}/p?c=${bad}`);
      expect(result.status).toBe(400);
      expect(result.problem).toMatchObject({ reason: 'invalid' });
    }
    expect((await open(`${server.origin}/p`)).status).toBe(400);
    // The genuine link still works: the failures did not spend it.
    expect((await open(url)).status).toBe(302);
  });

  it('[WWSF-provisioning-revoked] MUST answer 410 when the subscriber was deleted after the link was issued', async () => {
    await server.directory.putSubscriber({
      id: 'sub-gone',
      username: 'gone',
      domain: 'ims.lab',
      role: 'user',
      capabilities: [],
      passwordHash: undefined,
      disabled: false,
    });
    const url = await linkFor('sub-gone', 'web');
    await server.directory.deleteSubscriber('sub-gone');
    expect((await open(url)).problem).toMatchObject({ status: 410, reason: 'revoked' });
  });

  it('[WWSF-provisioning-authz] MUST let only callers the SAPI authorises ask for links, hiding other tenants’ subscribers', async () => {
    const anonymous = await createLink({ subscriberId: 'sub-alice', format: 'web' }, '');
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toBe('application/problem+json');
    const otherTenant = await createLink({ subscriberId: 'sub-eve', format: 'web' });
    expect(otherTenant).toMatchObject({ status: 404, body: { errors: [{ pointer: '/subscriberId' }] } });
    expect((await createLink({ subscriberId: 'nobody', format: 'web' })).status).toBe(404);
    const ownTenant = await createLink({ subscriberId: 'sub-eve', format: 'web' }, 'Bearer admin:other.lab');
    expect(ownTenant.status).toBe(200);
  });

  it('[WWSF-provisioning-input] MUST refuse bad requests with a problem document naming the field', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ subscriberId: 'sub-alice', format: 'fax' }, 422, '/format'],
      [{ subscriberId: 'sub-alice', format: 'web', ttl: 10 }, 422, '/ttl'],
      [{ subscriberId: 'sub-alice', format: 'web', extra: 1 }, 422, '/extra'],
      [{ format: 'web' }, 422, '/subscriberId'],
      [{ subscriberId: 'sub-carol', format: 'sipphone' }, 422, '/subscriberId'],
      [{ subscriberId: 'sub-dave', format: 'web' }, 422, '/subscriberId'],
    ];
    for (const [body, status, pointer] of cases) {
      const result = await createLink(body);
      expect(result.status, JSON.stringify(body)).toBe(status);
      expect(result.body.errors?.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    }
    const notJson = await fetch(`${server.origin}/sapi/provisioning-links`, {
      method: 'POST',
      headers: { authorization: ADMIN, 'content-type': 'application/json' },
      body: '{',
    });
    expect(notJson.status).toBe(400);
  });

  it('[WWSF-provisioning-link-create] MUST point links at PROVISIONING_BASE_URL and refuse sipphone links when no key is configured', async () => {
    const other = await startProvisioningServer({
      baseUrl: 'https://wrtc.example.com/edge',
      sipPhoneKey: undefined,
      sipPhoneIv: undefined,
    });
    try {
      const web = await createLink({ subscriberId: 'sub-alice', format: 'web', ttl: 3600 }, ADMIN, other);
      expect(web.status).toBe(200);
      expect(web.body.url).toMatch(/^https:\/\/wrtc\.example\.com\/edge\/p\?c=[A-Za-z0-9_-]+$/);
      expect(web.body.expiresAt).toBe(new Date(other.now + 3_600_000).toISOString());
      const sipphone = await createLink({ subscriberId: 'sub-alice', format: 'sipphone' }, ADMIN, other);
      expect(sipphone).toMatchObject({ status: 422, body: { errors: [{ pointer: '/format' }] } });
      const logged = JSON.stringify(other.logLines);
      expect(logged).toContain('provisioning link issued');
      expect(logged).not.toContain(new URL(web.body.url).searchParams.get('c'));
    } finally {
      await other.close();
    }
    expect(JSON.stringify(server.logLines)).not.toContain('alice-lab-password');
  });
});
