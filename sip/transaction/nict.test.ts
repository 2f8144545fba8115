import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NonInviteClientTransaction } from './nict.ts';
import {
  createHarness,
  type Harness,
  localRequest,
  localSent,
  peerReply,
  settle,
} from './transaction-harness.ts';

const T1 = 500;
const T4 = 5000;
const TIMEOUT = 64 * T1;

function deliver(h: Harness): void {
  h.clock.advance(0);
}

function options(h: Harness): NonInviteClientTransaction {
  const txn = h.layer.sendRequest(localRequest('OPTIONS', h.protocol), h.toPeer);
  if (txn.kind !== 'nict') throw new Error('expected a NICT');
  deliver(h);
  return txn;
}

function reply(h: Harness, status: number): void {
  peerReply(h, status);
  deliver(h);
}

const reach: Record<'Trying' | 'Proceeding', (h: Harness) => NonInviteClientTransaction> = {
  Trying: (h) => options(h),
  Proceeding: (h) => {
    const t = options(h);
    reply(h, 100);
    return t;
  },
};

const events: Record<string, (h: Harness) => void> = {
  '1xx': (h) => reply(h, 183),
  '200-699': (h) => reply(h, 404),
  'Timer F': (h) => h.clock.advance(TIMEOUT),
};

describe.each(['udp', 'tcp'] as const)('non-INVITE client transaction over %s', (protocol) => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness(protocol);
  });
  afterEach(() => {
    h.clock.advance(2 * TIMEOUT);
    expect(h.layer.size).toBe(0);
    expect(h.clock.pending).toBe(0);
  });

  // Completed is left at once: its only duty, absorbing retransmitted finals for Timer K, is the
  // layer's (see the timerK test below).
  it.each([
    ['Trying', '1xx', 'Proceeding'],
    ['Trying', '200-699', 'Terminated'],
    ['Trying', 'Timer F', 'Terminated'],
    ['Proceeding', '1xx', 'Proceeding'],
    ['Proceeding', '200-699', 'Terminated'],
    ['Proceeding', 'Timer F', 'Terminated'],
  ] as const)('[RFC3261-17.1.2.2-nict-transitions] MUST go from %s on %s to %s', (from, event, to) => {
    const txn = reach[from](h);
    expect(txn.state).toBe(from);
    events[event]!(h);
    expect(txn.state).toBe(to);
  });

  it('[RFC3261-17.1.2.2-timerE] MUST retransmit at T1 doubling up to T2 while Trying, on unreliable transports only', () => {
    options(h);
    h.clock.advance(TIMEOUT - 1);
    const times = localSent(h, 'OPTIONS').map((s) => s.at);
    expect(times).toEqual(
      h.reliable ? [0] : [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500], // capped at T2 = 4 s
    );
  });

  it('[RFC3261-17.1.2.2-timerE] MUST retransmit every T2 once Proceeding, on unreliable transports only', () => {
    options(h);
    reply(h, 100); // at 0: the pending Timer E (T1) still fires, then every T2
    h.clock.advance(12_000);
    const times = localSent(h, 'OPTIONS').map((s) => s.at);
    expect(times).toEqual(h.reliable ? [0] : [0, 500, 4500, 8500]);
  });

  it('[RFC3261-17.1.2.2-timerF] MUST tell the TU of a timeout and terminate when no final response comes within 64*T1', () => {
    const txn = reach.Proceeding(h);
    h.clock.advance(TIMEOUT - 1);
    expect(txn.state).toBe('Proceeding');
    h.clock.advance(1);
    expect(txn.state).toBe('Terminated');
    expect(h.tu.types()).toEqual(['response', 'timeout', 'terminated']);
  });

  it('[RFC3261-17.1.2.2-timerK] MUST absorb retransmitted responses for T4 on unreliable transports, none on reliable', () => {
    const txn = options(h);
    reply(h, 200);
    expect(h.tu.responses().map((r) => r.status)).toEqual([200]);
    expect(txn.state).toBe('Terminated');
    reply(h, 200);
    h.clock.advance(T4 - 1);
    reply(h, 200);
    expect(h.tu.responses()).toHaveLength(1);
    const absorbed = h.reliable ? 0 : 2;
    expect(h.layer.counters.retransmissionsAbsorbed).toBe(absorbed);
    expect(h.layer.counters.strayResponses).toBe(2 - absorbed);
    h.clock.advance(T4 / 10 + 1); // the layer forgets completed keys at most T4/10 late
    reply(h, 200); // Timer K has fired: the response matches nothing any more (RFC 6026 §8.9)
    expect(h.layer.counters.retransmissionsAbsorbed).toBe(absorbed);
    expect(h.layer.counters.strayResponses).toBe(3 - absorbed);
    expect(localSent(h, 'OPTIONS')).toHaveLength(1); // Timer E stopped on the final response
  });

  it('[RFC3261-17.1.2.2-proceeding] MUST pass every provisional and the final response to the TU', () => {
    options(h);
    reply(h, 100);
    reply(h, 183);
    reply(h, 202);
    expect(h.tu.responses().map((r) => r.status)).toEqual([100, 183, 202]);
  });

  it('[RFC3261-17.1.4-transport-error] MUST inform the TU and terminate when the request cannot be sent', async () => {
    h.local.failNext(1, 'too-large');
    const txn = options(h);
    await settle();
    expect(txn.state).toBe('Terminated');
    expect(h.tu.types()).toEqual(['transport-error', 'terminated']);
    const e = h.tu.events[0];
    expect(e?.type === 'transport-error' && e.error.kind).toBe('too-large');
  });
});
