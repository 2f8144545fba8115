/**
 * The pacing of a load step in a worker thread (load-worker.ts for registrations, call-step.ts
 * for calls): operations started from the idle clients at a fixed rate for the step's length, one
 * per client at a time, a client back among the idle ones once its operation ended; a due
 * operation with no idle client is counted as starved. The step ends once every operation it
 * started has ended. Timing is performance.now() in the worker's thread.
 */
import { performance } from 'node:perf_hooks';

/** What the pacer needs of a client: whether its connection is still open. */
export interface PacedClient {
  readonly alive: boolean;
}

export interface PacedOutcome {
  /** operations due when no client was idle */
  readonly starved: number;
  readonly elapsedMs: number;
}

export class StepPacer<C extends PacedClient> {
  private head = 0;
  private started = 0;
  private open = 0;
  private starved = 0;
  private ticking = true;
  private readonly t0 = performance.now();
  private resolve: ((o: PacedOutcome) => void) | undefined;

  /**
   * @param idle the clients that may start an operation (taken in order, ended ones appended)
   * @param start starts an operation on a client; the caller calls `ended(client)` when it ends
   */
  constructor(
    private readonly idle: C[],
    private readonly perSec: number,
    private readonly durationMs: number,
    private readonly start: (client: C, now: number) => void,
  ) {}

  /** Runs the step; resolves once it has lasted its length and every operation has ended. */
  run(): Promise<PacedOutcome> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.tick();
    });
  }

  /** The operation on `client` ended: it is idle again unless its connection closed. */
  ended(client: C): void {
    this.open--;
    if (client.alive) this.idle.push(client);
    this.finish();
  }

  private readonly tick = (): void => {
    const now = performance.now();
    const due = Math.floor(Math.min(now - this.t0, this.durationMs) * (this.perSec / 1000));
    const idle = this.idle;
    while (this.started < due) {
      this.started++;
      let client = this.head < idle.length ? idle[this.head++] : undefined;
      // A connection the server closed while its client was idle is skipped (counted when it closed).
      while (client !== undefined && !client.alive)
        client = this.head < idle.length ? idle[this.head++] : undefined;
      if (client === undefined) {
        this.starved++;
        continue;
      }
      this.open++;
      this.start(client, now);
    }
    if (this.head > 4096 && this.head * 2 > idle.length) {
      idle.splice(0, this.head);
      this.head = 0;
    }
    if (now - this.t0 < this.durationMs) setTimeout(this.tick, 1);
    else {
      this.ticking = false;
      this.finish();
    }
  };

  private finish(): void {
    if (this.ticking || this.open > 0 || this.resolve === undefined) return;
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve({ starved: this.starved, elapsedMs: performance.now() - this.t0 });
  }
}

/** Latencies of a step, in ms, in a growing Float64Array (moved, not copied, to the main thread). */
export class Latencies {
  private values: Float64Array;
  private count = 0;

  constructor(initial = 1 << 12) {
    this.values = new Float64Array(initial);
  }

  push(ms: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = ms;
  }

  /** The latencies so far, in a new array of their own length. */
  take(): Float64Array {
    return this.values.slice(0, this.count);
  }
}
