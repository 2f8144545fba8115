/**
 * Worker processes of the primary (node:cluster): forks N copies of a worker module, tells each
 * who it is and what the primary knows (`facts`, once the worker says `hello`), waits until each says it is ready, restarts
 * one that dies (logged with its exit code, after a back-off that grows while restarts keep
 * failing), collects their metrics, and stops them gracefully (a `stop` message, SIGKILL after
 * a grace period).
 *
 * Why node:cluster and not child_process.fork with a passed listening handle: a server listening
 * in a cluster worker shares one port among the workers through the primary, which accepts and
 * hands each connection to the next worker in turn (SCHED_RR, the default on Linux). A handle
 * passed to several children instead has them all accept on one socket, and Linux wakes the
 * same few far more often than the rest; Node 20 has no SO_REUSEPORT. A connection costs the
 * primary one accept and one handle transfer, once, at WebSocket set-up.
 */

import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './logger.ts';
import {
  CHANNEL,
  type MetricFamilyJson,
  type PrimaryMessage,
  parseWorkerMessage,
} from './worker-protocol.ts';

export type WorkerState = 'starting' | 'up' | 'restarting' | 'stopped';

export interface WorkerStatus {
  readonly index: number;
  readonly state: WorkerState;
  readonly pid: number | undefined;
  /** times this worker was forked again after an exit */
  readonly restarts: number;
  /** what the worker said when ready (its ports) */
  readonly detail: Readonly<Record<string, number | string>> | undefined;
  readonly lastExit: { readonly code: number | null; readonly signal: string | null } | undefined;
}

export interface BackoffPolicy {
  /** delay before the first restart after a worker that had been up a while exits */
  readonly initialMs: number;
  /** the delay doubles per consecutive early exit, up to this */
  readonly maxMs: number;
  /** a worker up at least this long counts as healthy: its next exit starts from initialMs */
  readonly stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, stableMs: 30_000 };

export interface WorkerSupervisorOptions {
  readonly count: number;
  /** path of the worker module (TypeScript: it runs with tsx's loader) */
  readonly entry: string;
  /** Node/V8 flags for the worker processes, after the loader's (e.g. EP_CSCF_WORKER_NODE_FLAGS) */
  readonly nodeFlags?: readonly string[];
  /** what worker `index` is told on start and on refreshFacts() (JSON; may hold secrets: never logged) */
  readonly facts: (index: number) => unknown;
  readonly logger: Logger;
  /** a worker not ready by then is killed (and counts as a failed start); default 30 s */
  readonly readyTimeoutMs?: number;
  /** after a `stop`, a worker still running this long is killed; default 8 s */
  readonly stopTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
}

interface Slot {
  readonly index: number;
  worker: Worker | undefined;
  state: WorkerState;
  restarts: number;
  /** consecutive exits of a worker that had not been up for stableMs */
  failures: number;
  readyAt: number | undefined;
  detail: Readonly<Record<string, number | string>> | undefined;
  lastExit: WorkerStatus['lastExit'];
  timer: NodeJS.Timeout | undefined;
}

/** The loader the worker module needs: tsx's, as `tsx bin/start.ts` has; added under other runners. */
function workerExecArgv(): string[] {
  return process.execArgv.some((arg) => arg.includes('tsx')) ? [...process.execArgv] : ['--import', 'tsx'];
}

/** Delay before restarting after the `failures`-th consecutive early exit. */
export function restartDelay(policy: BackoffPolicy, failures: number): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
}

export class WorkerSupervisor {
  private readonly slots: Slot[];
  private readonly logger: Logger;
  private readonly backoff: BackoffPolicy;
  private stopping = false;
  private nextRequest = 0;
  private readonly pending = new Map<
    number,
    (worker: number, metrics: readonly MetricFamilyJson[]) => void
  >();
  /** settles start(): every worker ready, or the first one that exits before it is */
  private starting: { ready(): void; failed(error: Error): void } | undefined;

  private constructor(private readonly o: WorkerSupervisorOptions) {
    this.logger = o.logger.child({ module: 'app.workers' });
    this.backoff = o.backoff ?? DEFAULT_BACKOFF;
    this.slots = Array.from({ length: o.count }, (_, index) => ({
      index,
      worker: undefined,
      state: 'starting',
      restarts: 0,
      failures: 0,
      readyAt: undefined,
      detail: undefined,
      lastExit: undefined,
      timer: undefined,
    }));
  }

  /** Forks every worker; resolves when all are ready. A worker that fails to start stops them all. */
  static async start(o: WorkerSupervisorOptions): Promise<WorkerSupervisor> {
    if (!cluster.isPrimary) throw new Error('workers are forked by the primary process only');
    const supervisor = new WorkerSupervisor(o);
    const ready = new Promise<void>((resolve, reject) => {
      supervisor.starting = { ready: resolve, failed: reject };
    });
    for (const slot of supervisor.slots) supervisor.fork(slot);
    try {
      await ready;
    } catch (error) {
      await supervisor.stop();
      throw error;
    }
    supervisor.starting = undefined;
    return supervisor;
  }

  status(): WorkerStatus[] {
    return this.slots.map((s) => ({
      index: s.index,
      state: s.state,
      pid: s.worker?.process.pid,
      restarts: s.restarts,
      detail: s.detail,
      lastExit: s.lastExit,
    }));
  }

  get allUp(): boolean {
    return this.slots.every((s) => s.state === 'up');
  }

  /** Sends every running worker its facts again (e.g. once the primary's HTTP origin is known). */
  refreshFacts(): void {
    for (const slot of this.slots) this.sendFacts(slot);
  }

