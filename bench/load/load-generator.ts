/**
 * The load generator: worker threads (load-worker.ts) that each own a share of the simulated
 * clients, in this process (`start`) or in child processes (`startForked`: several processes,
 * each with its own threads, because every client socket counts against the open-files limit
 * of the process holding it). This thread splits every command between the workers and merges
 * what they report. Bounded: a fixed number of clients and workers, each step a fixed duration,
 * every transaction a timeout; loopback only.
 */
import { type LaneChannel, type LaneHost, startThreadHost } from './lane.ts';
import { forkLoadProcess } from './process-host.ts';
import type {
  CallStepResult,
  Command,
  ConnectResult,
  Reply,
  StepResult,
  Target,
  WorkerSetup,
} from './protocol.ts';

export interface LoadGeneratorOptions {
  /** worker threads (per child process with `startForked`) */
  readonly workers: number;
  readonly target: Target;
  readonly domain: string;
  /** per transaction; default 5000 ms */
  readonly timeoutMs?: number;
  /** the clients may place calls to `callee` with this browser offer (`callStep`) */
  readonly calls?: { readonly callee: string; readonly offerSdp: string };
}

export interface CallStepSummary {
  readonly offeredCps: number;
  /** calls set up and torn down without a fault, per second of the step */
  readonly achievedCps: number;
  readonly callsOk: number;
  readonly callsFailed: number;
  readonly starved: number;
  /** INVITE to 2xx, and BYE to 2xx: sorted, ms */
  readonly setupLatencies: Float64Array;
  readonly teardownLatencies: Float64Array;
  readonly failures: Readonly<Record<string, number>>;
  readonly sampleAnswer: string | undefined;
  readonly durationMs: number;
}

export interface ConnectSummary {
  readonly registered: number;
  readonly failed: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
}

export interface StepSummary {
  /** transactions per second offered (two per registration) */
  readonly offeredTps: number;
  /** transactions answered as expected, per second of the step */
  readonly achievedTps: number;
  readonly transactionsOk: number;
  readonly transactionsFailed: number;
  readonly registrationsOk: number;
  readonly registrationsFailed: number;
  readonly starved: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly failures: Readonly<Record<string, number>>;
  /** the sorted latencies of the answered transactions (ms) */
  readonly latencies: Float64Array;
  readonly durationMs: number;
}

interface Lane {
  readonly channel: LaneChannel;
  waiting: ((r: Reply) => void) | undefined;
  failure: Error | undefined;
}

export class LoadGenerator {
  private closed = false;
  private readonly lanes: Lane[];

  private constructor(private readonly hosts: readonly LaneHost[]) {
    this.lanes = hosts.flatMap((host) =>
      host.lanes.map((channel) => {
        const lane: Lane = { channel, waiting: undefined, failure: undefined };
        channel.listen(
          (r) => {
            const w = lane.waiting;
            lane.waiting = undefined;
            w?.(r);
          },
          (err) => {
            lane.failure = err;
            const w = lane.waiting;
            lane.waiting = undefined;
            w?.({ op: 'error', message: err.message });
          },
        );
        return lane;
      }),
    );
  }

  /** `o.workers` worker threads in this process. */
  static start(o: LoadGeneratorOptions): LoadGenerator {
    return new LoadGenerator([startThreadHost(setups(o, 0, o.workers))]);
  }

