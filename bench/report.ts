/**
 * Plain-text tables (also valid Markdown tables) and the pieces the benchmarks' reports share:
 * the parser benchmark's report, figures, the ours / Kamailio comparison table, and what the
 * system benchmarks' reports (epcscf-, calls-, memory-report.ts) print alike: the machine and
 * placement lines, step tables, CPU profiles, targets and warnings.
 */
import type { RunRecord } from './bench-run.ts';
import type { CpuBreakdown } from './cpu-breakdown.ts';
import type { ProfileSummary } from './cpu-profile.ts';
import type { Limit } from './epcscf-phases.ts';
import type { ParserBenchResult } from './parser-bench.ts';
import { cpuPer1k, type StepRecord } from './register-phases.ts';

/** Formats a benchmark result as aligned plain-text tables (also valid Markdown tables). */
export function formatReport(r: ParserBenchResult): string {
  const m = r.machine;
  const lines = [
    `machine: ${m.cpu} (${m.cores} cores), node ${m.node}, V8 ${m.v8}, ${m.platform}`,
    `mode: ${r.mode}; per cell: ${r.cells[0]?.rounds ?? 0} rounds, median ops/s; spread = half the interquartile range`,
    '',
  ];
  lines.push(
    ...table(
      ['message', 'parser', 'ops/s', 'ns/op', 'spread', 'bytes in', 'bytes out'],
      r.cells.map((c) => [
        c.message,
        c.contender,
        group(Math.round(c.opsPerSec)),
        group(Math.round(c.nsPerOp)),
        `±${(c.spread * 100).toFixed(1)}%`,
        String(c.bytesIn),
        String(Math.round(c.bytesOut)),
      ]),
      [false, false, true, true, true, true, true],
    ),
  );
  lines.push('');
  lines.push(
    ...table(
      [
        'message',
        'best competitor',
        'ours / best',
        'ours+typed / best',
        'ours+via / best',
        `target ${r.target}x`,
      ],
      r.ratios.map((x) => [
        x.message,
        x.best,
        `${x.ours.toFixed(2)}x`,
        `${x.oursTyped.toFixed(2)}x`,
        Number.isNaN(x.oursVia) ? '-' : `${x.oursVia.toFixed(2)}x`,
        Math.min(x.ours, x.oursTyped, Number.isNaN(x.oursVia) ? x.ours : x.oursVia) >= r.target
          ? 'met'
          : 'NOT met',
      ]),
      [false, false, true, true, true, false],
    ),
  );
  return lines.join('\n');
}