  /** The metrics of every worker that answers within `timeoutMs` (prom-client JSON, one array each). */
  async collectMetrics(timeoutMs = 2_000): Promise<MetricFamilyJson[][]> {
    const asked = this.slots.filter((s) => s.state === 'up' && s.worker?.isConnected() === true);
    if (asked.length === 0) return [];
    const id = this.nextRequest++;
    const replies = new Map<number, readonly MetricFamilyJson[]>();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.pending.set(id, (worker, metrics) => {
        replies.set(worker, metrics);
        if (replies.size === asked.length) {
          clearTimeout(timer);
          resolve();
        }
      });
      for (const slot of asked) this.send(slot, { channel: CHANNEL, kind: 'metrics-request', id });
    });
    this.pending.delete(id);
    if (replies.size < asked.length)
      this.logger.warn(
        { asked: asked.length, answered: replies.size },
        'some workers sent no metrics in time',
      );
    return [...replies.values()].map((metrics) => [...metrics]);
  }

  /** Stops every worker gracefully (SIGKILL after stopTimeoutMs); no restarts from now on. */
  async stop(): Promise<void> {
    this.stopping = true;
    const grace = this.o.stopTimeoutMs ?? 8_000;
    await Promise.all(
      this.slots.map(async (slot) => {
        clearTimeout(slot.timer);
        const worker = slot.worker;
        if (worker === undefined) {
          slot.state = 'stopped';
          return;
        }
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        if (worker.isConnected()) this.send(slot, { channel: CHANNEL, kind: 'stop' });
        else worker.process.kill('SIGTERM');
        const timer = setTimeout(() => {
          this.logger.error(
            { worker: slot.index, workerPid: worker.process.pid, grace },
            'worker did not stop: killing it',
          );
          worker.process.kill('SIGKILL');
        }, grace);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private fork(slot: Slot): void {
    cluster.setupPrimary({
      exec: this.o.entry,
      execArgv: [...workerExecArgv(), ...(this.o.nodeFlags ?? [])],
    });
    const worker = cluster.fork();
    slot.worker = worker;
    slot.state = 'starting';
    slot.detail = undefined;
    slot.readyAt = undefined;
    const readyTimeout = this.o.readyTimeoutMs ?? 30_000;
    slot.timer = setTimeout(() => {
      this.logger.error(
        { worker: slot.index, workerPid: worker.process.pid, readyTimeout },
        'worker not ready in time: killing it',
      );
      worker.process.kill('SIGKILL');
    }, readyTimeout);
    worker.on('message', (message: unknown) => this.receive(slot, worker, message));
    worker.on('error', (err) => this.logger.warn({ err, worker: slot.index }, 'worker IPC error'));
    worker.on('exit', (code, signal) => this.exited(slot, worker, code, signal));
  }

  private receive(slot: Slot, worker: Worker, raw: unknown): void {
    if (slot.worker !== worker) return;
    const message = parseWorkerMessage(raw);
    if (message === undefined) return;
    switch (message.kind) {
      case 'hello':
        this.sendFacts(slot);
        return;
      case 'ready':
        clearTimeout(slot.timer);
        slot.state = 'up';
        slot.detail = message.detail;
        slot.readyAt = Date.now();
        this.logger.info(
          { worker: slot.index, workerPid: worker.process.pid, ...message.detail },
          'worker ready',
        );
        if (this.starting !== undefined && this.allUp) this.starting.ready();
        return;
      case 'failed':
        this.logger.error(
          { worker: slot.index, workerPid: worker.process.pid, reason: message.reason },
          'worker failed to start',
        );
        return;
      case 'metrics':
        this.pending.get(message.id)?.(slot.index, message.metrics);
        return;
    }
  }

  private exited(slot: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (slot.worker !== worker) return;
    clearTimeout(slot.timer);
    slot.worker = undefined;
    slot.lastExit = { code, signal };
    const fields = { worker: slot.index, workerPid: worker.process.pid, code, signal };
    if (this.stopping) {
      slot.state = 'stopped';
      this.logger.info(fields, 'worker stopped');
      return;
    }
    if (this.starting !== undefined) {
      slot.state = 'stopped';
      this.starting.failed(
        new Error(
          `eP-CSCF worker ${slot.index} exited during start (code ${code}, signal ${signal}): see its log`,
        ),
      );
      return;
    }
    const wasStable = slot.readyAt !== undefined && Date.now() - slot.readyAt >= this.backoff.stableMs;
    slot.failures = wasStable ? 1 : slot.failures + 1;
    const delay = restartDelay(this.backoff, slot.failures);
    slot.state = 'restarting';
    this.logger.error(
      { ...fields, restartInMs: delay },
      `eP-CSCF worker ${slot.index} exited (code ${code}, signal ${signal}): restarting it in ${delay} ms; its flows are gone and their clients reconnect`,
    );
    slot.timer = setTimeout(() => {
      if (this.stopping) return;
      slot.restarts++;
      this.fork(slot);
    }, delay);
  }

  private sendFacts(slot: Slot): void {
    if (slot.worker?.isConnected() !== true) return;
    this.send(slot, { channel: CHANNEL, kind: 'facts', index: slot.index, facts: this.o.facts(slot.index) });
  }

  private send(slot: Slot, message: PrimaryMessage): void {
    slot.worker?.send(message, (err: Error | null) => {
      if (err !== null)
        this.logger.warn({ err, worker: slot.index, kind: message.kind }, 'message to worker lost');
    });
  }
}
