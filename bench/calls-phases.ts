/**
 * The phases of the call benchmark, each on its own call rig (epcscf-rig.ts with `calls`): per
 * system, clients register, then the smoke step, or warm-up, rate search and the step at half of
 * our maximum; and a CPU profile of ours. A call step is measured with the REGISTER benchmark's
 * machinery (register-phases.ts: measureStep, searchMaxRate) through a driver whose "transaction"
 * is a whole call (INVITE/180/200/ACK, hold, BYE/200) and whose latency is the setup time; the
 * driver also keeps what only calls have (teardown latency, rtpengine's CPU, a sample answer).
 */
import type { CallPlan } from './calls-plan.ts';
import { type CpuBreakdown, PERF_NODE_ARGS, recordBreakdown } from './cpu-breakdown.ts';
import type { ProfileSummary } from './cpu-profile.ts';
import { halfOf, type Log, limitOf, type RatePhaseResult } from './epcscf-phases.ts';
import { type CallPeers, type Rig, type RigEnvironment, withProfiledRig, withRig } from './epcscf-rig.ts';
import { type CallStepSummary, type ConnectSummary, quantile } from './load/load-generator.ts';
import {
  type LoadDriver,
  measureCalmStep,
  measureStep,
  type StepContext,
  type StepRecord,
  searchMaxRate,
} from './register-phases.ts';
import { type SystemName, systemPids } from './sut/system.ts';

/** A call step: StepRecord's rate and latency are calls/s and setup time; and the call's own figures. */
export interface CallStepRecord extends StepRecord {
  readonly teardownP50Ms: number;
  readonly teardownP99Ms: number;
  /** CPU seconds rtpengine used during the step (shared by both systems, reported apart) */
  readonly rtpengineCpuSeconds: number;
}

export interface CallSearchResult {
  readonly maxCps: number;
  readonly atMax: CallStepRecord | undefined;
  readonly steps: readonly CallStepRecord[];
}

export interface CallRateResult extends RatePhaseResult<CallStepRecord, CallSearchResult> {
  /** at half of our maximum */
  readonly half?: CallStepRecord | undefined;
  /** calls rtpengine still held once every call had ended (should be 0) */
  readonly rtpengineLeft: number | undefined;
  /** one answer SDP as the client got it (toward the browser: SAVPF, ICE, DTLS) */
  readonly sampleAnswer: string | undefined;
}

interface Extras {
  readonly teardownP50Ms: number;
  readonly teardownP99Ms: number;
  readonly rtpengineCpuSeconds: number;
}

/** The load driver of call steps, and what each step it ran adds to a StepRecord. */
class CallDriver implements LoadDriver {
  readonly extras: Extras[] = [];
  sampleAnswer: string | undefined;

  constructor(
    private readonly rig: Rig,
    private readonly peers: CallPeers,
    private readonly holdMs: number,
  ) {}

  connect(first: number, count: number, concurrency?: number): Promise<ConnectSummary> {
    return this.rig.gen.connect(first, count, concurrency);
  }

  async step(offeredCps: number, durationMs: number) {
    const rtp0 = this.peers.rtpengine.cpuSeconds();
    const s: CallStepSummary = await this.rig.gen.callStep(offeredCps, durationMs, this.holdMs);
    this.extras.push({
      teardownP50Ms: quantile(s.teardownLatencies, 0.5),
      teardownP99Ms: quantile(s.teardownLatencies, 0.99),
      rtpengineCpuSeconds: this.peers.rtpengine.cpuSeconds() - rtp0,
    });
    this.sampleAnswer ??= s.sampleAnswer;
    const setup = s.setupLatencies;
    return {
      offeredTps: offeredCps,
      achievedTps: s.achievedCps,
      transactionsOk: s.callsOk,
      transactionsFailed: s.callsFailed,
      registrationsOk: 0,
      registrationsFailed: 0,
      starved: s.starved,
      p50Ms: quantile(setup, 0.5),
      p99Ms: quantile(setup, 0.99),
      maxMs: setup.length === 0 ? Number.NaN : (setup[setup.length - 1] ?? Number.NaN),
      failures: s.failures,
      latencies: setup,
      durationMs,
    };
  }

