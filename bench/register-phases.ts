/**
 * The measurements of the REGISTER benchmark, each on a running system under test and a load
 * generator: one rate step with the CPU it cost, the search for the highest rate that still
 * passes, and memory per idle registered client.
 */
import type { ConnectSummary, StepSummary } from './load/load-generator.ts';
import { cpuSeconds, cpuTimes, pssBytes } from './sut/proc-stats.ts';
import { type SystemUnderTest, systemPids } from './sut/system.ts';

/** A step passes with no failure, no registration left undone, and p99 under this. */
export const P99_LIMIT_MS = 50;

export interface Placement {
  /** CPU of the system under test */
  readonly sutCpu: number | undefined;
  /** CPU of the load generator and the IMS core */
  readonly loadCpu: number | undefined;
}

export interface StepRecord {
  readonly offeredTps: number;
  readonly achievedTps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly transactions: number;
  readonly failed: number;
  readonly starved: number;
  readonly failures: Readonly<Record<string, number>>;
  /** CPU seconds the system under test used during the step (undefined: direct to the core) */
  readonly sutCpuSeconds: number | undefined;
  /** share of the step the IMS core's processes were on a CPU */
  readonly coreUtil: number;
  /** how busy the system's CPU and the load CPU were (all processes, 0..1) */
  readonly sutCpuBusy: number | undefined;
  readonly loadCpuBusy: number | undefined;
  /**
   * Share of each CPU used by processes that are not part of the measurement (other work on the
   * machine): the system's CPU minus the system, the load CPU minus the IMS core and this process.
   */
  readonly foreignSutCpu: number | undefined;
  readonly foreignLoadCpu: number | undefined;
  readonly passed: boolean;
}

/** Other work took more than this share of a CPU during a step: its figures are not the system's. */
export const FOREIGN_LIMIT = 0.1;

/** True when other processes used a measured CPU enough to distort the step. */
export function disturbed(s: StepRecord): boolean {
  return (s.foreignSutCpu ?? 0) > FOREIGN_LIMIT || (s.foreignLoadCpu ?? 0) > FOREIGN_LIMIT;
}

/** What the phases need from the load generator (LoadGenerator; a fake in tests). */
export interface LoadDriver {
  step(offeredTps: number, durationMs: number): Promise<StepSummary>;
  connect(first: number, count: number, concurrency?: number): Promise<ConnectSummary>;
}

export interface StepContext {
  readonly gen: LoadDriver;
  readonly sut: SystemUnderTest | undefined;
  readonly coreCpuSeconds: () => number;
  readonly placement: Placement;
}

export async function measureStep(
  ctx: StepContext,
  offeredTps: number,
  durationMs: number,
): Promise<StepRecord> {
  const pids = ctx.sut === undefined ? [] : systemPids(ctx.sut);
  const sut0 = cpuSeconds(pids);
  const core0 = ctx.coreCpuSeconds();
  const cpuA0 = ctx.placement.sutCpu === undefined ? undefined : cpuTimes(ctx.placement.sutCpu);
  const cpuB0 = ctx.placement.loadCpu === undefined ? undefined : cpuTimes(ctx.placement.loadCpu);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const s: StepSummary = await ctx.gen.step(offeredTps, durationMs);
  // Utilisation of the core is over durationMs, which overstates it slightly when answers trail;
  // the foreign shares are over the whole wall time, like /proc/stat's.
  const seconds = durationMs / 1000;
  const wall = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(self0);
  const selfSeconds = (self.user + self.system) / 1e6;
  const busy = (
    t0: { busy: number; total: number } | undefined,
    cpu: number | undefined,
  ): number | undefined => {
    if (t0 === undefined || cpu === undefined) return undefined;
    const t1 = cpuTimes(cpu);
    return t1.total === t0.total ? undefined : (t1.busy - t0.busy) / (t1.total - t0.total);
  };
  const sutCpuSeconds = ctx.sut === undefined ? undefined : cpuSeconds(pids) - sut0;
  const coreSeconds = ctx.coreCpuSeconds() - core0;
  const sutCpuBusy = busy(cpuA0, ctx.placement.sutCpu);
  const loadCpuBusy = busy(cpuB0, ctx.placement.loadCpu);
  const record = {
    offeredTps,
    achievedTps: s.achievedTps,
    p50Ms: s.p50Ms,
    p99Ms: s.p99Ms,
    maxMs: s.maxMs,
    transactions: s.transactionsOk,
    failed: s.transactionsFailed,
    starved: s.starved,
    failures: s.failures,
    sutCpuSeconds,
    coreUtil: coreSeconds / seconds,
    sutCpuBusy,
    loadCpuBusy,
    foreignSutCpu:
      sutCpuBusy === undefined ? undefined : Math.max(0, sutCpuBusy - (sutCpuSeconds ?? 0) / wall),
    foreignLoadCpu:
      loadCpuBusy === undefined ? undefined : Math.max(0, loadCpuBusy - (coreSeconds + selfSeconds) / wall),
  };
  return { ...record, passed: passes(record) };
}

/** A step measured again (up to `tries` times in all) while other work disturbed it; the first calm one, else the last. */
export async function measureCalmStep(
  ctx: StepContext,
  offeredTps: number,
  durationMs: number,
  tries: number,
  pauseMs: number,
): Promise<StepRecord> {
  let s = await measureStep(ctx, offeredTps, durationMs);
  for (let i = 1; i < tries && disturbed(s); i++) {
    await pause(pauseMs);
    s = await measureStep(ctx, offeredTps, durationMs);
  }
  return s;
}

