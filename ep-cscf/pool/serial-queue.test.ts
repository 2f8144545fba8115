import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.ts';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

describe('per-client serialisation of pool work', () => {
  it('[TS33203-X.4-pool-serial-steps] MUST run the steps of one client one at a time in arrival order, even after a failed step, while other clients run independently', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    const step =
      (name: string, fail = false) =>
      async (): Promise<void> => {
        log.push(`${name} start`);
        await tick();
        log.push(`${name} end`);
        if (fail) throw new Error(name);
      };
    const a1 = q.run('a', step('a1', true));
    const a2 = q.run('a', step('a2'));
    const b1 = q.run('b', step('b1'));
    await expect(a1).rejects.toThrow('a1');
    await Promise.all([a2, b1]);
    expect(log.indexOf('a2 start')).toBeGreaterThan(log.indexOf('a1 end'));
    expect(log.indexOf('b1 start')).toBeLessThan(log.indexOf('a1 end'));
    await tick();
    expect(q.size).toBe(0);
  });
});
