/**
 * More end-to-end scenarios with JsSIP 3 in headless Chromium (issue #4): hold and resume by
 * re-INVITE from the browser, CANCEL before answer, and pager-mode MESSAGE in both directions,
 * browser ↔ eP-CSCF ↔ Kamailio (IMS core) ↔ sipp, media anchored in a real rtpengine.
 * Peers and checks: media-suite.ts, media-checks.ts; sipp scenarios in conformance/sipp/.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { eventually } from '../ep-cscf/eventually.ts';
import { delay } from '../harness/process.ts';
import { runSipp } from '../sipp/sipp.ts';
import { DOMAIN } from './media-bed.ts';
import { expectImsSideSdp, expectNoSessionLeft, expectWicSideSdp } from './media-checks.ts';
import { type MediaSuite, useMediaSuite } from './media-suite.ts';
import type { PartyCounters } from './rtpengine-view.ts';
import { sdpFacts } from './sdp-facts.ts';
import { bodyOf, receivedBySipp, startSippUas } from './sipp-ue.ts';

/** Registers sipp as sip:sipp@ims.test at the core and starts `scenario` as its UAS. */
async function sippUas(s: MediaSuite, core: Parameters<typeof startSippUas>[0]['core'], scenario: string) {
  const sipp = await startSippUas({ ports: s.ports(), core, user: 'sipp', timeoutMs: 30_000, scenario });
  s.watch(sipp.server);
  onTestFinished(() => sipp.stop().then(() => undefined));
  return sipp;
}

const packetsOf = (parties: readonly PartyCounters[], tag: string): number =>
  parties.find((p) => p.tag === tag)?.rtpPackets ?? 0;

