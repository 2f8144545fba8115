/**
 * The phases of the eP-CSCF benchmark, each on its own rig (epcscf-rig.ts): rate (search and
 * latency step) per system, the latency baseline straight to the core, the CPU profile of ours,
 * memory per idle registered client. epcscf-bench.ts runs them in order.
 */
import { type CpuBreakdown, PERF_NODE_ARGS, recordBreakdown } from './cpu-breakdown.ts';
import type { ProfileSummary } from './cpu-profile.ts';
import type { Plan } from './epcscf-plan.ts';
import { type RigEnvironment, withProfiledRig, withRig } from './epcscf-rig.ts';
import type { ConnectSummary } from './load/load-generator.ts';
import {
  disturbed,
  type MemoryPoint,
  measureCalmStep,
  measureMemory,
  measureStep,
  type SearchResult,
  type StepContext,
  type StepRecord,
  searchMaxRate,
} from './register-phases.ts';
import { type SystemName, systemPids } from './sut/system.ts';
import type { TlsFiles } from './sut/tls-cert.ts';

export type Log = (line: string) => void;

/** What bounded a system's maximum: itself, or the load side (generator and IMS core on their CPU). */
export type Limit = 'system' | 'load' | 'unknown';

/** What a system's rate phase yields (REGISTERs here, calls in calls-phases.ts), steps of type `S`. */
export interface RatePhaseResult<S, Search> {
  readonly description: string;
  readonly connect: ConnectSummary;
  readonly smoke?: S | undefined;
  readonly search?: Search | undefined;
  /** judged from the undisturbed failing steps above the maximum */
  readonly limit?: Limit | undefined;
}

export interface RateResult extends RatePhaseResult<StepRecord, SearchResult> {
  readonly latency?: StepRecord | undefined;
}

/** Registers the rate clients, then the smoke step, or warm-up, search and latency step. */
export function ratePhase(
  env: RigEnvironment,
  plan: Plan,
  name: SystemName,
  latencyTps: () => number | undefined,
  log: Log,
): Promise<RateResult> {
  const clients = plan.rateClients;
  return withRig(env, { system: name, subscribers: clients, maxConnections: clients }, async (rig) => {
    const sut = rig.sut!;
    log(`[${name}] ${sut.description}; ${clients} clients register`);
    const connect = await rig.gen.connect(0, clients, 32);
    const base = { description: sut.description, connect };
    if (plan.smokeStep !== undefined) {
      const smoke = await measureStep(rig.ctx, plan.smokeStep.tps, plan.smokeStep.ms);
      log(`[${name}] ${describeStep(smoke)}`);
      return { ...base, smoke };
    }
    await warmUp(rig.ctx, plan, (s) => log(`[${name}] warm-up ${describeStep(s)}`));
    let search: SearchResult | undefined;
    if (plan.search !== undefined) {
      search = await searchMaxRate(rig.ctx, {
        ...plan.search,
        onStep: (s) => log(`[${name}] ${describeStep(s)}`),
      });
      log(`[${name}] maximum sustained: ${search.maxTps} tx/s (limited by ${limitOf(search)})`);
    }
    // Ours runs first: its maximum sets the latency rate for both.
    const rate = latencyTps() ?? (search === undefined ? undefined : halfOf(search.maxTps));
    let latency: StepRecord | undefined;
    if (rate !== undefined && plan.latencyStepMs !== undefined) {
      latency = await measureCalmStep(rig.ctx, rate, plan.latencyStepMs, 3, 3000);
      log(`[${name}] latency step ${describeStep(latency)}`);
    }
    return { ...base, search, limit: search === undefined ? undefined : limitOf(search), latency };
  });
}

/** Half of a maximum, rounded to 10 tx/s, at least 100. */
export function halfOf(maxTps: number): number {
  return Math.max(100, Math.round(maxTps / 2 / 10) * 10);
}

/**
 * Which side gave out: among the undisturbed failing steps above the maximum, one whose load
 * CPU was saturated (>= 95 %) while the system's was not says the load side; one with the
 * system's CPU saturated says the system.
 */
export function limitOf(search: SearchResult): Limit {
  const above = search.steps.filter((s) => !s.passed && s.offeredTps > search.maxTps && !disturbed(s));
  if (above.some((s) => (s.sutCpuBusy ?? 0) >= 0.95)) return 'system';
  if (above.some((s) => (s.loadCpuBusy ?? 0) >= 0.95)) return 'load';
  return 'unknown';
}