  /** The StepRecords of the steps run so far (in order) with their call figures. */
  records(steps: readonly StepRecord[]): CallStepRecord[] {
    const from = this.extras.length - steps.length;
    return steps.map((s, i) => ({ ...s, ...this.extras[from + i]! }));
  }
}

/** Registers the callers, then the smoke step, or warm-up, rate search and the step at half of our maximum. */
export function callRatePhase(
  env: RigEnvironment,
  plan: CallPlan,
  name: SystemName,
  halfCps: () => number | undefined,
  log: Log,
): Promise<CallRateResult> {
  const clients = plan.clients;
  return withRig(
    env,
    { system: name, subscribers: clients, maxConnections: clients, calls: true },
    async (rig) => {
      const sut = rig.sut!;
      const peers = rig.peers!;
      log(`[${name} calls] ${sut.description}; ${peers.rtpengine.description}; ${clients} clients register`);
      const connect = await rig.gen.connect(0, clients, 32);
      const driver = new CallDriver(rig, peers, plan.holdMs);
      const ctx: StepContext = { ...rig.ctx, gen: driver };
      const one = async (cps: number, ms: number, calm: boolean): Promise<CallStepRecord> => {
        const s = calm ? await measureCalmStep(ctx, cps, ms, 3, 3000) : await measureStep(ctx, cps, ms);
        return driver.records([s])[0]!;
      };
      const base = { description: sut.description, connect };
      let smoke: CallStepRecord | undefined;
      let search: CallSearchResult | undefined;
      let half: CallStepRecord | undefined;
      if (plan.smokeStep !== undefined) {
        smoke = await one(plan.smokeStep.cps, plan.smokeStep.ms, false);
        log(`[${name} calls] ${describeCallStep(smoke)}`);
      } else {
        if (plan.warmup !== undefined) {
          const w = await one(plan.warmup.cps, plan.warmup.ms, false);
          log(`[${name} calls] warm-up ${describeCallStep(w)}`);
        }
        if (plan.search !== undefined) {
          const r = await searchMaxRate(ctx, {
            ...plan.search,
            onStep: (s) => log(`[${name} calls] ${describeCallStep(driver.records([s])[0]!)}`),
          });
          const steps = driver.records(r.steps);
          search = {
            maxCps: r.maxTps,
            atMax: steps.find((s) => s.passed && s.offeredTps === r.maxTps),
            steps,
          };
          log(`[${name} calls] maximum sustained: ${r.maxTps} calls/s (limited by ${limitOf(r)})`);
        }
        const rate = halfCps() ?? (search === undefined ? undefined : halfOf(search.maxCps));
        if (rate !== undefined && plan.halfStepMs !== undefined) {
          half = await one(rate, plan.halfStepMs, true);
          log(`[${name} calls] at half of our maximum: ${describeCallStep(half)}`);
        }
      }
      const rtpengineLeft = await leftInRtpengine(peers, plan.leftoverWaitMs);
      return {
        ...base,
        smoke,
        search,
        limit:
          search === undefined
            ? undefined
            : limitOf({ maxTps: search.maxCps, atMax: search.atMax, steps: [...search.steps] }),
        half,
        rtpengineLeft,
        sampleAnswer: driver.sampleAnswer,
      };
    },
  );
}

/** Calls rtpengine still holds once every call has ended: asked until none, for up to `waitMs`. */
async function leftInRtpengine(peers: CallPeers, waitMs: number): Promise<number | undefined> {
  let left = await peers.rtpengine.openCalls();
  for (let i = 0; i < waitMs / 100 && left !== undefined && left > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = await peers.rtpengine.openCalls();
  }
  return left;
}

