/**
 * Calls between two WebRTC clients through the eP-CSCF and the lab IMS core (TS 24.229
 * §5.2.6-§5.2.7, RFC 3261 §12-§16): alice and bob register over their own WebSocket; alice calls
 * bob; the core routes the INVITE back to the eP-CSCF along bob's Path. Checked on the wire at
 * each client and, through the core tap, at the core: Record-Route with the flow tokens, the
 * route set from the Service-Route, the asserted identity, CANCEL, BYE either way, and that the
 * eP-CSCF keeps no call state once a call is over. No media gateway: SDP passes through.
 */
import { describe, expect, it } from 'vitest';
import { expectNoCalls, firstAtCore, flowOf, flowOfUser, uriOf } from './call-checks.ts';
import { establishCall, hangUp } from './call-flow.ts';
import { useCallPair } from './call-pair.ts';
import { webrtcSdp } from './call-sdp.ts';

describe('eP-CSCF calls: WebSocket client to WebSocket client through the lab core', () => {
  const bed = useCallPair();

  /** alice INVITEs bob with extra header fields; bob rejects it (486); what the core received. */
  const rejectedCall = async (headers: ReadonlyArray<readonly [string, string]>) => {
    const invite = bed.alice.invite(bed.bob.impu, { headers, body: webrtcSdp({ user: 'caller' }) });
    const atBob = await bed.bob.incoming('INVITE', invite.callId);
    atBob.reply(486);
    expect((await invite.final()).status).toBe(486);
    // The eP-CSCF acknowledges bob's 486 hop by hop (RFC 3261 §17.1.1.3).
    await bed.bob.incoming('ACK', invite.callId);
    return { atCore: await firstAtCore(bed.tap, 'INVITE', invite.callId), atBob: atBob.request };
  };

  it('[TS24229-5.2.6.3.2-record-route-flow] [TS24229-5.2.6.4.2-record-route-flow] [TS24229-5.2.6.3.3-responses] [RFC3261-13.2.2.4-ack-via-epcscf] [RFC3261-15.1-bye-via-epcscf] [TS24229-5.2.6-no-call-state-left] MUST carry a call between two clients: the INVITE reaches the callee on its own flow under a Record-Route naming that flow, 180 and 200 reach the caller, the ACK and the BYE reach the callee, the 200 to BYE the caller, and no call state is left', async () => {
    const c = await establishCall(bed.alice, bed.bob);
    const aliceFlow = await flowOfUser(bed.ep, bed.alice.impu);
    const bobFlow = await flowOfUser(bed.ep, bed.bob.impu);

    // At the core: the eP-CSCF's Record-Route names alice's flow, the route set is the Service-Route.
    const atCore = await firstAtCore(bed.tap, 'INVITE', c.invite.callId);
    expect(flowOf(bed.ep, atCore.headers.values('record-route')[0])).toBe(aliceFlow);
    expect(atCore.headers.values('route')).toEqual([`<sip:orig@${bed.core.host}:${bed.core.port};lr>`]);

    // At bob: his contact as Request-URI, no Route left, our Record-Route for his flow on top of
    // the one for alice's, the offer untouched.
    const inv = c.received.request;
    expect(inv.uri).toBe(bed.bob.ua.contactUri);
    expect(inv.headers.values('route')).toEqual([]);
    const rr = inv.headers.values('record-route');
    expect(rr).toHaveLength(2);
    expect(flowOf(bed.ep, rr[0])).toBe(bobFlow);
    expect(flowOf(bed.ep, rr[1])).toBe(aliceFlow);
    expect(uriOf(rr[0])).toMatch(/;lr\b/);
    expect(inv.body.toString('utf8')).toBe(c.offer);

    // At alice: 180 and 200 with bob's tag, his Contact and answer, and the Record-Route set.
    expect(c.ringing.status).toBe(180);
    expect(c.ringing.to.params.value('tag')).toBe(c.received.toTag);
    expect(c.ok.status).toBe(200);
    expect(c.ok.to.params.value('tag')).toBe(c.received.toTag);
    expect(c.ok.body.toString('utf8')).toBe(c.answer);
    expect(c.ok.headers.values('record-route')).toEqual(rr);
    expect(c.ok.vias).toHaveLength(1);

    // The ACK for the 2xx reaches bob along the route set, our Routes consumed.
    expect(c.ack.cseq).toEqual({ seq: 1, method: 'ACK' });
    expect(c.ack.uri).toBe(bed.bob.ua.contactUri);
    expect(c.ack.headers.values('route')).toEqual([]);

    const { bye, ok } = await hangUp(c.caller, c.callee);
    expect(bye.headers.values('route')).toEqual([]);
    expect(bye.from.params.value('tag')).toBe(c.invite.request.from.params.value('tag'));
    expect(ok.status).toBe(200);
    await expectNoCalls(bed.ep);
    expect(bed.bob.pendingRequests()).toEqual([]);
    expect(bed.alice.pendingRequests()).toEqual([]);
  });

  it('[RFC3261-15.1-bye-from-callee-via-epcscf] MUST carry a BYE from the callee to the caller along the callee route set, and its 200 back', async () => {
    const c = await establishCall(bed.alice, bed.bob);
    const { bye, ok } = await hangUp(c.callee, c.caller);
    expect(bye.uri).toBe(bed.alice.ua.contactUri);
    expect(bye.headers.values('route')).toEqual([]);
    expect(bye.to.params.value('tag')).toBe(c.invite.request.from.params.value('tag'));
    expect(ok.status).toBe(200);
    await expectNoCalls(bed.ep);
  });

  it("[TS24229-5.2.6.3.1-pai-default] MUST assert the caller's default registered identity in P-Asserted-Identity when the client names none", async () => {
    const { atCore, atBob } = await rejectedCall([]);
    expect(atCore.headers.values('p-asserted-identity').map(uriOf)).toEqual(['sip:alice@ims.lab']);
    expect(atBob.headers.values('p-asserted-identity').map(uriOf)).toEqual(['sip:alice@ims.lab']);
    await expectNoCalls(bed.ep);
  });

  it('[TS24229-5.2.6.3.1-ppi-honoured] MUST assert the P-Preferred-Identity when it is one of the P-Associated-URIs, and MUST remove P-Preferred-Identity', async () => {
    const { atCore } = await rejectedCall([['P-Preferred-Identity', '<tel:+15550100>']]);
    expect(atCore.headers.values('p-asserted-identity').map(uriOf)).toEqual(['tel:+15550100']);
    expect(atCore.headers.values('p-preferred-identity')).toEqual([]);
  });

  it("[TS24229-5.2.6.3.1-forged-identity] MUST NOT let a forged P-Asserted-Identity or a P-Preferred-Identity outside the caller's P-Associated-URIs through: the core sees the default identity", async () => {
    const forged = await rejectedCall([
      ['P-Asserted-Identity', '<sip:bob@ims.lab>'],
      ['P-Preferred-Identity', '<sip:mallory@ims.lab>'],
    ]);
    expect(forged.atCore.headers.values('p-asserted-identity').map(uriOf)).toEqual(['sip:alice@ims.lab']);
    expect(forged.atCore.headers.values('p-preferred-identity')).toEqual([]);
    expect(forged.atBob.headers.values('p-asserted-identity').map(uriOf)).toEqual(['sip:alice@ims.lab']);
    const otherUser = await rejectedCall([['P-Preferred-Identity', '<sip:bob@ims.lab>']]);
    expect(otherUser.atCore.headers.values('p-asserted-identity').map(uriOf)).toEqual(['sip:alice@ims.lab']);
    await expectNoCalls(bed.ep);
  });

  it('[TS24229-5.2.6.3.2-service-route] MUST replace a Route the client put in an initial request by the Service-Route stored at registration', async () => {
    const { atCore } = await rejectedCall([['Route', '<sip:attacker@127.0.0.1:9;lr>']]);
    expect(atCore.headers.values('route')).toEqual([`<sip:orig@${bed.core.host}:${bed.core.port};lr>`]);
  });

  it('[TS24229-5.2.6.3.2-charging-vector] MUST put a P-Charging-Vector with an icid-value in an initial INVITE toward the core', async () => {
    const { atCore } = await rejectedCall([]);
    expect(atCore.headers.get('p-charging-vector')).toMatch(/icid-value=[^;\s]+/);
  });

  it('[RFC3261-9.2-cancel-via-epcscf] [RFC3261-17.1.1.3-ack-non-2xx-via-epcscf] [TS24229-5.2.6-no-call-state-left] MUST carry a CANCEL to the ringing callee: the callee gets the CANCEL, answers 487 and gets the ACK for it hop by hop, the caller gets 200 to its CANCEL and 487 to its INVITE, and no call state is left', async () => {
    const invite = bed.alice.invite(bed.bob.impu, { body: webrtcSdp({ user: 'caller' }) });
    const atBob = await bed.bob.incoming('INVITE', invite.callId);
    atBob.reply(180);
    expect((await invite.provisional()).status).toBe(180);

    const cancelled = invite.cancel();
    const cancel = await bed.bob.incoming('CANCEL', invite.callId);
    expect(cancel.request.cseq).toEqual({ seq: atBob.request.cseq.seq, method: 'CANCEL' });
    expect(cancel.request.topVia.params.value('branch')).toBe(atBob.request.topVia.params.value('branch'));
    cancel.reply(200);
    atBob.reply(487);
    expect((await cancelled).status).toBe(200);
    const final = await invite.final();
    expect(final.status).toBe(487);
    const ack = await bed.bob.incoming('ACK', invite.callId);
    expect(ack.request.cseq).toEqual({ seq: atBob.request.cseq.seq, method: 'ACK' });
    expect(ack.request.topVia.params.value('branch')).toBe(atBob.request.topVia.params.value('branch'));
    expect(ack.request.to.params.value('tag')).toBe(atBob.toTag);
    await expectNoCalls(bed.ep);
    expect(bed.bob.pendingRequests('ACK').filter((a) => a.callId === invite.callId)).toEqual([]);
  });
});