function group(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `| a | b |` rows padded to the widest cell of each column; `right` aligns numbers. */
export function table(header: string[], rows: string[][], right: boolean[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const cell = (s: string, i: number): string =>
    right[i] === true ? s.padStart(widths[i]!) : s.padEnd(widths[i]!);
  const line = (row: string[]): string => `| ${row.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right[i] === true ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)];
}

export const num = (x: number | undefined, digits = 0): string =>
  x === undefined || !Number.isFinite(x)
    ? '-'
    : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** ours / kamailio; '-' when either is missing or not positive (an added latency below the noise). */
export const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || a <= 0 || b <= 0
    ? '-'
    : `${(a / b).toFixed(2)}x`;
export const pct = (x: number | undefined): string => (x === undefined ? '-' : `${Math.round(x * 100)} %`);

/** One line of a side-by-side table: a figure of ours, Kamailio's, and the issue's target. */
export interface ComparisonRow {
  readonly metric: string;
  readonly ours: number | undefined;
  readonly kamailio: number | undefined;
  readonly digits: number;
  readonly target?: string;
}

/** The side-by-side table: each metric for ours and Kamailio, their ratio, and our target. */
export function comparisonTable(rows: readonly ComparisonRow[]): string[] {
  return table(
    ['metric', 'ours', 'kamailio', 'ours / kamailio', 'target (ours)'],
    rows.map((x) => [
      x.metric,
      num(x.ours, x.digits),
      num(x.kamailio, x.digits),
      ratio(x.ours, x.kamailio),
      x.target ?? '',
    ]),
    [false, true, true, true, false],
  );
}

/** A comparison row of one figure, read from each system's result (undefined where it has none). */
export function compare<S>(
  metric: string,
  ours: S | undefined,
  kamailio: S | undefined,
  figure: (s: S) => number | undefined,
  digits: number,
): ComparisonRow {
  return {
    metric,
    ours: ours === undefined ? undefined : figure(ours),
    kamailio: kamailio === undefined ? undefined : figure(kamailio),
    digits,
  };
}

/** A target's cell: its label, and whether it was met once there is a verdict. */
export function target(label: string, met: boolean | undefined): string {
  return met === undefined ? label : `${label}: ${met ? 'met' : 'NOT met'}`;
}

/** Operations per second per busy core at a system's maximum: 1000 / CPU s per 1k. */
export function perBusyCore(atMax: StepRecord | undefined): number | undefined {
  const c = atMax === undefined ? undefined : cpuPer1k(atMax);
  return c === undefined ? undefined : 1000 / c;
}

/** A note when a system's maximum was bounded by the load side (a lower bound, then). */
export function boundNote(
  s: { readonly name: string; readonly limit?: Limit | undefined } | undefined,
): string {
  return s?.limit === 'load' ? ` (${s.name}: at least; the load side saturated first)` : '';
}

/** The first lines of a system benchmark's report: the machine, and the load average. */
export function machineLines(r: RunRecord<unknown>): string[] {
  const m = r.machine;
  return [
    `machine: ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), node ${m.node}, ${r.kamailio}, ${m.kernel}`,
    `load average at start ${m.loadAverage.join(' ')}, at end ${r.loadAverageEnd.join(' ')}`,
  ];
}

/** Where the run put the systems, and `loadSide` (what shares the load CPU). */
export function placementLine(r: RunRecord<unknown>, loadSide: string): string {
  const p = r.placement;
  return p.sutCpu === undefined
    ? 'placement: not pinned'
    : `placement: system under test on CPU ${p.sutCpu} (taskset -c ${p.sutCpu}); ${loadSide} on CPU ${p.loadCpu}; priority: ${r.priority}`;
}

export function warningLines(warnings: readonly string[]): string[] {
  return warnings.length === 0 ? [] : ['', 'warnings:', ...warnings.map((w) => `- ${w}`)];
}

/** A CPU profile, where one was taken: its top `functions` (self and total share) and top `areas` (self share). */
export function profileLines(
  p: ProfileSummary | undefined,
  heading: string,
  functions: number,
  areas: number,
): string[] {
  if (p === undefined) return [];
  return [
    '',
    `${heading} (${p.samples} busy samples):`,
    ...table(
      ['self', 'total', 'function'],
      p.functions.slice(0, functions).map((f) => [pct(f.self), pct(f.total), f.name]),
      [true, true, false],
    ),
    '',
    ...table(
      ['self', 'area'],
      p.areas.slice(0, areas).map((a) => [pct(a.self), a.area]),
      [true, false],
    ),
  ];
}

/** One system's CPU breakdown (cpu-breakdown.ts) with the step it was taken in and the same rate's step without perf. */
export interface BreakdownEntry {
  readonly name: string;
  readonly step: StepRecord;
  readonly plain: StepRecord | undefined;
  readonly breakdown: CpuBreakdown;
}

/**
 * Where each system's CPU goes (perf, whole processes): CPU µs per operation (a transaction, a
 * call) by category side by side, what sampling cost each system, then each one's largest symbols.
 */
export function breakdownLines(
  entries: readonly BreakdownEntry[],
  rate: string,
  op: { readonly name: string; readonly short: string },
): string[] {
  if (entries.length === 0) return [];
  const perOp = (s: StepRecord | undefined): number | undefined => {
    const ms = s === undefined ? undefined : cpuPer1k(s);
    return ms === undefined ? undefined : ms * 1000;
  };
  const categories = [...new Set(entries.flatMap((e) => e.breakdown.shares.map((x) => x.category)))];
  const cell = (e: BreakdownEntry, category: string): string[] => {
    const share = e.breakdown.shares.find((x) => x.category === category)?.share;
    const us = perOp(e.step);
    if (share === undefined) return ['', ''];
    return [num(us === undefined ? undefined : us * share, 1), `${num(share * 100, 1)} %`];
  };
  const out = [
    '',
    `where the CPU goes at ${rate} (perf over every process of each system, kernel included; CPU µs per ${op.name}):`,
    ...table(
      ['category', ...entries.flatMap((e) => [`${e.name} µs/${op.short}`, `${e.name} share`])],
      [
        ...categories.map((c) => [c, ...entries.flatMap((e) => cell(e, c))]),
        ['all', ...entries.flatMap((e) => [num(perOp(e.step), 1), `${num(e.breakdown.samples)} samples`])],
      ],
      [false, ...entries.flatMap(() => [true, true])],
    ),
    // Sampling costs the system something at every context switch: say how much, per system.
    `perf's own cost: CPU µs per ${op.name} in this step against the same rate's step without perf: ${entries
      .map((e) => `${e.name} ${num(perOp(e.step), 1)} against ${num(perOp(e.plain), 1)}`)
      .join(', ')}`,
  ];
  for (const e of entries)
    out.push(
      '',
      `${e.name}: largest symbols`,
      ...table(
        ['share', 'symbol', 'category'],
        e.breakdown.top
          .slice(0, 15)
          .map((t) => [`${num(t.share * 100, 1)} %`, t.symbol.slice(0, 100), t.category]),
        [true, false, false],
      ),
    );
  return out;
}

/** A column of a step table: header and cell; right-aligned. */
export interface StepColumn<S> {
  readonly header: string;
  readonly cell: (s: S) => string;
}

/** A column of a figure of the step, `digits` after the point. */
export function figure<S>(header: string, f: (s: S) => number | undefined, digits = 0): StepColumn<S> {
  return { header, cell: (s) => num(f(s), digits) };
}

/** What a benchmark calls the offered and the completed rate and the latency quantiles of its steps. */
export interface StepLabels {
  readonly offered: string;
  readonly achieved: string;
  readonly p50: string;
  readonly p99: string;
}

/** A benchmark's own columns: after the latencies, and after the CPU seconds per 1,000. */
export interface StepExtras<S> {
  readonly latency?: readonly StepColumn<S>[];
  readonly cpu?: readonly StepColumn<S>[];
}

/**
 * One row per named step: rates, latencies, failed and starved operations, the system's CPU
 * seconds per 1,000 of them, how busy the system's and the load CPU were and how much of each
 * other work used, and whether the step passed.
 */
export function stepTable<S extends StepRecord>(
  rows: readonly (readonly [string, S])[],
  labels: StepLabels,
  extras: StepExtras<S> = {},
): string[] {
  const columns: StepColumn<S>[] = [
    figure(labels.offered, (s) => s.offeredTps),
    figure(labels.achieved, (s) => s.achievedTps),
    figure(labels.p50, (s) => s.p50Ms, 2),
    figure(labels.p99, (s) => s.p99Ms, 2),
    ...(extras.latency ?? []),
    figure('failed', (s) => s.failed),
    figure('starved', (s) => s.starved),
    figure('CPU s/1k', cpuPer1k, 3),
    ...(extras.cpu ?? []),
    { header: 'system CPU', cell: (s) => pct(s.sutCpuBusy) },
    { header: 'load CPU', cell: (s) => pct(s.loadCpuBusy) },
    { header: 'other', cell: (s) => `${pct(s.foreignSutCpu)} / ${pct(s.foreignLoadCpu)}` },
  ];
  return table(
    ['system', ...columns.map((c) => c.header), 'pass'],
    rows.map(([name, s]) => [name, ...columns.map((c) => c.cell(s)), s.passed ? 'yes' : 'no']),
    [false, ...columns.map(() => true), false],
  );
}

/** What a system's result holds of its steps. */
export interface SystemSteps<S> {
  readonly name: string;
  readonly smoke?: S | undefined;
  readonly search?: { readonly steps: readonly S[] } | undefined;
}

/** The smoke step of each system, named after it. */
export function smokeRows<S>(systems: readonly SystemSteps<S>[]): (readonly [string, S])[] {
  return systems.flatMap((s) => (s.smoke === undefined ? [] : [[s.name, s.smoke] as const]));
}

/** Each system's search steps, then its step at a fixed rate (`name (label)`), if any. */
export function searchRows<S, R extends SystemSteps<S>>(
  systems: readonly R[],
  label: string,
  fixed: (s: R) => S | undefined,
): (readonly [string, S])[] {
  return systems.flatMap((s) => {
    const at = fixed(s);
    return [
      ...(s.search?.steps ?? []).map((x) => [s.name, x] as const),
      ...(at === undefined ? [] : [[`${s.name} (${label})`, at] as const]),
    ];
  });
}
