/**
 * Forking (RFC 3261 §16.6-§16.7, §13.2.2.4, TS 24.229 §5.2.7): bob is registered from two
 * browsers, each on its own WebSocket; the lab core forks alice's INVITE to both, and both legs
 * come back through the same eP-CSCF with the same Call-ID. Each branch must keep its own
 * state: several 18x with their own tags reach the caller; the branch not answered is
 * cancelled; with two 2xx the caller gets both; and the eP-CSCF still knows which call to
 * release when the answering browser's flow drops. Each test has its own peers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type CallBed, startCallBed } from './call-bed.ts';
import { expectNoCalls, flowOf } from './call-checks.ts';
import { webrtcSdp } from './call-sdp.ts';
import type { CallUa } from './call-ua.ts';
import { eventually } from './eventually.ts';

describe('eP-CSCF calls: an INVITE forked to two WebSocket clients of the same user', () => {
  const peers: Array<{ report(): string }> = [];
  let bed: CallBed | undefined;
  printPeerOutputOnFailure(() => peers);
  afterEach(async () => {
    await bed?.stop();
    bed = undefined;
  });

  const start = async (): Promise<{ b: CallBed; alice: CallUa; bob1: CallUa; bob2: CallUa }> => {
    peers.length = 0;
    const b = await startCallBed((p) => peers.push(p));
    bed = b;
    const alice = await b.user('alice');
    const bob1 = await b.user('bob');
    const bob2 = await b.user('bob');
    for (const [name, u] of [
      ['alice', alice],
      ['bob1', bob1],
      ['bob2', bob2],
    ] as const)
      peers.push({ report: () => `--- ${name} ---\n${u.inbox.summary()}` });
    expect(b.core.registrations.get('sip:bob@ims.lab')?.contacts).toHaveLength(2);
    return { b, alice, bob1, bob2 };
  };

  /** alice calls bob; both browsers ring; bob2 answers, bob1 is cancelled (487). */
  const forkedCall = async () => {
    const { b, alice, bob1, bob2 } = await start();
    const invite = alice.invite('sip:bob@ims.lab', { body: webrtcSdp({ user: 'caller' }) });
    const at1 = await bob1.incoming('INVITE', invite.callId);
    const at2 = await bob2.incoming('INVITE', invite.callId);
    at1.reply(180);
    at2.reply(180);
    const ringing = [await invite.provisional(), await invite.provisional()];
    const callee = at2.answer({ body: webrtcSdp({ user: 'bob2', setup: 'active' }) });
    const cancel = await bob1.incoming('CANCEL', invite.callId);
    cancel.reply(200);
    at1.reply(487);
    const { response, dialog: caller } = await invite.answered();
    await bob2.incoming('ACK', invite.callId);
    return { b, bob1, bob2, at1, at2, ringing, response, caller, callee };
  };

  it('[RFC3261-16.7-forked-18x-via-epcscf] [RFC3261-16.7-fork-cancel-via-epcscf] MUST relay the 180 of each branch with its own tag to the caller, cancel the branch not answered (which gets its ACK for the 487), and carry the call with the branch that answered', async () => {
    const c = await forkedCall();
    expect(flowOf(c.b.ep, c.at1.request.headers.values('record-route')[0])).not.toBe(
      flowOf(c.b.ep, c.at2.request.headers.values('record-route')[0]),
    );
    expect(new Set(c.ringing.map((r) => r.to.params.value('tag')))).toEqual(
      new Set([c.at1.toTag, c.at2.toTag]),
    );
    expect(c.response.to.params.value('tag')).toBe(c.at2.toTag);
    expect(c.bob1.pendingRequests('ACK').map((a) => a.cseq.seq)).toEqual([1]);
    const pending = c.caller.request('BYE');
    (await c.callee.incoming('BYE')).reply(200);
    expect((await pending).status).toBe(200);
    expect(c.bob1.pendingRequests('BYE')).toEqual([]);
    await expectNoCalls(c.b.ep);
  });

  // Product bug: the call table keys a leg by Call-ID and leg only (call-control.ts `key`), so the
  // second fork's `begin` overwrites the first's record and the cancelled branch's 487 releases
  // the record of the answered one: nothing is left to release when bob2's flow drops.
  it('[TS24229-5.2.8.1.2-forked-flow-failure-bye] MUST release toward the caller the branch that answered a forked INVITE when that browser’s WebSocket drops: the caller gets a BYE with a Reason', async () => {
    const c = await forkedCall();
    await c.bob2.close();
    const bye = await c.caller.incoming('BYE', 3_000);
    expect(bye.request.from.params.value('tag')).toBe(c.at2.toTag);
    expect(bye.request.headers.get('reason')).toMatch(/^SIP\s*;\s*cause=\d{3}\b/i);
    bye.reply(200);
    await expectNoCalls(c.b.ep);
  });

  it('[RFC3261-16.7-fork-2xx-via-epcscf] [TS24229-5.2.6-no-call-state-left] MUST relay a 2xx from each branch that answers to the caller, so that it can ACK and end both dialogs, and then hold no call state', async () => {
    const { b, alice, bob1, bob2 } = await start();
    const invite = alice.invite('sip:bob@ims.lab', { body: webrtcSdp({ user: 'caller' }) });
    const at1 = await bob1.incoming('INVITE', invite.callId);
    const at2 = await bob2.incoming('INVITE', invite.callId);
    const callee1 = at1.answer({ body: webrtcSdp({ user: 'bob1', setup: 'active' }) });
    const callee2 = at2.answer({ body: webrtcSdp({ user: 'bob2', setup: 'active' }) });
    // The core cancels the branch still pending after the first 2xx; it has answered already.
    for (const u of [bob1, bob2]) {
      const late = await eventually(
        () => u.pendingRequests('CANCEL'),
        (c) => c.length > 0,
        500,
      );
      if (late.length > 0) (await u.incoming('CANCEL', invite.callId)).reply(200);
    }

    const first = await invite.answered();
    const second = await invite.answered();
    expect(new Set([first.response, second.response].map((r) => r.to.params.value('tag')))).toEqual(
      new Set([at1.toTag, at2.toTag]),
    );
    await bob1.incoming('ACK', invite.callId);
    await bob2.incoming('ACK', invite.callId);

    for (const [caller, callee] of [
      [first.dialog, first.response.to.params.value('tag') === at1.toTag ? callee1 : callee2],
      [second.dialog, second.response.to.params.value('tag') === at1.toTag ? callee1 : callee2],
    ] as const) {
      const pending = caller.request('BYE');
      (await callee.incoming('BYE')).reply(200);
      expect((await pending).status).toBe(200);
    }
    await expectNoCalls(b.ep);
  });
});
