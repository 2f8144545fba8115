/**
 * The web client (WIC) with IMS credentials, end to end in headless Chromium: the page served
 * by the product (WWSF), configured by the discovery document, JsSIP over the eP-CSCF's SIP
 * WebSocket to the built-in lab IMS core, browser to browser. Each screen is saved under
 * artifacts/. Requirement ids: specs/catalogue/wwsf-client.md.
 */
import { describe, expect, it } from 'vitest';
import { lastLogEntry } from './core-checks.ts';
import { ALICE, BOB } from './wic-bed.ts';
import { until, type WicPage } from './wic-page.ts';
import { useWicSuite } from './wic-suite.ts';

/** A third party: a guest pool identity of the lab core, signed in with its IMS credentials. */
const GUEST1 = {
  impu: 'sip:guest1@ims.lab',
  impi: 'guest1@ims.lab',
  password: 'guest1-lab-password',
  web: '',
};

describe('web client with IMS credentials', () => {
  const suite = useWicSuite();

  async function signedIn(name: string, who: typeof ALICE): Promise<WicPage> {
    const page = await suite.open(name);
    await page.signInIms(who);
    await page.waitRegistered();
    return page;
  }

  /** alice calls bob, bob answers; both see the call active. */
  async function answeredCall(alice: WicPage, bob: WicPage): Promise<void> {
    await alice.dial('bob');
    await bob.waitCallPhase('incoming');
    await bob.button('Answer').click();
    await Promise.all([alice.waitCallPhase('active'), bob.waitCallPhase('active')]);
  }

  /** alice and bob signed in, in an answered call. */
  async function aliceWithBob(): Promise<{ alice: WicPage; bob: WicPage }> {
    const alice = await signedIn('alice', ALICE);
    const bob = await signedIn('bob', BOB);
    await answeredCall(alice, bob);
    return { alice, bob };
  }

  /** `from` hangs up; neither side shows a call any more. */
  async function hangUp(from: WicPage, other: WicPage): Promise<void> {
    await from.button('Hang up').click();
    await Promise.all([from.waitNoCall(), other.waitNoCall()]);
  }

  /** `from` sends a text from the Messages tab. */
  async function sendText(from: WicPage, to: string, text: string): Promise<void> {
    await from.tab('Messages');
    await from.page.getByLabel('To', { exact: true }).fill(to);
    await from.page.getByLabel('Message', { exact: true }).fill(text);
    await from.button('Send').click();
  }

  it('[WIC-signin-ims] MUST register with IMPU, IMPI and password through the eP-CSCF, and show who is registered', async () => {
    const alice = await suite.open('alice');
    await alice.page.getByRole('heading', { name: 'With IMS credentials' }).waitFor();
    await alice.screenshot('01-sign-in');
    await alice.signInIms(ALICE);
    await alice.waitRegistered();
    await expect.poll(() => alice.page.locator('.identity').textContent()).toBe('alice');
    await alice.screenshot('02-phone-registered');
  });

  it('[WIC-errors-registration] MUST come back to sign-in with a clear message when the core refuses the password', async () => {
    const page = await suite.open('wrong password');
    await page.signInIms({ ...ALICE, password: 'not-the-password' });
    await page.notice.waitFor({ timeout: 15_000 });
    expect(await page.notice.locator('.notice-title').textContent()).toMatch(
      /^(Registration|Sign-in) refused$/,
    );
    // IMS cores answer a wrong digest 403 (TS 24.229 §5.4.1.2.2) or challenge again (401).
    expect(await page.notice.locator('.notice-detail').textContent()).toMatch(/password.*\((401|403)\b/);
    expect(await page.page.locator('[data-screen="sign-in"]').count()).toBe(1);
    await page.screenshot('03-registration-refused');
  });

  it('[WIC-call-basic] MUST call, alert, answer with audio both ways, show the timer and statistics, and hang up on both sides', async () => {
    const alice = await signedIn('alice', ALICE);
    const bob = await signedIn('bob', BOB);
    await alice.dial('bob');
    await bob.waitCallPhase('incoming');
    expect(await bob.callPanel.locator('.peer').textContent()).toBe('alice');
    expect(await bob.callText()).toBe('Incoming call');
    await bob.screenshot('04-incoming-call');
    await bob.button('Answer').click();
    await Promise.all([alice.waitCallPhase('active'), bob.waitCallPhase('active')]);
    expect(await alice.callText()).toBe('In call');
    // The timer runs from the answer.
    await until('the call timer passes 0:01', async () =>
      /^0:0[1-9]$/.test((await alice.callPanel.getByRole('timer').textContent()) ?? ''),
    );
    // In-call statistics from getStats: audio flows both ways.
    await alice.callPanel.getByText('Call statistics').click();
    await bob.callPanel.getByText('Call statistics').click();
    await until('alice receives RTP', async () => Number(await alice.stat('Packets received')) > 0);
    await until('bob receives RTP', async () => Number(await bob.stat('Packets received')) > 0);
    expect(await alice.stat('Codec')).toMatch(/opus/i);
    expect(Number(await alice.stat('Packets sent'))).toBeGreaterThan(0);
    await until('a round-trip time is shown', async () => /ms$/.test(await alice.stat('Round trip')));
    await alice.screenshot('05-in-call-statistics');
    await hangUp(alice, bob);
    // bob is told politely who ended it; alice, who hung up herself, is told nothing.
    await until('bob is told alice ended the call', async () =>
      /^Call ended by alice · 0:0[0-9]$/.test((await bob.callStatus.textContent()) ?? ''),
    );
    expect(await alice.callStatus.isVisible()).toBe(false);
    expect(await lastLogEntry(alice)).toEqual({ outcome: 'answered', who: 'bob' });
    await alice.screenshot('06-call-log');
    expect((await lastLogEntry(bob)).outcome).toBe('answered');
  });

  it('[WIC-call-remote-end] [WIC-call-missed] MUST tell politely, not as an alert, that the other side hung up or cancelled, and clear it by itself', async () => {
    const { alice, bob } = await aliceWithBob();
    await hangUp(bob, alice);
    await alice.callStatus.waitFor();
    expect(await alice.callStatus.textContent()).toMatch(/^Call ended by bob · 0:0[0-9]$/);
    expect(await alice.callStatus.getAttribute('aria-live')).toBe('polite');
    expect(await alice.notice.count()).toBe(0);
    await alice.screenshot('15-call-ended-by-remote');
    // It goes away by itself.
    await alice.callStatus.waitFor({ state: 'hidden', timeout: 15_000 });
    // alice calls and gives up while it rings (CANCEL): bob missed it.
    await alice.dial('bob');
    await bob.waitCallPhase('incoming');
    await alice.button('Cancel').click();
    await Promise.all([alice.waitNoCall(), bob.waitNoCall()]);
    await bob.callStatus.waitFor();
    expect(await bob.callStatus.textContent()).toBe('Missed call from alice');
    expect(await bob.callStatus.getAttribute('data-kind')).toBe('missed');
    expect(await bob.notice.count()).toBe(0);
    expect(await alice.callStatus.isVisible()).toBe(false);
    expect(await lastLogEntry(bob)).toEqual({ outcome: 'missed', who: 'alice' });
    await bob.screenshot('16-missed-call');
  });

  it('[WIC-call-waiting] MUST offer a second call during a call, answer it by holding the first, and bring the first back to resume when the second ends', async () => {
    const alice = await signedIn('alice', ALICE);
    const bob = await signedIn('bob', BOB);
    const guest = await signedIn('guest1', GUEST1);
    await answeredCall(alice, bob);
    await guest.dial('bob');
    const waiting = bob.page.getByRole('region', { name: 'Waiting call' });
    await waiting.waitFor();
    expect(await waiting.locator('.other-text').textContent()).toBe('guest1 is calling');
    expect(await bob.callText()).toBe('In call');
    expect(await bob.callPanel.locator('.peer').textContent()).toBe('alice');
    await bob.screenshot('17-call-waiting');
    await waiting.getByRole('button', { name: 'Answer (hold current)' }).click();
    await Promise.all([guest.waitCallPhase('active'), bob.waitCallPhase('active')]);
    await until(
      'bob talks with guest1',
      async () => (await bob.callPanel.locator('.peer').textContent()) === 'guest1',
    );
    await until('alice is held by bob', async () => (await alice.callText()) === 'Held by the other side');
    const held = bob.page.getByRole('region', { name: 'Call on hold' });
    expect(await held.locator('.other-text').textContent()).toBe('alice — on hold');
    await bob.callPanel.getByText('Call statistics').click();
    await until('bob hears guest1', async () => Number(await bob.stat('Packets received')) > 0);
    await bob.screenshot('18-call-waiting-answered');
    // guest1 hangs up: alice's call comes back on bob's screen, on hold, to be resumed.
    await guest.button('Hang up').click();
    await guest.waitNoCall();
    await until(
      'alice back on bob’s screen',
      async () => (await bob.callPanel.locator('.peer').textContent()) === 'alice',
    );
    expect(await bob.callText()).toBe('On hold');
    expect(await held.count()).toBe(0);
    expect(await bob.callStatus.textContent()).toMatch(/^Call ended by guest1 · /);
    await bob.screenshot('19-call-back-on-hold');
    await bob.button('Resume').click();
    await until('bob back in call', async () => (await bob.callText()) === 'In call');
    await until('alice back in call', async () => (await alice.callText()) === 'In call');
    expect(await lastLogEntry(bob)).toEqual({ outcome: 'answered', who: 'guest1' });
    await hangUp(bob, alice);
  });

  it('[RFC3264-8.4-hold] MUST put the call on hold and resume it by re-INVITE, each side showing who holds', async () => {
    const { alice, bob } = await aliceWithBob();
    await alice.button('Hold').click();
    await until('alice shows On hold', async () => (await alice.callText()) === 'On hold');
    await until('bob shows the remote hold', async () => (await bob.callText()) === 'Held by the other side');
    expect(await alice.button('Resume').getAttribute('aria-pressed')).toBe('true');
    await alice.screenshot('07-on-hold');
    await alice.button('Resume').click();
    await until('alice back in call', async () => (await alice.callText()) === 'In call');
    await until('bob back in call', async () => (await bob.callText()) === 'In call');
    // Mute is local: the button reads Unmute and is pressed.
    await bob.button('Mute').click();
    await until(
      'bob muted',
      async () => (await bob.button('Unmute').getAttribute('aria-pressed')) === 'true',
    );
    await hangUp(bob, alice);
  });

  it('[RFC4733-2.5-dtmf] MUST send DTMF from the keypad and the keyboard as RFC 4733 telephone-events in the audio stream', async () => {
    const { alice, bob } = await aliceWithBob();
    await alice.callPanel.getByText('Keypad').click();
    const keys = alice.callPanel.getByRole('group', { name: 'Send tones' });
    await keys.getByRole('button', { name: '1', exact: true }).click();
    await keys.getByRole('button', { name: '2', exact: true }).click();
    await keys.getByRole('button', { name: 'pound' }).click();
    await alice.page.locator('body').press('9');
    // Shown as the RTCDTMFSender plays each tone into the RTP stream.
    await until(
      'the four tones are sent',
      async () => (await alice.callPanel.getByLabel('Tones sent').textContent()) === '12#9',
    );
    await alice.screenshot('08-dtmf');
    await hangUp(alice, bob);
  });

  it('[RFC3428-4-message] MUST send and receive SIP MESSAGE text, shown in the messages view with its delivery state', async () => {
    const alice = await signedIn('alice', ALICE);
    const bob = await signedIn('bob', BOB);
    await sendText(alice, 'bob', 'Hello Bob — ça va? 👋');
    await until(
      'alice sees it delivered',
      async () => (await alice.page.locator('.message.out').first().getAttribute('data-status')) === 'sent',
    );
    await until('bob is told of a new message', async () =>
      /Messages \(1 new\)/.test((await bob.page.getByRole('tab', { name: /^Messages/ }).textContent()) ?? ''),
    );
    await bob.tab('Messages');
    const got = bob.page.getByRole('log', { name: 'Messages' }).locator('.message.in').first();
    expect(await got.locator('.body').textContent()).toBe('Hello Bob — ça va? 👋');
    expect(await got.locator('.who').textContent()).toBe('From alice');
    await bob.page.getByLabel('To', { exact: true }).fill('alice');
    await bob.page.getByLabel('Message', { exact: true }).fill('Fine, thanks');
    await bob.page.getByLabel('Message', { exact: true }).press('Enter');
    await until(
      'alice receives the answer',
      async () => (await alice.page.locator('.message.in .body').first().textContent()) === 'Fine, thanks',
    );
    await bob.screenshot('09-messages');
  });

  it('[WIC-errors-busy] [WIC-errors-notfound] [RFC3261-13.3-incoming] MUST tell the caller the callee declined (603), is busy (486: a callee in a call with another one waiting) or does not exist (404), and let the callee decline a waiting call', async () => {
    const alice = await signedIn('alice', ALICE);
    const bob = await signedIn('bob', BOB);
    await alice.dial('bob');
    await bob.waitCallPhase('incoming');
    await bob.button('Decline').click();
    await alice.waitNoCall();
    await alice.notice.waitFor();
    expect(await alice.notice.locator('.notice-title').textContent()).toBe('Call declined');
    await alice.screenshot('10-call-declined');
    expect((await lastLogEntry(bob)).outcome).toBe('declined');
    // bob in a call with alice and a call waiting (guest1): a third caller finds him busy (486).
    await alice.button('Dismiss').click();
    await answeredCall(alice, bob);
    const guest = await signedIn('guest1', GUEST1);
    await guest.dial('bob');
    await bob.page.locator('[data-screen="phone"][data-other="waiting"]').waitFor();
    const other = await signedIn('alice again', ALICE);
    await other.dial('bob');
    await other.notice.waitFor();
    expect(await other.notice.locator('.notice-title').textContent()).toBe('Busy');
    expect(await other.notice.locator('.notice-detail').textContent()).toContain('486');
    await other.screenshot('11-callee-busy');
    // bob declines the waiting call; his call with alice goes on.
    await bob.page
      .getByRole('region', { name: 'Waiting call' })
      .getByRole('button', { name: 'Decline' })
      .click();
    await guest.notice.waitFor();
    expect(await guest.notice.locator('.notice-title').textContent()).toBe('Call declined');
    expect(await bob.callText()).toBe('In call');
    await alice.button('Hang up').click();
    await other.button('Dismiss').click();
    await other.dial('nobody');
    await other.notice.waitFor();
    expect(await other.notice.locator('.notice-title').textContent()).toBe('Not found');
    await other.screenshot('12-not-found');
  });

  it('[WIC-errors-microphone] MUST tell the user the microphone is blocked when the browser refuses it', async () => {
    const denied = `Object.defineProperty(navigator.mediaDevices, 'getUserMedia', { value: () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) });`;
    const page = await suite.open('no microphone', { initScript: denied });
    await page.signInIms(ALICE);
    await page.waitRegistered();
    await page.dial('bob');
    await page.notice.waitFor();
    expect(await page.notice.locator('.notice-title').textContent()).toBe('Microphone blocked');
    expect(await page.page.locator('[data-screen="phone"]').getAttribute('data-call')).toBe('none');
    await page.screenshot('13-microphone-blocked');
  });

  it('[RFC5626-4.5-reconnect] MUST show the lost connection, reconnect by itself and register again', async () => {
    const alice = await signedIn('alice', ALICE);
    const relay = suite.bed().relay;
    expect(relay.accepted).toBeGreaterThan(0);
    relay.refuse(true);
    relay.drop();
    await until(
      'alice shows reconnecting',
      async () => (await alice.registration.textContent()) === 'Connection lost — reconnecting…',
    );
    expect(await alice.notice.locator('.notice-title').textContent()).toBe('Connection lost');
    expect(await alice.button('Call').isDisabled()).toBe(true);
    await alice.screenshot('14-reconnecting');
    relay.refuse(false);
    await until(
      'alice registered again',
      async () => (await alice.registration.textContent()) === 'Registered',
      30_000,
    );
    expect(await alice.notice.count()).toBe(0);
    // And the phone works again: a message reaches bob.
    const bob = await signedIn('bob', BOB);
    await sendText(alice, 'bob', 'back online');
    await until(
      'bob gets it',
      async () => (await bob.page.locator('.message.in .body').first().textContent()) === 'back online',
    );
  });
});
