import type { ParserBenchResult } from './parser-bench.ts';

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
