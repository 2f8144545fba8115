import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/clock.ts';
import { ExpiringKeys } from './expiring-keys.ts';

describe('ExpiringKeys (the Completed state of NICTs, Timer K)', () => {
  it('[RFC3261-17.1.2.2-timerK] MUST report a key for at least its ttl and at most one granularity more, and again after a re-add', () => {
    const clock = new FakeClock();
    const keys = new ExpiringKeys(clock, 5000, 500);
    keys.add('a');
    clock.advance(2000);
    keys.add('b');
    keys.add('a'); // again: at least a full ttl from now
    clock.advance(4999);
    expect([keys.has('a'), keys.has('b')]).toEqual([true, true]);
    clock.advance(501);
    expect([keys.has('a'), keys.has('b')]).toEqual([false, false]);
    expect(keys.has('never')).toBe(false);
  });

  it('[RFC3261-17.1.2.2-timerK] MUST forget a key between ttl and ttl + granularity after it was added', () => {
    const clock = new FakeClock();
    const keys = new ExpiringKeys(clock, 5000, 500);
    const added: [string, number][] = [];
    for (let i = 0; i < 60; i++) {
      keys.add(`k${i}`);
      added.push([`k${i}`, clock.now()]);
      clock.advance(37);
    }
    for (let t = 0; t < 8000; t += 50) {
      for (const [k, at] of added) {
        const age = clock.now() - at;
        if (age < 5000) expect(keys.has(k)).toBe(true);
        if (age >= 5500) expect(keys.has(k)).toBe(false);
      }
      clock.advance(50);
    }
  });

  it('[RFC3261-17.1.2.2-timerK] MUST drop expired keys with one timer and stop it when none is left', () => {
    const clock = new FakeClock();
    const keys = new ExpiringKeys(clock, 5000, 500);
    for (let i = 0; i < 100; i++) {
      keys.add(`k${i}`);
      clock.advance(10);
    }
    expect(clock.pending).toBe(1);
    expect(keys.size).toBe(100);
    clock.advance(5500);
    expect(keys.size).toBeLessThan(100);
    clock.advance(1000);
    expect(keys.size).toBe(0);
    expect(clock.pending).toBe(0);
    keys.add('x');
    keys.clear();
    expect([keys.size, clock.pending]).toEqual([0, 0]);
  });
});
