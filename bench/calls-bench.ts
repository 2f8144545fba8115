/**
 * The call benchmark (issue #7): registered WebRTC clients call an IMS user (sipp behind the IMS
 * core) through our eP-CSCF with its eIMS-AGW, and through Kamailio as a WebSocket P-CSCF with its
 * rtpengine module, both driving the same rtpengine, both pinned to the same CPU, in the same run.
 * A call is INVITE with a Chrome offer, 100/180/200 with rtpengine's WebRTC answer, ACK, a short
 * hold, BYE, 200. No media flows (the clients do no ICE or DTLS): the rate is of signalling and
 * rtpengine control. Full mode: rate search per system, a step at half of our maximum for both,
 * a CPU profile of ours at 80 %. Smoke mode: a few calls per system.
 */
import type { BenchOptions, RunRecord } from './bench-run.ts';
import { measureSystems, warnDisturbed, withBenchRun } from './bench-run.ts';
import {
  type CallBreakdown,
  type CallRateResult,
  callBreakdownPhase,
  callProfilePhase,
  callRatePhase,
} from './calls-phases.ts';
import { CALL_PLANS, type CallPlan } from './calls-plan.ts';
import { breakdownEach } from './cpu-breakdown.ts';
import type { ProfileSummary } from './cpu-profile.ts';
import type { SystemName } from './sut/system.ts';

export const CALL_SYSTEMS: readonly SystemName[] = ['ours', 'kamailio'];

export interface CallSystemResult extends CallRateResult {
  readonly name: SystemName;
}

export interface CallsBenchResult extends RunRecord<CallPlan> {
  readonly systems: readonly CallSystemResult[];
  /** the rate of the step both systems run: half of our maximum */
  readonly halfCps?: number | undefined;
  readonly profileCps?: number | undefined;
  readonly profile?: ProfileSummary | undefined;
  /** where each system's CPU goes at half of our maximum, whole processes (perf) */
  readonly breakdown?: readonly CallBreakdown[] | undefined;
}

export function runCallsBench(o: BenchOptions): Promise<CallsBenchResult> {
  const plan = CALL_PLANS[o.mode];
  return withBenchRun({ plan, log: o.log, pin: true, workers: plan.workers }, async (run) => {
    let profile: ProfileSummary | undefined;
    let profileCps: number | undefined;
    const { systems, halfOfOurs: halfCps } = await measureSystems(run, {
      systems: CALL_SYSTEMS,
      loadSide: 'load generator, IMS core, rtpengine and sipp',
      measure: (name, halfCps) => callRatePhase(run.env, plan, name, halfCps, o.log),
      // A maximum of 0 (no step passed) sets no rate.
      maxOf: (r) => (r.search === undefined || r.search.maxCps <= 0 ? undefined : r.search.maxCps),
      check: (name, r) =>
        r.rtpengineLeft === 0
          ? []
          : [
              `${name}: rtpengine still held ${r.rtpengineLeft ?? 'an unknown number of'} calls after the last call ended`,
            ],
    });
    if (plan.profileMs > 0 && halfCps !== undefined) {
      if (run.overBudget())
        run.warnings.push(
          `time budget of ${Math.round(plan.budgetMs / 1000)} s spent: CPU profile not taken`,
        );
      else {
        profileCps = Math.round(halfCps * 1.6);
        profile = await callProfilePhase(run.env, plan, profileCps, o.log);
      }
    }
    let breakdown: CallBreakdown[] | undefined;
    if (plan.breakdownMs > 0 && halfCps !== undefined) {
      if (run.overBudget())
        run.warnings.push(
          `time budget of ${Math.round(plan.budgetMs / 1000)} s spent: CPU breakdown not taken`,
        );
      else
        breakdown = await breakdownEach(CALL_SYSTEMS, run.warnings, (name) =>
          callBreakdownPhase(run.env, plan, name, halfCps, o.log),
        );
    }
    warnDisturbed(
      run,
      systems.flatMap((r) => [...(r.search?.steps ?? []), ...(r.half === undefined ? [] : [r.half])]),
      'call steps',
    );
    return { systems, halfCps, profileCps, profile, breakdown };
  });
}
