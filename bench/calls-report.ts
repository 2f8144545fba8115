/**
 * The call benchmark's result as text: the machine and CPU layout, the side-by-side table with
 * ratios ours / Kamailio and the target, every call step, one answer SDP as the client
 * got it, and the CPU profile of ours.
 */
import type { CallSystemResult, CallsBenchResult } from './calls-bench.ts';
import type { CallStepRecord } from './calls-phases.ts';
import { cpuPer1k, P99_LIMIT_MS } from './register-phases.ts';
import { type ComparisonRow, comparisonTable, num, pct, table } from './report.ts';

/** rtpengine's CPU seconds per 1,000 calls of a step. */
export function rtpenginePer1k(s: CallStepRecord): number | undefined {
  return s.transactions === 0 ? undefined : (s.rtpengineCpuSeconds * 1000) / s.transactions;
}

export function formatCallsReport(r: CallsBenchResult): string {
  const ours = r.systems.find((s) => s.name === 'ours');
  const kam = r.systems.find((s) => s.name === 'kamailio');
  const m = r.machine;
  const out: string[] = [
    `machine: ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), node ${m.node}, ${r.kamailio}, ${m.kernel}`,
    `load average at start ${m.loadAverage.join(' ')}, at end ${r.loadAverageEnd.join(' ')}`,
    r.placement.sutCpu === undefined
      ? 'placement: not pinned'
      : `placement: system under test on CPU ${r.placement.sutCpu} (taskset -c ${r.placement.sutCpu}); load generator (${r.plan.workers} worker threads), IMS core, rtpengine and sipp on CPU ${r.placement.loadCpu}; priority: ${r.priority}`,
    `mode: ${r.mode}; ${r.plan.clients} registered WebSocket clients call sipp through the IMS core; a call = INVITE (Chrome offer) / 100 / 180 / 200 (rtpengine's WebRTC answer) / ACK, ${r.plan.holdMs} ms held, BYE / 200; no media flows`,
    `a step passes with no failed call, none left undone for want of an idle client, and setup p99 < ${P99_LIMIT_MS} ms; run took ${r.elapsedS} s`,
    '',
  ];
  if (r.mode === 'smoke') {
    out.push(
      ...stepTable(r.systems.flatMap((s) => (s.smoke === undefined ? [] : [[s.name, s.smoke] as const]))),
    );
  } else {
    const half = r.halfCps;
    const at = (s: CallSystemResult | undefined): CallStepRecord | undefined => s?.half;
    const perCore = (s: CallSystemResult | undefined): number | undefined => {
      const c = s?.search?.atMax === undefined ? undefined : cpuPer1k(s.search.atMax);
      return c === undefined ? undefined : 1000 / c;
    };
    const rows: ComparisonRow[] = [
      {
        metric: `max sustained calls/s on 1 core${bound(ours)}${bound(kam)}`,
        ours: ours?.search?.maxCps,
        kamailio: kam?.search?.maxCps,
        digits: 0,
        target: met('>= 1.0x', ours?.search?.maxCps, kam?.search?.maxCps),
      },
      {
        metric: 'calls/s per busy core at the maximum (1000 / CPU s per 1k)',
        ours: perCore(ours),
        kamailio: perCore(kam),
        digits: 0,
      },
      {
        metric: `CPU s per 1,000 calls at ${num(half)} calls/s (system)`,
        ours: at(ours) === undefined ? undefined : cpuPer1k(at(ours)!),
        kamailio: at(kam) === undefined ? undefined : cpuPer1k(at(kam)!),
        digits: 3,
      },
      {
        metric: `rtpengine CPU s per 1,000 calls at ${num(half)} calls/s (shared)`,
        ours: at(ours) === undefined ? undefined : rtpenginePer1k(at(ours)!),
        kamailio: at(kam) === undefined ? undefined : rtpenginePer1k(at(kam)!),
        digits: 3,
      },
      {
        metric: `setup p50 at ${num(half)} calls/s (ms)`,
        ours: at(ours)?.p50Ms,
        kamailio: at(kam)?.p50Ms,
        digits: 2,
      },
      {
        metric: `setup p99 at ${num(half)} calls/s (ms)`,
        ours: at(ours)?.p99Ms,
        kamailio: at(kam)?.p99Ms,
        digits: 2,
      },
      {
        metric: `teardown p50 at ${num(half)} calls/s (ms)`,
        ours: at(ours)?.teardownP50Ms,
        kamailio: at(kam)?.teardownP50Ms,
        digits: 2,
      },
      {
        metric: `teardown p99 at ${num(half)} calls/s (ms)`,
        ours: at(ours)?.teardownP99Ms,
        kamailio: at(kam)?.teardownP99Ms,
        digits: 2,
      },
    ];
    out.push(
      ...comparisonTable(rows),
      '',
      'call steps (other = share of the system / load CPU used by processes outside the benchmark):',
      ...stepTable(
        r.systems.flatMap((s) => [
          ...(s.search?.steps ?? []).map((x) => [s.name, x] as const),
          ...(s.half === undefined ? [] : [[`${s.name} (half)`, s.half] as const]),
        ]),
      ),
    );
  }
  for (const s of r.systems)
    out.push(
      `${s.name}: ${s.connect.registered} registered, ${s.connect.failed} failed; rtpengine calls left after the last call: ${s.rtpengineLeft ?? 'unknown'} (${s.description})`,
    );
  const sample = ours?.sampleAnswer ?? kam?.sampleAnswer;
  if (sample !== undefined)
    out.push(
      '',
      'an answer as the client got it (ours):',
      ...sample
        .trimEnd()
        .split(/\r?\n/)
        .map((l) => `    ${l}`),
    );
  if (r.profile !== undefined) {
    const p = r.profile;
    out.push('', `CPU profile of our eP-CSCF at ${num(r.profileCps)} calls/s (${p.samples} busy samples):`);
    out.push(
      ...table(
        ['self', 'total', 'function'],
        p.functions.slice(0, 20).map((f) => [pct(f.self), pct(f.total), f.name]),
        [true, true, false],
      ),
      '',
      ...table(
        ['self', 'area'],
        p.areas.slice(0, 12).map((a) => [pct(a.self), a.area]),
        [true, false],
      ),
    );
  }
  if (r.warnings.length > 0) out.push('', 'warnings:', ...r.warnings.map((w) => `- ${w}`));
  return out.join('\n');
}

function bound(s: CallSystemResult | undefined): string {
  return s?.limit === 'load' ? ` (${s.name}: at least; the load side saturated first)` : '';
}

/** The rate target; not judged when either system passed no step (a maximum of 0). */
function met(label: string, a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || a <= 0 || b <= 0
    ? label
    : `${label}: ${a >= b ? 'met' : 'NOT met'}`;
}

function stepTable(rows: readonly (readonly [string, CallStepRecord])[]): string[] {
  return table(
    [
      'system',
      'offered calls/s',
      'completed/s',
      'setup p50',
      'setup p99',
      'teardown p99',
      'failed',
      'starved',
      'CPU s/1k',
      'rtpengine s/1k',
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
      num(s.teardownP99Ms, 2),
      num(s.failed),
      num(s.starved),
      num(cpuPer1k(s), 3),
      num(rtpenginePer1k(s), 3),
      pct(s.sutCpuBusy),
      pct(s.loadCpuBusy),
      `${pct(s.foreignSutCpu)} / ${pct(s.foreignLoadCpu)}`,
      s.passed ? 'yes' : 'no',
    ]),
    [false, true, true, true, true, true, true, true, true, true, true, true, true, false],
  );
}
