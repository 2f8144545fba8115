import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InviteClientTransaction } from './ict.ts';
import {
  createHarness,
  type Harness,
  localRequest,
  localSent,
  peerGot,
  peerReply,
  settle,
} from './transaction-harness.ts';

const T1 = 500;
const TIMEOUT = 64 * T1;

function deliver(h: Harness): void {
  h.clock.advance(0);
}

function invite(h: Harness, headers?: string[]): InviteClientTransaction {
  const txn = h.layer.sendRequest(localRequest('INVITE', h.protocol, { headers }), h.toPeer);
  if (txn.kind !== 'ict') throw new Error('expected an ICT');
  deliver(h);
  return txn;
}

/** Drives a fresh ICT into a state of Figure 5 (RFC 6026). */
const reach: Record<
  'Calling' | 'Proceeding' | 'Completed' | 'Accepted',
  (h: Harness) => InviteClientTransaction
> = {
  Calling: (h) => invite(h),
  Proceeding: (h) => {
    const t = invite(h);
    peerReply(h, 180);
    deliver(h);
    return t;
  },
  Completed: (h) => {
    const t = invite(h);
    peerReply(h, 486);
    deliver(h);
    return t;
  },
  Accepted: (h) => {
    const t = invite(h);
    peerReply(h, 200);
    deliver(h);
    return t;
  },
};

const events: Record<string, (h: Harness) => void> = {
  '1xx': (h) => {
    peerReply(h, 180);
    deliver(h);
  },
  '2xx': (h) => {
    peerReply(h, 200);
    deliver(h);
  },
  '300-699': (h) => {
    peerReply(h, 486);
    deliver(h);
  },
  'Timer B': (h) => h.clock.advance(TIMEOUT),
  'Timer D': (h) => h.clock.advance(32_000),
  'Timer M': (h) => h.clock.advance(TIMEOUT),
};

