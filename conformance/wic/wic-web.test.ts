/**
 * The web client with web credentials (TS 33.203 Annex X.3/X.4 through the WAF): the WAF's
 * login page reached by the authorization code flow with PKCE, the token carried to the
 * eP-CSCF by JsSIP (`Authorization: Bearer`, RFC 8898) and refreshed before it expires, and
 * guest access for click-to-call from the domain's identity pool. Access tokens live 30 s here
 * (WAF_ACCESS_TOKEN_TTL) in the first describe so a refresh happens within a test.
 */
import { describe, expect, it } from 'vitest';
import { BOB } from './wic-bed.ts';
import { until, type WicPage } from './wic-page.ts';
import { useWicSuite } from './wic-suite.ts';

describe('web client with web credentials', () => {
  const suite = useWicSuite({ waf: true, env: { WAF_ACCESS_TOKEN_TTL: '30' } });

  /** Signs in through the WAF's own pages, as a person would. */
  async function webSignIn(page: WicPage, user: string, password: string, shots = false): Promise<void> {
    await page.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.page.waitForURL(/\/oauth\//);
    await page.page.getByLabel(/user ?name/i).fill(user);
    await page.page.getByLabel(/password/i).fill(password);
    if (shots) await page.screenshot('20-waf-login');
    await page.page.getByRole('button', { name: 'Sign in' }).click();
    // The refresh token (offline_access) is granted with prompt=consent: the WAF may ask.
    const allow = page.page.getByRole('button', { name: 'Allow' });
    await Promise.race([
      allow.waitFor({ timeout: 10_000 }).then(() => allow.click()),
      page.phone.waitFor({ timeout: 10_000 }),
    ]).catch(() => undefined);
  }

  it('[WIC-signin-web] [WIC-token-refresh] MUST sign in through the WAF with authorization code + PKCE, register with the bearer token and keep it fresh', async () => {
    const alice = await suite.open('alice (web)');
    const tokenForms: URLSearchParams[] = [];
    alice.page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/oauth/token'))
        tokenForms.push(new URLSearchParams(r.postData() ?? ''));
    });
    const authorize: URL[] = [];
    alice.page.on('request', (r) => {
      if (r.isNavigationRequest() && /\/oauth\/auth\b/.test(r.url())) authorize.push(new URL(r.url()));
    });
    await webSignIn(alice, 'alice@ims.lab', 'alice-web-password', true);
    await alice.waitRegistered();
    await expect.poll(() => alice.page.locator('.identity').textContent()).toBe('alice');
    // The authorization request carried an S256 challenge; the code was redeemed with its verifier.
    expect(authorize[0]?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize[0]?.searchParams.get('client_id')).toBe('wic');
    const exchange = tokenForms.find((f) => f.get('grant_type') === 'authorization_code');
    expect(exchange?.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    // The page's address is clean again (no code in the history).
    expect(new URL(alice.page.url()).search).toBe('');
    await alice.screenshot('21-web-signed-in');

    // [WIC-token-refresh] the 30 s token is refreshed before it expires and bound by a REGISTER:
    // past its expiry the phone is still registered and still reaches bob.
    const bob = await suite.open('bob (ims)');
    await bob.signInIms(BOB);
    await bob.waitRegistered();
    await until(
      'the token is refreshed',
      async () => tokenForms.some((f) => f.get('grant_type') === 'refresh_token'),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 12_000));
    expect(await alice.registration.textContent()).toBe('Registered');
    expect(await alice.notice.count()).toBe(0);
    await alice.tab('Messages');
    await alice.page.getByLabel('To', { exact: true }).fill('bob');
    await alice.page.getByLabel('Message', { exact: true }).fill('sent with a refreshed token');
    await alice.button('Send').click();
    await until(
      'bob gets it',
      async () =>
        (await bob.page.locator('.message.in .body').first().textContent()) === 'sent with a refreshed token',
    );
  }, 90_000);

  it('[WIC-errors-signin] MUST explain a sign-in the user cancelled on the WAF page', async () => {
    const page = await suite.open('cancel');
    await page.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.page.waitForURL(/\/oauth\//);
    await page.page.getByRole('button', { name: 'Cancel' }).click();
    await page.page.locator('[data-screen="sign-in"]').waitFor({ timeout: 10_000 });
    await page.notice.waitFor();
    expect(await page.notice.locator('.notice-title').textContent()).toBe('Sign-in cancelled');
    await page.screenshot('23-sign-in-cancelled');
  });
});

// Guest tokens live as long as the domain's anonymous policy says, capped by the WAF's access
// token lifetime: this describe keeps the default lifetime (the pool registration toward the
// core lasts as long as the token, and the core's Min-Expires is longer than 30 s).
describe('web client as a guest (click-to-call)', () => {
  const suite = useWicSuite({ waf: true });

  it('[WIC-signin-guest] MUST give a guest an identity from the domain pool and prefill a click-to-call target', async () => {
    const guest = await suite.open('guest', { path: '/?call=bob' });
    await guest.page.getByRole('button', { name: 'Continue as guest' }).click();
    await guest.waitRegistered();
    // The identity the network registered (P-Associated-URI): one of the pool's.
    await expect.poll(() => guest.page.locator('.identity').textContent()).toMatch(/^guest[1-3]$/);
    expect(await guest.page.getByLabel('Number or address').inputValue()).toBe('bob');
    await guest.screenshot('22-guest');
  });
});
