/**
 * SIP extensions a call through the eP-CSCF must not break (TS 24.229 §5.2.6, §5.2.7): reliable
 * provisional responses (RFC 3262: a 183 with Require 100rel and an SDP answer, its PRACK in the
 * early dialog) and session timers (RFC 4028: Session-Expires, Min-SE and the timer option tag
 * reach the far end unchanged, both ways). Two WebSocket clients through the lab core; no media
 * gateway.
 */
import { describe, expect, it } from 'vitest';
import { expectNoCalls } from './call-checks.ts';
import { hangUp } from './call-flow.ts';
import { useCallPair } from './call-pair.ts';
import { webrtcSdp } from './call-sdp.ts';

describe('eP-CSCF calls: 100rel/PRACK and session timers between WebSocket clients', () => {
  const bed = useCallPair();

  it('[RFC3262-4-prack-via-epcscf] MUST carry a reliable 183 with an SDP answer to the caller and the PRACK in the early dialog to the callee, with its 200 back, before the call is answered', async () => {
    const offer = webrtcSdp({ user: 'caller' });
    const early = webrtcSdp({ user: 'callee', setup: 'active' });
    const invite = bed.alice.invite(bed.bob.impu, { body: offer, headers: [['Supported', '100rel']] });
    const atBob = await bed.bob.incoming('INVITE', invite.callId);
    expect(atBob.request.headers.get('supported')).toBe('100rel');
    atBob.reply(183, {
      headers: [
        ['Require', '100rel'],
        ['RSeq', '1'],
      ],
      body: early,
    });

    const progress = await invite.provisional();
    expect(progress.status).toBe(183);
    expect(progress.headers.get('require')).toBe('100rel');
    expect(progress.headers.get('rseq')).toBe('1');
    expect(progress.body.toString('utf8')).toBe(early);

    const earlyDialog = invite.earlyDialog(progress);
    const pracked = earlyDialog.request('PRACK', { headers: [['RAck', '1 1 INVITE']] });
    const prack = await bed.bob.incoming('PRACK', invite.callId);
    expect(prack.request.headers.get('rack')).toBe('1 1 INVITE');
    expect(prack.request.headers.values('route')).toEqual([]);
    expect(prack.request.uri).toBe(bed.bob.ua.contactUri);
    prack.reply(200);
    expect((await pracked).status).toBe(200);

    const callee = atBob.answer();
    const { dialog: caller } = await invite.answered();
    expect((await bed.bob.incoming('ACK', invite.callId)).request.cseq).toEqual({ seq: 1, method: 'ACK' });
    const { bye, ok } = await hangUp(caller, callee);
    expect(bye.cseq).toEqual({ seq: 3, method: 'BYE' });
    expect(ok.status).toBe(200);
    await expectNoCalls(bed.ep);
  });

  it('[RFC4028-9-session-timer-via-epcscf] MUST pass Session-Expires, Min-SE and the timer option tag of the INVITE and of its 200 through unchanged, and carry the refreshing re-INVITE', async () => {
    const invite = bed.alice.invite(bed.bob.impu, {
      body: webrtcSdp({ user: 'caller' }),
      headers: [
        ['Supported', 'timer'],
        ['Session-Expires', '1800;refresher=uac'],
        ['Min-SE', '90'],
      ],
    });
    const atBob = await bed.bob.incoming('INVITE', invite.callId);
    expect(atBob.request.headers.get('session-expires')).toBe('1800;refresher=uac');
    expect(atBob.request.headers.get('min-se')).toBe('90');
    expect(atBob.request.headers.get('supported')).toBe('timer');
    const callee = atBob.answer({
      body: webrtcSdp({ user: 'callee', setup: 'active' }),
      headers: [
        ['Require', 'timer'],
        ['Session-Expires', '1800;refresher=uac'],
      ],
    });
    const { response, dialog: caller } = await invite.answered();
    expect(response.headers.get('session-expires')).toBe('1800;refresher=uac');
    expect(response.headers.get('require')).toBe('timer');
    await bed.bob.incoming('ACK', invite.callId);

    // The refresh: a re-INVITE with the same session description version.
    const refresh = caller.reinvite({
      body: webrtcSdp({ user: 'caller' }),
      headers: [['Session-Expires', '1800;refresher=uac']],
    });
    const atBobAgain = await callee.incoming('INVITE');
    expect(atBobAgain.request.headers.get('session-expires')).toBe('1800;refresher=uac');
    atBobAgain.reply(200, {
      body: webrtcSdp({ user: 'callee', setup: 'active' }),
      headers: [['Session-Expires', '1800;refresher=uac']],
    });
    expect((await refresh).headers.get('session-expires')).toBe('1800;refresher=uac');
    await callee.incoming('ACK');
    expect((await hangUp(caller, callee)).ok.status).toBe(200);
    await expectNoCalls(bed.ep);
  });
});
