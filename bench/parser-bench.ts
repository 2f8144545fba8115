import { readFileSync } from 'node:fs';
import os from 'node:os';
import { CONTENDERS, type Contender, type ContenderId, verify } from './contenders.ts';
import { type BenchMessage, loadMessages } from './fixtures.ts';
import { type MeasureOptions, measure } from './measure.ts';

/**
 * The SIP parser benchmark: every contender parses and re-serialises every benchmark message,
 * after a check that it understood the message as ours did. Returns figures; printing is in
 * report.ts, the command line in parser.ts.
 */

export type BenchMode = 'full' | 'smoke';

/** Full mode: about 30 s on a 2-core EPYC; smoke mode: 400 iterations per cell, a few seconds. */
export const MODES: Record<BenchMode, MeasureOptions> = {
  full: { rounds: 15, warmupMs: 300, batchMs: 120 },
  smoke: { rounds: 3, warmupMs: 0, batchMs: 0, iterations: 100 },
};

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  v8: string;
  platform: string;
}

export interface CellResult {
  message: string;
  contender: ContenderId;
  opsPerSec: number;
  nsPerOp: number;
  spread: number;
  iterations: number;
  rounds: number;
  bytesIn: number;
  bytesOut: number;
}

export interface Ratio {
  message: string;
  /** the faster competitor on this message */
  best: ContenderId;
  /** ours / best competitor, ops/s */
  ours: number;
  /** ours+typed / best competitor, ops/s */
  oursTyped: number;
  /** ours+via / best competitor, ops/s (NaN when ours+via was not run) */
  oursVia: number;
}

export interface ParserBenchResult {
  mode: BenchMode;
  machine: Machine;
  messages: { id: string; title: string; bytes: number; origin: string }[];
  contenders: { id: ContenderId; work: string }[];
  cells: CellResult[];
  ratios: Ratio[];
  /** ratio the issue asks for: ours at least this many times the faster competitor */
  target: number;
}

export const TARGET_RATIO = 2;

export interface RunOptions {
  mode: BenchMode;
  /** overrides of the mode's measurement settings */
  measure?: Partial<MeasureOptions>;
  messages?: BenchMessage[];
  contenders?: readonly Contender[];
}

export function runParserBench(opts: RunOptions): ParserBenchResult {
  const messages = opts.messages ?? loadMessages();
  const contenders = opts.contenders ?? CONTENDERS;
  const problems: string[] = [];
  for (const m of messages)
    for (const c of contenders) for (const p of verify(c, m.bytes)) problems.push(`${c.id} on ${m.id}: ${p}`);
  if (problems.length > 0)
    throw new Error(`a parser did not understand a benchmark message:\n  ${problems.join('\n  ')}`);

  const settings: MeasureOptions = { ...MODES[opts.mode], ...opts.measure };
  const cells = messages.flatMap((m) =>
    contenders.map((c) => ({
      key: `${m.id}\u0000${c.id}`,
      message: m,
      contender: c,
      op: (): number => c.run(m.bytes).length,
    })),
  );
  const timings = measure(cells, settings);
  const results: CellResult[] = timings.map((t, i) => {
    const cell = cells[i]!;
    return {
      message: cell.message.id,
      contender: cell.contender.id,
      opsPerSec: t.opsPerSec,
      nsPerOp: t.nsPerOp,
      spread: t.spread,
      iterations: t.iterations,
      rounds: t.samples.length,
      bytesIn: cell.message.bytes.length,
      bytesOut: t.bytesPerOp,
    };
  });
  return {
    mode: opts.mode,
    machine: machine(),
    messages: messages.map((m) => ({ id: m.id, title: m.title, bytes: m.bytes.length, origin: m.origin })),
    contenders: contenders.map((c) => ({ id: c.id, work: c.work })),
    cells: results,
    ratios: ratios(messages, contenders, results),
    target: TARGET_RATIO,
  };
}

function ratios(
  messages: readonly BenchMessage[],
  contenders: readonly Contender[],
  cells: readonly CellResult[],
): Ratio[] {
  const out: Ratio[] = [];
  for (const m of messages) {
    const of = (id: ContenderId): CellResult | undefined =>
      cells.find((c) => c.message === m.id && c.contender === id);
    let best: CellResult | undefined;
    for (const c of contenders) {
      if (c.ours) continue;
      const r = of(c.id);
      if (r !== undefined && (best === undefined || r.opsPerSec > best.opsPerSec)) best = r;
    }
    const ours = of('ours');
    const typed = of('ours+typed');
    const via = of('ours+via');
    if (best === undefined || ours === undefined) continue;
    out.push({
      message: m.id,
      best: best.contender,
      ours: ours.opsPerSec / best.opsPerSec,
      oursTyped: typed === undefined ? Number.NaN : typed.opsPerSec / best.opsPerSec,
      oursVia: via === undefined ? Number.NaN : via.opsPerSec / best.opsPerSec,
    });
  }
  return out;
}

/** CPU model from /proc/cpuinfo (os.cpus() as a fallback), core count, Node and V8 versions. */
export function machine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1];
    if (model !== undefined) cpu = model.trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return {
    cpu,
    cores: os.availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
  };
}
