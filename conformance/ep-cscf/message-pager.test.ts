/**
 * Standalone transactions through the eP-CSCF (TS 24.229 §5.2.6.3.6, §5.2.6.4.6): pager-mode
 * MESSAGE (RFC 3428) from one WebSocket client to another in both directions, and OPTIONS
 * (RFC 3261 §11), through the lab IMS core. The originating side gets the Service-Route and an
 * asserted identity and no Record-Route; the terminating side gets the request on the callee's
 * own flow; the final response comes back to the sender.
 */
import { describe, expect, it } from 'vitest';
import { firstAtCore, uriOf } from './call-checks.ts';
import { useCallPair } from './call-pair.ts';
import type { CallUa } from './call-ua.ts';

describe('eP-CSCF standalone requests: MESSAGE and OPTIONS between WebSocket clients through the lab core', () => {
  const bed = useCallPair();

  /** `from` sends a MESSAGE to `to`, which answers 200; what each side and the core saw. */
  const message = async (from: CallUa, to: CallUa, text: string) => {
    const pending = from.request('MESSAGE', to.impu, { contentType: 'text/plain', body: text });
    const received = await to.incoming('MESSAGE');
    received.reply(200);
    const final = await pending;
    return { received: received.request, final, atCore: await firstAtCore(bed.tap, 'MESSAGE', final.callId) };
  };

  it("[RFC3428-4-message-via-epcscf] [TS24229-5.2.6.3.6-standalone] MUST carry a pager-mode MESSAGE from alice to bob's WebSocket with its body and alice's asserted identity, route it along the Service-Route without Record-Route, and return bob's 200", async () => {
    const m = await message(bed.alice, bed.bob, 'hello bob');
    expect(m.received.uri).toBe(bed.bob.ua.contactUri);
    expect(m.received.body.toString('utf8')).toBe('hello bob');
    expect(m.received.headers.get('content-type')).toBe('text/plain');
    expect(m.received.headers.values('route')).toEqual([]);
    expect(m.received.headers.values('record-route')).toEqual([]);
    expect(m.received.headers.values('p-asserted-identity').map(uriOf)).toEqual(['sip:alice@ims.lab']);
    expect(m.final.status).toBe(200);
    expect(m.final.vias).toHaveLength(1);
    expect(m.atCore.headers.values('route')).toEqual([`<sip:orig@${bed.core.host}:${bed.core.port};lr>`]);
    expect(m.atCore.headers.values('record-route')).toEqual([]);
    expect(bed.alice.pendingRequests('MESSAGE')).toEqual([]);
  });

  it("[RFC3428-4-message-via-epcscf] [TS24229-5.2.6.4.6-standalone] MUST carry a pager-mode MESSAGE from bob to alice's WebSocket and return alice's 200", async () => {
    const m = await message(bed.bob, bed.alice, 'hello alice');
    expect(m.received.uri).toBe(bed.alice.ua.contactUri);
    expect(m.received.body.toString('utf8')).toBe('hello alice');
    expect(m.received.headers.values('p-asserted-identity').map(uriOf)).toEqual(['sip:bob@ims.lab']);
    expect(m.final.status).toBe(200);
    expect(bed.bob.pendingRequests('MESSAGE')).toEqual([]);
  });

  it('[RFC3428-7-message-error-via-epcscf] MUST return the recipient’s error response to a MESSAGE to its sender', async () => {
    const pending = bed.alice.request('MESSAGE', bed.bob.impu, {
      contentType: 'application/x-unknown',
      body: 'x',
    });
    const received = await bed.bob.incoming('MESSAGE');
    received.reply(415, { headers: [['Accept', 'text/plain']] });
    const final = await pending;
    expect(final.status).toBe(415);
    expect(final.headers.get('accept')).toBe('text/plain');
  });

  it('[RFC3261-11-options-via-epcscf] MUST carry an OPTIONS from alice to bob and return his 200 with its capabilities', async () => {
    const pending = bed.alice.request('OPTIONS', bed.bob.impu, {
      headers: [['Accept', 'application/sdp']],
    });
    const received = await bed.bob.incoming('OPTIONS');
    expect(received.request.uri).toBe(bed.bob.ua.contactUri);
    received.reply(200, { headers: [['Allow', 'INVITE, ACK, CANCEL, BYE, UPDATE, MESSAGE, OPTIONS']] });
    const final = await pending;
    expect(final.status).toBe(200);
    expect(final.headers.get('allow')).toBe('INVITE, ACK, CANCEL, BYE, UPDATE, MESSAGE, OPTIONS');
  });
});