  /** `processes` child processes with `o.workers` worker threads each (load-process.ts). */
  static async startForked(o: LoadGeneratorOptions, processes: number): Promise<LoadGenerator> {
    const started = await Promise.allSettled(
      Array.from({ length: processes }, (_, p) => forkLoadProcess(setups(o, p * o.workers, o.workers))),
    );
    const hosts = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r) => r.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(hosts.map((h) => h.stop()));
      throw failed.reason;
    }
    return new LoadGenerator(hosts);
  }

  /** The child processes' pids (none with `start`). */
  get pids(): number[] {
    return this.hosts.flatMap((h) => (h.pid === undefined ? [] : [h.pid]));
  }

  get workers(): number {
    return this.lanes.length;
  }

  /** Opens and registers clients [first, first+count), split evenly between the workers. */
  async connect(first: number, count: number, concurrency = 32): Promise<ConnectSummary> {
    const t0 = performance.now();
    const share = Math.ceil(count / this.lanes.length);
    const replies = await Promise.all(
      this.lanes.map((lane, i) => {
        const from = first + i * share;
        const n = Math.max(0, Math.min(share, first + count - from));
        return this.call<ConnectResult>(
          lane,
          { op: 'connect', first: from, count: n, concurrency },
          'connected',
        );
      }),
    );
    return {
      registered: sum(replies.map((r) => r.registered)),
      failed: sum(replies.map((r) => r.failed)),
      failures: mergeCounts(replies.map((r) => r.failures)),
      elapsedMs: performance.now() - t0,
    };
  }

  /** Re-registers idle clients at `offeredTps / 2` registrations per second for `durationMs`. */
  async step(offeredTps: number, durationMs: number): Promise<StepSummary> {
    const perWorker = offeredTps / 2 / this.lanes.length;
    const replies = await Promise.all(
      this.lanes.map((lane) =>
        this.call<StepResult>(lane, { op: 'step', registrationsPerSec: perWorker, durationMs }, 'step-done'),
      ),
    );
    const latencies = merged(replies.map((r) => r.latencies));
    const ok = sum(replies.map((r) => r.transactionsOk));
    return {
      offeredTps,
      achievedTps: (ok * 1000) / durationMs,
      transactionsOk: ok,
      transactionsFailed: sum(replies.map((r) => r.transactionsFailed)),
      registrationsOk: sum(replies.map((r) => r.registrationsOk)),
      registrationsFailed: sum(replies.map((r) => r.registrationsFailed)),
      starved: sum(replies.map((r) => r.starved)),
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      maxMs: latencies.length === 0 ? Number.NaN : (latencies[latencies.length - 1] ?? Number.NaN),
      failures: mergeCounts(replies.map((r) => r.failures)),
      latencies,
      durationMs,
    };
  }

  /**
   * Places calls from idle registered clients at `offeredCps` calls per second for `durationMs`,
   * each held `holdMs` between its ACK and its BYE; resolves once every call started has ended.
   */
  async callStep(offeredCps: number, durationMs: number, holdMs: number): Promise<CallStepSummary> {
    const perWorker = offeredCps / this.lanes.length;
    const replies = await Promise.all(
      this.lanes.map((lane) =>
        this.call<CallStepResult>(
          lane,
          { op: 'calls', callsPerSec: perWorker, durationMs, holdMs },
          'calls-done',
        ),
      ),
    );
    const ok = sum(replies.map((r) => r.callsOk));
    return {
      offeredCps,
      achievedCps: (ok * 1000) / durationMs,
      callsOk: ok,
      callsFailed: sum(replies.map((r) => r.callsFailed)),
      starved: sum(replies.map((r) => r.starved)),
      setupLatencies: merged(replies.map((r) => r.setupLatencies)),
      teardownLatencies: merged(replies.map((r) => r.teardownLatencies)),
      failures: mergeCounts(replies.map((r) => r.failures)),
      sampleAnswer: replies.find((r) => r.sampleAnswer !== undefined)?.sampleAnswer,
      durationMs,
    };
  }

  /** Closes every connection and ends the workers (and their processes); safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.lanes.map(async (lane) => {
        if (lane.failure === undefined)
          await this.call(lane, { op: 'close' }, 'closed').catch(() => undefined);
      }),
    );
    await Promise.all(this.hosts.map((h) => h.stop()));
  }

  private call<R extends Reply>(lane: Lane, cmd: Command, expect: R['op']): Promise<R> {
    if (lane.failure !== undefined) return Promise.reject(lane.failure);
    if (lane.waiting !== undefined) return Promise.reject(new Error('load worker busy'));
    return new Promise<R>((resolve, reject) => {
      lane.waiting = (r) => {
        if (r.op === expect) resolve(r as R);
        else
          reject(new Error(r.op === 'error' ? `load worker: ${r.message}` : `load worker answered ${r.op}`));
      };
      lane.channel.post(cmd);
    });
  }
}

/** The setups of `count` workers numbered from `first` (numbers are unique across processes). */
function setups(o: LoadGeneratorOptions, first: number, count: number): WorkerSetup[] {
  return Array.from({ length: count }, (_, i) => ({
    workerId: first + i,
    target: o.target,
    domain: o.domain,
    timeoutMs: o.timeoutMs ?? 5000,
    calls: o.calls,
  }));
}

/** Nearest-rank quantile of sorted values; NaN when empty. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** The values of every worker in one sorted array. */
function merged(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(sum(parts.map((p) => p.length)));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.sort();
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function mergeCounts(all: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const counts of all) for (const [k, v] of Object.entries(counts)) out[k] = (out[k] ?? 0) + v;
  return out;
}
