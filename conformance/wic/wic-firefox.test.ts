/**
 * The web client (WIC) in Firefox — Debian's firefox-esr, headless, driven by puppeteer-core over
 * WebDriver BiDi — end to end against the product (WWSF + eP-CSCF with the built-in lab IMS core,
 * the WAF at /oauth), and across engines: Firefox calls and messages Chromium and back, so
 * Opus, DTLS roles and ICE are negotiated between the two WebRTC stacks. Each screen is saved as
 * artifacts/firefox-*.png. Requirement ids: specs/catalogue/wwsf-client.md.
 */
import { describe, expect, it } from 'vitest';
import type { FirefoxWicPage } from './firefox-page.ts';
import { chromiumSide, type WicSide } from './firefox-side.ts';
import { useFirefoxWicSuite } from './firefox-suite.ts';
import { ALICE, BOB } from './wic-bed.ts';
import { until } from './wic-page.ts';

describe('web client in Firefox, with Chromium on the other end', () => {
  const suite = useFirefoxWicSuite({ waf: true, chromium: true });

  async function firefoxSignedIn(name: string, who: typeof ALICE): Promise<FirefoxWicPage> {
    const page = await suite.firefox(name);
    await page.signInIms(who);
    await page.waitRegistered();
    return page;
  }

  /** alice in Firefox, bob in Chromium, both registered. */
  async function pair(): Promise<{ firefox: WicSide; chromium: WicSide }> {
    const [firefox, bob] = await Promise.all([
      firefoxSignedIn('alice', ALICE),
      suite.chromium('bob').then(async (bob) => {
        await bob.signInIms(BOB);
        await bob.waitRegistered();
        return bob;
      }),
    ]);
    return { firefox, chromium: chromiumSide(bob) };
  }

  async function packetsReceived(side: WicSide): Promise<number> {
    return Number(await side.stat('Packets received'));
  }

  /**
   * A whole call as people make it: alert, answer, timer, statistics with audio both ways, hold
   * and resume (media flowing again after), mute, DTMF from the caller, hang-up by the callee,
   * and both call logs.
   */
  async function call(caller: WicSide, callee: WicSide, to: string, from: string, shot: string) {
    await caller.dial(to);
    await callee.waitCallPhase('incoming');
    expect(await callee.peerText()).toBe(from);
    expect(await callee.callText()).toBe('Incoming call');
    await callee.screenshot(`${shot}-incoming`);
    await callee.click('Answer');
    await Promise.all([caller.waitCallPhase('active'), callee.waitCallPhase('active')]);
    expect(await caller.callText()).toBe('In call');
    await until('the call timer passes 0:01', async () => /^0:0[1-9]$/.test(await caller.timerText()));

    // In-call statistics from each engine's getStats: Opus audio both ways, an RTT from RTCP or ICE.
    await Promise.all([caller.openStats(), callee.openStats()]);
    for (const side of [caller, callee]) {
      await until(`${side.name} receives RTP`, async () => (await packetsReceived(side)) > 0);
      expect(Number(await side.stat('Packets sent'))).toBeGreaterThan(0);
      expect(await side.stat('Codec')).toMatch(/^opus 48 kHz$/i);
      await until(`${side.name} shows a round-trip time`, async () =>
        /^\d+(\.\d)? ms$/.test(await side.stat('Round trip')),
      );
    }
    await caller.screenshot(`${shot}-statistics-caller`);
    await callee.screenshot(`${shot}-statistics-callee`);

    // Hold and resume (re-INVITE each way of the engines' offers), then audio flows again.
    await caller.click('Hold');
    await until(`${caller.name} shows On hold`, async () => (await caller.callText()) === 'On hold');
    await until(
      `${callee.name} shows the remote hold`,
      async () => (await callee.callText()) === 'Held by the other side',
    );
    expect(await caller.pressed('Resume')).toBe('true');
    await caller.screenshot(`${shot}-on-hold`);
    await caller.click('Resume');
    await until(`${caller.name} back in call`, async () => (await caller.callText()) === 'In call');
    await until(`${callee.name} back in call`, async () => (await callee.callText()) === 'In call');
    for (const side of [caller, callee]) {
      const before = await packetsReceived(side);
      await until(
        `${side.name} receives RTP again after resume`,
        async () => (await packetsReceived(side)) > before,
      );
    }

    // Mute is local: the button reads Unmute and is pressed.
    await callee.click('Mute');
    await until(`${callee.name} muted`, async () => (await callee.pressed('Unmute')) === 'true');

    // DTMF: RFC 4733 telephone-events from the caller's engine into the negotiated stream.
    await caller.sendTones(['1', '2', '#']);
    await until('the three tones are sent', async () => (await caller.tonesSent()) === '12#');
    await caller.screenshot(`${shot}-dtmf`);

    await callee.click('Hang up');
    await Promise.all([caller.waitNoCall(), callee.waitNoCall()]);
    expect(await caller.lastCall()).toEqual({ outcome: 'answered', who: to });
    expect(await callee.lastCall()).toEqual({ outcome: 'answered', who: from });
    await caller.screenshot(`${shot}-call-log`);
  }

  it('[WIC-signin-ims] [WIC-browser-firefox] MUST register from Firefox with IMPU, IMPI and password through the eP-CSCF, and show who is registered', async () => {
    const alice = await suite.firefox('alice');
    await alice.page.waitForSelector('::-p-aria([name="With IMS credentials"][role="heading"])');
    await alice.screenshot('01-sign-in');
    await alice.signInIms(ALICE);
    await alice.waitRegistered();
    await until('the identity is shown', async () => (await alice.identity()) === 'alice');
    await alice.screenshot('02-phone-registered');
  });

  it('[WIC-errors-registration] [WIC-browser-firefox] MUST bring Firefox back to sign-in with a clear message when the core refuses the password', async () => {
    const page = await suite.firefox('wrong password');
    await page.signInIms({ ...ALICE, password: 'not-the-password' });
    expect(await page.noticeTitle()).toMatch(/^(Registration|Sign-in) refused$/);
    // IMS cores answer a wrong digest 403 (TS 24.229 §5.4.1.2.2) or challenge again (401).
    expect(await page.noticeDetail()).toMatch(/password.*\((401|403)\b/);
    expect(await page.count('[data-screen="sign-in"]')).toBe(1);
    await page.screenshot('03-registration-refused');
  });

  it('[WIC-call-basic] [RFC3264-8.4-hold] [RFC4733-2.5-dtmf] [WIC-browser-interop] MUST call from Firefox to Chromium with audio both ways, statistics, hold/resume, mute, DTMF, hang-up and call logs', async () => {
    const { firefox, chromium } = await pair();
    await call(firefox, chromium, 'bob', 'alice', '04-ff-to-chromium');
  }, 60_000);

  it('[WIC-call-basic] [RFC3264-8.4-hold] [RFC4733-2.5-dtmf] [WIC-browser-interop] MUST call from Chromium to Firefox with audio both ways, statistics, hold/resume, mute, DTMF, hang-up and call logs', async () => {
    const { firefox, chromium } = await pair();
    await call(chromium, firefox, 'alice', 'bob', '05-chromium-to-ff');
  }, 60_000);

  it('[RFC3428-4-message] [WIC-browser-interop] MUST carry SIP MESSAGE text from Firefox to Chromium and back, with its delivery state', async () => {
    const { firefox, chromium } = await pair();
    await firefox.sendMessage('bob', 'Hallo aus Firefox — ça va? 🦊');
    await until(
      'Firefox shows it delivered',
      async () => (await firefox.firstMessage('out'))?.status === 'sent',
    );
    await until(
      'Chromium receives it',
      async () => (await chromium.firstMessage('in'))?.body === 'Hallo aus Firefox — ça va? 🦊',
    );
    await chromium.sendMessage('alice', 'Fine, from Chromium');
    await until(
      'Chromium shows it delivered',
      async () => (await chromium.firstMessage('out'))?.status === 'sent',
    );
    await until(
      'Firefox receives the answer',
      async () => (await firefox.firstMessage('in'))?.body === 'Fine, from Chromium',
    );
    await firefox.screenshot('06-messages');
  });

  it('[WIC-signin-web] [WIC-browser-firefox] MUST sign in from Firefox through the WAF login page with code + PKCE and register with the bearer token', async () => {
    const alice = await suite.firefox('alice (web)');
    const authorize: URL[] = [];
    const tokenPosts: string[] = [];
    alice.page.on('request', (r) => {
      if (r.isNavigationRequest() && /\/oauth\/auth\b/.test(r.url())) authorize.push(new URL(r.url()));
      if (r.method() === 'POST' && r.url().endsWith('/oauth/token')) tokenPosts.push(r.url());
    });
    await alice.click('Sign in');
    await until('the WAF login page is shown', async () => /\/oauth\//.test(alice.page.url()));
    await alice.fill('User name (user@domain)', 'alice@ims.lab');
    await alice.fill('Password', ALICE.web);
    await alice.screenshot('07-waf-login');
    await alice.click('Sign in');
    // The refresh token (offline_access) is granted with prompt=consent: the WAF may ask.
    await until(
      'signed in or asked to allow',
      async () =>
        (await alice.count('[data-screen="phone"]')) > 0 ||
        (await alice.count(`::-p-aria([name="Allow"][role="button"])`)) > 0,
    );
    if ((await alice.count('[data-screen="phone"]')) === 0) await alice.click('Allow');
    await alice.waitRegistered();
    await until('the identity is shown', async () => (await alice.identity()) === 'alice');
    expect(authorize[0]?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize[0]?.searchParams.get('client_id')).toBe('wic');
    // The code was redeemed at the token endpoint (the WAF requires the PKCE verifier of a public
    // client; puppeteer's BiDi requests do not expose POST bodies, wic-web.test.ts checks it).
    expect(tokenPosts.length).toBeGreaterThan(0);
    expect(new URL(alice.page.url()).search).toBe('');
    await alice.screenshot('08-web-signed-in');
  });
});

// The microphone blocked by Firefox itself (site permission default "block"), not by a script:
// a browser-wide preference, hence a Firefox of its own.
describe('web client in Firefox with the microphone blocked', () => {
  const suite = useFirefoxWicSuite({ microphone: 'blocked' });

  it('[WIC-errors-microphone] [WIC-browser-firefox] MUST tell the user the microphone is blocked when Firefox refuses it, and place no call', async () => {
    const page = await suite.firefox('no microphone');
    await page.signInIms(ALICE);
    await page.waitRegistered();
    await page.dial('bob');
    expect(await page.noticeTitle()).toBe('Microphone blocked');
    expect(await page.attribute('[data-screen="phone"]', 'data-call')).toBe('none');
    await page.screenshot('09-microphone-blocked');
  });
});
