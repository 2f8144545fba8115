/**
 * Memory per idle registered WebSocket client with eP-CSCF workers (`npm run bench -- --only
 * memory`, issue #7): ours as the product with EP_CSCF_WORKERS = ceil(clients / 18,000) worker
 * processes at 1,000, 10,000, 50,000 and 100,000 clients, Kamailio where one process may hold
 * that many connections, WS and WSS; the load generator in as many child processes. Each point
 * runs on a fresh rig (memory-phases.ts); a point that fails is reported and the run goes on.
 */
import { type BenchOptions, type RunRecord, withBenchRun } from './bench-run.ts';
import { type MemoryPointResult, measureMemoryPoint } from './memory-phases.ts';
import { MEMORY_PLANS, type MemoryPlan, type MemoryPointSpec } from './memory-plan.ts';

/** Descriptors a Kamailio P-CSCF process needs besides its client connections. */
const KAMAILIO_FD_MARGIN = 2048;

export interface MemoryOutcome {
  readonly spec: MemoryPointSpec;
  readonly result?: MemoryPointResult | undefined;
  /** why the point was not measured (fd limit, time budget) */
  readonly skipped?: string | undefined;
  /** why the measurement failed */
  readonly error?: string | undefined;
}

/** `processGroups`: the IMS cores and systems under test, all stopped before the return. */
export interface MemoryBenchResult extends RunRecord<MemoryPlan> {
  /** the open-files limit of every process here (the hard limit) */
  readonly openFiles: number;
  readonly points: readonly MemoryOutcome[];
  /** every load-generator child process started, all ended before the return */
  readonly loadProcesses: readonly number[];
}

export function runMemoryBench(o: BenchOptions): Promise<MemoryBenchResult> {
  const plan = MEMORY_PLANS[o.mode];
  // Nothing pinned: what a process keeps per client does not depend on its CPU, and connecting
  // 100,000 clients is quicker when the system, the load processes and the core share both.
  const options = {
    plan,
    log: o.log,
    pin: false,
    workers: plan.threadsPerProcess,
    raiseOpenFiles: true,
    loadProcesses: true,
  } as const;
  return withBenchRun(options, async (run) => {
    const { openFiles, warnings } = run;
    const points: MemoryOutcome[] = [];
    for (const spec of plan.points) {
      const label = `[${spec.system}] ${spec.secure ? 'WSS' : 'WS'} ${spec.clients.toLocaleString('en-US')} clients`;
      const skipped = skipReason(spec, openFiles, plan, run.overBudget());
      if (skipped !== undefined) {
        o.log(`${label}: ${skipped}`);
        points.push({ spec, skipped });
        continue;
      }
      try {
        const r = await measureMemoryPoint(run.env, plan, spec, spec.secure ? run.tls() : undefined);
        o.log(`${label}: ${describePoint(r)}`);
        points.push({ spec, result: r });
        if (!r.complete)
          warnings.push(
            `${label}: ${r.registered} got their 200 OK, ${r.failed} failed ${JSON.stringify(r.failures)}, ` +
              `the core holds ${r.coreContacts} contacts` +
              (r.systemRegistrations === undefined ? '' : `, the system counts ${r.systemRegistrations}`) +
              '; memory is per registered client',
          );
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        o.log(`${label}: FAILED: ${message}`);
        points.push({ spec, error: message });
        warnings.push(`${label}: measurement failed: ${message.split('\n')[0]}`);
      }
    }
    return { openFiles, points };
  });
}

/** Why a point cannot or need not be measured now; undefined: measure it. */
function skipReason(
  spec: MemoryPointSpec,
  openFiles: number,
  plan: MemoryPlan,
  overBudget: boolean,
): string | undefined {
  // Kamailio's TCP main process holds every TCP connection (the readers borrow them): one
  // process, one open-files limit, whatever its number of children.
  if (spec.system === 'kamailio' && spec.clients + KAMAILIO_FD_MARGIN > openFiles)
    return (
      `not measurable here (fd limit): Kamailio's TCP main process holds every connection and ` +
      `the open-files hard limit is ${openFiles} per process (raising it was refused)`
    );
  if (spec.optional && overBudget)
    return `not measured: the time budget of ${plan.budgetMs / 60_000} min was spent`;
  return undefined;
}

export function describePoint(r: MemoryPointResult): string {
  const mb = (b: number): string => (b / 2 ** 20).toFixed(1);
  return (
    `${(r.bytesPerClient / 1024).toFixed(1)} kB each; PSS ${mb(r.basePssBytes)} -> ${mb(r.pssBytes)} MB over ` +
    `${r.processes.length} process${r.processes.length === 1 ? '' : 'es'}` +
    (r.epcscfWorkers === undefined ? '' : ` (EP_CSCF_WORKERS=${r.epcscfWorkers})`) +
    `; ${r.registered} registered (200 OK), ${r.failed} failed, core contacts ${r.coreContacts}` +
    (r.systemRegistrations === undefined ? '' : `, epcscf_registrations ${r.systemRegistrations}`) +
    `; connected in ${(r.connectMs / 1000).toFixed(1)} s by ${r.loadProcesses} load process${r.loadProcesses === 1 ? '' : 'es'}, ` +
    `CPU s: system ${r.connectCpuSeconds.toFixed(1)}, load ${r.loadCpuSeconds.toFixed(1)}, core ${r.coreCpuSeconds.toFixed(1)}`
  );
}
