/**
 * The eP-CSCF vs Kamailio REGISTER benchmark (issue #7): the same load, in the same run,
 * through our eP-CSCF and through Kamailio as a WebSocket P-CSCF, both pinned to the same CPU
 * and both in front of the same kind of IMS core (a fresh Kamailio registrar per measurement).
 * Phases (full mode, epcscf-phases.ts): rate search per system and latency at half of our
 * maximum, the same rate straight to the core, a CPU profile of ours under load, memory per idle
 * registered client (WS, then WSS). Smoke mode: a few clients and one step per system.
 */
import os from 'node:os';
import { PortAllocator } from '../conformance/harness/index.ts';
import type { ProfileSummary } from './cpu-profile.ts';
import { directPhase, halfOf, type Limit, memoryPhase, profilePhase, ratePhase } from './epcscf-phases.ts';
import { type BenchMode, type Machine, machine, PLANS, type Plan } from './epcscf-plan.ts';
import type { RigEnvironment } from './epcscf-rig.ts';
import type { ConnectSummary } from './load/load-generator.ts';
import { prioritise } from './own-session.ts';
import {
  disturbed,
  type MemoryPoint,
  type Placement,
  type SearchResult,
  type StepRecord,
} from './register-phases.ts';
import { kamailioVersion } from './sut/kamailio-pcscf.ts';
import { pinProcess, raiseOpenFiles } from './sut/proc-stats.ts';
import type { SystemName } from './sut/system.ts';
import { createSelfSignedCert, type TlsFiles } from './sut/tls-cert.ts';

export { describeStep } from './epcscf-phases.ts';

export const SYSTEMS: readonly SystemName[] = ['ours', 'kamailio'];

export interface SystemResult {
  readonly name: SystemName;
  readonly description: string;
  readonly connect: ConnectSummary;
  readonly smoke?: StepRecord | undefined;
  readonly search?: SearchResult | undefined;
  /** what bounded the maximum (the load side: the figure is a lower bound) */
  readonly limit?: Limit | undefined;
  readonly latency?: StepRecord | undefined;
  readonly memoryWs: readonly MemoryPoint[];
  readonly memoryWss: readonly MemoryPoint[];
}

export interface EpCscfBenchResult {
  readonly mode: BenchMode;
  /** at the start of the run */
  readonly machine: Machine;
  readonly kamailio: string;
  readonly placement: Placement;
  /** the scheduling priority the run gave itself (own-session.ts) */
  readonly priority: string;
  readonly plan: Plan;
  readonly systems: readonly SystemResult[];
  /** the latency step's rate: half of our maximum */
  readonly latencyTps?: number | undefined;
  /** the same step straight to the IMS core: what the proxies' latency is compared with */
  readonly direct?: StepRecord | undefined;
  /** rate of the profiled step */
  readonly profileTps?: number | undefined;
  readonly profile?: ProfileSummary | undefined;
  /** every process group started (all stopped before the run returns) */
  readonly processGroups: readonly { readonly name: string; readonly pgid: number }[];
  readonly warnings: readonly string[];
  readonly elapsedS: number;
  readonly loadAverageEnd: readonly number[];
}

export interface BenchOptions {
  readonly mode: BenchMode;
  /** progress lines (stderr in the CLI) */
  readonly log: (line: string) => void;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export async function runEpCscfBench(o: BenchOptions): Promise<EpCscfBenchResult> {
  const t0 = Date.now();
  const atStart = machine();
  const plan = PLANS[o.mode];
  const warnings: string[] = [];
  // Before anything is started: threads and child processes inherit the priority.
  const priority = plan.nice === undefined ? 'default' : prioritise(plan.nice);
  const placement = placeProcesses(warnings);
  const openFiles = raiseOpenFiles(262_144);
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
  const late = (what: string): boolean => {
    if (Date.now() - t0 <= plan.budgetMs) return false;
    warnings.push(`time budget of ${plan.budgetMs / 60_000} min spent: ${what} not measured`);
    return true;
  };
  const systems: Mutable<SystemResult>[] = [];
  let latencyTps: number | undefined;
  let direct: StepRecord | undefined;
  let profile: ProfileSummary | undefined;
  let profileTps: number | undefined;
  let tls: TlsFiles | undefined;
  try {
    // 1. Rate, one system after the other (ours first: its maximum sets the latency rate).
    for (const name of SYSTEMS) {
      const r = await ratePhase(env, plan, name, () => latencyTps, o.log);
      if (name === 'ours' && r.search !== undefined) latencyTps = halfOf(r.search.maxTps);
      if (r.connect.failed > 0)
        warnings.push(
          `${name}: ${r.connect.failed} registrations failed: ${JSON.stringify(r.connect.failures)}`,
        );
      if (r.limit === 'load')
        warnings.push(
          `${name}: the maximum was bounded by the load side (load generator and IMS core saturated their CPU before the system did): the real maximum is higher`,
        );
      systems.push({ name, ...r, memoryWs: [], memoryWss: [] });
    }
    // 2. The latency step straight to the core.
    if (latencyTps !== undefined && plan.latencyStepMs !== undefined)
      direct = await directPhase(env, plan, latencyTps, plan.latencyStepMs, o.log);
    // 3. Where our time goes, at 80 % of our maximum.
    if (plan.profileMs > 0 && latencyTps !== undefined && !late('CPU profile')) {
      profileTps = Math.round(latencyTps * 1.6);
      profile = await profilePhase(env, plan, profileTps, o.log);
    }
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
      if (secure) tls ??= createSelfSignedCert(ports.host);
      for (const r of systems) {
        if (late(`${kind} memory of ${r.name}`)) continue;
        const mem = await memoryPhase(env, plan, r.name, points, secure ? tls : undefined, o.log);
        r[secure ? 'memoryWss' : 'memoryWs'] = mem;
        for (const p of mem)
          if (p.failed > 0)
            warnings.push(
              `${r.name}: ${p.failed} of ${p.clients} ${kind} clients failed to connect or register; memory is per registered client`,
            );
      }
    }
  } finally {
    tls?.remove();
    await ports.close();
  }
  const steps = systems.flatMap((r) => [
    ...(r.search?.steps ?? []),
    ...(r.latency === undefined ? [] : [r.latency]),
  ]);
  const noisy = steps.filter(disturbed).length;
  if (noisy > 0)
    warnings.push(
      `${noisy} of ${steps.length} steps ran while other processes used more than 10 % of a measured CPU (column "other"): their latencies are not the systems' own`,
    );
  return {
    mode: o.mode,
    machine: atStart,
    kamailio: kamailioVersion(),
    placement,
    priority,
    plan,
    systems,
    latencyTps,
    direct,
    profileTps,
    profile,
    processGroups,
    warnings,
    elapsedS: Math.round((Date.now() - t0) / 1000),
    loadAverageEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/**
 * Two CPUs or more: the systems under test get CPU 1, this process (load generator threads)
 * and the IMS core CPU 0. One CPU: nothing is pinned, and the figures say little.
 */
export function placeProcesses(warnings: string[]): Placement {
  if (os.cpus().length < 2) {
    warnings.push('fewer than 2 CPUs: nothing pinned; the system under test shares its CPU with the load');
    return { sutCpu: undefined, loadCpu: undefined };
  }
  try {
    pinProcess(process.pid, 0);
    return { sutCpu: 1, loadCpu: 0 };
  } catch (err) {
    warnings.push(`taskset failed (${err instanceof Error ? err.message : String(err)}): nothing pinned`);
    return { sutCpu: undefined, loadCpu: undefined };
  }
}