describe('media: JsSIP hold/resume, CANCEL and MESSAGE through the eP-CSCF, rtpengine and Kamailio', () => {
  const suite = useMediaSuite('jssip');

  it("[TS23334-6.2.10-e2e-hold-resume] a JsSIP browser's hold and resume re-INVITEs MUST reach the IMS user as RTP/AVP at rtpengine's address with a=sendonly then a=sendrecv, be answered to the browser as UDP/TLS/RTP/SAVPF with candidates and a fingerprint, keep one rtpengine call whose audio flows again after the resume, and leave no rtpengine session after the BYE", async () => {
    const b = await suite.bed();
    const sipp = await sippUas(suite, b.core, 'uas-answer-pcma-hold.xml');
    const alice = await suite.phone(b, 'alice');

    const { answer } = await alice.call(`sip:sipp@${DOMAIN}`);
    expectWicSideSdp(answer, b, ['active', 'passive']);
    const anchored = await b.rtp.calls();
    expect(anchored, 'the call is anchored in one rtpengine call').toHaveLength(1);
    const callId = anchored[0] ?? '';
    const flowing = await eventually(
      () => b.rtp.counters(callId),
      (parties) => parties.length === 2 && parties.every((p) => p.rtpPackets > 0),
      3_000,
    );
    expect(
      flowing.map((p) => p.rtpPackets > 0),
      'RTP from both parties before the hold',
    ).toEqual([true, true]);

    const held = await alice.hold();
    expectWicSideSdp(held.answer ?? '', b, ['active', 'passive']);
    expect(['recvonly', 'inactive'], 'the hold answer the browser got').toContain(
      sdpFacts(held.answer ?? '').direction,
    );
    const resumed = await alice.unhold();
    expectWicSideSdp(resumed.answer ?? '', b, ['active', 'passive']);
    expect(sdpFacts(resumed.answer ?? '').direction, 'the resume answer the browser got').toBe('sendrecv');
    expect(await b.rtp.calls(), 'the re-INVITEs update the same rtpengine call').toEqual(anchored);

    const [rtpBefore, browserBefore] = [await b.rtp.counters(callId), await alice.stats()];
    await delay(2_000);
    const [rtpAfter, browserAfter] = [await b.rtp.counters(callId), await alice.stats()];
    console.info(
      `media figures after resume ${JSON.stringify({ rtpBefore, rtpAfter, browserBefore, browserAfter })}`,
    );
    expect(rtpAfter, 'rtpengine knows both parties').toHaveLength(2);
    for (const party of rtpAfter)
      expect(party.rtpPackets, `RTP from ${party.tag} after the resume`).toBeGreaterThan(
        packetsOf(rtpBefore, party.tag),
      );
    expect(browserAfter.packetsReceived, 'browser inbound-rtp after the resume').toBeGreaterThan(
      browserBefore.packetsReceived,
    );

    expect(await alice.hangup()).toMatchObject({ kind: 'ended', originator: 'local' });
    const result = await sipp.server.finished();
    expect(result.exitCode, 'sipp answered the INVITE and both re-INVITEs, got their ACKs and the BYE').toBe(
      0,
    );
    const received = receivedBySipp(result.messages);
    const invites = received.filter((m) => m.startsWith('INVITE '));
    expect(invites, 'INVITE, hold re-INVITE, resume re-INVITE').toHaveLength(3);
    const [, hold, resume] = invites.map(bodyOf);
    expectImsSideSdp(hold ?? '', b);
    expect(sdpFacts(hold ?? '').direction, `hold re-INVITE at sipp:\n${hold}`).toBe('sendonly');
    expectImsSideSdp(resume ?? '', b);
    expect(sdpFacts(resume ?? '').direction, `resume re-INVITE at sipp:\n${resume}`).toBe('sendrecv');
    expect(
      received.some((m) => m.startsWith('BYE ')),
      'sipp received a BYE',
    ).toBe(true);
    await expectNoSessionLeft(b);
  });

  it('[TS24371-7-e2e-cancel-before-answer] a JsSIP call CANCELled while the IMS user rings MUST bring the CANCEL to the IMS user, end the call in the browser, and leave no rtpengine session once the INVITE is answered 487', async () => {
    const b = await suite.bed();
    const sipp = await sippUas(suite, b.core, 'uas-ring-no-answer.xml');
    const alice = await suite.phone(b, 'alice');

    expect(await alice.dial(`sip:sipp@${DOMAIN}`), 'the browser hears the IMS user ring').toEqual({
      status: 180,
    });
    expect(await b.rtp.calls(), 'the ringing call is anchored').toHaveLength(1);

    expect(await alice.hangup()).toMatchObject({ kind: 'failed', originator: 'local', cause: 'Canceled' });
    const result = await sipp.server.finished();
    expect(result.exitCode, 'sipp got the CANCEL, answered 200 and 487, and got the ACK of the 487').toBe(0);
    const received = receivedBySipp(result.messages);
    expectImsSideSdp(bodyOf(received.find((m) => m.startsWith('INVITE ')) ?? ''), b);
    expect(
      received.some((m) => m.startsWith('CANCEL ')),
      'sipp received a CANCEL',
    ).toBe(true);
    await expectNoSessionLeft(b);
  });

  it('[TS24371-7-e2e-message-originating] a MESSAGE from a JsSIP browser MUST reach the IMS user with its body and content type intact and return its 200 to the browser', async () => {
    const b = await suite.bed();
    const sipp = await sippUas(suite, b.core, 'uas-message-answer-200.xml');
    const alice = await suite.phone(b, 'alice');
    const text = 'héllo from the browser ✓ 1+1=2; a,b <c>';

    expect(await alice.sendMessage(`sip:sipp@${DOMAIN}`, text)).toEqual({ status: 200 });
    const result = await sipp.server.finished();
    expect(result.exitCode, 'sipp got the MESSAGE and answered 200').toBe(0);
    const message = receivedBySipp(result.messages).find((m) => m.startsWith('MESSAGE ')) ?? '';
    expect(bodyOf(message), `MESSAGE at sipp:\n${message}`).toBe(text);
    expect(message, 'MESSAGE at sipp').toMatch(/^(Content-Type|c):\s*text\/plain\s*$/im);
  });

  it('[TS24371-7-e2e-message-terminating] a MESSAGE from an IMS user MUST reach the JsSIP browser with its sender and body intact and return the browser’s 200 to the IMS user', async () => {
    const b = await suite.bed();
    const bob = await suite.phone(b, 'bob');
    const text = 'hello from the network ✓ 2+2=4; x,y';
    const localPort = await suite.ports().udp();
    onTestFinished(() => suite.ports().release(localPort));

    const result = await runSipp({
      scenario: 'uac-message-expect-200.xml',
      remote: { host: b.core.host, port: b.core.sipPort },
      localPort,
      service: 'bob',
      keys: { domain: DOMAIN, text },
      timeoutMs: 10_000,
    });
    suite.watch(result);
    expect(result.exitCode, 'sipp got 200 for its MESSAGE').toBe(0);
    const got = await bob.nextMessage();
    expect(got.from).toBe(`sip:sipp@${DOMAIN}`);
    expect(got.contentType).toBe('text/plain');
    expect(got.body.trim()).toBe(text);
  });
});
