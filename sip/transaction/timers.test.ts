import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMERS, TransactionTimers } from './timers.ts';
import { createHarness, localRequest, localSent } from './transaction-harness.ts';

describe('transaction timers', () => {
  it('[RFC3261-17.1.1.1-timer-values] MUST default T1/T2/T4 to 500/4000/5000 ms and derive the other timers from them', () => {
    expect(DEFAULT_TIMERS).toMatchObject({ t1: 500, t2: 4000, t4: 5000 });
    const t = new TransactionTimers();
    expect(t.timeout).toBe(32_000);
    expect([t.timerD(false), t.timerD(true)]).toEqual([32_000, 0]);
    expect([t.timerI(false), t.timerI(true)]).toEqual([5000, 0]);
    expect([t.timerJ(false), t.timerJ(true)]).toEqual([32_000, 0]);
    expect([t.timerK(false), t.timerK(true)]).toEqual([5000, 0]);
    expect(t.backoff(500)).toBe(1000);
    expect(t.backoff(4000)).toBe(4000);
  });

  it('[RFC3261-17.1.1.1-timer-values] MUST let T1, T2 and T4 be configured and run every timer from them', () => {
    const h = createHarness('udp', { timers: { t1: 100, t2: 400, t4: 1000 } });
    const txn = h.layer.sendRequest(localRequest('OPTIONS', 'udp'), h.toPeer);
    h.clock.advance(64 * 100 - 1);
    expect(localSent(h, 'OPTIONS').map((s) => s.at)).toEqual([
      0, 100, 300, 700, 1100, 1500, 1900, 2300, 2700, 3100, 3500, 3900, 4300, 4700, 5100, 5500, 5900, 6300,
    ]);
    expect(txn.state).toBe('Trying');
    h.clock.advance(1);
    expect(txn.state).toBe('Terminated');
    expect(h.clock.pending).toBe(0);
  });

  it('[RFC3261-17.1.1.1-timer-values] MUST refuse settings that break the RFC (T2 < T1, Timer D under 32 s)', () => {
    expect(() => new TransactionTimers({ t1: 0 })).toThrow(/t1/);
    expect(() => new TransactionTimers({ t1: 5000, t2: 4000 })).toThrow(/t2/);
    expect(() => new TransactionTimers({ timerD: 1000 })).toThrow(/timerD/);
  });
});
