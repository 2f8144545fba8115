import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domain, rawGet, startWwsf, type WwsfUnderTest } from './test-support.ts';

const TURN_SECRET = 'wwsf-test-turn-secret';

interface Doc {
  domain: string;
  webSocketUrls: string[];
  iceServers: { urls: string[]; username: string; credential: string }[];
  capabilities: string[];
  identity: unknown;
  turn?: unknown;
  username: string;
  credential: string;
  ttl: number;
  expiresAt: number;
  urls: string[];
}

describe('WWSF discovery document (GET /.well-known/webrtc-ims)', () => {
  let w: WwsfUnderTest;
  const discovery = (query = '', init: RequestInit = {}) =>
    fetch(`${w.url}/.well-known/webrtc-ims${query}`, init);

  beforeAll(async () => {
    w = await startWwsf({
      TURN_SECRET,
      TURN_URLS:
        'stun:stun.example.net:3478,turn:turn.example.net:3478?transport=udp,turns:turn.example.net:5349',
      TURN_TTL: '600',
      IMS_DOMAIN: 'ims.example.net',
    });
    await w.directory.putDomain(
      domain('example.com', {
        services: ['call', 'message', 'video', 'fax'],
        anonymous: { enabled: true, tokenTtl: 120, capabilities: ['-video'] },
      }),
    );
    await w.directory.putDomain(domain('other.org', { allowedOrigins: ['https://shop.other.org'] }));
    await w.directory.putSubscriber({
      id: 'sub-alice',
      username: 'alice',
      domain: 'example.com',
      role: 'user',
      capabilities: ['-message', '+whiteboard'],
      passwordHash: undefined,
      disabled: false,
    });
  });
  afterAll(async () => {
    await w?.stop();
  });

  it('[TS24371-5-discovery-document] MUST tell an anonymous WIC the eP-CSCF WebSocket URL, ICE servers, WAF issuer and client id, SIP domain and capabilities', async () => {
    const response = await discovery('?domain=example.com');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as Doc;
    expect(body).toEqual({
      domain: 'example.com',
      sipDomain: 'ims.example.net',
      webSocketUrls: [`ws://127.0.0.1:${w.app.port}/sip`],
      // No credential without a token: TURN servers are not listed, STUN ones are.
      iceServers: [{ urls: ['stun:stun.example.net:3478'] }],
      turn: { credentialsUrl: `${w.url}/turn-credentials`, ttl: 600 },
      authorization: {
        issuer: w.issuer.issuer,
        metadata: `${w.issuer.issuer}/.well-known/openid-configuration`,
        clientId: 'wic',
        resource: 'urn:webrtc-ims:ep-cscf',
        scope: 'openid ims',
      },
      capabilities: ['call', 'message', 'video'],
      anonymous: { enabled: true, capabilities: ['call', 'message'] },
      sapi: `${w.url}/sapi`,
    });
  });

  it('[WWSF-discovery-cors] MUST let a page served from a domain allowed origin read the document across origins (preflight with Authorization included), and give a foreign origin no CORS grant', async () => {
    const allowed = await discovery('?domain=other.org', { headers: { origin: 'https://shop.other.org' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.other.org');
    const preflight = await fetch(`${w.url}/.well-known/webrtc-ims`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.other.org',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.other.org');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const foreign = await discovery('?domain=other.org', { headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('[WWSF-discovery-cache] MUST let caches keep the anonymous document briefly and never keep one with a credential', async () => {
    const anonymous = await discovery('?domain=example.com');
    expect(anonymous.headers.get('cache-control')).toBe('public, max-age=60');
    expect(anonymous.headers.get('vary')).toMatch(/Authorization/);
    const token = await w.token({ sub: 'sub-alice', domain: 'example.com' });
    const personal = await discovery('', { headers: { authorization: `Bearer ${token}` } });
    expect(personal.headers.get('cache-control')).toBe('private, no-store');
  });

  it('[WWSF-discovery-domain] MUST pick the tenant from the Host name when no ?domain= is given', async () => {
    const byHost = await rawGet(`${w.url}/.well-known/webrtc-ims`, { host: `other.org:${w.app.port}` });
    expect(byHost.status).toBe(200);
    const body = JSON.parse(byHost.body);
    expect(body.domain).toBe('other.org');
    // The WebSocket URL follows the origin the client reached.
    expect(body.webSocketUrls).toEqual([`ws://other.org:${w.app.port}/sip`]);
  });

  it('[WWSF-discovery-unknown-domain] MUST answer 404 with a problem document naming the domain parameter for an unknown tenant, 400 for a malformed one', async () => {
    const unknown = await discovery('?domain=nowhere.example');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(await unknown.json()).toMatchObject({
      status: 404,
      title: 'Not Found',
      errors: [{ pointer: '/query/domain' }],
    });
    const noHost = await discovery();
    expect(noHost.status).toBe(404);
    const bad = await discovery('?domain=no%20spaces');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: [{ pointer: '/query/domain' }] });
  });

  it('[TURNREST-2.1-per-client] MUST add TURN servers with a credential of the caller own, expiring after TURN_TTL, when the request carries a valid access token', async () => {
    const token = await w.token({
      sub: 'sub-alice',
      domain: 'example.com',
      impu: 'sip:alice@x',
      impi: 'alice@x',
    });
    const before = Math.floor(Date.now() / 1000);
    const response = await discovery('', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Doc;
    expect(body.domain).toBe('example.com');
    expect(body.iceServers).toHaveLength(2);
    const turn = body.iceServers[1] ?? { urls: [], username: '', credential: '' };
    expect(turn.urls).toEqual(['turn:turn.example.net:3478?transport=udp', 'turns:turn.example.net:5349']);
    const [expiry, user] = turn.username.split(':');
    expect(user).toBe('sub-alice');
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
    expect(Number(expiry)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 600);
    expect(turn.credential).toBe(createHmac('sha1', TURN_SECRET).update(turn.username).digest('base64'));
    // The subscriber's rules apply: -message pruned, +whiteboard forced, fax not supported.
    expect(body.capabilities).toEqual(['call', 'video', 'whiteboard']);
    expect(body.identity).toEqual({ subject: 'sub-alice', impu: 'sip:alice@x', impi: 'alice@x' });
  });

  it('[RFC6750-3.1-invalid-token] MUST refuse a bad, expired or foreign-audience token with 401 and WWW-Authenticate error="invalid_token", a malformed Bearer credential with 400 invalid_request', async () => {
    const expired = await w.token({ sub: 'sub-alice', domain: 'example.com', expiresIn: -60 });
    const foreign = await w.token({ sub: 'sub-alice', domain: 'example.com', audience: 'urn:other' });
    for (const token of ['not.a.jwt', expired, foreign]) {
      const response = await discovery('', { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="webrtc-ims", error="invalid_token"/,
      );
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    const malformed = await discovery('', { headers: { authorization: 'Bearer two words' } });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
  });

  it('[WWSF-discovery-tenant] MUST refuse with 403 a caller asking for another domain than its token names', async () => {
    const token = await w.token({ sub: 'sub-alice', domain: 'example.com' });
    const response = await discovery('?domain=other.org', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
  });

  it('[TURNREST-2.1-authenticated] GET /turn-credentials MUST need an access token and then issue a credential for its subject', async () => {
    // No token, or another scheme (RFC 6750 §3.1): a challenge without an error code.
    for (const headers of [{}, { authorization: 'Basic YWxpY2U6cHc=' }] as Record<string, string>[]) {
      const none = await fetch(`${w.url}/turn-credentials`, { headers });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="webrtc-ims"');
    }
    const token = await w.token({ sub: 'guest-7', domain: 'example.com', role: 'anonymous' });
    const response = await fetch(`${w.url}/turn-credentials`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    const body = (await response.json()) as Doc;
    expect(body.username).toMatch(/^\d+:guest-7$/);
    expect(body.ttl).toBe(600);
    expect(body.expiresAt).toBe(Number(body.username.split(':')[0]));
    expect(body.credential).toBe(createHmac('sha1', TURN_SECRET).update(body.username).digest('base64'));
    expect(body.urls).toEqual(['turn:turn.example.net:3478?transport=udp', 'turns:turn.example.net:5349']);
  });
});

describe('WWSF discovery with other settings', () => {
  let w: WwsfUnderTest;
  beforeAll(async () => {
    w = await startWwsf({
      WWSF_WSS_URLS: 'wss://edge1.example.com/sip,wss://edge2.example.com/sip',
      WWSF_DEFAULT_DOMAIN: 'tenant.test',
    });
    await w.directory.putDomain(domain('tenant.test'));
  });
  afterAll(async () => {
    await w?.stop();
  });

  it('[WWSF-discovery-wss-urls] MUST announce WWSF_WSS_URLS instead of its own origin, and fall back to WWSF_DEFAULT_DOMAIN', async () => {
    const response = await fetch(`${w.url}/.well-known/webrtc-ims`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Doc;
    expect(body.domain).toBe('tenant.test');
    expect(body.webSocketUrls).toEqual(['wss://edge1.example.com/sip', 'wss://edge2.example.com/sip']);
    expect(body.iceServers).toEqual([]);
    expect(body.turn).toBeUndefined();
  });

  it('[WWSF-turn-not-configured] MUST answer 404 on /turn-credentials when no TURN server is configured', async () => {
    const token = await w.token({ sub: 'x', domain: 'tenant.test' });
    const response = await fetch(`${w.url}/turn-credentials`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      status: 404,
      detail: expect.stringMatching(/TURN_SECRET/),
    });
  });
});
