/**
 * A small throughput harness: every cell (one parser on one message) is warmed up, its batch
 * size calibrated, then timed in rounds. Within a round every cell runs one batch; the order
 * rotates by one cell each round and is reversed on odd rounds, so no cell always runs first,
 * last or after the same neighbour (order bias, GC debt left by the previous cell). The figure
 * kept is the median of the rounds.
 */

export interface Cell {
  readonly key: string;
  /** one operation; returns the number of bytes it produced (summed, so it cannot be elided) */
  readonly op: () => number;
}

export interface MeasureOptions {
  rounds: number;
  /** warm-up time per cell, before calibration */
  warmupMs: number;
  /** target time of one timed batch */
  batchMs: number;
  /** fixed iterations per batch; skips time-based warm-up and calibration when set */
  iterations?: number;
  /** the clock, in nanoseconds (process.hrtime.bigint by default) */
  now?: () => bigint;
}

export interface Timing {
  readonly key: string;
  /** operations per timed batch */
  readonly iterations: number;
  /** ops/s of each round, in round order */
  readonly samples: readonly number[];
  /** median ops/s over the rounds */
  readonly opsPerSec: number;
  readonly nsPerOp: number;
  /** half the interquartile range of the samples, relative to the median */
  readonly spread: number;
  /** bytes produced by one operation */
  readonly bytesPerOp: number;
}

const CALIBRATION_NS = 10_000_000n;

export function measure(cells: readonly Cell[], opts: MeasureOptions): Timing[] {
  const now = opts.now ?? process.hrtime.bigint;
  if (cells.length === 0) return [];
  if (opts.rounds < 1) throw new RangeError('rounds must be at least 1');

  const iterations = cells.map((cell) => {
    if (opts.iterations !== undefined) {
      batch(cell, opts.iterations, now);
      return opts.iterations;
    }
    return calibrate(cell, opts, now);
  });

  const samples: number[][] = cells.map(() => []);
  const bytes = cells.map(() => 0);
  const n = cells.length;
  for (let r = 0; r < opts.rounds; r++) {
    for (let i = 0; i < n; i++) {
      const slot = (r % 2 === 0 ? i : n - 1 - i) + r;
      const c = slot % n;
      const count = iterations[c]!;
      const { ns, produced } = batch(cells[c]!, count, now);
      samples[c]!.push(ns > 0n ? (count * 1e9) / Number(ns) : Number.POSITIVE_INFINITY);
      bytes[c] = produced / count;
    }
  }

  return cells.map((cell, c) => {
    const s = samples[c]!;
    const sorted = [...s].sort((a, b) => a - b);
    const median = quantile(sorted, 0.5);
    return {
      key: cell.key,
      iterations: iterations[c]!,
      samples: s,
      opsPerSec: median,
      nsPerOp: 1e9 / median,
      spread: (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 2 / median,
      bytesPerOp: bytes[c]!,
    };
  });
}

function batch(cell: Cell, count: number, now: () => bigint): { ns: bigint; produced: number } {
  const op = cell.op;
  let produced = 0;
  const t0 = now();
  for (let i = 0; i < count; i++) produced += op();
  return { ns: now() - t0, produced };
}

/** Runs the cell for warmupMs, then finds how many operations fill batchMs. */
function calibrate(cell: Cell, opts: MeasureOptions, now: () => bigint): number {
  const warmupEnd = now() + BigInt(Math.round(opts.warmupMs * 1e6));
  while (now() < warmupEnd) batch(cell, 64, now);
  let count = 16;
  for (;;) {
    const { ns } = batch(cell, count, now);
    if (ns >= CALIBRATION_NS || count >= 1 << 30) {
      const perOp = Number(ns) / count;
      return Math.max(1, Math.round((opts.batchMs * 1e6) / Math.max(perOp, 1)));
    }
    count *= 2;
  }
}

/** Linear-interpolated quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (pos - lo);
}
