/**
 * The eP-CSCF benchmark's result as text: the machine and CPU layout, the side-by-side table
 * with ratios ours / Kamailio and the targets, every rate step, and the CPU profile.
 */
import type { EpCscfBenchResult, SystemResult } from './epcscf-bench.ts';
import { cpuPer1k, P99_LIMIT_MS, type StepRecord } from './register-phases.ts';
import * as report from './report.ts';

export function formatEpCscfReport(r: EpCscfBenchResult): string {
  const ours = r.systems.find((s) => s.name === 'ours');
  const kam = r.systems.find((s) => s.name === 'kamailio');
  const out: string[] = [
    ...report.machineLines(r),
    report.placementLine(r, `load generator (${r.plan.workers} worker threads) and IMS core`),
    `mode: ${r.mode}; ${r.plan.rateClients} WebSocket clients for the rate steps; a step passes with no failure and p99 < ${P99_LIMIT_MS} ms; run took ${r.elapsedS} s`,
    '',
  ];
  if (r.mode === 'smoke') {
    out.push(...registerStepTable(report.smokeRows(r.systems)));
    for (const s of r.systems)
      out.push(
        `${s.name}: ${s.connect.registered} registered, ${s.connect.failed} failed (${s.description})`,
      );
    out.push(...report.warningLines(r.warnings));
    return out.join('\n');
  }
  const rate = r.latencyTps;
  const direct = r.direct;
  const added = (s: SystemResult | undefined, q: 'p50Ms' | 'p99Ms'): number | undefined => {
    const v = s?.latency?.[q];
    return v === undefined || direct === undefined ? undefined : v - direct[q];
  };
  const addedP99 = added(ours, 'p99Ms');
  const atRate = (
    metric: string,
    f: (s: StepRecord) => number | undefined,
    digits: number,
  ): report.ComparisonRow => report.compare(metric, ours?.latency, kam?.latency, f, digits);
  const memory = (s: SystemResult | undefined, n: number, wss: boolean): number | undefined => {
    const p = (wss ? s?.memoryWss : s?.memoryWs)?.find((x) => x.clients === n);
    return p === undefined ? undefined : p.bytesPerClient / 1024;
  };
  const oursMax = ours?.search?.maxTps;
  const kamMax = kam?.search?.maxTps;
  const rows: report.ComparisonRow[] = [
    {
      metric: `max sustained REGISTER tx/s on 1 core${report.boundNote(ours)}${report.boundNote(kam)}`,
      ours: oursMax,
      kamailio: kamMax,
      digits: 0,
      target: report.target(
        '>= 1.0x',
        oursMax === undefined || kamMax === undefined ? undefined : oursMax >= kamMax,
      ),
    },
    report.compare(
      'tx/s per busy core at the maximum (1000 / CPU s per 1k)',
      ours,
      kam,
      (s) => report.perBusyCore(s.search?.atMax),
      0,
    ),
    atRate(`CPU s per 1,000 tx at ${report.num(rate)} tx/s`, cpuPer1k, 3),
    atRate(`p50 latency at ${report.num(rate)} tx/s (ms)`, (s) => s.p50Ms, 2),
    atRate(`p99 latency at ${report.num(rate)} tx/s (ms)`, (s) => s.p99Ms, 2),
    report.compare('p50 added latency (ms)', ours, kam, (s) => added(s, 'p50Ms'), 2),
    {
      ...report.compare('p99 added latency (ms)', ours, kam, (s) => added(s, 'p99Ms'), 2),
      target: report.target('<= 2 ms', addedP99 === undefined ? undefined : addedP99 <= 2),
    },
  ];
  for (const wss of [false, true]) {
    const points = wss ? r.plan.wssPoints : r.plan.memoryPoints;
    for (const n of points) {
      const o = memory(ours, n, wss);
      rows.push({
        metric: `kB per idle registered ${wss ? 'WSS' : 'WS'} client at ${report.num(n)}`,
        ours: o,
        kamailio: memory(kam, n, wss),
        digits: 1,
        target: report.target('<= 20 kB', o === undefined ? undefined : o <= 20),
      });
    }
    // What one more client costs between the first two points: free of the fixed offsets
    // (start-up garbage, allocator high-water marks) that blur the first point.
    const [a, b] = points;
    if (a !== undefined && b !== undefined)
      rows.push({
        metric: `kB per additional ${wss ? 'WSS' : 'WS'} client from ${report.num(a)} to ${report.num(b)}`,
        ours: marginal(ours, a, b, wss),
        kamailio: marginal(kam, a, b, wss),
        digits: 1,
      });
  }
  out.push(...report.comparisonTable(rows));
  if (direct !== undefined)
    out.push(
      '',
      `straight to the IMS core over UDP at ${report.num(rate)} tx/s: p50 ${report.num(direct.p50Ms, 2)} ms, p99 ${report.num(direct.p99Ms, 2)} ms ` +
        `(added latency = through the proxy minus this, per quantile; 0 or less: below what this measures)`,
    );
  const stepRows: (readonly [string, StepRecord])[] = report.searchRows(
    r.systems,
    'latency',
    (s) => s.latency,
  );
  if (direct !== undefined) stepRows.push(['direct to core', direct]);
  out.push(
    '',
    'steps (other = share of the system / load CPU used by processes outside the benchmark):',
    ...registerStepTable(stepRows),
  );
  const profiled = `CPU profile of our eP-CSCF at ${report.num(r.profileTps)} tx/s`;
  out.push(...report.profileLines(r.profile, profiled, 25, 15));
  out.push(
    ...report.breakdownLines(
      (r.breakdown ?? []).map((b) => ({
        ...b,
        plain: r.systems.find((x) => x.name === b.name)?.latency,
      })),
      `${report.num(r.latencyTps)} tx/s`,
      { name: 'transaction', short: 'tx' },
    ),
  );
  for (const s of r.systems) out.push(`${s.name}: ${s.description}`);
  out.push(...report.warningLines(r.warnings));
  return out.join('\n');
}

/** (PSS at b - PSS at a) / (registered at b - registered at a), in kB. */
function marginal(s: SystemResult | undefined, a: number, b: number, wss: boolean): number | undefined {
  const list = wss ? s?.memoryWss : s?.memoryWs;
  const pa = list?.find((x) => x.clients === a);
  const pb = list?.find((x) => x.clients === b);
  if (pa === undefined || pb === undefined || pb.registered <= pa.registered) return undefined;
  return (pb.pssBytes - pa.pssBytes) / (pb.registered - pa.registered) / 1024;
}

function registerStepTable(rows: readonly (readonly [string, StepRecord])[]): string[] {
  return report.stepTable(rows, {
    offered: 'offered tx/s',
    achieved: 'answered/s',
    p50: 'p50 ms',
    p99: 'p99 ms',
  });
}
