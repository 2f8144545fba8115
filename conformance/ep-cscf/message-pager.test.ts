/**
 * Standalone transactions through the eP-CSCF (TS 24.229 §5.2.6.3.6, §5.2.6.4.6): pager-mode
 * MESSAGE (RFC 3428) from one WebSocket client to another in both directions, and OPTIONS
 * (RFC 3261 §11), through the lab IMS core. The originating side gets the Service-Route and an
 * asserted identity and no Record-Route; the terminating side gets the request on the callee's
 * own flow; the final response comes back to the sender.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type CallBed, startCallBed } from './call-bed.ts';
import { firstAtCore, uriOf } from './call-checks.ts';
import type { CallUa } from './call-ua.ts';

describe('eP-CSCF standalone requests: MESSAGE and OPTIONS between WebSocket clients through the lab core', () => {
  const peers: Array<{ report(): string }> = [];
  let bed: CallBed;
  let alice: CallUa;
  let bob: CallUa;
  printPeerOutputOnFailure(() => [
    ...peers,
    ...[alice, bob].map((u) => ({ report: () => `--- ${u?.impu} ---\n${u?.inbox.summary()}` })),
  ]);

  beforeAll(async () => {
    bed = await startCallBed((p) => peers.push(p));
    alice = await bed.user('alice');
    bob = await bed.user('bob');
  });
  afterAll(async () => {
    await bed?.stop();
  });

  /** `from` sends a MESSAGE to `to`, which answers 200; what each side and the core saw. */
  const message = async (from: CallUa, to: CallUa, text: string) => {
    const pending = from.request('MESSAGE', to.impu, { contentType: 'text/plain', body: text });
    const received = await to.incoming('MESSAGE');
    received.reply(200);
    const final = await pending;
    return { received: received.request, final, atCore: await firstAtCore(bed.tap, 'MESSAGE', final.callId) };
  };

  it("[RFC3428-4-message-via-epcscf] [TS24229-5.2.6.3.6-standalone] MUST carry a pager-mode MESSAGE from alice to bob's WebSocket with its body and alice's asserted identity, route it along the Service-Route without Record-Route, and return bob's 200", async () => {
    const m = await message(alice, bob, 'hello bob');
    expect(m.received.uri).toBe(bob.ua.contactUri);
    expect(m.received.body.toString('utf8')).toBe('hello bob');
    expect(m.received.headers.get('content-type')).toBe('text/plain');
    expect(m.received.headers.values('route')).toEqual([]);
    expect(m.received.headers.values('record-route')).toEqual([]);
    expect(m.received.headers.values('p-asserted-identity').map(uriOf)).toEqual(['sip:alice@ims.lab']);
    expect(m.final.status).toBe(200);
    expect(m.final.vias).toHaveLength(1);
    expect(m.atCore.headers.values('route')).toEqual([`<sip:orig@${bed.core.host}:${bed.core.port};lr>`]);
    expect(m.atCore.headers.values('record-route')).toEqual([]);
    expect(alice.pendingRequests('MESSAGE')).toEqual([]);
  });

  it("[RFC3428-4-message-via-epcscf] [TS24229-5.2.6.4.6-standalone] MUST carry a pager-mode MESSAGE from bob to alice's WebSocket and return alice's 200", async () => {
    const m = await message(bob, alice, 'hello alice');
    expect(m.received.uri).toBe(alice.ua.contactUri);
    expect(m.received.body.toString('utf8')).toBe('hello alice');
    expect(m.received.headers.values('p-asserted-identity').map(uriOf)).toEqual(['sip:bob@ims.lab']);
    expect(m.final.status).toBe(200);
    expect(bob.pendingRequests('MESSAGE')).toEqual([]);
  });

  it('[RFC3428-7-message-error-via-epcscf] MUST return the recipient’s error response to a MESSAGE to its sender', async () => {
    const pending = alice.request('MESSAGE', bob.impu, { contentType: 'application/x-unknown', body: 'x' });
    const received = await bob.incoming('MESSAGE');
    received.reply(415, { headers: [['Accept', 'text/plain']] });
    const final = await pending;
    expect(final.status).toBe(415);
    expect(final.headers.get('accept')).toBe('text/plain');
  });

  it('[RFC3261-11-options-via-epcscf] MUST carry an OPTIONS from alice to bob and return his 200 with its capabilities', async () => {
    const pending = alice.request('OPTIONS', bob.impu, {
      headers: [['Accept', 'application/sdp']],
    });
    const received = await bob.incoming('OPTIONS');
    expect(received.request.uri).toBe(bob.ua.contactUri);
    received.reply(200, { headers: [['Allow', 'INVITE, ACK, CANCEL, BYE, UPDATE, MESSAGE, OPTIONS']] });
    const final = await pending;
    expect(final.status).toBe(200);
    expect(final.headers.get('allow')).toBe('INVITE, ACK, CANCEL, BYE, UPDATE, MESSAGE, OPTIONS');
  });
});
