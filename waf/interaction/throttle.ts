/**
 * Failed-login throttling (as Sippo wac's limitRateUnits/limitRateSeconds): a sliding window of
 * failure times per account (`user@domain`) and per source address. An account with
 * `maxFailures` failures inside the window, or an address with `maxAddressFailures` (higher:
 * many users may share one NAT), is blocked until the oldest of them leaves the window; a
 * successful login clears its account's failures (not its address's). The alarm counts every
 * failure of every key in the window.
 *
 * Two implementations, held to one contract test (throttle.test.ts): `MemoryLoginThrottle` (one
 * process: each WAF instance throttles what it sees) and `RedisLoginThrottle` (every WAF instance
 * on one Redis shares the counts, so spreading guesses over instances gains nothing). Neither
 * ever sees a password.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { createClient } from 'redis';

export interface ThrottleOptions {
  /** per account */
  readonly maxFailures: number;
  /** per source address */
  readonly maxAddressFailures: number;
  readonly windowMs: number;
  /** the alarm is raised while more failures than this are in the window */
  readonly alarmFailures: number;
  /** ms since the epoch */
  readonly now: () => number;
}

export type ThrottleVerdict =
  | { readonly blocked: false }
  | { readonly blocked: true; readonly retryAfterS: number };

export interface LoginThrottle {
  /** Whether a login of `account` from `address` may be tried now. */
  check(account: string, address: string): Promise<ThrottleVerdict>;
  fail(account: string, address: string): Promise<void>;
  succeed(account: string): Promise<void>;
  /** Whether more than `alarmFailures` failures (all keys) are in the window now. */
  alarm(): Promise<boolean>;
  /**
   * The alarm as this instance knows it, without waiting (for the metrics scrape): exact in
   * memory; on Redis from the newest failure times last read (at this instance's own failures
   * and at each call, which also starts a re-read for the next one).
   */
  alarmNow(): boolean;
  close(): Promise<void>;
}

/** The verdict given, per key, the `max`-th newest failure time in the window (if any). */
function verdict(options: ThrottleOptions, now: number, blockingTimes: readonly number[]): ThrottleVerdict {
  if (blockingTimes.length === 0) return { blocked: false };
  const retryAt = Math.max(...blockingTimes) + options.windowMs;
  return { blocked: true, retryAfterS: Math.max(1, Math.ceil((retryAt - now) / 1000)) };
}

function countRecent(times: readonly number[], from: number): number {
  return times.filter((t) => t > from).length;
}

export interface MemoryThrottleOptions extends ThrottleOptions {
  /** memory is bounded by dropping the least recently failed keys beyond this; default 100 000 */
  readonly maxKeys?: number;
}

export class MemoryLoginThrottle implements LoginThrottle {
  /** key → failure times, oldest first; Map order = least recently failed first */
  private readonly failures = new Map<string, number[]>();
  /** the newest failure times (at most alarmFailures + 1), for the alarm */
  private all: number[] = [];
  private readonly maxKeys: number;

  constructor(private readonly options: MemoryThrottleOptions) {
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  async check(account: string, address: string): Promise<ThrottleVerdict> {
    const now = this.options.now();
    const blocking: number[] = [];
    const limits: [string, number][] = [
      [`account:${account}`, this.options.maxFailures],
      [`address:${address}`, this.options.maxAddressFailures],
    ];
    for (const [key, max] of limits) {
      const times = this.recent(key, now);
      if (times.length >= max) blocking.push(times[times.length - max] ?? now);
    }
    return verdict(this.options, now, blocking);
  }

  async fail(account: string, address: string): Promise<void> {
    const now = this.options.now();
    for (const key of [`account:${account}`, `address:${address}`]) {
      const times = this.recent(key, now);
      times.push(now);
      this.failures.delete(key);
      this.failures.set(key, times);
    }
    this.all.push(now);
    // Only the newest alarmFailures + 1 times matter to the alarm; older ones are dropped.
    if (this.all.length > this.options.alarmFailures + 1) this.all.shift();
    while (this.failures.size > this.maxKeys) {
      const oldest = this.failures.keys().next();
      if (oldest.done === true) break;
      this.failures.delete(oldest.value);
    }
  }

  async succeed(account: string): Promise<void> {
    this.failures.delete(`account:${account}`);
  }

  async alarm(): Promise<boolean> {
    return this.alarmNow();
  }

  alarmNow(): boolean {
    const from = this.options.now() - this.options.windowMs;
    this.all = this.all.filter((t) => t > from);
    return this.all.length > this.options.alarmFailures;
  }

  async close(): Promise<void> {}

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key) ?? [];
    const from = now - this.options.windowMs;
    const first = times.findIndex((t) => t > from);
    const kept = first < 0 ? [] : first === 0 ? times : times.slice(first);
    if (kept.length === 0) this.failures.delete(key);
    else if (kept !== times) this.failures.set(key, kept);
    return kept;
  }
}

