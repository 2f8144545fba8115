/**
 * The call benchmark's result as text: the machine and CPU layout, the side-by-side table with
 * ratios ours / Kamailio and the target, every call step, one answer SDP as the client
 * got it, and the CPU profile of ours.
 */
import type { CallsBenchResult } from './calls-bench.ts';
import type { CallStepRecord } from './calls-phases.ts';
import { cpuPer1k, P99_LIMIT_MS } from './register-phases.ts';
import * as report from './report.ts';

/** rtpengine's CPU seconds per 1,000 calls of a step. */
export function rtpenginePer1k(s: CallStepRecord): number | undefined {
  return s.transactions === 0 ? undefined : (s.rtpengineCpuSeconds * 1000) / s.transactions;
}

export function formatCallsReport(r: CallsBenchResult): string {
  const ours = r.systems.find((s) => s.name === 'ours');
  const kam = r.systems.find((s) => s.name === 'kamailio');
  const out: string[] = [
    ...report.machineLines(r),
    report.placementLine(
      r,
      `load generator (${r.plan.workers} worker threads), IMS core, rtpengine and sipp`,
    ),
    `mode: ${r.mode}; ${r.plan.clients} registered WebSocket clients call sipp through the IMS core; a call = INVITE (Chrome offer) / 100 / 180 / 200 (rtpengine's WebRTC answer) / ACK, ${r.plan.holdMs} ms held, BYE / 200; no media flows`,
    `a step passes with no failed call, none left undone for want of an idle client, and setup p99 < ${P99_LIMIT_MS} ms; run took ${r.elapsedS} s`,
    '',
  ];
  if (r.mode === 'smoke') {
    out.push(...callStepTable(report.smokeRows(r.systems)));
  } else {
    const atHalf = (
      what: string,
      unit: string,
      f: (s: CallStepRecord) => number | undefined,
      digits: number,
    ): report.ComparisonRow =>
      report.compare(`${what} at ${report.num(r.halfCps)} calls/s ${unit}`, ours?.half, kam?.half, f, digits);
    const oursMax = ours?.search?.maxCps;
    const kamMax = kam?.search?.maxCps;
    const rows: report.ComparisonRow[] = [
      {
        metric: `max sustained calls/s on 1 core${report.boundNote(ours)}${report.boundNote(kam)}`,
        ours: oursMax,
        kamailio: kamMax,
        digits: 0,
        // Not judged when either system passed no step (a maximum of 0).
        target: report.target(
          '>= 1.0x',
          oursMax === undefined || kamMax === undefined || oursMax <= 0 || kamMax <= 0
            ? undefined
            : oursMax >= kamMax,
        ),
      },
      report.compare(
        'calls/s per busy core at the maximum (1000 / CPU s per 1k)',
        ours,
        kam,
        (s) => report.perBusyCore(s.search?.atMax),
        0,
      ),
      atHalf('CPU s per 1,000 calls', '(system)', cpuPer1k, 3),
      atHalf('rtpengine CPU s per 1,000 calls', '(shared)', rtpenginePer1k, 3),
      atHalf('setup p50', '(ms)', (s) => s.p50Ms, 2),
      atHalf('setup p99', '(ms)', (s) => s.p99Ms, 2),
      atHalf('teardown p50', '(ms)', (s) => s.teardownP50Ms, 2),
      atHalf('teardown p99', '(ms)', (s) => s.teardownP99Ms, 2),
    ];
    out.push(
      ...report.comparisonTable(rows),
      '',
      'call steps (other = share of the system / load CPU used by processes outside the benchmark):',
      ...callStepTable(report.searchRows(r.systems, 'half', (s) => s.half)),
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
  const profiled = `CPU profile of our eP-CSCF at ${report.num(r.profileCps)} calls/s`;
  out.push(...report.profileLines(r.profile, profiled, 20, 12));
  out.push(
    ...report.breakdownLines(
      (r.breakdown ?? []).map((b) => ({ ...b, plain: r.systems.find((x) => x.name === b.name)?.half })),
      `${report.num(r.halfCps)} calls/s (rtpengine apart)`,
      { name: 'call', short: 'call' },
    ),
  );
  out.push(...report.warningLines(r.warnings));
  return out.join('\n');
}

function callStepTable(rows: readonly (readonly [string, CallStepRecord])[]): string[] {
  return report.stepTable(
    rows,
    { offered: 'offered calls/s', achieved: 'completed/s', p50: 'setup p50', p99: 'setup p99' },
    {
      latency: [report.figure('teardown p99', (s) => s.teardownP99Ms, 2)],
      cpu: [report.figure('rtpengine s/1k', rtpenginePer1k, 3)],
    },
  );
}