/** A V8 CPU profile of ours placing calls at `cps` (only the samples of the measured step). */
export function callProfilePhase(
  env: RigEnvironment,
  plan: CallPlan,
  cps: number,
  log: Log,
): Promise<ProfileSummary> {
  const options = { subscribers: plan.clients, maxConnections: plan.clients, calls: true };
  return withProfiledRig(env, options, async (rig, profiled) => {
    await rig.gen.connect(0, plan.clients, 32);
    const driver = new CallDriver(rig, rig.peers!, plan.holdMs);
    const ctx: StepContext = { ...rig.ctx, gen: driver };
    if (plan.warmup !== undefined) await measureStep(ctx, plan.warmup.cps, plan.warmup.ms);
    const s = await profiled(() => measureStep(ctx, cps, plan.profileMs));
    log(`[ours calls, profiled] ${describeCallStep(driver.records([s])[0]!)}`);
  });
}

export interface CallBreakdown {
  readonly name: SystemName;
  /** the step perf sampled: its CPU per call is what the shares divide */
  readonly step: CallStepRecord;
  readonly breakdown: CpuBreakdown;
}

/** Where one system's CPU goes at `cps`: perf over all its processes during one call step (cpu-breakdown.ts). */
export function callBreakdownPhase(
  env: RigEnvironment,
  plan: CallPlan,
  name: SystemName,
  cps: number,
  log: Log,
): Promise<CallBreakdown> {
  const nodeArgs = name === 'ours' ? PERF_NODE_ARGS : undefined;
  const options = {
    system: name,
    subscribers: plan.clients,
    maxConnections: plan.clients,
    calls: true,
    nodeArgs,
  };
  return withRig(env, options, async (rig) => {
    await rig.gen.connect(0, plan.clients, 32);
    const driver = new CallDriver(rig, rig.peers!, plan.holdMs);
    const ctx: StepContext = { ...rig.ctx, gen: driver };
    if (plan.warmup !== undefined) await measureStep(ctx, plan.warmup.cps, plan.warmup.ms);
    // A fresh process: V8 still compiles during its first thousand calls (its compiler showed in
    // the samples after the warm-up alone). One more unsampled step at the rate lets it settle.
    await measureStep(ctx, cps, plan.breakdownMs);
    const kind = name === 'ours' ? 'node' : 'kamailio';
    const { result, breakdown } = await recordBreakdown(systemPids(rig.sut!), kind, () =>
      measureStep(ctx, cps, plan.breakdownMs),
    );
    const step = driver.records([result])[0]!;
    log(`[${name} calls, perf] ${describeCallStep(step)}; ${breakdown.samples} samples`);
    return { name, step, breakdown };
  });
}

export function describeCallStep(s: CallStepRecord): string {
  const f = (x: number | undefined, d = 1): string =>
    x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d);
  const pct = (x: number | undefined): string => f((x ?? Number.NaN) * 100, 0);
  return (
    `${s.offeredTps} calls/s offered: ${s.passed ? 'pass' : 'FAIL'}, ${f(s.achievedTps, 0)} completed/s, ` +
    `setup p50 ${f(s.p50Ms, 2)} ms p99 ${f(s.p99Ms, 2)} ms, teardown p50 ${f(s.teardownP50Ms, 2)} ms p99 ${f(s.teardownP99Ms, 2)} ms, ` +
    `failed ${s.failed}, starved ${s.starved}, system CPU ${f(s.sutCpuSeconds, 2)} s, rtpengine CPU ${f(s.rtpengineCpuSeconds, 2)} s, ` +
    `CPU busy: system ${pct(s.sutCpuBusy)} % / load ${pct(s.loadCpuBusy)} %, other work: ${pct(s.foreignSutCpu)} % / ${pct(s.foreignLoadCpu)} %` +
    (s.failed > 0 ? ` ${JSON.stringify(s.failures)}` : '')
  );
}
