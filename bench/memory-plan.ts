/**
 * What a run of the memory benchmark (`npm run bench -- --only memory`) measures, per mode: the
 * points (system, WS or WSS, idle registered clients), how many eP-CSCF worker processes and
 * load-generator processes each point gets, and how long clients stay idle before a reading.
 * Every process holding client sockets (an eP-CSCF worker, a load process) stays under
 * PER_PROCESS_CLIENTS, below the open-files limit of 20,000 per process on the benchmark machine.
 */
import type { BenchMode } from './epcscf-plan.ts';
import type { SystemName } from './sut/system.ts';

/** Client sockets per process at most (the hard open-files limit here is 20,000). */
export const PER_PROCESS_CLIENTS = 18_000;

export interface MemoryPointSpec {
  readonly system: SystemName;
  readonly secure: boolean;
  readonly clients: number;
  /** measured only while the run is within its budget */
  readonly optional?: boolean;
}

export interface MemoryPlan {
  readonly mode: BenchMode;
  readonly points: readonly MemoryPointSpec[];
  /** eP-CSCF worker processes for every point of ours (default: workersFor(clients)) */
  readonly epcscfWorkers?: number;
  /** load-generator processes for every point (default: workersFor(clients)) */
  readonly loadProcesses?: number;
  /** worker threads per load process */
  readonly threadsPerProcess: number;
  /** registrations under way at once while connecting, all load threads together */
  readonly concurrency: number;
  /**
   * a WebSocket handshake or a REGISTER without an answer this long fails the client: longer
   * than the rate benchmark's 5 s, so that a neighbour's burst of work on a shared machine does
   * not fail clients that would register a little later
   */
  readonly timeoutMs: number;
  /** idle time before a reading: longer than any transaction lives (5 s for a completed UDP NICT) */
  readonly idleMs: number;
  /** optional points are skipped once the run has lasted this long */
  readonly budgetMs: number;
  /** scheduling priority (nice) of the whole run, inherited by every process it starts */
  readonly nice?: number;
}

const points = (system: SystemName, secure: boolean, clients: readonly number[], optional = false) =>
  clients.map((n): MemoryPointSpec => ({ system, secure, clients: n, optional }));

export const MEMORY_PLANS: Readonly<Record<BenchMode, MemoryPlan>> = {
  smoke: {
    mode: 'smoke',
    points: [
      ...points('ours', false, [200]),
      ...points('ours', true, [200]),
      ...points('kamailio', false, [200]),
    ],
    epcscfWorkers: 2,
    loadProcesses: 2,
    threadsPerProcess: 1,
    concurrency: 32,
    timeoutMs: 15_000,
    idleMs: 500,
    budgetMs: 120_000,
  },
  full: {
    mode: 'full',
    points: [
      ...points('ours', false, [1000, 10_000, 50_000, 100_000]),
      ...points('kamailio', false, [1000, 10_000, 50_000, 100_000]),
      ...points('ours', true, [10_000]),
      ...points('kamailio', true, [10_000]),
      ...points('ours', true, [50_000], true),
    ],
    threadsPerProcess: 1,
    concurrency: 256,
    timeoutMs: 15_000,
    idleMs: 6000,
    budgetMs: 12 * 60_000,
    nice: -15,
  },
};

/** Processes needed so that none holds more than PER_PROCESS_CLIENTS client sockets (at least 1). */
export function workersFor(clients: number): number {
  return Math.max(1, Math.ceil(clients / PER_PROCESS_CLIENTS));
}

/** The IMS core's shared memory for `clients` contacts: 1 GB plus 20 kB per contact. */
export function coreSharedMemoryMb(clients: number): number {
  return 1024 + Math.ceil(clients / 50);
}