/** The latency step's rate straight to the IMS core over UDP, no proxy. */
export function directPhase(
  env: RigEnvironment,
  plan: Plan,
  rate: number,
  stepMs: number,
  log: Log,
): Promise<StepRecord> {
  return withRig(
    env,
    { system: undefined, subscribers: plan.rateClients, maxConnections: 0 },
    async (rig) => {
      await rig.gen.connect(0, plan.rateClients, 32);
      await warmUp(rig.ctx, plan);
      const s = await measureCalmStep(rig.ctx, rate, stepMs, 3, 3000);
      log(`[direct to core] ${describeStep(s)}`);
      return s;
    },
  );
}

/** A V8 CPU profile of ours at `rate` (only the samples of the measured step are kept). */
export function profilePhase(
  env: RigEnvironment,
  plan: Plan,
  rate: number,
  log: Log,
): Promise<ProfileSummary> {
  const clients = plan.rateClients;
  return withProfiledRig(env, { subscribers: clients, maxConnections: clients }, async (rig, profiled) => {
    await rig.gen.connect(0, clients, 32);
    await warmUp(rig.ctx, plan);
    const s = await profiled(() => measureStep(rig.ctx, rate, plan.profileMs));
    log(`[ours, profiled] ${describeStep(s)}`);
  });
}

export interface SystemBreakdown {
  readonly name: SystemName;
  /** the step perf sampled: its CPU per transaction is what the shares divide */
  readonly step: StepRecord;
  readonly breakdown: CpuBreakdown;
}

/** Where one system's CPU goes at `rate`: perf over all its processes during one step (cpu-breakdown.ts). */
export function breakdownPhase(
  env: RigEnvironment,
  plan: Plan,
  name: SystemName,
  rate: number,
  log: Log,
): Promise<SystemBreakdown> {
  const clients = plan.rateClients;
  const nodeArgs = name === 'ours' ? PERF_NODE_ARGS : undefined;
  return withRig(
    env,
    { system: name, subscribers: clients, maxConnections: clients, nodeArgs },
    async (rig) => {
      await rig.gen.connect(0, clients, 32);
      await warmUp(rig.ctx, plan);
      const kind = name === 'ours' ? 'node' : 'kamailio';
      const { result: step, breakdown } = await recordBreakdown(systemPids(rig.sut!), kind, () =>
        measureStep(rig.ctx, rate, plan.breakdownMs),
      );
      log(`[${name}, perf] ${describeStep(step)}; ${breakdown.samples} samples`);
      return { name, step, breakdown };
    },
  );
}

/** Memory per idle registered client of one system at each of `points`, WS or WSS. */
export function memoryPhase(
  env: RigEnvironment,
  plan: Plan,
  name: SystemName,
  points: readonly number[],
  tls: TlsFiles | undefined,
  log: Log,
): Promise<MemoryPoint[]> {
  const kind = tls === undefined ? 'WS' : 'WSS';
  const max = points[points.length - 1] ?? 0;
  return withRig(env, { system: name, subscribers: 0, maxConnections: max, tls }, (rig) =>
    measureMemory(rig.sut!, rig.gen, points, plan.idleMs, (p) =>
      log(
        `[${name}] ${kind} ${p.clients} idle clients: ${(p.bytesPerClient / 1024).toFixed(1)} kB each ` +
          `(${p.failed} failed, connected in ${(p.connectMs / 1000).toFixed(1)} s)`,
      ),
    ),
  );
}

async function warmUp(ctx: StepContext, plan: Plan, report?: (s: StepRecord) => void): Promise<void> {
  if (plan.warmup === undefined) return;
  const s = await measureStep(ctx, plan.warmup.tps, plan.warmup.ms);
  report?.(s);
}

export function describeStep(s: StepRecord): string {
  const f = (x: number | undefined, d = 1): string =>
    x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d);
  const pct = (x: number | undefined): string => f((x ?? Number.NaN) * 100, 0);
  return (
    `${s.offeredTps} tx/s offered: ${s.passed ? 'pass' : 'FAIL'}, ${f(s.achievedTps, 0)} answered/s, ` +
    `p50 ${f(s.p50Ms, 2)} ms, p99 ${f(s.p99Ms, 2)} ms, failed ${s.failed}, starved ${s.starved}, ` +
    `system CPU ${f(s.sutCpuSeconds, 2)} s, CPU busy: system ${pct(s.sutCpuBusy)} % / load ${pct(s.loadCpuBusy)} %, ` +
    `other work: ${pct(s.foreignSutCpu)} % / ${pct(s.foreignLoadCpu)} %${disturbed(s) ? ' (disturbed)' : ''}` +
    (s.failed > 0 ? ` ${JSON.stringify(s.failures)}` : '')
  );
}
