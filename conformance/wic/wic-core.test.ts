/**
 * The web client (WIC) in Chromium through a real IMS core with media: the product started with
 * `startApp` (WAF, WWSF, eIMS-AGW with rtpengine, eP-CSCF with IMS_CORE_URI = Kamailio), sipp as
 * IMS users behind Kamailio (PCMA, RTP echo). Web sign-in through the WAF registers by Trusted
 * Node Authentication, IMS-credential sign-in by digest at Kamailio. One bed for the file
 * (core-suite.ts); each screen is saved under artifacts/. Requirement ids:
 * specs/catalogue/wwsf-client.md.
 */
import { describe, expect, it } from 'vitest';
import { sdpFacts } from '../media/sdp-facts.ts';
import { callFromSipp } from '../media/sipp-ue.ts';
import { SIPP_USERS } from './core-bed.ts';
import {
  expectBoundThroughEpCscf,
  expectPageAudioBothWays,
  expectRtpBothWays,
  lastLogEntry,
} from './core-checks.ts';
import { invitesToSipp, sippReceived } from './core-sipp.ts';
import { useCoreSuite } from './core-suite.ts';
import { ALICE, BOB } from './wic-bed.ts';
import { until, type WicPage } from './wic-page.ts';

describe('web client through Kamailio (IMS core) and rtpengine', () => {
  const suite = useCoreSuite();
  const aliceWeb = () => suite.webSignedIn('alice (web)', 'alice@ims.lab', ALICE.web);
  const bobIms = () => suite.imsSignedIn('bob (ims)', BOB);

  /** The call ends on the page without a failure notice, and the call log has it answered. */
  async function endedAndLogged(page: WicPage, who: string): Promise<void> {
    await page.waitNoCall();
    expect(await page.notice.count(), 'no failure notice for a normal hang-up').toBe(0);
    expect(await lastLogEntry(page)).toEqual({ outcome: 'answered', who });
  }

  it('[WIC-core-call-sipp] [WIC-signin-web] [RFC4733-2.5-dtmf] [RFC3264-8.4-hold] MUST sign in at the WAF, register at the IMS core through the eP-CSCF, call sipp with audio both ways through rtpengine, send DTMF that reaches the IMS side, hold, resume and hang up', async () => {
    const bed = suite.bed();
    const carol = await suite.sipp({
      who: SIPP_USERS.carol,
      scenario: 'core-uas-pcma-tap-hold.xml',
      tap: true,
      timeoutMs: 40_000,
    });
    const alice = await aliceWeb();
    // Registered without a digest the product could answer (the core holds another password for
    // alice): Trusted Node Authentication, auth-done from the eP-CSCF's Mw socket.
    await expectBoundThroughEpCscf(bed, 'alice');
    await alice.screenshot('30-core-web-registered');

    await alice.dial('carol');
    await alice.waitCallPhase('active');
    await expectPageAudioBothWays(alice);
    await expectRtpBothWays(bed, 1);
    // rtpengine answers the browser with the codec sipp chose (no transcoding needed).
    await until('the codec is shown', async () => /^PCMA\b/.test(await alice.stat('Codec')));
    await alice.screenshot('31-core-call-statistics');

    await alice.callPanel.getByText('Keypad').click();
    const keys = alice.callPanel.getByRole('group', { name: 'Send tones' });
    for (const key of ['1', '2', 'pound']) await keys.getByRole('button', { name: key, exact: true }).click();
    await until(
      'the tones are sent',
      async () => (await alice.callPanel.getByLabel('Tones sent').textContent()) === '12#',
    );
    await alice.screenshot('32-core-dtmf');

    await alice.button('Hold').click();
    await until('alice shows On hold', async () => (await alice.callText()) === 'On hold');
    await alice.screenshot('33-core-on-hold');
    await alice.button('Resume').click();
    await until('alice back in call', async () => (await alice.callText()) === 'In call');

    await alice.button('Hang up').click();
    await endedAndLogged(alice, 'carol');
    const result = await carol.server.finished();
    expect(result.exitCode, 'sipp answered, took the hold and resume re-INVITEs and got the BYE').toBe(0);
    const offers = invitesToSipp(result).map(sdpFacts);
    expect(offers.map((o) => [o.protocol, o.direction])).toEqual([
      ['RTP/AVP', 'sendrecv'],
      ['RTP/AVP', 'sendonly'],
      ['RTP/AVP', 'sendrecv'],
    ]);
    expect(sippReceived(result).some((m) => m.startsWith('BYE '))).toBe(true);
    // RFC 4733 on the IMS side: the tones as telephone-events under the PT the offer gave them.
    const tePt = Number(/a=rtpmap:(\d+) telephone-event\/8000/.exec(invitesToSipp(result)[0] ?? '')?.[1]);
    expect(carol.tap?.tones(tePt), 'telephone-events received by sipp').toBe('12#');
    expect(carol.tap?.toSipp().get(8), 'PCMA packets received by sipp').toBeGreaterThan(0);
    expect(carol.tap?.fromSipp().get(8), 'PCMA packets sent back by sipp').toBeGreaterThan(0);
    expect(await bed.noMediaLeft()).toEqual([]);
  }, 60_000);

  it('[WIC-core-remote-bye] MUST show the call ended and log it when the IMS side hangs up', async () => {
    const dave = await suite.sipp({
      who: SIPP_USERS.dave,
      scenario: 'core-uas-answer-then-bye.xml',
      pauseMs: 4_000,
      timeoutMs: 30_000,
    });
    const alice = await aliceWeb();
    await alice.dial('dave');
    await alice.waitCallPhase('active');
    await expectPageAudioBothWays(alice);
    await expectRtpBothWays(suite.bed(), 1);
    // sipp's BYE crosses Kamailio and the eP-CSCF along the route set to the WIC.
    await endedAndLogged(alice, 'dave');
    await alice.screenshot('34-core-ended-by-ims-side');
    const result = await dave.server.finished();
    expect(result.exitCode, 'sipp answered, sent BYE and got 200').toBe(0);
    expect(await suite.bed().noMediaLeft()).toEqual([]);
  }, 45_000);

  it('[WIC-core-incoming-sipp] [WIC-signin-ims] MUST alert an incoming call from the IMS side, answer it with audio both ways, and end it on the caller’s BYE', async () => {
    const bed = suite.bed();
    const bob = await bobIms();
    // Registered by digest at Kamailio (IMS credentials), with the eP-CSCF's Path.
    await expectBoundThroughEpCscf(bed, 'bob');
    const sipp = callFromSipp({
      ports: suite.ports(),
      core: bed.core,
      callee: 'bob',
      holdMs: 6_000,
      timeoutMs: 30_000,
    });
    await bob.waitCallPhase('incoming');
    expect(await bob.callPanel.locator('.peer').textContent()).toBe('caller');
    await bob.screenshot('35-core-incoming-from-ims');
    await bob.button('Answer').click();
    await bob.waitCallPhase('active');
    await expectPageAudioBothWays(bob);
    await expectRtpBothWays(bed, 1);
    // sipp offers PCMA only; rtpengine adds Opus (MEDIA_WIC_CODECS) but PCMA needs no transcoding.
    await until('the codec is shown', async () => /^PCMA\b/.test(await bob.stat('Codec')));
    const result = await sipp;
    suite.watch(result);
    expect(result.exitCode, 'sipp got 200, sent ACK, then BYE and got 200').toBe(0);
    await endedAndLogged(bob, 'caller');
    expect(await bed.noMediaLeft()).toEqual([]);
  }, 45_000);

  it('[WIC-core-wic-to-wic] [RFC3428-4-message] MUST call another web client through the IMS core with both legs anchored in rtpengine, exchange messages both ways, and hang up', async () => {
    const bed = suite.bed();
    const [alice, bob] = [await aliceWeb(), await bobIms()];
    await alice.dial('bob');
    await bob.waitCallPhase('incoming');
    expect(await bob.callPanel.locator('.peer').textContent()).toBe('alice');
    await bob.button('Answer').click();
    await Promise.all([alice.waitCallPhase('active'), bob.waitCallPhase('active')]);
    await Promise.all([expectPageAudioBothWays(alice), expectPageAudioBothWays(bob)]);
    // MEDIA_WIC_TO_WIC=anchor (the default): one rtpengine call per leg.
    await expectRtpBothWays(bed, 2);
    // Both browsers offer Opus: it passes through rtpengine untranscoded.
    await until('the codec is shown', async () =>
      [await alice.stat('Codec'), await bob.stat('Codec')].every((c) => /^opus\b/i.test(c)),
    );
    await alice.screenshot('36-core-wic-to-wic');

    await alice.tab('Messages');
    await alice.page.getByLabel('To', { exact: true }).fill('bob');
    await alice.page.getByLabel('Message', { exact: true }).fill('through the core — ça marche?');
    await alice.button('Send').click();
    await until('bob is told of a new message', async () =>
      /Messages \(1 new\)/.test((await bob.page.getByRole('tab', { name: /^Messages/ }).textContent()) ?? ''),
    );
    await bob.tab('Messages');
    const got = bob.page.getByRole('log', { name: 'Messages' }).locator('.message.in').first();
    expect(await got.locator('.body').textContent()).toBe('through the core — ça marche?');
    expect(await got.locator('.who').textContent()).toBe('From alice');
    await bob.page.getByLabel('To', { exact: true }).fill('alice');
    await bob.page.getByLabel('Message', { exact: true }).fill('oui');
    await bob.button('Send').click();
    await until(
      'alice receives the answer',
      async () => (await alice.page.locator('.message.in .body').first().textContent()) === 'oui',
    );
    // The 200 for bob's MESSAGE travels back after alice has shown it: wait for it.
    await until(
      'bob sees his message delivered',
      async () => (await bob.page.locator('.message.out').first().getAttribute('data-status')) === 'sent',
    );
    await bob.screenshot('37-core-messages');

    await bob.tab('Phone');
    await bob.button('Hang up').click();
    await Promise.all([endedAndLogged(alice, 'bob'), endedAndLogged(bob, 'alice')]);
    expect(await bed.noMediaLeft()).toEqual([]);
  }, 60_000);

  it('[WIC-core-reconnect] [RFC5626-4.5-reconnect] MUST reconnect after the network is lost, register again at the IMS core on the new flow, and call again', async () => {
    const bed = suite.bed();
    const erin = await suite.sipp({
      who: SIPP_USERS.erin,
      scenario: 'uas-answer-pcma.xml',
      timeoutMs: 40_000,
    });
    const alice = await aliceWeb();
    const before = (await expectBoundThroughEpCscf(bed, 'alice')).map((c) => c.path);
    const relay = bed.wic.relay;
    relay.refuse(true);
    relay.drop();
    await until(
      'alice shows reconnecting',
      async () => (await alice.registration.textContent()) === 'Connection lost — reconnecting…',
    );
    await alice.screenshot('38-core-reconnecting');
    relay.refuse(false);
    await until(
      'alice registered again',
      async () => (await alice.registration.textContent()) === 'Registered',
      30_000,
    );
    // The new REGISTER came over a new flow: Kamailio's binding (same Call-ID and Contact, so
    // updated in place) now carries the new flow's Path; none is left on the lost one.
    await until('the binding is on the new flow', async () =>
      (await bed.bindings('alice')).some((c) => c.path !== undefined && !before.includes(c.path)),
    );
    const after = await bed.bindings('alice');
    expect(after, JSON.stringify(after)).toHaveLength(1);
    expect(before).not.toContain(after[0]?.path);
    await alice.dial('erin');
    await alice.waitCallPhase('active');
    await expectPageAudioBothWays(alice);
    await expectRtpBothWays(bed, 1);
    await alice.screenshot('39-core-call-after-reconnect');
    await alice.button('Hang up').click();
    await endedAndLogged(alice, 'erin');
    expect((await erin.server.finished()).exitCode, 'sipp answered and got the BYE').toBe(0);
    expect(await bed.noMediaLeft()).toEqual([]);
  }, 60_000);
});
