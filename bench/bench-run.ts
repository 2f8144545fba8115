/**
 * One run of a system benchmark of `npm run bench` (REGISTER `epcscf-bench.ts`, calls
 * `calls-bench.ts`, memory `memory-bench.ts`): what each of them does around its own phases.
 * Before anything is started: the machine's facts, the scheduling priority (own-session.ts; threads
 * and child processes inherit it), where the processes go, the open-files limit, a port allocator
 * and the rig environment that announces every process group and load process started (the
 * CLI's tests read those lines). Afterwards, also when a phase throws: the TLS files removed and
 * the ports released. The result starts with the run's facts and ends with what was started, the
 * warnings, the time taken and the load average at the end.
 */
import os from 'node:os';
import { PortAllocator } from '../conformance/harness/index.ts';
import { halfOf, type Limit, type Log } from './epcscf-phases.ts';
import { type BenchMode, type Machine, machine } from './epcscf-plan.ts';
import type { RigEnvironment } from './epcscf-rig.ts';
import type { ConnectSummary } from './load/load-generator.ts';
import { prioritise } from './own-session.ts';
import { disturbed, type Placement, type StepRecord } from './register-phases.ts';
import { kamailioVersion } from './sut/kamailio-pcscf.ts';
import { openFilesLimit, pinProcess, raiseOpenFiles } from './sut/proc-stats.ts';
import type { SystemName } from './sut/system.ts';
import { createSelfSignedCert, type TlsFiles } from './sut/tls-cert.ts';

export interface BenchOptions {
  readonly mode: BenchMode;
  /** progress lines (stderr in the CLI) */
  readonly log: Log;
}

/** What the run reads of a benchmark's plan. */
export interface RunPlan {
  readonly mode: BenchMode;
  /** optional phases are skipped once the run has lasted this long */
  readonly budgetMs: number;
  /** scheduling priority (nice) of the whole run, inherited by every process it starts */
  readonly nice?: number;
}

export interface RunOptions<P extends RunPlan> {
  readonly plan: P;
  readonly log: Log;
  /** systems under test on CPU 1, this process and the IMS core on CPU 0 (placeProcesses); false: nothing pinned */
  readonly pin: boolean;
  /** load-generator worker threads (per load process where the generator forks) */
  readonly workers: number;
  /** raise the open-files limit as far as allowed (many client connections) */
  readonly raiseOpenFiles?: boolean;
  /** record the load generator's child processes in the result (`loadProcesses`) */
  readonly loadProcesses?: boolean;
}

export interface ProcessGroup {
  readonly name: string;
  readonly pgid: number;
}

/** What a run's result starts with: where and how it ran. */
export interface RunFacts {
  readonly mode: BenchMode;
  /** at the start of the run */
  readonly machine: Machine;
  readonly kamailio: string;
  readonly placement: Placement;
  /** the scheduling priority the run gave itself (own-session.ts) */
  readonly priority: string;
}

/** What every run's result holds around the benchmark's own figures (in this order in the JSON). */
export interface RunRecord<P> extends RunFacts, RunEnding {
  readonly plan: P;
}

/** What a run's result ends with: what it started, what went wrong, how long it took. */
export interface RunEnding {
  /** every process group started (all stopped before the run returns) */
  readonly processGroups: readonly ProcessGroup[];
  readonly warnings: readonly string[];
  readonly elapsedS: number;
  readonly loadAverageEnd: readonly number[];
}

/** What a benchmark's phases get from the run. */
export interface BenchRun {
  /** for every rig: ports, placement, load threads, and who is told of what is started */
  readonly env: RigEnvironment;
  /** the run's warnings, printed at the end of its report */
  readonly warnings: string[];
  /** the open-files limit in force (children inherit it) */
  readonly openFiles: number;
  /** true once the run has lasted longer than its plan's budget */
  overBudget(): boolean;
  /** the run's self-signed certificate for WSS, made on first use, removed when the run ends */
  tls(): TlsFiles;
}

/**
 * Runs `body` with the run's environment, and returns the run's facts, the body's result and
 * what was started. Everything the body starts is its own to stop (the rigs stop theirs).
 */
