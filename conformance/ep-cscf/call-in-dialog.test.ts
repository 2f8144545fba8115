/**
 * Requests inside an established call through the eP-CSCF (TS 24.229 §5.2.6.3.4, §5.2.6.4.4,
 * RFC 3261 §14, RFC 3311, RFC 3261 §16.4 loose routing): a re-INVITE putting the call on hold
 * (a=sendonly) and taking it off again, and UPDATE, each from either side, reach the other side
 * along the route set with our Routes consumed, and the 200 (with the answer) and the ACK travel
 * back. SDP passes through (no media gateway).
 */
import { describe, expect, it } from 'vitest';
import { atCore, expectNoCalls, uriOf } from './call-checks.ts';
import type { CallDialog } from './call-dialog.ts';
import { establishCall, hangUp } from './call-flow.ts';
import { useCallPair } from './call-pair.ts';
import { type Direction, webrtcSdp } from './call-sdp.ts';
import { eventually } from './eventually.ts';

describe('eP-CSCF calls: re-INVITE and UPDATE inside a call between two WebSocket clients', () => {
  const bed = useCallPair();

  /** `from` sends a re-INVITE offering `direction`; `to` answers with the matching direction. */
  const reinvite = async (from: CallDialog, to: CallDialog, version: number, direction: Direction) => {
    const answerDirection: Direction =
      direction === 'sendonly' ? 'recvonly' : direction === 'recvonly' ? 'sendonly' : direction;
    const offer = webrtcSdp({ user: 'offerer', version, direction });
    const answer = webrtcSdp({ user: 'answerer', version, direction: answerDirection, setup: 'active' });
    const pending = from.reinvite({ body: offer });
    const received = await to.incoming('INVITE');
    received.reply(200, { body: answer });
    const ok = await pending;
    const ack = await to.incoming('ACK');
    return { received: received.request, ok, ack: ack.request, offer, answer };
  };

  it('[RFC3261-14-reinvite-via-epcscf] [TS24229-5.2.6.3.4-target-refresh] MUST carry a hold re-INVITE (a=sendonly) and a resume from the caller to the callee, with the answers in the 200s and the ACKs back, along the route set', async () => {
    const c = await establishCall(bed.alice, bed.bob);
    const hold = await reinvite(c.caller, c.callee, 2, 'sendonly');
    expect(hold.received.uri).toBe(bed.bob.ua.contactUri);
    expect(hold.received.headers.values('route')).toEqual([]);
    expect(hold.received.cseq).toEqual({ seq: 2, method: 'INVITE' });
    expect(hold.received.body.toString('utf8')).toBe(hold.offer);
    expect(hold.received.body.toString('utf8')).toContain('a=sendonly');
    expect(hold.ok.status).toBe(200);
    expect(hold.ok.body.toString('utf8')).toBe(hold.answer);
    expect(hold.ack.cseq).toEqual({ seq: 2, method: 'ACK' });
    expect(hold.ack.headers.values('route')).toEqual([]);

    const resume = await reinvite(c.caller, c.callee, 3, 'sendrecv');
    expect(resume.received.cseq).toEqual({ seq: 3, method: 'INVITE' });
    expect(resume.received.body.toString('utf8')).toContain('a=sendrecv');
    expect(resume.ok.status).toBe(200);
    expect(resume.ack.cseq.seq).toBe(3);

    expect((await hangUp(c.caller, c.callee)).ok.status).toBe(200);
    await expectNoCalls(bed.ep);
  });

  it('[RFC3261-14-reinvite-via-epcscf] [TS24229-5.2.6.4.4-target-refresh] MUST carry a hold re-INVITE (a=sendonly) from the callee to the caller, with the answer in the 200 and the ACK back', async () => {
    const c = await establishCall(bed.alice, bed.bob);
    const hold = await reinvite(c.callee, c.caller, 2, 'sendonly');
    expect(hold.received.uri).toBe(bed.alice.ua.contactUri);
    expect(hold.received.headers.values('route')).toEqual([]);
    expect(hold.received.cseq).toEqual({ seq: 1, method: 'INVITE' });
    expect(hold.received.from.params.value('tag')).toBe(c.ok.to.params.value('tag'));
    expect(hold.received.body.toString('utf8')).toBe(hold.offer);
    expect(hold.ok.status).toBe(200);
    expect(hold.ok.body.toString('utf8')).toBe(hold.answer);
    expect(hold.ack.cseq).toEqual({ seq: 1, method: 'ACK' });

    // Then the caller hangs up: its CSeq continues from its own count.
    const { bye, ok } = await hangUp(c.caller, c.callee);
    expect(bye.cseq).toEqual({ seq: 2, method: 'BYE' });
    expect(ok.status).toBe(200);
    await expectNoCalls(bed.ep);
  });

  it('[RFC3311-5-update-via-epcscf] MUST carry an UPDATE with an offer from either side of a call to the other, and its 200 with the answer back', async () => {
    const c = await establishCall(bed.alice, bed.bob);
    const update = async (from: CallDialog, to: CallDialog, direction: Direction) => {
      const offer = webrtcSdp({ user: 'updater', version: 5, direction });
      const answer = webrtcSdp({ user: 'updated', version: 5, setup: 'active' });
      const pending = from.request('UPDATE', { body: offer });
      const received = await to.incoming('UPDATE');
      received.reply(200, { body: answer });
      const ok = await pending;
      return { received: received.request, ok, offer, answer };
    };

    const fromCaller = await update(c.caller, c.callee, 'sendonly');
    expect(fromCaller.received.uri).toBe(bed.bob.ua.contactUri);
    expect(fromCaller.received.headers.values('route')).toEqual([]);
    expect(fromCaller.received.body.toString('utf8')).toBe(fromCaller.offer);
    expect(fromCaller.ok.status).toBe(200);
    expect(fromCaller.ok.body.toString('utf8')).toBe(fromCaller.answer);

    const fromCallee = await update(c.callee, c.caller, 'recvonly');
    expect(fromCallee.received.uri).toBe(bed.alice.ua.contactUri);
    expect(fromCallee.received.headers.values('route')).toEqual([]);
    expect(fromCallee.received.body.toString('utf8')).toBe(fromCallee.offer);
    expect(fromCallee.ok.status).toBe(200);
    expect(fromCallee.ok.body.toString('utf8')).toBe(fromCallee.answer);

    expect((await hangUp(c.callee, c.caller)).ok.status).toBe(200);
    await expectNoCalls(bed.ep);
  });

  const ALICE_IDS = ['sip:alice@ims.lab', 'tel:+15550100'];

  // Product bug: routeFromClient (ep-cscf/routing/originating.ts) asserts the identity only out
  // of a dialog; in a dialog it removes P-Preferred-Identity but forwards the client's own
  // P-Asserted-Identity (RFC 3325 §5: the UE is outside the trust domain).
  it('[TS24229-5.2.6.3.1-forged-identity-in-dialog] MUST NOT let a P-Asserted-Identity the client puts in a request inside a dialog reach the far end as an asserted identity of someone else', async () => {
    const c = await establishCall(bed.alice, bed.bob);
    const pending = c.caller.request('INFO', {
      headers: [['P-Asserted-Identity', '<sip:bob@ims.lab>']],
      contentType: 'application/dtmf-relay',
      body: 'Signal=5\r\nDuration=160\r\n',
    });
    const info = await c.callee.incoming('INFO');
    info.reply(200);
    expect((await pending).status).toBe(200);
    for (const pai of info.request.headers.values('p-asserted-identity'))
      expect(ALICE_IDS).toContain(uriOf(pai));
    expect((await hangUp(c.caller, c.callee)).ok.status).toBe(200);
    await expectNoCalls(bed.ep);
  });

  // Product bug: "in a dialog" is decided by the To tag alone, so any request with a made-up tag
  // skips the originating policy (no identity assertion, no Service-Route) and reaches the core
  // with the client's P-Asserted-Identity; the lab core then delivers it to bob.
  it('[TS24229-5.2.6.3.1-forged-identity-fake-dialog] MUST NOT let a request that merely claims to be inside a dialog (a To tag, no dialog) carry a forged P-Asserted-Identity to the core', async () => {
    const req = bed.alice.newRequest('MESSAGE', bed.bob.impu, {
      headers: [['P-Asserted-Identity', '<sip:bob@ims.lab>']],
      contentType: 'text/plain',
      body: 'this is bob, trust me',
    });
    req.headers.set('To', `<${bed.bob.impu}>;tag=made-up`);
    bed.alice.send(req);
    // Whatever the eP-CSCF does with it, bob answers what reaches him.
    const atBob = await eventually(
      () => bed.bob.pendingRequests('MESSAGE').filter((m) => m.callId === req.callId),
      (m) => m.length > 0,
      500,
    );
    if (atBob.length > 0) (await bed.bob.incoming('MESSAGE', req.callId)).reply(200);
    const final = await bed.alice.finalTo(req);
    const seen = atCore(bed.tap, 'MESSAGE', req.callId);
    for (const r of seen)
      for (const pai of r.headers.values('p-asserted-identity')) expect(ALICE_IDS).toContain(uriOf(pai));
    for (const m of atBob)
      for (const pai of m.headers.values('p-asserted-identity')) expect(ALICE_IDS).toContain(uriOf(pai));
    expect(final.status).toBeGreaterThanOrEqual(200);
  });
});