describe.each(['udp', 'tcp'] as const)('INVITE client transaction over %s', (protocol) => {
  let h: Harness;
  beforeEach(() => {
    h = createHarness(protocol);
  });
  afterEach(() => {
    // Every transaction ends by itself; nothing may stay behind (RFC 3261 §17.1.1.2: destroyed
    // once Terminated).
    h.clock.advance(2 * TIMEOUT + 32_000);
    expect(h.layer.size).toBe(0);
    expect(h.clock.pending).toBe(0);
  });

  it.each([
    ['Calling', '1xx', 'Proceeding'],
    ['Calling', '2xx', 'Accepted'],
    ['Calling', '300-699', protocol === 'udp' ? 'Completed' : 'Terminated'],
    ['Calling', 'Timer B', 'Terminated'],
    ['Proceeding', '1xx', 'Proceeding'],
    ['Proceeding', '2xx', 'Accepted'],
    ['Proceeding', '300-699', protocol === 'udp' ? 'Completed' : 'Terminated'],
    ['Proceeding', 'Timer B', 'Proceeding'],
    ['Completed', '300-699', 'Completed'],
    ['Completed', 'Timer D', 'Terminated'],
    ['Accepted', '2xx', 'Accepted'],
    ['Accepted', '300-699', 'Accepted'],
    ['Accepted', 'Timer M', 'Terminated'],
  ] as const)('[RFC6026-7.2-ict-transitions] MUST go from %s on %s to %s', (from, event, to) => {
    if (from === 'Completed' && h.reliable) return; // Timer D is zero: Completed is left at once
    const txn = reach[from](h);
    expect(txn.state).toBe(from);
    events[event]!(h);
    expect(txn.state).toBe(to);
    if (txn.state === 'Proceeding') events['300-699']!(h); // Proceeding has no timer of its own
  });

  it('[RFC3261-17.1.1.2-timerA] MUST retransmit the INVITE at T1, 2*T1, 4*T1... on unreliable transports only', () => {
    invite(h);
    h.clock.advance(TIMEOUT - 1);
    const times = localSent(h, 'INVITE').map((s) => s.at);
    // no T2 cap for INVITE: 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s
    expect(times).toEqual(h.reliable ? [0] : [0, 500, 1500, 3500, 7500, 15500, 31500]);
  });

  it('[RFC3261-17.1.1.2-timerB] MUST tell the TU of a timeout and terminate when no response comes within 64*T1', () => {
    const txn = invite(h);
    h.clock.advance(TIMEOUT - 1);
    expect(txn.state).toBe('Calling');
    expect(h.tu.types()).toEqual([]);
    h.clock.advance(1);
    expect(txn.state).toBe('Terminated');
    expect(h.tu.types()).toEqual(['timeout', 'terminated']);
    expect(h.layer.counters.timeouts).toBe(1);
  });

  it('[RFC3261-17.1.1.2-proceeding] MUST pass provisional responses to the TU, stop retransmitting and not time out', () => {
    const txn = invite(h);
    peerReply(h, 100);
    deliver(h);
    peerReply(h, 180);
    deliver(h);
    expect(txn.state).toBe('Proceeding');
    expect(h.tu.responses().map((r) => r.status)).toEqual([100, 180]);
    h.clock.advance(TIMEOUT * 2);
    expect(localSent(h, 'INVITE')).toHaveLength(1);
    expect(txn.state).toBe('Proceeding');
    peerReply(h, 487);
    deliver(h);
    expect(h.tu.responses().map((r) => r.status)).toEqual([100, 180, 487]);
  });

  it('[RFC3261-17.1.1.2-completed] MUST send an ACK for a 300-699 response, pass it to the TU once, and re-ACK retransmissions', () => {
    const txn = invite(h);
    peerReply(h, 486);
    deliver(h);
    expect(h.tu.responses().map((r) => r.status)).toEqual([486]);
    expect(peerGot(h, 'ACK')).toHaveLength(1);
    if (h.reliable) {
      expect(txn.state).toBe('Terminated');
      return;
    }
    expect(txn.state).toBe('Completed');
    peerReply(h, 486); // the UAS retransmits its final response (Timer G)
    deliver(h);
    expect(peerGot(h, 'ACK')).toHaveLength(2);
    expect(h.tu.responses().map((r) => r.status)).toEqual([486]);
  });

  it('[RFC3261-17.1.1.2-timerD] MUST wait at least 32 s in Completed on unreliable transports and no time on reliable ones', () => {
    const txn = reach.Completed(h);
    if (h.reliable) {
      expect(txn.state).toBe('Terminated');
      expect(h.tu.types()).toEqual(['response', 'terminated']);
      return;
    }
    h.clock.advance(32_000 - 1);
    expect(txn.state).toBe('Completed');
    h.clock.advance(1);
    expect(txn.state).toBe('Terminated');
    expect(h.tu.types()).toEqual(['response', 'terminated']);
  });

  it('[RFC3261-17.1.1.3-ack] MUST build the ACK from the INVITE (URI, one Via, From, Call-ID, CSeq, Route) and the response To', () => {
    const txn = invite(h, ['Route: <sip:p1.example.com;lr>', 'Route: <sip:p2.example.com;lr>']);
    peerReply(h, 404, 'uas-tag');
    deliver(h);
    const inv = peerGot(h, 'INVITE')[0]!;
    const ack = peerGot(h, 'ACK')[0]!;
    expect(ack.uri).toBe(inv.uri);
    expect(ack.vias).toHaveLength(1);
    expect(ack.topVia.params.get('branch')).toBe(txn.branch);
    expect(ack.topVia.host).toBe(inv.topVia.host);
    expect(ack.headers.get('from')).toBe(inv.headers.get('from'));
    expect(ack.to.params.get('tag')).toBe('uas-tag');
    expect(ack.callId).toBe(inv.callId);
    expect(ack.cseq).toEqual({ seq: inv.cseq.seq, method: 'ACK' });
    expect(ack.headers.values('route')).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
    expect(ack.body.length).toBe(0);
  });

  it('[RFC6026-7.2-accepted] MUST enter Accepted on a 2xx and pass every 2xx (retransmissions, forks) to the TU without ACKing', () => {
    const txn = invite(h);
    peerReply(h, 200, 'fork1');
    deliver(h);
    expect(txn.state).toBe('Accepted');
    peerReply(h, 200, 'fork1');
    peerReply(h, 200, 'fork2');
    peerReply(h, 180, 'fork3'); // absorbed
    deliver(h);
    expect(h.tu.responses().map((r) => `${r.status}/${r.to.params.get('tag')}`)).toEqual([
      '200/fork1',
      '200/fork1',
      '200/fork2',
    ]);
    expect(peerGot(h, 'ACK')).toHaveLength(0); // the ACK for a 2xx is the TU's
    h.clock.advance(TIMEOUT);
    expect(localSent(h, 'INVITE')).toHaveLength(1); // Timers A and B stopped
  });

  it('[RFC6026-7.2-timerM] MUST stay in Accepted for 64*T1 and then terminate', () => {
    const txn = reach.Accepted(h);
    h.clock.advance(TIMEOUT - 1);
    expect(txn.state).toBe('Accepted');
    h.clock.advance(1);
    expect(txn.state).toBe('Terminated');
    expect(h.tu.types()).toEqual(['response', 'terminated']);
  });

  it('[RFC3261-17.1.4-transport-error] MUST inform the TU and terminate when the INVITE cannot be sent', async () => {
    h.local.failNext(1, 'unreachable');
    const txn = invite(h);
    await settle();
    expect(txn.state).toBe('Terminated');
    expect(h.tu.types()).toEqual(['transport-error', 'terminated']);
    expect(h.layer.size).toBe(0);
  });

  it('[RFC3261-17.1.4-transport-error] MUST inform the TU and terminate when a retransmission cannot be sent', async () => {
    if (h.reliable) return; // no retransmissions on reliable transports
    const txn = invite(h);
    h.local.failNext(1, 'unreachable');
    h.clock.advance(T1);
    await settle();
    expect(txn.state).toBe('Terminated');
    expect(h.tu.types()).toEqual(['transport-error', 'terminated']);
  });

  it('[RFC3261-17.1.3-match-response] MUST NOT pass a response to the INVITE transaction when its CSeq method differs', () => {
    const txn = invite(h);
    const inv = peerGot(h, 'INVITE')[0]!;
    // a response with the INVITE's branch but CSeq method CANCEL belongs to another transaction
    inv.headers.set('CSeq', `${inv.cseq.seq} CANCEL`);
    peerReply(h, 200);
    deliver(h);
    expect(txn.state).toBe('Calling');
    expect(h.tu.responses()).toHaveLength(0);
    expect(h.layer.counters.strayResponses).toBe(1);
  });
});
