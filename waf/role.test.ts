import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../app/app.ts';
import { loadConfig } from '../app/config.ts';
import type { RoleDescriptor } from '../app/roles.ts';
import { memoryLogger } from '../app/test-log.ts';
import { authorizeWithPassword, Browser, form, pkcePair } from '../conformance/waf/browser.ts';
import type { TokenAuthority } from '../token/authority.ts';
import { wafRole } from './role.ts';

/** A role started after the WAF that keeps the TokenAuthority the app hands it. */
function probe(seen: { authority?: TokenAuthority }): RoleDescriptor {
  return {
    name: 'ep-cscf',
    title: 'probe',
    async start({ tokenAuthority }) {
      if (tokenAuthority !== undefined) seen.authority = tokenAuthority;
      return { state: 'up', stop: async () => {} };
    },
  };
}

describe('WAF role in the single process', () => {
  let app: RunningApp;
  const seen: { authority?: TokenAuthority } = {};

  beforeAll(async () => {
    const read = loadConfig({
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      DATABASE_FILE: ':memory:',
      ROLES: 'waf,ep-cscf',
    });
    if (!read.ok) throw new Error(JSON.stringify(read.issues));
    app = await startApp({
      config: read.config,
      logger: memoryLogger().logger,
      roles: [wafRole, probe(seen)],
      env: {},
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('[WAF-role-mount] MUST serve its issuer metadata at <origin>/oauth on the product HTTP server and hand its authority to the later roles', async () => {
    const response = await fetch(`${app.url}/oauth/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const meta = (await response.json()) as { issuer: string; token_endpoint: string };
    expect(meta.issuer).toBe(`${app.url}/oauth`);
    expect(meta.token_endpoint).toBe(`${app.url}/oauth/token`);
    expect(seen.authority?.issuer()).toBe(meta.issuer);
    expect(seen.authority?.resourceClient.id).toBe('ep-cscf');
    expect(app.health().roles.waf).toBe('up');
    expect(await (await fetch(`${app.url}/metrics`)).text()).toContain('webrtc_ims_waf_login_alarm 0');
  });

  it('[WAF-role-directory] MUST log in a subscriber of the app directory (the lab seed) and let the resource client introspect the token', async () => {
    const { verifier, challenge } = pkcePair();
    const issuer = `${app.url}/oauth`;
    const redirectUri = `${app.url}/callback`;
    const { code } = await authorizeWithPassword(new Browser(), {
      issuer,
      redirectUri,
      username: 'alice@ims.lab',
      password: 'alice-web-password',
      challenge,
    });
    const token = await fetch(
      `${issuer}/token`,
      form({
        grant_type: 'authorization_code',
        code: code ?? '',
        redirect_uri: redirectUri,
        client_id: 'wic',
        code_verifier: verifier,
      }),
    );
    const { access_token } = (await token.json()) as { access_token: string };
    const client = seen.authority?.resourceClient;
    const auth = `Basic ${Buffer.from(`${client?.id}:${client?.secret}`).toString('base64')}`;
    const answer = await fetch(`${issuer}/token/introspection`, {
      ...form({ token: access_token }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
    });
    expect(await answer.json()).toMatchObject({
      active: true,
      ims: { impu: 'sip:alice@ims.lab', impi: 'alice@ims.lab', domain: 'ims.lab' },
    });
  });
});
