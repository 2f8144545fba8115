import { describe, expect, it } from 'vitest';
import { buildResponse } from './build-response.ts';
import {
  createHarness,
  type Harness,
  localRequest,
  localSent,
  peerGot,
  peerGotResponses,
  peerReply,
  peerSend,
  wireRequest,
} from './transaction-harness.ts';
import type { ServerTransaction } from './transaction-user.ts';

/**
 * What a completed transaction keeps (BENCHMARKS.md, "Problems found in the eP-CSCF", item 3):
 * only what absorbing retransmissions needs. Over UDP, so that Completed lasts (Timers J, K, D
 * and H are zero or irrelevant over TCP).
 */

const deliver = (h: Harness) => h.clock.advance(0);

function incoming(h: Harness, method: string) {
  const request = wireRequest({ method, protocol: 'udp' });
  peerSend(h, request);
  deliver(h);
  const e = h.tu.events.at(-1);
  if (e?.type !== 'request') throw new Error('expected a new server transaction');
  return { txn: e.txn as ServerTransaction, request };
}

describe('completed transactions over udp', () => {
  it('[DESIGN-speed-txn_release_server] MUST answer a retransmitted request in Completed with the same final response octets once the request is released (NIST)', () => {
    const h = createHarness('udp');
    const { txn, request } = incoming(h, 'MESSAGE');
    expect(txn.holdsRequest).toBe(true);
    txn.respond(buildResponse(txn.request, 202, 'Accepted', 'uas1'));
    deliver(h);
    expect(txn.state).toBe('Completed');
    expect(txn.holdsRequest).toBe(false);
    expect(() => txn.request).toThrow(/released/);
    expect(txn.callId).toBe(request.callId);
    expect(txn.method).toBe('MESSAGE');
    peerSend(h, request);
    deliver(h);
    const sent = localSent(h, 202);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.bytes.equals(sent[0]!.bytes)).toBe(true);
    expect(peerGotResponses(h, 202)).toHaveLength(2);
    h.clock.advance(64 * 500);
    expect(h.layer.size).toBe(0);
  });

  it('[DESIGN-speed-txn_release_server] MUST re-send the same non-2xx final octets on Timer G and on a retransmitted INVITE after releasing the INVITE (IST)', () => {
    const h = createHarness('udp');
    const { txn, request } = incoming(h, 'INVITE');
    txn.respond(buildResponse(txn.request, 486, 'Busy Here', 'uas1'));
    deliver(h);
    expect(txn.state).toBe('Completed');
    expect(txn.holdsRequest).toBe(false);
    h.clock.advance(500); // Timer G
    peerSend(h, request);
    deliver(h);
    const sent = localSent(h, 486);
    expect(sent).toHaveLength(3);
    for (const s of sent) expect(s.bytes.equals(sent[0]!.bytes)).toBe(true);
    h.clock.advance(64 * 500);
    expect(h.layer.size).toBe(0);
    expect(h.tu.types()).toContain('timeout');
  });

  it('[DESIGN-speed-txn_release_client] MUST keep nothing of a completed NICT but its key, and still absorb the retransmitted final response for T4', () => {
    const h = createHarness('udp');
    const txn = h.layer.sendRequest(localRequest('OPTIONS', 'udp'), h.toPeer);
    deliver(h);
    peerReply(h, 200);
    deliver(h);
    // The TU has its final response and is done with the transaction; the layer holds no object.
    expect(h.tu.types()).toEqual(['response', 'terminated']);
    expect(txn.holdsRequest).toBe(false);
    expect(txn.branch).toMatch(/^z9hG4bK/);
    expect(h.layer.size).toBe(0);
    peerReply(h, 200);
    deliver(h);
    expect(h.tu.responses().map((r) => r.status)).toEqual([200]);
    expect(h.layer.counters.retransmissionsAbsorbed).toBe(1);
    expect(h.layer.counters.strayResponses).toBe(0);
    h.clock.advance(5500); // T4, and the layer's T4/10 granularity
    expect(h.clock.pending).toBe(0);
  });

  it('[DESIGN-speed-txn_release_client] MUST re-send the same ACK octets for a retransmitted non-2xx once the INVITE is released (ICT)', () => {
    const h = createHarness('udp');
    const txn = h.layer.sendRequest(localRequest('INVITE', 'udp'), h.toPeer);
    deliver(h);
    peerReply(h, 503);
    deliver(h);
    expect(txn.state).toBe('Completed');
    expect(txn.holdsRequest).toBe(false);
    peerReply(h, 503);
    deliver(h);
    const acks = localSent(h, 'ACK');
    expect(acks).toHaveLength(2);
    expect(acks[1]!.bytes.equals(acks[0]!.bytes)).toBe(true);
    expect(peerGot(h, 'ACK')).toHaveLength(2);
    expect(h.tu.responses().map((r) => r.status)).toEqual([503]);
    h.clock.advance(32_000);
    expect(h.layer.size).toBe(0);
  });
});
