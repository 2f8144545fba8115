/**
 * The call benchmark (issue #7): registered WebRTC clients call an IMS user (sipp behind the IMS
 * core) through our eP-CSCF with its eIMS-AGW, and through Kamailio as a WebSocket P-CSCF with its
 * rtpengine module, both driving the same rtpengine, both pinned to the same CPU, in the same run.
 * A call is INVITE with a Chrome offer, 100/180/200 with rtpengine's WebRTC answer, ACK, a short
 * hold, BYE, 200. No media flows (the clients do no ICE or DTLS): the rate is of signalling and
 * rtpengine control. Full mode: rate search per system, a step at half of our maximum for both,
 * a CPU profile of ours at 80 %. Smoke mode: a few calls per system.
 */
import os from 'node:os';
import { PortAllocator } from '../conformance/harness/index.ts';
import { type CallRateResult, callProfilePhase, callRatePhase } from './calls-phases.ts';
import { CALL_PLANS, type CallPlan } from './calls-plan.ts';
import type { ProfileSummary } from './cpu-profile.ts';
import { placeProcesses } from './epcscf-bench.ts';
import { halfOf } from './epcscf-phases.ts';
import { type BenchMode, type Machine, machine } from './epcscf-plan.ts';
import type { RigEnvironment } from './epcscf-rig.ts';
import { prioritise } from './own-session.ts';
import { disturbed, type Placement } from './register-phases.ts';
import { kamailioVersion } from './sut/kamailio-pcscf.ts';
import type { SystemName } from './sut/system.ts';

export const CALL_SYSTEMS: readonly SystemName[] = ['ours', 'kamailio'];

export interface CallSystemResult extends CallRateResult {
  readonly name: SystemName;
}

export interface CallsBenchResult {
  readonly mode: BenchMode;
  readonly machine: Machine;
  readonly kamailio: string;
  readonly placement: Placement;
  readonly priority: string;
  readonly plan: CallPlan;
  readonly systems: readonly CallSystemResult[];
  /** the rate of the step both systems run: half of our maximum */
  readonly halfCps?: number | undefined;
  readonly profileCps?: number | undefined;
  readonly profile?: ProfileSummary | undefined;
  /** every process group started (all stopped before the run returns) */
  readonly processGroups: readonly { readonly name: string; readonly pgid: number }[];
  readonly warnings: readonly string[];
  readonly elapsedS: number;
  readonly loadAverageEnd: readonly number[];
}

export async function runCallsBench(o: {
  readonly mode: BenchMode;
  readonly log: (line: string) => void;
}): Promise<CallsBenchResult> {
  const t0 = Date.now();
  const atStart = machine();
  const plan = CALL_PLANS[o.mode];
  const warnings: string[] = [];
  const priority = plan.nice === undefined ? 'default' : prioritise(plan.nice);
  const placement = placeProcesses(warnings);
  const ports = await PortAllocator.open();
  const processGroups: { name: string; pgid: number }[] = [];
  const env: RigEnvironment = {
    ports,
    placement,
    workers: plan.workers,
    onProcessGroup: (name, pgid) => {
      processGroups.push({ name, pgid });
      o.log(`started ${name} (process group ${pgid})`);
    },
  };
  const systems: CallSystemResult[] = [];
  let halfCps: number | undefined;
  let profile: ProfileSummary | undefined;
  let profileCps: number | undefined;
  try {
    for (const name of CALL_SYSTEMS) {
      const r = await callRatePhase(env, plan, name, () => halfCps, o.log);
      if (name === 'ours' && r.search !== undefined && r.search.maxCps > 0) halfCps = halfOf(r.search.maxCps);
      if (r.connect.failed > 0)
        warnings.push(
          `${name}: ${r.connect.failed} registrations failed: ${JSON.stringify(r.connect.failures)}`,
        );
      if (r.rtpengineLeft !== 0)
        warnings.push(
          `${name}: rtpengine still held ${r.rtpengineLeft ?? 'an unknown number of'} calls after the last call ended`,
        );
      if (r.limit === 'load')
        warnings.push(
          `${name}: the maximum was bounded by the load side (load generator, IMS core, rtpengine and sipp saturated their CPU before the system did): the real maximum is higher`,
        );
      systems.push({ name, ...r });
    }
    if (plan.profileMs > 0 && halfCps !== undefined) {
      if (Date.now() - t0 > plan.budgetMs)
        warnings.push(`time budget of ${Math.round(plan.budgetMs / 1000)} s spent: CPU profile not taken`);
      else {
        profileCps = Math.round(halfCps * 1.6);
        profile = await callProfilePhase(env, plan, profileCps, o.log);
      }
    }
  } finally {
    await ports.close();
  }
  const steps = systems.flatMap((r) => [
    ...(r.search?.steps ?? []),
    ...(r.half === undefined ? [] : [r.half]),
  ]);
  const noisy = steps.filter(disturbed).length;
  if (noisy > 0)
    warnings.push(
      `${noisy} of ${steps.length} call steps ran while other processes used more than 10 % of a measured CPU (column "other"): their latencies are not the systems' own`,
    );
  return {
    mode: o.mode,
    machine: atStart,
    kamailio: kamailioVersion(),
    placement,
    priority,
    plan,
    systems,
    halfCps,
    profileCps,
    profile,
    processGroups,
    warnings,
    elapsedS: Math.round((Date.now() - t0) / 1000),
    loadAverageEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
