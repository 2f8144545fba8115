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
