import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SipRequest } from '../message/message.ts';
import { buildAck } from './build-ack.ts';
import { buildResponse } from './build-response.ts';
import type { InviteServerTransaction } from './ist.ts';
import {
  createHarness,
  type Harness,
  localSent,
  peerGotResponses,
  peerSend,
  settle,
  wireRequest,
} from './transaction-harness.ts';

const T1 = 500;
const T4 = 5000;
const TIMEOUT = 64 * T1;

interface Call {
  txn: InviteServerTransaction;
  invite: SipRequest;
}

function deliver(h: Harness): void {
  h.clock.advance(0);
}

function incoming(h: Harness, headers?: string[]): Call {
  const invite = wireRequest({ method: 'INVITE', protocol: h.protocol, headers });
  peerSend(h, invite);
  deliver(h);
  const e = h.tu.events.at(-1);
  if (e?.type !== 'request' || e.txn.kind !== 'ist') throw new Error('expected a new IST');
  return { txn: e.txn, invite };
}

function respond(h: Harness, c: Call, status: number, toTag = 'uas1'): boolean {
  const ok = c.txn.respond(
    buildResponse(
      c.txn.holdsRequest ? c.txn.request : c.invite,
      status,
      'Test',
      status === 100 ? undefined : toTag,
    ),
  );
  deliver(h);
  return ok;
}

/**
 * The peer ACKs the last final response it received with the INVITE's top Via, as its ICT does
 * for a 300-699 (§17.1.1.3); for a 2xx this is an ACK that reuses the INVITE's branch.
 */
function ack(h: Harness, c: Call): void {
  const final = peerGotResponses(h).filter((r) => r.status >= 200);
  peerSend(h, buildAck(c.invite, final.at(-1)!));
  deliver(h);
}

function retransmit(h: Harness, c: Call): void {
  peerSend(h, c.invite);
  deliver(h);
}

const reach: Record<'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted', (h: Harness) => Call> = {
  Proceeding: (h) => incoming(h),
  Completed: (h) => {
    const c = incoming(h);
    respond(h, c, 486);
    return c;
  },
  Confirmed: (h) => {
    const c = reach.Completed(h);
    ack(h, c);
    return c;
  },
  Accepted: (h) => {
    const c = incoming(h);
    respond(h, c, 200);
    return c;
  },
};

const events: Record<string, (h: Harness, c: Call) => void> = {
  INVITE: (h, c) => retransmit(h, c),
  ACK: (h, c) => ack(h, c),
  '1xx from TU': (h, c) => respond(h, c, 180),
  '2xx from TU': (h, c) => respond(h, c, 200),
  '300-699 from TU': (h, c) => respond(h, c, 603),
  'Timer G': (h) => h.clock.advance(T1),
  'Timer H': (h) => h.clock.advance(TIMEOUT),
  'Timer I': (h) => h.clock.advance(T4),
  'Timer L': (h) => h.clock.advance(TIMEOUT),
};

