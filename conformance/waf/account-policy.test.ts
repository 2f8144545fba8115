/**
 * What a new login does to the user's other logins: exclusive login (WAF_EXCLUSIVE_LOGIN) and
 * the per-user cap (WAF_MAX_TOKENS_PER_USER), over HTTP with separate browsers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SubscriberDirectory } from '../../store/directory.ts';
import { type RunningWaf, startWaf } from '../../waf/index.ts';
import { type Browser, pkcePair } from './browser.ts';
import { seededDirectory } from './fixtures.ts';
import { introspect, tokenRequest, wicLogin } from './helpers.ts';

let directory: SubscriberDirectory | undefined;
let waf: RunningWaf | undefined;

async function start(env: Record<string, string>): Promise<RunningWaf> {
  directory = await seededDirectory();
  waf = await startWaf({ directory, env });
  return waf;
}
afterEach(async () => {
  await waf?.stop();
  await directory?.close();
  waf = undefined;
  directory = undefined;
});

const active = async (w: RunningWaf, token: unknown) => (await introspect(w, String(token))).active;

/** Whether the browser still has a login session: /auth answers straight with a code. */
async function stillSignedIn(w: RunningWaf, browser: Browser): Promise<boolean> {
  const query = new URLSearchParams({
    client_id: 'wic',
    response_type: 'code',
    redirect_uri: `${w.origin}/callback`,
    scope: 'openid ims',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
  });
  const { left } = await browser.follow(`${w.issuer()}/auth?${query}`, w.issuer());
  return left?.searchParams.get('code') !== null && left !== undefined;
}

describe('WAF account policy', () => {
  it('[WAF-exclusive-login] MUST revoke the other grants and end the other sessions of a user who logs in again when exclusive login is on', async () => {
    const w = await start({ WAF_EXCLUSIVE_LOGIN: 'true' });
    const first = await wicLogin(w, 'alice@example.com');
    const other = await wicLogin(w, 'bob@example.com');
    expect(await stillSignedIn(w, first.browser)).toBe(true);
    const second = await wicLogin(w, 'alice@example.com');
    expect(await active(w, first.body.access_token)).toBe(false);
    const refresh = await tokenRequest(w.issuer(), {
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
      client_id: 'wic',
    });
    expect(refresh.body.error).toBe('invalid_grant');
    expect(await stillSignedIn(w, first.browser)).toBe(false);
    expect(await active(w, second.body.access_token)).toBe(true);
    expect(await active(w, other.body.access_token)).toBe(true);
  });

  it('[WAF-exclusive-login-off] MUST keep earlier logins of the same user when exclusive login is off', async () => {
    const w = await start({});
    const first = await wicLogin(w, 'alice@example.com');
    await wicLogin(w, 'alice@example.com');
    expect(await active(w, first.body.access_token)).toBe(true);
  });

  it('[WAF-token-cap] MUST revoke the oldest grants of a user beyond WAF_MAX_TOKENS_PER_USER', async () => {
    const w = await start({ WAF_MAX_TOKENS_PER_USER: '2' });
    const logins = [];
    for (let i = 0; i < 3; i++) logins.push(await wicLogin(w, 'alice@example.com'));
    expect(await active(w, logins[0]?.body.access_token)).toBe(false);
    expect(await active(w, logins[1]?.body.access_token)).toBe(true);
    expect(await active(w, logins[2]?.body.access_token)).toBe(true);
    const bob = await wicLogin(w, 'bob@example.com');
    expect(await active(w, bob.body.access_token)).toBe(true);
    expect(await active(w, logins[1]?.body.access_token)).toBe(true);
  });
});
