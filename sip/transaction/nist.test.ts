import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SipRequest } from '../message/message.ts';
import { buildResponse } from './build-response.ts';
import type { NonInviteServerTransaction } from './nist.ts';
import {
  createHarness,
  type Harness,
  peerGotResponses,
  peerSend,
  settle,
  wireRequest,
} from './transaction-harness.ts';

const T1 = 500;
const TIMEOUT = 64 * T1;

interface Exchange {
  txn: NonInviteServerTransaction;
  request: SipRequest;
}

function deliver(h: Harness): void {
  h.clock.advance(0);
}

function incoming(h: Harness, method = 'MESSAGE'): Exchange {
  const request = wireRequest({ method, protocol: h.protocol });
  peerSend(h, request);
  deliver(h);
  const e = h.tu.events.at(-1);
  if (e?.type !== 'request' || e.txn.kind !== 'nist') throw new Error('expected a new NIST');
  return { txn: e.txn, request };
}

function respond(h: Harness, x: Exchange, status: number): boolean {
  const ok = x.txn.respond(
    buildResponse(
      x.txn.holdsRequest ? x.txn.request : x.request,
      status,
      'Test',
      status === 100 ? undefined : 'uas1',
    ),
  );
  deliver(h);
  return ok;
}

function retransmit(h: Harness, x: Exchange): void {
  peerSend(h, x.request);
  deliver(h);
}

const reach: Record<'Trying' | 'Proceeding' | 'Completed', (h: Harness) => Exchange> = {
  Trying: (h) => incoming(h),
  Proceeding: (h) => {
    const x = incoming(h);
    respond(h, x, 100);
    return x;
  },
  Completed: (h) => {
    const x = incoming(h);
    respond(h, x, 200);
    return x;
  },
};

const events: Record<string, (h: Harness, x: Exchange) => void> = {
  request: (h, x) => retransmit(h, x),
  '1xx from TU': (h, x) => respond(h, x, 100),
  '200-699 from TU': (h, x) => respond(h, x, 404),
  'Timer J': (h) => h.clock.advance(TIMEOUT),
};

describe.each(['udp', 'tcp'] as const)('non-INVITE server transaction over %s', (protocol) => {
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
    ['Trying', 'request', 'Trying'],
    ['Trying', '1xx from TU', 'Proceeding'],
    ['Trying', '200-699 from TU', protocol === 'udp' ? 'Completed' : 'Terminated'],
    ['Proceeding', 'request', 'Proceeding'],
    ['Proceeding', '1xx from TU', 'Proceeding'],
    ['Proceeding', '200-699 from TU', protocol === 'udp' ? 'Completed' : 'Terminated'],
    ['Completed', 'request', 'Completed'],
    ['Completed', '200-699 from TU', 'Completed'],
    ['Completed', 'Timer J', 'Terminated'],
  ] as const)('[RFC3261-17.2.2-nist-transitions] MUST go from %s on %s to %s', (from, event, to) => {
    if (from === 'Completed' && h.reliable) return; // Timer J is zero: Completed is left at once
    const x = reach[from](h);
    expect(x.txn.state).toBe(from);
    events[event]!(h, x);
    expect(x.txn.state).toBe(to);
    if (x.txn.state === 'Trying' || x.txn.state === 'Proceeding') respond(h, x, 500);
  });

  it('[RFC3261-17.2.2-absorb-trying] MUST discard request retransmissions while Trying and pass the request up once', () => {
    const x = incoming(h);
    retransmit(h, x);
    retransmit(h, x);
    expect(peerGotResponses(h)).toHaveLength(0);
    expect(h.tu.requests()).toHaveLength(1);
    expect(h.layer.counters.retransmissionsAbsorbed).toBe(2);
    respond(h, x, 200);
  });

  it('[RFC3261-17.2.2-retransmit-response] MUST answer a retransmission with the last response sent', () => {
    const x = incoming(h);
    respond(h, x, 100);
    retransmit(h, x);
    expect(peerGotResponses(h).map((r) => r.status)).toEqual([100, 100]);
    respond(h, x, 202);
    if (!h.reliable) {
      retransmit(h, x);
      expect(peerGotResponses(h).map((r) => r.status)).toEqual([100, 100, 202, 202]);
    }
    expect(h.tu.requests()).toHaveLength(1);
  });

  it('[RFC3261-17.2.2-discard-final] MUST discard any further final response from the TU once Completed', () => {
    const x = incoming(h);
    expect(respond(h, x, 200)).toBe(true);
    expect(respond(h, x, 500)).toBe(false);
    expect(respond(h, x, 180)).toBe(false);
    expect(peerGotResponses(h).map((r) => r.status)).toEqual([200]);
  });

  it('[RFC3261-17.2.2-timerJ] MUST keep the transaction 64*T1 after the final response on unreliable transports, none on reliable', () => {
    const x = reach.Completed(h);
    if (h.reliable) {
      expect(x.txn.state).toBe('Terminated');
      // a retransmission now is a new request: TCP peers do not retransmit, so it is one
      return;
    }
    h.clock.advance(TIMEOUT - 1);
    expect(x.txn.state).toBe('Completed');
    h.clock.advance(1);
    expect(x.txn.state).toBe('Terminated');
    expect(h.tu.types()).toEqual(['request', 'terminated']);
  });

  it('[RFC6026-8.8-server-transport-error] MUST tell the TU of a failed response send and stay in its state', async () => {
    const x = incoming(h);
    h.local.failNext(1, 'unreachable');
    respond(h, x, 100);
    await settle();
    expect(x.txn.state).toBe('Proceeding');
    expect(h.tu.types()).toEqual(['request', 'transport-error']);
    respond(h, x, 200);
    expect(peerGotResponses(h).map((r) => r.status)).toEqual([200]);
  });

  it('[RFC3261-18.2.2-connection-fallback] MUST retry a response on a new connection to the sent-by port when the first is gone', async () => {
    if (!h.reliable) return;
    const x = incoming(h);
    const first = x.txn.source.connectionId!;
    h.network.closeConnection(first);
    respond(h, x, 200);
    await settle();
    deliver(h);
    const [ok] = peerGotResponses(h);
    expect(ok?.status).toBe(200);
    const arrival = h.peer.received.at(-1)!;
    expect(arrival.source.connectionId).not.toBe(first);
    expect(h.tu.types()).toEqual(['request', 'terminated']); // no error: the backup worked
  });
});
