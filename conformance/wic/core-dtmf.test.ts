/**
 * DTMF from the web client (Chromium, JsSIP) to an IMS peer that answers telephone-event under
 * its own payload type (101) rather than the offer's (Chrome's 126): through the eP-CSCF, the
 * eIMS-AGW with rtpengine, Kamailio as the IMS core, and sipp behind an RTP tap that decodes the
 * RFC 4733 events reaching the IMS side. The answer that keeps the offer's number is
 * wic-core.test.ts's call. Requirement ids: specs/catalogue/eims-agw.md.
 */
import { describe, expect, it } from 'vitest';
import { SIPP_USERS } from './core-bed.ts';
import { expectPageAudioBothWays, expectRtpBothWays } from './core-checks.ts';
import { invitesToSipp } from './core-sipp.ts';
import { useCoreSuite } from './core-suite.ts';
import { ALICE } from './wic-bed.ts';
import { until } from './wic-page.ts';

/** The answer's telephone-event number in core-uas-pcma-te101-tap.xml. */
const IMS_PT = 101;

describe('DTMF toward an IMS peer that renumbers telephone-event', () => {
  const suite = useCoreSuite();

  it('[RFC3264-6.1-answer-renumbers-dtmf] MUST deliver the web client’s tones to the IMS side as RFC 4733 events under the payload type the IMS answer declared, not the offer’s', async () => {
    const bed = suite.bed();
    const carol = await suite.sipp({
      who: SIPP_USERS.carol,
      scenario: 'core-uas-pcma-te101-tap.xml',
      tap: true,
      timeoutMs: 40_000,
    });
    const alice = await suite.webSignedIn('alice (web)', 'alice@ims.lab', ALICE.web);
    await alice.dial('carol');
    await alice.waitCallPhase('active');
    await expectPageAudioBothWays(alice);
    await expectRtpBothWays(bed, 1);

    await alice.callPanel.getByText('Keypad').click();
    const keys = alice.callPanel.getByRole('group', { name: 'Send tones' });
    for (const key of ['1', '2', 'pound']) await keys.getByRole('button', { name: key, exact: true }).click();
    await until(
      'the tones are sent',
      async () => (await alice.callPanel.getByLabel('Tones sent').textContent()) === '12#',
    );
    const tap = carol.tap;
    if (tap === undefined) throw new Error('sipp runs behind the RTP tap');
    await until('the tones reach the IMS side', async () => tap.tones(IMS_PT) === '12#', 10_000);
    await alice.screenshot('40-core-dtmf-renumbered');

    await alice.button('Hang up').click();
    await alice.waitNoCall();
    const result = await carol.server.finished();
    expect(result.exitCode, 'sipp answered and got the BYE').toBe(0);
    // The offer gave telephone-event another number: the answer really renumbered it.
    const offered = Number(/a=rtpmap:(\d+) telephone-event\/8000/.exec(invitesToSipp(result)[0] ?? '')?.[1]);
    expect(offered).toBeGreaterThanOrEqual(96);
    expect(offered).not.toBe(IMS_PT);
    expect(tap.tones(IMS_PT), 'telephone-events under the answer’s payload type').toBe('12#');
    expect(tap.toSipp().get(offered), 'nothing under the offer’s payload type').toBeUndefined();
    expect(tap.toSipp().get(8), 'PCMA packets received by sipp').toBeGreaterThan(0);
    expect(await bed.noMediaLeft()).toEqual([]);
  }, 60_000);
});
