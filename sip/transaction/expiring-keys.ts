import type { Clock, TimerHandle } from '../clock/clock.ts';

/**
 * Keys that are remembered for a fixed time, then forgotten: the Completed state of non-INVITE
 * client transactions, whose only duty for T4 (Timer K, RFC 3261 §17.1.2.2) is to absorb
 * retransmissions of the final response.
 *
 * Keeping the transaction object and a timer per transaction for those seconds cost a busy
 * proxy more than everything else it held: each lived through several young-generation
 * collections, was promoted, and died in the old generation (with its TU, server transaction
 * and messages), which made the major collections that set the p99 latency (BENCHMARKS.md,
 * "Tail latency"). Here a completed transaction is its key in a set, and one timer serves them
 * all.
 *
 * Keys are filed in buckets by the time they were added (one bucket per `granularity` ms), and a
 * bucket is dropped whole once its newest possible key is `ttl` old: a key is reported for at
 * least `ttl` and at most `ttl + granularity` after it was added. Not one Map of every key: at
 * thousands of keys per second its table was reallocated every second or so, each time a
 * large object in the old generation.
 */
export class ExpiringKeys {
  /** oldest first; a bucket takes the keys added during `granularity` ms from `opened` */
  private readonly buckets: { readonly opened: number; readonly keys: Set<string> }[] = [];
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    readonly ttl: number,
    private readonly granularity: number = Math.max(1, ttl / 10),
  ) {
    if (!(ttl > 0)) throw new RangeError('ttl must be positive');
  }

  get size(): number {
    let n = 0;
    for (const b of this.buckets) n += b.keys.size;
    return n;
  }

  /** Remembers `key` for `ttl` from now (again from now when it was already known). */
  add(key: string): void {
    const now = this.clock.now();
    let last = this.buckets.at(-1);
    if (last === undefined || now >= last.opened + this.granularity) {
      last = { opened: now, keys: new Set() };
      this.buckets.push(last);
    }
    last.keys.add(key);
    if (this.timer === undefined) this.timer = this.clock.setTimer(this.ttl + this.granularity, this.sweep);
  }

  has(key: string): boolean {
    const now = this.clock.now();
    for (let i = this.buckets.length - 1; i >= 0; i--) {
      const b = this.buckets[i]!;
      if (now >= this.endOf(b)) return false;
      if (b.keys.has(key)) return true;
    }
    return false;
  }

  /** Forgets every key and stops the timer. */
  clear(): void {
    this.buckets.length = 0;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** when every key of `b` has been known for `ttl` */
  private endOf(b: { readonly opened: number }): number {
    return b.opened + this.granularity + this.ttl;
  }

  private readonly sweep = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    let gone = 0;
    while (gone < this.buckets.length && now >= this.endOf(this.buckets[gone]!)) gone++;
    this.buckets.splice(0, gone);
    const first = this.buckets[0];
    if (first !== undefined) this.timer = this.clock.setTimer(this.endOf(first) - now, this.sweep);
  };
}