describe.each(['udp', 'tcp'] as const)('INVITE server transaction over %s', (protocol) => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness(protocol);
  });
  afterEach(() => {
    h.clock.advance(2 * TIMEOUT);
    expect(h.layer.size).toBe(0);
    expect(h.clock.pending).toBe(0);
  });

  it.each([
    ['Proceeding', 'INVITE', 'Proceeding'],
    ['Proceeding', '1xx from TU', 'Proceeding'],
    ['Proceeding', '2xx from TU', 'Accepted'],
    ['Proceeding', '300-699 from TU', 'Completed'],
    ['Completed', 'INVITE', 'Completed'],
    ['Completed', 'Timer G', 'Completed'],
    ['Completed', 'ACK', protocol === 'udp' ? 'Confirmed' : 'Terminated'],
    ['Completed', 'Timer H', 'Terminated'],
    ['Completed', '2xx from TU', 'Completed'],
    ['Confirmed', 'ACK', 'Confirmed'],
    ['Confirmed', 'INVITE', 'Confirmed'],
    ['Confirmed', 'Timer I', 'Terminated'],
    ['Accepted', 'INVITE', 'Accepted'],
    ['Accepted', '2xx from TU', 'Accepted'],
    ['Accepted', 'ACK', 'Accepted'],
    ['Accepted', '300-699 from TU', 'Accepted'],
    ['Accepted', 'Timer L', 'Terminated'],
  ] as const)('[RFC6026-7.1-ist-transitions] MUST go from %s on %s to %s', (from, event, to) => {
    if (from === 'Confirmed' && h.reliable) return; // Timer I is zero: Confirmed is left at once
    const c = reach[from](h);
    expect(c.txn.state).toBe(from);
    events[event]!(h, c);
    expect(c.txn.state).toBe(to);
    if (c.txn.state === 'Proceeding') respond(h, c, 480); // Proceeding has no timer of its own
  });

  it('[RFC3261-17.2.1-trying-100] MUST send 100 Trying (Timestamp copied, no To tag) when the TU is silent for 200 ms', () => {
    const c = incoming(h, ['Timestamp: 54.2']);
    h.clock.advance(199);
    expect(peerGotResponses(h)).toHaveLength(0);
    h.clock.advance(1);
    const [trying] = peerGotResponses(h);
    expect(trying?.status).toBe(100);
    expect(trying?.headers.get('timestamp')).toBe('54.2');
    expect(trying?.to.params.has('tag')).toBe(false);
    expect(trying?.callId).toBe(c.invite.callId);
    respond(h, c, 486);
  });

  it('[RFC3261-17.2.1-trying-100] MUST NOT send 100 Trying itself when the TU answers within 200 ms', () => {
    const c = incoming(h);
    h.clock.advance(150);
    respond(h, c, 180);
    h.clock.advance(1000);
    expect(peerGotResponses(h).map((r) => r.status)).toEqual([180]);
    respond(h, c, 486);
  });

  it('[RFC3261-17.2.1-retransmit-provisional] MUST answer an INVITE retransmission with the last provisional and not pass it up', () => {
    const c = incoming(h);
    respond(h, c, 180);
    respond(h, c, 183);
    retransmit(h, c);
    expect(peerGotResponses(h).map((r) => r.status)).toEqual([180, 183, 183]);
    expect(h.tu.requests()).toHaveLength(1);
    respond(h, c, 486);
  });

  it('[RFC3261-17.2.1-retransmit-final] MUST answer an INVITE retransmission in Completed with the final response', () => {
    const c = reach.Completed(h);
    retransmit(h, c);
    expect(peerGotResponses(h, 486).length).toBeGreaterThanOrEqual(2);
    expect(h.tu.requests()).toHaveLength(1);
  });

  it('[RFC3261-17.2.1-timerG] MUST retransmit a 300-699 response at T1 doubling up to T2 on unreliable transports only', () => {
    reach.Completed(h);
    h.clock.advance(TIMEOUT - 1);
    const times = localSent(h, 486).map((s) => s.at);
    expect(times).toEqual(
      h.reliable ? [0] : [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
    );
  });

  it('[RFC3261-17.2.1-timerH] MUST terminate and tell the TU when no ACK arrives within 64*T1', () => {
    const c = reach.Completed(h);
    h.clock.advance(TIMEOUT - 1);
    expect(c.txn.state).toBe('Completed');
    h.clock.advance(1);
    expect(c.txn.state).toBe('Terminated');
    expect(h.tu.types()).toEqual(['request', 'timeout', 'terminated']);
  });

  it('[RFC3261-17.2.1-timerI] MUST stop retransmitting on ACK and absorb further ACKs for T4 (zero on reliable transports)', () => {
    const c = reach.Completed(h);
    ack(h, c);
    const sentAtAck = localSent(h, 486).length;
    if (h.reliable) {
      expect(c.txn.state).toBe('Terminated');
    } else {
      expect(c.txn.state).toBe('Confirmed');
      ack(h, c);
      h.clock.advance(T4 - 1);
      expect(c.txn.state).toBe('Confirmed');
      h.clock.advance(1);
      expect(c.txn.state).toBe('Terminated');
    }
    expect(localSent(h, 486)).toHaveLength(sentAtAck);
    expect(h.tu.types()).toEqual(['request', 'terminated']); // ACKs for non-2xx stay in the transaction
  });

  it('[RFC6026-7.1-accepted] MUST absorb INVITE retransmissions, send the TU 2xx retransmissions and pass ACKs to the TU', () => {
    const c = reach.Accepted(h);
    retransmit(h, c);
    expect(peerGotResponses(h, 200)).toHaveLength(1); // absorbed: no response re-sent
    expect(h.tu.requests()).toHaveLength(1); // and not passed up
    expect(respond(h, c, 200)).toBe(true); // the TU retransmits its 2xx (§13.3.1.4)
    expect(peerGotResponses(h, 200)).toHaveLength(2);
    expect(respond(h, c, 500)).toBe(false); // no non-2xx after a 2xx
    const ok = peerGotResponses(h, 200)[0]!;
    const ack2xx = wireRequest({
      method: 'ACK',
      protocol: h.protocol,
      branch: c.txn.branch, // an ACK reusing the INVITE's branch matches the transaction
      callId: c.invite.callId,
      toTag: ok.to.params.value('tag'),
    });
    peerSend(h, ack2xx);
    deliver(h);
    const last = h.tu.events.at(-1);
    expect(last?.type).toBe('stray-ack');
    expect(last?.type === 'stray-ack' && last.accepted).toBe(c.txn);
    expect(c.txn.state).toBe('Accepted');
  });

  it('[RFC6026-7.1-timerL] MUST stay in Accepted for 64*T1 and then terminate', () => {
    const c = reach.Accepted(h);
    h.clock.advance(TIMEOUT - 1);
    expect(c.txn.state).toBe('Accepted');
    h.clock.advance(1);
    expect(c.txn.state).toBe('Terminated');
    expect(h.tu.types()).toEqual(['request', 'terminated']);
  });

  it('[RFC6026-8.8-server-transport-error] MUST tell the TU once of a failed response send and stay in its state', async () => {
    const c = incoming(h);
    h.local.failNext(2, 'unreachable');
    respond(h, c, 180);
    respond(h, c, 486);
    await settle();
    expect(c.txn.state).toBe('Completed');
    expect(h.tu.types()).toEqual(['request', 'transport-error']);
    retransmit(h, c); // still absorbed and answered: no new transaction, nothing new for the TU
    expect(h.tu.requests()).toHaveLength(1);
    expect(peerGotResponses(h, 486).length).toBeGreaterThanOrEqual(1);
    h.clock.advance(TIMEOUT);
    expect(c.txn.state).toBe('Terminated');
  });

  it.each([
    [200, 'Accepted'],
    [486, 'Completed'],
  ] as const)(
    '[RFC3261-18.2.2-connection-fallback] MUST retry a %i on a new connection to the sent-by port when the first is gone',
    async (status, state) => {
      if (!h.reliable) return;
      const c = incoming(h);
      const first = c.txn.source.connectionId!;
      h.network.closeConnection(first);
      respond(h, c, status);
      await settle();
      deliver(h);
      expect(peerGotResponses(h).map((r) => r.status)).toEqual([status]);
      expect(h.peer.received.at(-1)!.source.connectionId).not.toBe(first);
      expect(c.txn.state).toBe(state);
      expect(h.tu.types()).toEqual(['request']); // no error: the backup worked
      if (status >= 300) ack(h, c);
    },
  );
});
