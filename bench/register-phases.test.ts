import { describe, expect, it } from 'vitest';
import type { ConnectSummary, StepSummary } from './load/load-generator.ts';
import { type LoadDriver, P99_LIMIT_MS, searchMaxRate } from './register-phases.ts';

/**
 * The rate search on a scripted load driver: a system that keeps p99 low up to a given rate
 * and falls over above it, sometimes with a noisy step.
 */

function fakeDriver(
  capacityTps: number,
  noisyOnce: ReadonlySet<number> = new Set(),
): LoadDriver & { offered: number[] } {
  const offered: number[] = [];
  const seen = new Set<number>();
  return {
    offered,
    async step(tps, durationMs): Promise<StepSummary> {
      offered.push(tps);
      const noisy = noisyOnce.has(tps) && !seen.has(tps);
      seen.add(tps);
      const over = tps > capacityTps || noisy;
      const ok = Math.round((tps * durationMs) / 1000);
      return {
        offeredTps: tps,
        achievedTps: tps,
        transactionsOk: ok,
        transactionsFailed: 0,
        registrationsOk: ok / 2,
        registrationsFailed: 0,
        starved: 0,
        p50Ms: 1,
        p99Ms: over ? P99_LIMIT_MS * 3 : 5,
        maxMs: over ? 900 : 9,
        failures: {},
        latencies: new Float64Array(0),
        durationMs,
      };
    },
    connect(): Promise<ConnectSummary> {
      return Promise.resolve({ registered: 0, failed: 0, failures: {}, elapsedMs: 0 });
    },
  };
}

const ctx = (gen: LoadDriver) => ({
  gen,
  sut: undefined,
  coreCpuSeconds: () => 0,
  placement: { sutCpu: undefined, loadCpu: undefined },
});
const OPTIONS = { startTps: 500, factor: 2, bisections: 3, stepMs: 1000, ceilingTps: 100_000, pauseMs: 0 };

describe('rate search', () => {
  it('[DESIGN-speed-epcscf_search] ramps until a step fails twice, then bisects to the highest rate with p99 under 50 ms', async () => {
    const gen = fakeDriver(3300);
    const r = await searchMaxRate(ctx(gen), OPTIONS);
    // 500, 1000, 2000, 4000 (fails, twice), then 3000 (pass), 3500 (fails, twice), 3250 (pass)
    expect(gen.offered).toEqual([500, 1000, 2000, 4000, 4000, 3000, 3500, 3500, 3250]);
    expect(r.maxTps).toBe(3250);
    expect(r.atMax?.p99Ms).toBeLessThan(P99_LIMIT_MS);
    expect(r.steps.filter((s) => !s.passed).map((s) => s.offeredTps)).toEqual([4000, 4000, 3500, 3500]);
  });

  it('[DESIGN-speed-epcscf_search] does not stop at one noisy step: a failing rate is measured again before it counts', async () => {
    const gen = fakeDriver(3300, new Set([1000]));
    const r = await searchMaxRate(ctx(gen), OPTIONS);
    expect(gen.offered.slice(0, 4)).toEqual([500, 1000, 1000, 2000]);
    expect(r.maxTps).toBe(3250);
  });

  it('[DESIGN-speed-epcscf_search] bisects below the first rate when that already fails, and reports 0 when nothing passes', async () => {
    const gen = fakeDriver(100);
    const r = await searchMaxRate(ctx(gen), OPTIONS);
    expect(gen.offered).toEqual([500, 500, 250, 250, 130, 130, 70]);
    expect(r.maxTps).toBe(70);
    const none = await searchMaxRate(ctx(fakeDriver(0)), OPTIONS);
    expect(none.maxTps).toBe(0);
    expect(none.atMax).toBeUndefined();
  });
});