function passes(s: Omit<StepRecord, 'passed'>): boolean {
  return s.failed === 0 && s.starved === 0 && s.p99Ms < P99_LIMIT_MS && s.achievedTps >= 0.97 * s.offeredTps;
}

/** CPU seconds per 1,000 transactions answered in a step. */
export function cpuPer1k(s: StepRecord): number | undefined {
  return s.sutCpuSeconds === undefined || s.transactions === 0
    ? undefined
    : (s.sutCpuSeconds * 1000) / s.transactions;
}

export interface SearchOptions {
  readonly startTps: number;
  /** ramp factor until the first failing step */
  readonly factor: number;
  /** halvings of the interval between the last passing and the first failing rate */
  readonly bisections: number;
  readonly stepMs: number;
  /** never offer more than this */
  readonly ceilingTps: number;
  /** pause between steps, for queues to drain */
  readonly pauseMs: number;
  /** called after each step (progress output) */
  readonly onStep?: (s: StepRecord) => void;
  /** failing steps disturbed by other work (disturbed()) measured again, at most this many per search */
  readonly disturbedRetries?: number;
  /** pause before such a repeat */
  readonly disturbedPauseMs?: number;
  /** no such repeat once the search has lasted this long (default: no limit) */
  readonly disturbedWindowMs?: number;
}

export interface SearchResult {
  /** highest offered rate that passed (0: none did) */
  readonly maxTps: number;
  /** the step at that rate */
  readonly atMax: StepRecord | undefined;
  readonly steps: StepRecord[];
}

/**
 * Ramps the offered rate by `factor` until a step fails (a failing step is run a second time
 * before it counts: one noisy step on a shared machine must not end the search; a failing step
 * during which other processes held a measured CPU is repeated without counting, up to
 * `disturbedRetries` times and for `disturbedWindowMs` per search), then bisects between the
 * last passing and the first failing rate.
 */
export async function searchMaxRate(ctx: StepContext, o: SearchOptions): Promise<SearchResult> {
  const steps: StepRecord[] = [];
  let best: StepRecord | undefined;
  let retries = o.disturbedRetries ?? 0;
  const retryUntil = Date.now() + (o.disturbedWindowMs ?? Number.POSITIVE_INFINITY);
  const run = async (tps: number): Promise<boolean> => {
    for (let failures = 0; failures < 2; ) {
      await pause(o.pauseMs);
      const s = await measureStep(ctx, tps, o.stepMs);
      steps.push(s);
      o.onStep?.(s);
      if (s.passed) {
        if (best === undefined || tps > best.offeredTps) best = s;
        return true;
      }
      // A failure while other work held one of the CPUs says nothing about the system: measure
      // again (a bounded number of times per search), waiting a little for the machine to calm.
      if (disturbed(s) && retries > 0 && Date.now() < retryUntil) {
        retries--;
        await pause(o.disturbedPauseMs ?? 0);
        continue;
      }
      failures++;
    }
    return false;
  };
  let lo = 0;
  let hi = 0;
  for (let tps = o.startTps; ; tps = Math.round(tps * o.factor)) {
    if (tps > o.ceilingTps) {
      hi = o.ceilingTps;
      break;
    }
    if (!(await run(tps))) {
      hi = tps;
      break;
    }
    lo = tps;
  }
  for (let i = 0; i < o.bisections && hi - lo > o.startTps / 4; i++) {
    const mid = Math.round((lo + hi) / 2 / 10) * 10;
    if (await run(mid)) lo = mid;
    else hi = mid;
  }
  return { maxTps: best?.offeredTps ?? 0, atMax: best, steps };
}

export interface MemoryPoint {
  readonly clients: number;
  readonly registered: number;
  readonly failed: number;
  /** PSS of all the system's processes with this many idle registered clients */
  readonly pssBytes: number;
  /** (pss - pss before any client) / clients registered (failed ones are closed) */
  readonly bytesPerClient: number;
  readonly connectMs: number;
}

/**
 * Memory per idle registered client: PSS with no client, then after connecting and registering
 * up to each count in `points`, once every transaction has ended (`idleMs`, longer than the 5 s
 * both keep a completed UDP client transaction) and after a full garbage collection for ours.
 */
export async function measureMemory(
  sut: SystemUnderTest,
  gen: LoadDriver,
  points: readonly number[],
  idleMs: number,
  onPoint?: (p: MemoryPoint) => void,
): Promise<MemoryPoint[]> {
  await sut.settle();
  const base = pssBytes(systemPids(sut));
  const out: MemoryPoint[] = [];
  let have = 0;
  let registered = 0;
  let failed = 0;
  for (const n of points) {
    const c = await gen.connect(have, n - have, 64);
    have = n;
    registered += c.registered;
    failed += c.failed;
    await pause(idleMs);
    await sut.settle();
    const pss = pssBytes(systemPids(sut));
    const p = {
      clients: n,
      registered,
      failed,
      pssBytes: pss,
      bytesPerClient: registered === 0 ? Number.NaN : (pss - base) / registered,
      connectMs: c.elapsedMs,
    };
    out.push(p);
    onPoint?.(p);
  }
  return out;
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
