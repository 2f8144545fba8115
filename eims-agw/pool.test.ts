import { describe, expect, it } from 'vitest';
import { FakeClock } from '../sip/clock/clock.ts';
import { RtpengineTimeout, RtpengineUnavailable } from './errors.ts';
import type { NgApi } from './ng/ng-client.ts';
import { RtpenginePool, type Selection } from './pool.ts';

/** An rtpengine stand-in whose ping answers or times out as the test says. */
class FakeInstance implements NgApi {
  alive = true;
  pings = 0;
  closed = false;
  constructor(readonly address: string) {}
  async ping(): Promise<void> {
    this.pings++;
    if (!this.alive) throw new RtpengineTimeout('ping', this.address, 1500);
  }
  offer = () => Promise.reject(new Error('not used'));
  answer = () => Promise.reject(new Error('not used'));
  delete = () => Promise.reject(new Error('not used'));
  query = () => Promise.reject(new Error('not used'));
  list = () => Promise.reject(new Error('not used'));
  async close(): Promise<void> {
    this.closed = true;
  }
}

function makePool(count: number, selection: Selection = 'least-loaded') {
  const clock = new FakeClock();
  const instances = Array.from({ length: count }, (_, i) => new FakeInstance(`10.0.0.${i + 1}:2223`));
  const pool = new RtpenginePool({ instances, clock, selection, pingIntervalMs: 1_000, pinIdleMs: 60_000 });
  return { clock, instances, pool };
}

