/**
 * The memory benchmark's result as text: machine and placement, one row per point (skipped ones
 * say why), the issue's two memory targets for ours, and each point's processes (PSS and open
 * descriptors per process: the workers' share of the clients).
 */
import type { MemoryBenchResult, MemoryOutcome } from './memory-bench.ts';
import { workersFor } from './memory-plan.ts';
import { machineLines, placementLine, table, warningLines } from './report.ts';

/** Issue #7: at most this much memory per idle registered WS client. */
export const TARGET_BYTES_PER_CLIENT = 20 * 1024;
/** Issue #7: this many concurrent registered WS clients on the 2-core machine. */
export const TARGET_CLIENTS = 100_000;

const int = (x: number | undefined): string => (x === undefined ? '-' : x.toLocaleString('en-US'));
const mb = (b: number): string => (b / 2 ** 20).toFixed(1);

export function formatMemoryReport(r: MemoryBenchResult): string {
  const threads = r.plan.threadsPerProcess;
  const out: string[] = [
    ...machineLines(r),
    r.placement.sutCpu === undefined
      ? `placement: nothing pinned (memory does not depend on the CPU; the system, ${threads === 1 ? 'one worker thread per load process' : `${threads} worker threads per load process`} and the IMS core share both CPUs); priority: ${r.priority}`
      : placementLine(r, `load processes (${threads} worker thread each) and IMS core`),
    `mode: ${r.mode}; open files per process: ${int(r.openFiles)}; clients idle ${r.plan.idleMs / 1000} s before a reading; run took ${r.elapsedS} s`,
    '',
  ];
  out.push(
    ...table(
      [
        'system',
        'kind',
        'clients',
        'system processes',
        'load processes',
        '200 OK',
        'core contacts',
        'epcscf_registrations',
        'PSS, no client (MB)',
        'PSS (MB)',
        'kB per client',
        'connect (s)',
        'system CPU (s)',
      ],
      r.points.map(row),
      [false, false, true, true, true, true, true, true, true, true, true, true, true],
    ),
  );
  out.push('', ...targetLines(r), '');
  for (const p of r.points) {
    const res = p.result;
    if (res === undefined) continue;
    const procs = res.processes
      .map(
        (x) => `${x.pid}: ${mb(x.pssBytes)} MB, ${int(x.fds)} fds, ${x.connectCpuSeconds.toFixed(1)} CPU s`,
      )
      .join('; ');
    out.push(
      `${res.system} ${res.secure ? 'WSS' : 'WS'} ${int(res.clients)}: ${res.description}; processes ${procs}; ` +
        `CPU s while connecting: load processes ${res.loadCpuSeconds.toFixed(1)}, IMS core ${res.coreCpuSeconds.toFixed(1)}; ` +
        `most fds in one load process ${int(res.loadMaxFds)}`,
    );
  }
  const notes = r.points.filter((p) => p.result === undefined);
  for (const p of notes) out.push(`${label(p)}: ${p.skipped ?? `FAILED: ${(p.error ?? '').split('\n')[0]}`}`);
  out.push(...warningLines(r.warnings));
  return out.join('\n');
}

function label(p: MemoryOutcome): string {
  return `${p.spec.system} ${p.spec.secure ? 'WSS' : 'WS'} ${int(p.spec.clients)}`;
}

function row(p: MemoryOutcome): string[] {
  const s = p.spec;
  const res = p.result;
  const kind = s.secure ? 'WSS' : 'WS';
  if (res === undefined) {
    const why = p.skipped?.startsWith('not measurable here (fd limit)')
      ? 'not measurable here (fd limit)'
      : p.skipped !== undefined
        ? 'not measured (time)'
        : 'FAILED';
    return [s.system, kind, int(s.clients), '-', '-', '-', '-', '-', '-', '-', why, '-', '-'];
  }
  const workers =
    res.epcscfWorkers === undefined
      ? `${res.processes.length} (Kamailio)`
      : res.epcscfWorkers === 1
        ? '1 (EP_CSCF_WORKERS=1)'
        : `primary + ${res.epcscfWorkers} workers`;
  return [
    s.system,
    kind,
    int(s.clients),
    workers,
    int(res.loadProcesses),
    int(res.registered),
    int(res.coreContacts),
    int(res.systemRegistrations),
    mb(res.basePssBytes),
    mb(res.pssBytes),
    Number.isFinite(res.bytesPerClient) ? (res.bytesPerClient / 1024).toFixed(1) : '-',
    (res.connectMs / 1000).toFixed(1),
    res.connectCpuSeconds.toFixed(1),
  ];
}

/** The issue's targets for ours: kB per idle WS client at each point, and 100,000 clients. */
function targetLines(r: MemoryBenchResult): string[] {
  const ours = r.points.filter((p) => p.spec.system === 'ours' && !p.spec.secure);
  const lines = ours.map((p) => {
    const res = p.result;
    if (res === undefined || !Number.isFinite(res.bytesPerClient))
      return `target <= 20 kB per idle registered WS client at ${int(p.spec.clients)}: not measured`;
    const met = res.complete && res.bytesPerClient <= TARGET_BYTES_PER_CLIENT;
    return (
      `target <= 20 kB per idle registered WS client at ${int(p.spec.clients)} ` +
      `(EP_CSCF_WORKERS=${res.epcscfWorkers ?? workersFor(p.spec.clients)}): ` +
      `${(res.bytesPerClient / 1024).toFixed(1)} kB, ${met ? 'met' : 'NOT met'}`
    );
  });
  const big = ours.find((p) => p.spec.clients >= TARGET_CLIENTS)?.result;
  lines.push(
    big === undefined
      ? `target ${int(TARGET_CLIENTS)} concurrent registered WS clients: not measured`
      : `target ${int(TARGET_CLIENTS)} concurrent registered WS clients: ${big.complete ? 'met' : 'NOT met'} ` +
          `(${int(big.registered)} got their 200 OK, the core holds ${int(big.coreContacts)}, ` +
          `ours counts ${int(big.systemRegistrations)}; ${mb(big.pssBytes)} MB PSS in all)`,
  );
  return lines;
}
