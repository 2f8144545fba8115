/**
 * The eP-CSCF vs Kamailio REGISTER benchmark (issue #7): the same load, in the same run,
 * through our eP-CSCF and through Kamailio as a WebSocket P-CSCF, both pinned to the same CPU
 * and both in front of the same kind of IMS core (a fresh Kamailio registrar per measurement).
 * Phases (full mode, epcscf-phases.ts): rate search per system and latency at half of our
 * maximum, the same rate straight to the core, a CPU profile of ours under load, memory per idle
 * registered client (WS, then WSS). Smoke mode: a few clients and one step per system.
 */
import type { BenchOptions, RunRecord } from './bench-run.ts';
import { measureSystems, warnDisturbed, withBenchRun } from './bench-run.ts';
import { breakdownEach } from './cpu-breakdown.ts';
import type { ProfileSummary } from './cpu-profile.ts';
import {
  breakdownPhase,
  directPhase,
  memoryPhase,
  profilePhase,
  type RateResult,
  ratePhase,
  type SystemBreakdown,
} from './epcscf-phases.ts';
import { PLANS, type Plan } from './epcscf-plan.ts';
import type { MemoryPoint, StepRecord } from './register-phases.ts';
import type { SystemName } from './sut/system.ts';

export { describeStep } from './epcscf-phases.ts';

export const SYSTEMS: readonly SystemName[] = ['ours', 'kamailio'];

/** A system's figures: its rate phase (epcscf-phases.ts), then its memory points. */
export interface SystemResult extends RateResult {
  readonly name: SystemName;
  readonly memoryWs: readonly MemoryPoint[];
  readonly memoryWss: readonly MemoryPoint[];
}

export interface EpCscfBenchResult extends RunRecord<Plan> {
  readonly systems: readonly SystemResult[];
  /** the latency step's rate: half of our maximum */
  readonly latencyTps?: number | undefined;
  /** the same step straight to the IMS core: what the proxies' latency is compared with */
  readonly direct?: StepRecord | undefined;
  /** rate of the profiled step */
  readonly profileTps?: number | undefined;
  readonly profile?: ProfileSummary | undefined;
  /** where each system's CPU goes at the latency rate, whole processes (perf) */
  readonly breakdown?: readonly SystemBreakdown[] | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function runEpCscfBench(o: BenchOptions): Promise<EpCscfBenchResult> {
  const plan = PLANS[o.mode];
  return withBenchRun(
    { plan, log: o.log, pin: true, workers: plan.workers, raiseOpenFiles: true },
    async (run) => {
      const { env, warnings, openFiles } = run;
      const late = (what: string): boolean => {
        if (!run.overBudget()) return false;
        warnings.push(`time budget of ${plan.budgetMs / 60_000} min spent: ${what} not measured`);
        return true;
      };
      let direct: StepRecord | undefined;
      let profile: ProfileSummary | undefined;
      let profileTps: number | undefined;
      // 1. Rate, one system after the other (ours first: its maximum sets the latency rate).
      const rated = await measureSystems(run, {
        systems: SYSTEMS,
        loadSide: 'load generator and IMS core',
        measure: (name, latencyTps) => ratePhase(env, plan, name, latencyTps, o.log),
        maxOf: (r) => r.search?.maxTps,
      });
      const latencyTps = rated.halfOfOurs;
      const systems: Mutable<SystemResult>[] = rated.systems.map((r) => ({
        ...r,
        memoryWs: [],
        memoryWss: [],
      }));
      // 2. The latency step straight to the core.
      if (latencyTps !== undefined && plan.latencyStepMs !== undefined)
        direct = await directPhase(env, plan, latencyTps, plan.latencyStepMs, o.log);
      // 3. Where our time goes, at 80 % of our maximum.
      if (plan.profileMs > 0 && latencyTps !== undefined && !late('CPU profile')) {
        profileTps = Math.round(latencyTps * 1.6);
        profile = await profilePhase(env, plan, profileTps, o.log);
      }
      // 3b. Where each system's CPU goes, kernel included, at the latency rate.
      let breakdown: SystemBreakdown[] | undefined;
      if (plan.breakdownMs > 0 && latencyTps !== undefined && !late('CPU breakdown'))
        breakdown = await breakdownEach(SYSTEMS, warnings, (name) =>
          breakdownPhase(env, plan, name, latencyTps, o.log),
        );
      // 4. Memory per idle registered client, WS then WSS. Each side of a connection is in another
      // process (clients here, the server in the system), so a point needs `n` descriptors each.
      const fits = (n: number): boolean => n + 2048 <= openFiles;
      for (const secure of [false, true]) {
        const kind = secure ? 'WSS' : 'WS';
        const wanted = secure ? plan.wssPoints : plan.memoryPoints;
        const points = wanted.filter(fits);
        if (points.length < wanted.length)
          warnings.push(
            `open files limited to ${openFiles} per process (the hard limit; raising it was refused): ${kind} memory not measured at ${wanted.filter((n) => !fits(n)).join(', ')} clients here (\`npm run bench -- --only memory\` measures ours there with eP-CSCF worker processes)`,
          );
        if (points.length === 0) continue;
        for (const r of systems) {
          if (late(`${kind} memory of ${r.name}`)) continue;
          const mem = await memoryPhase(env, plan, r.name, points, secure ? run.tls() : undefined, o.log);
          r[secure ? 'memoryWss' : 'memoryWs'] = mem;
          for (const p of mem)
            if (p.failed > 0)
              warnings.push(
                `${r.name}: ${p.failed} of ${p.clients} ${kind} clients failed to connect or register; memory is per registered client`,
              );
        }
      }
      warnDisturbed(
        run,
        systems.flatMap((r) => [...(r.search?.steps ?? []), ...(r.latency === undefined ? [] : [r.latency])]),
        'steps',
      );
      return { systems, latencyTps, direct, profileTps, profile, breakdown };
    },
  );
}
