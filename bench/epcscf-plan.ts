/**
 * What a run of the eP-CSCF benchmark does, per mode: how many clients, which rates and step
 * lengths, which memory points. The full plan fits in about ten minutes on the 2-core machine;
 * the smoke plan in a few seconds.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { SearchOptions } from './register-phases.ts';

export type BenchMode = 'smoke' | 'full';

/** The rate search's settings (register-phases.ts `searchMaxRate`), for REGISTERs or calls: all of them. */
export type SearchPlan = Required<Omit<SearchOptions, 'onStep'>>;

export interface Plan {
  readonly mode: BenchMode;
  /** WebSocket clients re-registering during the rate steps (one IMS subscriber each) */
  readonly rateClients: number;
  readonly workers: number;
  /** smoke: the one step run per system */
  readonly smokeStep?: { readonly tps: number; readonly ms: number };
  readonly warmup?: { readonly tps: number; readonly ms: number };
  readonly search?: SearchPlan;
  /** the latency step at half of our maximum (also the CPU-per-1k step) */
  readonly latencyStepMs?: number;
  /** idle registered WebSocket clients at which memory is read (WS); WSS at wssPoints */
  readonly memoryPoints: readonly number[];
  readonly wssPoints: readonly number[];
  /** idle time before a memory reading, longer than any transaction's lifetime */
  readonly idleMs: number;
  /** CPU profile of the eP-CSCF under load for this long (0: none) */
  readonly profileMs: number;
  /** perf over every process of each system at the latency rate for this long (0: none; cpu-breakdown.ts) */
  readonly breakdownMs: number;
  /** optional phases are skipped once the run has lasted this long */
  readonly budgetMs: number;
  /** scheduling priority (nice) of the whole run, inherited by every process it starts */
  readonly nice?: number;
}

export const PLANS: Readonly<Record<BenchMode, Plan>> = {
  smoke: {
    mode: 'smoke',
    rateClients: 20,
    workers: 1,
    smokeStep: { tps: 200, ms: 1500 },
    memoryPoints: [],
    wssPoints: [],
    idleMs: 0,
    profileMs: 0,
    breakdownMs: 0,
    budgetMs: 60_000,
  },
  full: {
    mode: 'full',
    rateClients: 1000,
    workers: 2,
    warmup: { tps: 1000, ms: 4000 },
    search: {
      startTps: 500,
      factor: 1.5,
      bisections: 3,
      stepMs: 5000,
      ceilingTps: 40_000,
      pauseMs: 1000,
      disturbedRetries: 10,
      disturbedPauseMs: 4000,
      disturbedWindowMs: 100_000,
    },
    latencyStepMs: 10_000,
    memoryPoints: [1000, 10_000, 50_000],
    wssPoints: [1000, 10_000],
    idleMs: 6000,
    profileMs: 8000,
    breakdownMs: 8000,
    budgetMs: 9 * 60_000,
    nice: -15,
  },
};

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kernel: string;
  readonly loadAverage: readonly number[];
}

export function machine(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'latin1'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
