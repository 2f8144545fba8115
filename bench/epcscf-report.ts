/**
 * The eP-CSCF benchmark's result as text: the machine and CPU layout, the side-by-side table
 * with ratios ours / Kamailio and the targets, every rate step, and the CPU profile.
 */
import type { EpCscfBenchResult, SystemResult } from './epcscf-bench.ts';
import { cpuPer1k, P99_LIMIT_MS, type StepRecord } from './register-phases.ts';
import { type ComparisonRow, comparisonTable, num, pct, table } from './report.ts';

export function formatEpCscfReport(r: EpCscfBenchResult): string {
  const ours = r.systems.find((s) => s.name === 'ours');
  const kam = r.systems.find((s) => s.name === 'kamailio');
  const m = r.machine;
  const out: string[] = [
    `machine: ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), node ${m.node}, ${r.kamailio}, ${m.kernel}`,
    `load average at start ${m.loadAverage.join(' ')}, at end ${r.loadAverageEnd.join(' ')}`,
    r.placement.sutCpu === undefined
      ? 'placement: not pinned'
      : `placement: system under test on CPU ${r.placement.sutCpu} (taskset -c ${r.placement.sutCpu}); load generator (${r.plan.workers} worker threads) and IMS core on CPU ${r.placement.loadCpu}; priority: ${r.priority}`,
    `mode: ${r.mode}; ${r.plan.rateClients} WebSocket clients for the rate steps; a step passes with no failure and p99 < ${P99_LIMIT_MS} ms; run took ${r.elapsedS} s`,
    '',
  ];
  if (r.mode === 'smoke') {
    out.push(
      ...stepTable(r.systems.flatMap((s) => (s.smoke === undefined ? [] : [[s.name, s.smoke] as const]))),
    );
    for (const s of r.systems)
      out.push(
        `${s.name}: ${s.connect.registered} registered, ${s.connect.failed} failed (${s.description})`,
      );
    out.push(...warningLines(r));
    return out.join('\n');
  }
  const rate = r.latencyTps;
  const direct = r.direct;
  const lat = (s: SystemResult | undefined, q: 'p50Ms' | 'p99Ms'): number | undefined => s?.latency?.[q];
  const added = (s: SystemResult | undefined, q: 'p50Ms' | 'p99Ms'): number | undefined => {
    const v = lat(s, q);
    return v === undefined || direct === undefined ? undefined : v - direct[q];
  };
  const perCore = (s: SystemResult | undefined): number | undefined => {
    const c = s?.search?.atMax === undefined ? undefined : cpuPer1k(s.search.atMax);
    return c === undefined ? undefined : 1000 / c;
  };
  const memory = (s: SystemResult | undefined, n: number, wss: boolean): number | undefined => {
    const p = (wss ? s?.memoryWss : s?.memoryWs)?.find((x) => x.clients === n);
    return p === undefined ? undefined : p.bytesPerClient / 1024;
  };
  const rows: ComparisonRow[] = [
    {
      metric: `max sustained REGISTER tx/s on 1 core${bound(ours, 'ours')}${bound(kam, 'kamailio')}`,
      ours: ours?.search?.maxTps,
      kamailio: kam?.search?.maxTps,
      digits: 0,
      target: targetMet('>= 1.0x', ours?.search?.maxTps, kam?.search?.maxTps, (a, b) => a >= b),
    },
    {
      metric: 'tx/s per busy core at the maximum (1000 / CPU s per 1k)',
      ours: perCore(ours),
      kamailio: perCore(kam),
      digits: 0,
    },
    {
      metric: `CPU s per 1,000 tx at ${num(rate)} tx/s`,
      ours: ours?.latency === undefined ? undefined : cpuPer1k(ours.latency),
      kamailio: kam?.latency === undefined ? undefined : cpuPer1k(kam.latency),
      digits: 3,
    },
    {
      metric: `p50 latency at ${num(rate)} tx/s (ms)`,
      ours: lat(ours, 'p50Ms'),
      kamailio: lat(kam, 'p50Ms'),
      digits: 2,
    },
    {
      metric: `p99 latency at ${num(rate)} tx/s (ms)`,
      ours: lat(ours, 'p99Ms'),
      kamailio: lat(kam, 'p99Ms'),
      digits: 2,
    },
    {
      metric: 'p50 added latency (ms)',
      ours: added(ours, 'p50Ms'),
      kamailio: added(kam, 'p50Ms'),
      digits: 2,
    },
    {
      metric: 'p99 added latency (ms)',
      ours: added(ours, 'p99Ms'),
      kamailio: added(kam, 'p99Ms'),
      digits: 2,
      target:
        added(ours, 'p99Ms') === undefined
          ? '<= 2 ms'
          : `<= 2 ms: ${(added(ours, 'p99Ms') ?? 0) <= 2 ? 'met' : 'NOT met'}`,
    },
  ];
  for (const wss of [false, true]) {
    const points = wss ? r.plan.wssPoints : r.plan.memoryPoints;
    for (const n of points) {
      const o = memory(ours, n, wss);
      rows.push({
        metric: `kB per idle registered ${wss ? 'WSS' : 'WS'} client at ${num(n)}`,
        ours: o,
        kamailio: memory(kam, n, wss),
        digits: 1,
        target: o === undefined ? '<= 20 kB' : `<= 20 kB: ${o <= 20 ? 'met' : 'NOT met'}`,
      });
    }
    // What one more client costs between the first two points: free of the fixed offsets
    // (start-up garbage, allocator high-water marks) that blur the first point.
    const [a, b] = points;
    if (a !== undefined && b !== undefined)
      rows.push({
        metric: `kB per additional ${wss ? 'WSS' : 'WS'} client from ${num(a)} to ${num(b)}`,
        ours: marginal(ours, a, b, wss),
        kamailio: marginal(kam, a, b, wss),
        digits: 1,
      });
  }
  out.push(...comparisonTable(rows));
  if (direct !== undefined)
    out.push(
      '',
      `straight to the IMS core over UDP at ${num(rate)} tx/s: p50 ${num(direct.p50Ms, 2)} ms, p99 ${num(direct.p99Ms, 2)} ms ` +
        `(added latency = through the proxy minus this, per quantile; 0 or less: below what this measures)`,
    );
  const stepRows: (readonly [string, StepRecord])[] = r.systems.flatMap((s) => [
    ...(s.search?.steps ?? []).map((x) => [s.name, x] as const),
    ...(s.latency === undefined ? [] : [[`${s.name} (latency)`, s.latency] as const]),
  ]);
  if (direct !== undefined) stepRows.push(['direct to core', direct]);
  out.push(
    '',
    'steps (other = share of the system / load CPU used by processes outside the benchmark):',
    ...stepTable(stepRows),
  );
  if (r.profile !== undefined) {
    const p = r.profile;
    out.push('', `CPU profile of our eP-CSCF at ${num(r.profileTps)} tx/s (${p.samples} busy samples):`);
    out.push(
      ...table(
        ['self', 'total', 'function'],
        p.functions.slice(0, 25).map((f) => [pct(f.self), pct(f.total), f.name]),
        [true, true, false],
      ),
    );
    out.push(
      '',
      ...table(
        ['self', 'area'],
        p.areas.slice(0, 15).map((a) => [pct(a.self), a.area]),
        [true, false],
      ),
    );
  }
  for (const s of r.systems) out.push(`${s.name}: ${s.description}`);
  out.push(...warningLines(r));
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

/** A note when a system's maximum was bounded by the load side (a lower bound, then). */
function bound(s: SystemResult | undefined, name: string): string {
  return s?.limit === 'load' ? ` (${name}: at least; the load side saturated first)` : '';
}

function targetMet(
  label: string,
  a: number | undefined,
  b: number | undefined,
  ok: (a: number, b: number) => boolean,
): string {
  return a === undefined || b === undefined ? label : `${label}: ${ok(a, b) ? 'met' : 'NOT met'}`;
}

function stepTable(rows: readonly (readonly [string, StepRecord])[]): string[] {
  return table(
    [
      'system',
      'offered tx/s',
      'answered/s',
      'p50 ms',
      'p99 ms',
      'failed',
      'starved',
      'CPU s/1k',
      'system CPU',
      'load CPU',
      'other',
      'pass',
    ],
    rows.map(([name, s]) => [
      name,
      num(s.offeredTps),
      num(s.achievedTps),
      num(s.p50Ms, 2),
      num(s.p99Ms, 2),
      num(s.failed),
      num(s.starved),
      num(cpuPer1k(s), 3),
      pct(s.sutCpuBusy),
      pct(s.loadCpuBusy),
      `${pct(s.foreignSutCpu)} / ${pct(s.foreignLoadCpu)}`,
      s.passed ? 'yes' : 'no',
    ]),
    [false, true, true, true, true, true, true, true, true, true, true, false],
  );
}

function warningLines(r: EpCscfBenchResult): string[] {
  return r.warnings.length === 0 ? [] : ['', 'warnings:', ...r.warnings.map((w) => `- ${w}`)];
}