/** Lets the pings started by a fake-clock tick settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('rtpengine pool', () => {
  it("[DESIGN-scaleout-pool-pinning] MUST pin a call to the instance chosen for it, by Call-ID, for the call's life", async () => {
    const { pool } = makePool(3);
    await pool.start();
    const first = pool.acquire('call-1').instance.address;
    for (let i = 0; i < 5; i++) pool.acquire(`other-${i}`);
    expect(pool.acquire('call-1').instance.address).toBe(first);
    expect(pool.lookup('call-1')?.instance.address).toBe(first);
    pool.release('call-1');
    expect(pool.lookup('call-1')).toBeUndefined();
    await pool.stop();
  });

  it('[DESIGN-scaleout-pool-selection] MUST spread new calls round robin, or to the least-loaded healthy instance', async () => {
    const rr = makePool(3, 'round-robin');
    await rr.pool.start();
    const picks = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => rr.pool.acquire(id).instance.address);
    expect(picks).toEqual([
      '10.0.0.1:2223',
      '10.0.0.2:2223',
      '10.0.0.3:2223',
      '10.0.0.1:2223',
      '10.0.0.2:2223',
      '10.0.0.3:2223',
    ]);

    const ll = makePool(3, 'least-loaded');
    await ll.pool.start();
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) ll.pool.acquire(id);
    // Instance 1 loses its two calls: the next two new calls go there.
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f'])
      if (ll.pool.lookup(id)?.instance.address === '10.0.0.1:2223') ll.pool.release(id);
    expect(ll.pool.acquire('g').instance.address).toBe('10.0.0.1:2223');
    expect(ll.pool.acquire('h').instance.address).toBe('10.0.0.1:2223');
    expect(ll.pool.status().map((s) => s.calls)).toEqual([2, 2, 2]);
    await rr.pool.stop();
    await ll.pool.stop();
  });

  it('[DESIGN-scaleout-pool-health] MUST ping every instance each interval, take a dead one out of selection, and put it back when it answers again', async () => {
    const { clock, instances, pool } = makePool(2);
    await pool.start();
    expect(instances.map((i) => i.pings)).toEqual([1, 1]);
    expect(pool.status().map((s) => s.state)).toEqual(['up', 'up']);

    instances[1]!.alive = false;
    clock.advance(1_000);
    await settle();
    expect(instances.map((i) => i.pings)).toEqual([2, 2]);
    expect(pool.status().map((s) => s.state)).toEqual(['up', 'down']);
    expect(pool.status()[1]?.lastError).toMatch(/did not answer ping/);
    for (let i = 0; i < 6; i++) expect(pool.acquire(`new-${i}`).instance.address).toBe('10.0.0.1:2223');

    instances[1]!.alive = true;
    clock.advance(1_000);
    await settle();
    expect(pool.status().map((s) => s.state)).toEqual(['up', 'up']);
    expect(pool.acquire('after').instance.address).toBe('10.0.0.2:2223');
    await pool.stop();
    expect(instances.every((i) => i.closed)).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it('[DESIGN-scaleout-pool-fail-fast] MUST fail requests for a call pinned to a dead instance at once with RtpengineUnavailable(instance-down)', async () => {
    const { clock, instances, pool } = makePool(2, 'round-robin');
    await pool.start();
    pool.acquire('on-1');
    pool.acquire('on-2');
    instances[1]!.alive = false;
    clock.advance(1_000);
    await settle();
    const error = (() => {
      try {
        pool.acquire('on-2');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RtpengineUnavailable);
    expect((error as RtpengineUnavailable).reason).toBe('instance-down');
    expect(() => pool.lookup('on-2')).toThrow(RtpengineUnavailable);
    // The other instance's calls are unaffected.
    expect(pool.acquire('on-1').instance.address).toBe('10.0.0.1:2223');
    await pool.stop();
  });

  it('[DESIGN-scaleout-pool-health] MUST check an instance at once when a request to it times out, and take it out only if that check fails', async () => {
    const { instances, pool } = makePool(2, 'round-robin');
    await pool.start();
    expect(instances.map((i) => i.pings)).toEqual([1, 1]);
    // Busy, not dead: it answers the ping. Its calls go on, new ones go to the other meanwhile.
    pool.acquire('on-1');
    pool.reportFailure(instances[0]!, new RtpengineTimeout('offer', instances[0]!.address, 1500));
    expect(instances[0]!.pings).toBe(2);
    expect(pool.lookup('on-1')?.instance.address).toBe('10.0.0.1:2223');
    await settle();
    expect(pool.status().map((s) => s.state)).toEqual(['up', 'up']);
    expect(['a', 'b'].map((c) => pool.acquire(c).instance.address)).toContain('10.0.0.1:2223');
    // Dead: the check fails too, and it is down.
    instances[0]!.alive = false;
    pool.reportFailure(instances[0]!, new RtpengineTimeout('offer', instances[0]!.address, 1500));
    for (let i = 0; i < 4; i++)
      expect(pool.acquire(`while-checking-${i}`).instance.address).toBe('10.0.0.2:2223');
    await settle();
    expect(pool.status().map((s) => s.state)).toEqual(['down', 'up']);
    expect(() => pool.lookup('on-1')).toThrow(RtpengineUnavailable);
    // Unreachable (the send failed): down at once.
    pool.reportFailure(instances[1]!, new RtpengineUnavailable('unreachable', 'ECONNREFUSED'));
    expect(pool.status()[1]?.state).toBe('down');
    await pool.stop();
  });

  it('[DESIGN-scaleout-pool-health] MUST keep a single suspect instance in use while it is checked, and ignore errors rtpengine itself answered', async () => {
    const { instances, pool } = makePool(1);
    await pool.start();
    pool.acquire('call');
    pool.reportFailure(instances[0]!, new RtpengineTimeout('answer', instances[0]!.address, 1500));
    expect(pool.lookup('call')?.instance.address).toBe('10.0.0.1:2223');
    expect(pool.acquire('new').instance.address).toBe('10.0.0.1:2223');
    await settle();
    expect(pool.status()[0]?.state).toBe('up');
    // An error from rtpengine itself (it answered) says nothing about its health.
    pool.reportFailure(instances[0]!, new Error('Unknown call-id'));
    expect(instances[0]!.pings).toBe(2);
    expect(pool.status()[0]?.state).toBe('up');
    await pool.stop();
  });

  it('[DESIGN-scaleout-pool-health] MUST refuse new calls with RtpengineUnavailable when no instance is configured or every one is down', async () => {
    const empty = makePool(0);
    await empty.pool.start();
    expect(() => empty.pool.acquire('x')).toThrow(
      expect.objectContaining({ reason: 'not-configured', sipStatus: 503 }) as Error,
    );
    const dead = makePool(2);
    for (const i of dead.instances) i.alive = false;
    await dead.pool.start();
    expect(() => dead.pool.acquire('x')).toThrow(
      expect.objectContaining({ reason: 'no-healthy-instance' }) as Error,
    );
    await dead.pool.stop();
    expect(() => dead.pool.acquire('x')).toThrow(expect.objectContaining({ reason: 'stopped' }) as Error);
  });

  it('[DESIGN-scaleout-pool-pinning] MUST forget a pin unused for longer than pinIdleMs (a missed delete)', async () => {
    const { clock, pool } = makePool(1);
    await pool.start();
    pool.acquire('forgotten');
    pool.acquire('busy');
    for (let t = 0; t < 61; t++) {
      clock.advance(1_000);
      pool.lookup('busy');
    }
    await settle();
    expect(pool.lookup('forgotten')).toBeUndefined();
    expect(pool.lookup('busy')).toBeDefined();
    expect(pool.activeCalls).toBe(1);
    expect(pool.status()[0]?.calls).toBe(1);
    await pool.stop();
  });
});
