/**
 * The OAuth flows of the WAF over real HTTP (W5): authorization code with PKCE through the login
 * form, refresh, client_credentials, introspection, revocation, discovery and error answers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriberDirectory } from '../../store/directory.ts';
import { IMS_AUDIENCE, parseImsClaims } from '../../token/claims.ts';
import { type RunningWaf, startWaf } from '../../waf/index.ts';
import { authorizeWithPassword, Browser, form, formAction, pkcePair } from './browser.ts';
import { PASSWORD, seededDirectory } from './fixtures.ts';
import { basic, payloadOf, tokenRequest, wicLogin } from './helpers.ts';

const BACKOFFICE = { id: 'backoffice', secret: 'backoffice-secret-0123456789' };
const PORTAL = { id: 'portal', secret: 'portal-secret-0123456789abcdef' };

let scratch: string;
let directory: SubscriberDirectory;
let waf: RunningWaf;
let issuer: string;
let redirectUri: string;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'waf-flows-'));
  const clientsFile = path.join(scratch, 'clients.json');
  writeFileSync(
    clientsFile,
    JSON.stringify([
      {
        client_id: BACKOFFICE.id,
        client_secret: BACKOFFICE.secret,
        grant_types: ['client_credentials'],
        role: 'admin',
        domain: 'example.com',
      },
      {
        client_id: PORTAL.id,
        client_secret: PORTAL.secret,
        client_name: 'Partner <Portal>',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: ['https://portal.example.net/cb'],
      },
    ]),
  );
  directory = await seededDirectory();
  waf = await startWaf({ directory, env: { WAF_CLIENTS_FILE: clientsFile } });
  issuer = waf.issuer();
  redirectUri = `${waf.origin}/callback`;
});
afterAll(async () => {
  await waf?.stop();
  await directory?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const tokenAt = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  tokenRequest(issuer, fields, headers);

async function loginAndExchange(username = 'alice@example.com') {
  const { browser, body } = await wicLogin(waf, username);
  return { browser, token: { status: 200, body } };
}

async function introspect(
  token: string,
  auth = basic(waf.authority.resourceClient.id, waf.authority.resourceClient.secret),
) {
  const response = await fetch(`${issuer}/token/introspection`, {
    ...form({ token }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('WAF OAuth flows over HTTP', () => {
  it('[RFC8414-3-discovery] MUST publish its metadata under the issuer with every endpoint under /oauth and PKCE S256', async () => {
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const meta = (await response.json()) as Record<string, unknown>;
    expect(issuer).toBe(`${waf.origin}/oauth`);
    expect(meta.issuer).toBe(issuer);
    for (const key of [
      'authorization_endpoint',
      'token_endpoint',
      'jwks_uri',
      'introspection_endpoint',
      'revocation_endpoint',
    ])
      expect(String(meta[key])).toMatch(new RegExp(`^${issuer}/`));
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.grant_types_supported).toEqual(
      expect.arrayContaining([
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:webrtc-ims:grant-type:guest',
      ]),
    );
  });

  it('[RFC7636-4.6-pkce-s256] MUST issue tokens for a code whose S256 verifier matches, after the login form, without a consent page for the wic', async () => {
    const { token } = await loginAndExchange();
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'ims' });
    expect(token.body.refresh_token).toBeTypeOf('string');
    expect(token.body.id_token).toBeTypeOf('string');
  });

  it('[RFC9068-2.2-jwt-claims] MUST issue an at+jwt access token for the eP-CSCF audience with the IMS identity, capabilities and role, verifiable with the JWKS', async () => {
    const { token } = await loginAndExchange();
    const jwt = String(token.body.access_token);
    expect(decodeProtectedHeader(jwt)).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
    const { payload } = await jwtVerify(jwt, jwks, { issuer, audience: IMS_AUDIENCE, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: 'sub-alice', client_id: 'wic', scope: 'ims' });
    const parsed = parseImsClaims(payload);
    expect(parsed.ok && parsed.token.identity).toEqual({
      kind: 'subscriber',
      domain: 'example.com',
      impu: 'sip:alice@ims.example.com',
      impi: 'alice@ims.example.com',
    });
    expect(parsed.ok && parsed.token.capabilities).toEqual(['call', 'chat', 'message']);
    expect(parsed.ok && parsed.token.role).toBe('user');
  });

  it('[TS33203-X.4-pool-claim] MUST mark the token of a subscriber without an IMS identity for the domain pool', async () => {
    const { token } = await loginAndExchange('bob@example.com');
    const parsed = parseImsClaims(payloadOf(String(token.body.access_token)));
    expect(parsed.ok && parsed.token.identity).toEqual({ kind: 'pool', domain: 'example.com' });
  });

  it('[RFC7636-4.6-wrong-verifier] MUST refuse a code presented with a verifier that does not match its challenge', async () => {
    const browser = new Browser();
    const { challenge } = pkcePair();
    const { code } = await authorizeWithPassword(browser, {
      issuer,
      redirectUri,
      username: 'alice@example.com',
      password: PASSWORD,
      challenge,
    });
    const token = await tokenAt({
      grant_type: 'authorization_code',
      code: code ?? '',
      redirect_uri: redirectUri,
      client_id: 'wic',
      code_verifier: pkcePair().verifier,
    });
    expect(token.status).toBe(400);
    expect(token.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('[RFC7636-4.4.1-pkce-required] MUST refuse an authorization request of the public wic without a code challenge', async () => {
    const browser = new Browser();
    const { callback } = await authorizeWithPassword(browser, {
      issuer,
      redirectUri,
      username: 'alice@example.com',
      password: PASSWORD,
    });
    expect(callback?.searchParams.get('error')).toBe('invalid_request');
    expect(callback?.searchParams.get('code')).toBeNull();
  });

  it('[RFC6749-6-refresh-rotation] MUST issue a new access token for a refresh token, rotate it, and revoke the grant when a used one comes back', async () => {
    const { token } = await loginAndExchange();
    const first = String(token.body.refresh_token);
    const refreshed = await tokenAt({
      grant_type: 'refresh_token',
      refresh_token: first,
      client_id: 'wic',
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(token.body.access_token);
    expect(refreshed.body.refresh_token).not.toBe(first);
    expect((await introspect(String(refreshed.body.access_token))).body.active).toBe(true);
    const replay = await tokenAt({
      grant_type: 'refresh_token',
      refresh_token: first,
      client_id: 'wic',
    });
    expect(replay.body).toMatchObject({ error: 'invalid_grant' });
    expect((await introspect(String(refreshed.body.access_token))).body.active).toBe(false);
  });

  it('[RFC6749-4.4-client-credentials] MUST issue a JWT to a confidential client from the clients file, with the role and domain it is configured for', async () => {
    const token = await tokenAt(
      { grant_type: 'client_credentials' },
      { authorization: basic(BACKOFFICE.id, BACKOFFICE.secret) },
    );
    expect(token.status).toBe(200);
    const payload = payloadOf(String(token.body.access_token));
    expect(payload).toMatchObject({
      sub: BACKOFFICE.id,
      client_id: BACKOFFICE.id,
      aud: IMS_AUDIENCE,
      role: 'admin',
      ims: { domain: 'example.com', pool: true },
    });
    const wrong = await tokenAt(
      { grant_type: 'client_credentials' },
      { authorization: basic(BACKOFFICE.id, 'not-the-secret-at-all') },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'invalid_client' });
  });

  it('[RFC7662-2.2-jwt-active] MUST answer active with the token claims to the resource servers, inactive for a foreign token, and 401 to a bad client', async () => {
    const { token } = await loginAndExchange();
    const jwt = String(token.body.access_token);
    const active = await introspect(jwt);
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({
      active: true,
      sub: 'sub-alice',
      client_id: 'wic',
      iss: issuer,
      token_type: 'Bearer',
      ims: { impu: 'sip:alice@ims.example.com' },
    });
    expect(parseImsClaims(active.body).ok).toBe(true);
    const [h, p] = jwt.split('.');
    expect((await introspect(`${h}.${p}.${'A'.repeat(86)}`)).body).toEqual({ active: false });
    expect((await introspect('not-a-token')).body).toEqual({ active: false });
    const unauthorised = await introspect(jwt, basic(waf.authority.resourceClient.id, 'wrong'));
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.body).toMatchObject({ error: 'invalid_client' });
  });

  it('[RFC7009-2.1-revoke-jwt] MUST make a revoked access token introspect inactive, and revoking the refresh token MUST end its grant', async () => {
    const { token } = await loginAndExchange();
    const jwt = String(token.body.access_token);
    const revoke = await fetch(`${issuer}/token/revocation`, form({ token: jwt, client_id: 'wic' }));
    expect(revoke.status).toBe(200);
    expect((await introspect(jwt)).body.active).toBe(false);

    const second = await loginAndExchange();
    const refresh = String(second.token.body.refresh_token);
    expect((await introspect(String(second.token.body.access_token))).body.active).toBe(true);
    const revokeRefresh = await fetch(
      `${issuer}/token/revocation`,
      form({ token: refresh, client_id: 'wic', token_type_hint: 'refresh_token' }),
    );
    expect(revokeRefresh.status).toBe(200);
    expect((await introspect(String(second.token.body.access_token))).body.active).toBe(false);
    const reuse = await tokenAt({
      grant_type: 'refresh_token',
      refresh_token: refresh,
      client_id: 'wic',
    });
    expect(reuse.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('[RFC7009-2.1-revoke-policy] MUST refuse another confidential client revoking a token it was not issued, and let the resource servers revoke it', async () => {
    const { token } = await loginAndExchange();
    const jwt = String(token.body.access_token);
    const revokeAs = (id: string, secret: string) =>
      fetch(`${issuer}/token/revocation`, {
        ...form({ token: jwt }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, secret) },
      });
    const foreign = await revokeAs(BACKOFFICE.id, BACKOFFICE.secret);
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ error: 'invalid_request' });
    expect((await introspect(jwt)).body.active).toBe(true);
    const { id, secret } = waf.authority.resourceClient;
    expect((await revokeAs(id, secret)).status).toBe(200);
    expect((await introspect(jwt)).body.active).toBe(false);
  });

  it('[RFC6749-5.2-error-json] MUST answer bad token requests with the JSON error format', async () => {
    const unknown = await tokenAt({
      grant_type: 'password',
      username: 'a',
      password: 'b',
      client_id: 'wic',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: 'unsupported_grant_type' });
    const missing = await tokenAt({ grant_type: 'authorization_code', client_id: 'wic' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_request');
    expect(missing.body.error_description).toBeTypeOf('string');
  });

  it('[OIDCCORE-3.1.2.4-consent] MUST ask a third-party client user for consent and issue the code only once given', async () => {
    const browser = new Browser();
    const { verifier, challenge } = pkcePair();
    const start = await browser.follow(
      `${issuer}/auth?${new URLSearchParams({ client_id: PORTAL.id, response_type: 'code', redirect_uri: 'https://portal.example.net/cb', scope: 'openid ims', code_challenge: challenge, code_challenge_method: 'S256' })}`,
      issuer,
    );
    const login = new URL(formAction(await start.response.text(), '/login'), waf.origin).href;
    const consent = await browser.follow(
      login,
      issuer,
      form({ username: 'alice@example.com', password: PASSWORD }),
    );
    expect(consent.left).toBeUndefined();
    const page = await consent.response.text();
    expect(page).toContain('Partner &lt;Portal&gt;');
    expect(page).not.toContain('Partner <Portal>');
    const confirmed = await browser.follow(
      new URL(formAction(page, '/confirm'), waf.origin).href,
      issuer,
      form({}),
    );
    const code = confirmed.left?.searchParams.get('code');
    expect(confirmed.left?.origin).toBe('https://portal.example.net');
    const token = await tokenAt(
      {
        grant_type: 'authorization_code',
        code: code ?? '',
        redirect_uri: 'https://portal.example.net/cb',
        code_verifier: verifier,
      },
      { authorization: basic(PORTAL.id, PORTAL.secret) },
    );
    expect(token.status).toBe(200);
  });
});