type RedisClient = ReturnType<typeof createClient>;

export interface RedisThrottleOptions extends ThrottleOptions {
  /** a connected client the throttle owns from now on: `close()` closes it */
  readonly client: RedisClient;
  /** the WAF's key prefix (WAF_REDIS_PREFIX) */
  readonly prefix: string;
  /** a failed background re-read of the alarm; default: ignored */
  readonly onError?: (error: unknown) => void;
}

/**
 * The throttle on Redis. Layout under the prefix `P`:
 *
 *   P throttle:account:<sha256(account)>   sorted set of failures scored by time (ms)
 *   P throttle:address:<sha256(address)>   the same per source address
 *   P throttle:all                         the newest alarmFailures + 1 failures of every key
 *
 * Members are `<time>:<random>` so that failures in the same millisecond all count. Every write
 * first drops members older than the window (ZREMRANGEBYSCORE), in one MULTI, and sets the key's
 * expiry to the window. Account and address keys are SHA-256 hashes (base64url): user names and
 * addresses are not listed in Redis, and untrusted input cannot make long key names. Times come
 * from the injected clock, so every instance's clock must be synchronised (NTP).
 */
export class RedisLoginThrottle implements LoginThrottle {
  private readonly client: RedisClient;
  private readonly allKey: string;
  /** scores of `P throttle:all` as last read */
  private allTimes: number[] = [];
  private rereading = false;

  constructor(private readonly options: RedisThrottleOptions) {
    this.client = options.client;
    this.allKey = `${options.prefix}throttle:all`;
  }

  async check(account: string, address: string): Promise<ThrottleVerdict> {
    const now = this.options.now();
    const from = now - this.options.windowMs;
    const limits: [string, number][] = [
      [this.key('account', account), this.options.maxFailures],
      [this.key('address', address), this.options.maxAddressFailures],
    ];
    const multi = this.client.multi();
    for (const [key, max] of limits) {
      multi.zRemRangeByScore(key, '-inf', from);
      // the max-th newest failure: none while fewer than max are in the window
      multi.zRangeWithScores(key, -max, -max);
    }
    const replies = await multi.exec();
    const blocking = [replies[1], replies[3]].flatMap((r) => scores(r));
    return verdict(this.options, now, blocking);
  }

  async fail(account: string, address: string): Promise<void> {
    const now = this.options.now();
    const from = now - this.options.windowMs;
    const member = `${now}:${randomBytes(6).toString('base64url')}`;
    const multi = this.client.multi();
    for (const key of [this.key('account', account), this.key('address', address), this.allKey]) {
      multi.zRemRangeByScore(key, '-inf', from);
      multi.zAdd(key, { score: now, value: member });
      multi.pExpire(key, this.options.windowMs);
    }
    // Only the newest alarmFailures + 1 failures matter to the alarm; older ones are dropped.
    multi.zRemRangeByRank(this.allKey, 0, -(this.options.alarmFailures + 2));
    multi.zRangeWithScores(this.allKey, 0, -1);
    const replies = await multi.exec();
    this.allTimes = scores(replies[replies.length - 1]);
  }

  async succeed(account: string): Promise<void> {
    await this.client.del(this.key('account', account));
  }

  async alarm(): Promise<boolean> {
    const from = this.options.now() - this.options.windowMs;
    const replies = await this.client
      .multi()
      .zRemRangeByScore(this.allKey, '-inf', from)
      .zRangeWithScores(this.allKey, 0, -1)
      .exec();
    this.allTimes = scores(replies[1]);
    return this.allTimes.length > this.options.alarmFailures;
  }

  alarmNow(): boolean {
    if (!this.rereading) {
      this.rereading = true;
      this.alarm()
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          this.rereading = false;
        });
    }
    const from = this.options.now() - this.options.windowMs;
    return countRecent(this.allTimes, from) > this.options.alarmFailures;
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
  }

  private key(kind: 'account' | 'address', value: string): string {
    const digest = createHash('sha256').update(value).digest('base64url');
    return `${this.options.prefix}throttle:${kind}:${digest}`;
  }
}

/** The scores of a ZRANGE … WITHSCORES reply from a MULTI (shape checked: it is untyped). */
function scores(reply: unknown): number[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null || !('score' in entry)) return [];
    const score = Number(entry.score);
    return Number.isFinite(score) ? [score] : [];
  });
}
