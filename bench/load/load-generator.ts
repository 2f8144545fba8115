/**
 * The load generator: worker threads (load-worker.ts) that each own a share of the simulated
 * clients. The main thread splits every command between them and merges what they report.
 * Bounded: a fixed number of clients and workers, each step a fixed duration, every
 * transaction a timeout; loopback only.
 */
import { Worker } from 'node:worker_threads';
import type {
  CallStepResult,
  Command,
  ConnectResult,
  Reply,
  StepResult,
  Target,
  WorkerSetup,
} from './protocol.ts';

/**
 * The worker is TypeScript: it registers tsx's loader first, then imports load-worker.ts (Node 20
 * neither hands a parent's module hooks to a worker nor applies `--import` before its entry).
 */
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./load-worker.ts', import.meta.url).href)}); })
  .catch((err) => { console.error(err); process.exit(1); });`;

export interface LoadGeneratorOptions {
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
  readonly worker: Worker;
  waiting: ((r: Reply) => void) | undefined;
  failure: Error | undefined;
}

export class LoadGenerator {
  private closed = false;

  private constructor(private readonly lanes: Lane[]) {}

  static start(o: LoadGeneratorOptions): LoadGenerator {
    const lanes: Lane[] = [];
    for (let i = 0; i < o.workers; i++) {
      const setup: WorkerSetup = {
        workerId: i,
        target: o.target,
        domain: o.domain,
        timeoutMs: o.timeoutMs ?? 5000,
        calls: o.calls,
      };
      const worker = new Worker(WORKER_BOOT, { eval: true, workerData: setup });
      const lane: Lane = { worker, waiting: undefined, failure: undefined };
      worker.on('message', (r: Reply) => {
        const w = lane.waiting;
        lane.waiting = undefined;
        w?.(r);
      });
      const lost = (err: Error): void => {
        lane.failure = err;
        const w = lane.waiting;
        lane.waiting = undefined;
        w?.({ op: 'error', message: err.message });
      };
      worker.on('error', lost);
      worker.on('exit', (code) => lost(new Error(`load worker ${i} exited (code ${code})`)));
      lanes.push(lane);
    }
    return new LoadGenerator(lanes);
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

  /** Closes every connection and ends the workers; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.lanes.map(async (lane) => {
        if (lane.failure === undefined)
          await this.call(lane, { op: 'close' }, 'closed').catch(() => undefined);
        await lane.worker.terminate();
      }),
    );
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
      lane.worker.postMessage(cmd);
    });
  }
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