export function withBenchRun<P extends RunPlan, R extends object>(
  o: RunOptions<P> & { readonly loadProcesses: true },
  body: (run: BenchRun) => Promise<R>,
): Promise<RunRecord<P> & R & { readonly loadProcesses: readonly number[] }>;
export function withBenchRun<P extends RunPlan, R extends object>(
  o: RunOptions<P>,
  body: (run: BenchRun) => Promise<R>,
): Promise<RunRecord<P> & R>;
export async function withBenchRun<P extends RunPlan, R extends object>(
  o: RunOptions<P>,
  body: (run: BenchRun) => Promise<R>,
): Promise<RunRecord<P> & R & { readonly loadProcesses?: readonly number[] }> {
  const t0 = Date.now();
  const atStart = machine();
  const { plan, log } = o;
  const warnings: string[] = [];
  // Before anything is started: threads and child processes inherit the priority.
  const priority = plan.nice === undefined ? 'default' : prioritise(plan.nice);
  const placement: Placement = o.pin ? placeProcesses(warnings) : { sutCpu: undefined, loadCpu: undefined };
  const openFiles = o.raiseOpenFiles === true ? raiseOpenFiles(262_144) : openFilesLimit();
  const ports = await PortAllocator.open();
  const processGroups: ProcessGroup[] = [];
  const loadProcesses: number[] = [];
  const env: RigEnvironment = {
    ports,
    placement,
    workers: o.workers,
    onProcessGroup: (name, pgid) => {
      processGroups.push({ name, pgid });
      log(`started ${name} (process group ${pgid})`);
    },
    onLoadProcesses: (pids) => {
      loadProcesses.push(...pids);
      log(`started load processes (pids ${pids.join(', ')})`);
    },
  };
  let tls: TlsFiles | undefined;
  let result: R;
  try {
    result = await body({
      env,
      warnings,
      openFiles,
      overBudget: () => Date.now() - t0 > plan.budgetMs,
      tls: () => {
        tls ??= createSelfSignedCert(ports.host);
        return tls;
      },
    });
  } finally {
    tls?.remove();
    await ports.close();
  }
  return {
    mode: plan.mode,
    machine: atStart,
    kamailio: kamailioVersion(),
    placement,
    priority,
    plan,
    ...result,
    processGroups,
    ...(o.loadProcesses === true ? { loadProcesses } : {}),
    warnings,
    elapsedS: Math.round((Date.now() - t0) / 1000),
    loadAverageEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** What the run checks in a system's phase. */
export interface SystemPhase {
  readonly connect: ConnectSummary;
  /** what bounded the system's maximum, where one was searched */
  readonly limit?: Limit | undefined;
}

export interface SystemsOptions<R extends SystemPhase> {
  /** ours first: half of its maximum is the rate of every system's fixed-rate step */
  readonly systems: readonly SystemName[];
  /** what runs on the load side's CPU (a warning names it when it bounded a maximum) */
  readonly loadSide: string;
  /** a system's phase, given half of our maximum (undefined while ours has none) */
  readonly measure: (name: SystemName, halfOfOurs: () => number | undefined) => Promise<R>;
  /** the maximum a phase found (undefined: none to halve) */
  readonly maxOf: (r: R) => number | undefined;
  /** more warnings about a system's phase (after those about its registrations) */
  readonly check?: (name: SystemName, r: R) => readonly string[];
}

export interface SystemsResult<R> {
  readonly systems: (R & { readonly name: SystemName })[];
  /** half of our maximum (epcscf-phases.ts `halfOf`) */
  readonly halfOfOurs: number | undefined;
}

/** Runs each system's phase in turn; warns of failed registrations and of a maximum bounded by the load. */
export async function measureSystems<R extends SystemPhase>(
  run: BenchRun,
  o: SystemsOptions<R>,
): Promise<SystemsResult<R>> {
  const systems: (R & { readonly name: SystemName })[] = [];
  let halfOfOurs: number | undefined;
  for (const name of o.systems) {
    const r = await o.measure(name, () => halfOfOurs);
    const max = o.maxOf(r);
    if (name === 'ours' && max !== undefined) halfOfOurs = halfOf(max);
    if (r.connect.failed > 0)
      run.warnings.push(
        `${name}: ${r.connect.failed} registrations failed: ${JSON.stringify(r.connect.failures)}`,
      );
    run.warnings.push(...(o.check?.(name, r) ?? []));
    if (r.limit === 'load')
      run.warnings.push(
        `${name}: the maximum was bounded by the load side (${o.loadSide} saturated their CPU before the system did): the real maximum is higher`,
      );
    systems.push({ name, ...r });
  }
  return { systems, halfOfOurs };
}

/** Warns when steps ran while processes outside the benchmark used a measured CPU. */
export function warnDisturbed(run: BenchRun, steps: readonly StepRecord[], noun: string): void {
  const noisy = steps.filter(disturbed).length;
  if (noisy > 0)
    run.warnings.push(
      `${noisy} of ${steps.length} ${noun} ran while other processes used more than 10 % of a measured CPU (column "other"): their latencies are not the systems' own`,
    );
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
