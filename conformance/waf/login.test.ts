/**
 * The WAF's login page over HTTP: wrong passwords, disabled accounts, throttling with
 * Retry-After, the alarm metric and the login counters, and escaping of what users type.
 */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriberDirectory } from '../../store/directory.ts';
import { type RunningWaf, startWaf } from '../../waf/index.ts';
import { Browser, form, formAction, pkcePair } from './browser.ts';
import { PASSWORD, seededDirectory } from './fixtures.ts';

let directory: SubscriberDirectory;
let waf: RunningWaf;
let registry: Registry;
let now = 1_700_000_000_000;

beforeAll(async () => {
  directory = await seededDirectory();
  registry = new Registry();
  waf = await startWaf({
    directory,
    registry,
    now: () => now,
    env: { WAF_LOGIN_MAX_FAILURES: '3', WAF_LOGIN_WINDOW: '60', WAF_LOGIN_ALARM_FAILURES: '4' },
  });
});
afterAll(async () => {
  await waf?.stop();
  await directory?.close();
});

/** Opens a login page for the wic and returns the browser and the form's action. */
async function openLogin(): Promise<{ browser: Browser; action: string }> {
  const browser = new Browser();
  const issuer = waf.issuer();
  const query = new URLSearchParams({
    client_id: 'wic',
    response_type: 'code',
    redirect_uri: `${waf.origin}/callback`,
    scope: 'openid ims',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
  });
  const { response } = await browser.follow(`${issuer}/auth?${query}`, issuer);
  return { browser, action: new URL(formAction(await response.text(), '/login'), waf.origin).href };
}

async function attempt(username: string, password: string) {
  const { browser, action } = await openLogin();
  const response = await browser.request(action, form({ username, password }));
  return { response, html: response.status === 303 ? '' : await response.text() };
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = await registry.metrics();
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe('WAF login page', () => {
  it('[WAF-login-page-accessible] MUST serve a labelled login form that does not render typed text as markup', async () => {
    const { html, response } = await attempt('<script>alert(1)</script>@example.com', 'x');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('<label for="username">');
    expect(html).toContain('<label for="password">');
    expect(html).toContain('role="alert"');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;@example.com');
  });

  it('[WAF-login-password] MUST refuse a wrong password and an unknown user with the same answer, and accept the right password', async () => {
    const wrong = await attempt('bob@example.com', 'not his password');
    const unknown = await attempt('nobody@example.com', 'whatever');
    expect(wrong.response.status).toBe(401);
    expect(unknown.response.status).toBe(401);
    expect(wrong.html).toContain('Wrong user name or password.');
    expect(unknown.html).toContain('Wrong user name or password.');
    const right = await attempt('BOB@example.com', PASSWORD);
    expect(right.response.status).toBe(303);
    expect(right.response.headers.get('location')).toContain('/oauth/auth/');
    const disabled = await attempt('carol@example.com', PASSWORD);
    expect(disabled.response.status).toBe(403);
  });

  it('[WAF-login-throttle-http] MUST answer 429 with Retry-After once an account failed too often in the window, even with the right password, and count the outcomes', async () => {
    const failuresBefore = await metric('webrtc_ims_waf_logins_total', '{outcome="failure"}');
    for (let i = 0; i < 3; i++)
      expect((await attempt('alice@example.com', `guess-${i}`)).response.status).toBe(401);
    const blocked = await attempt('alice@example.com', PASSWORD);
    expect(blocked.response.status).toBe(429);
    expect(Number(blocked.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(blocked.html).toContain('Too many failed sign-ins');
    expect(await metric('webrtc_ims_waf_logins_total', '{outcome="failure"}')).toBe(failuresBefore + 3);
    expect(await metric('webrtc_ims_waf_logins_total', '{outcome="throttled"}')).toBeGreaterThanOrEqual(1);
    now += 61_000;
    expect((await attempt('alice@example.com', PASSWORD)).response.status).toBe(303);
  });

  it('[WAF-login-alarm-metric] MUST set webrtc_ims_waf_login_alarm to 1 while failures in the window exceed the alarm count, and back to 0 after', async () => {
    now += 120_000;
    expect(await metric('webrtc_ims_waf_login_alarm')).toBe(0);
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5']) await attempt(`${user}@example.com`, 'bad');
    expect(await metric('webrtc_ims_waf_login_alarm')).toBe(1);
    now += 61_000;
    expect(await metric('webrtc_ims_waf_login_alarm')).toBe(0);
  });
});
