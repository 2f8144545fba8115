/**
 * Failed-login throttling (as Sippo wac's limitRateUnits/limitRateSeconds): a sliding window of
 * failure times per account (`user@domain`) and per source address. An account with
 * `maxFailures` failures inside the window, or an address with `maxAddressFailures` (higher:
 * many users may share one NAT), is blocked until the oldest of them leaves the window; a
 * successful login clears its account's failures (not its address's). The alarm counts every failure of every
 * key in the window. Kept in this process (each WAF instance throttles what it sees); memory is
 * bounded by dropping the least recently failed keys beyond `maxKeys`.
 */

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
  readonly maxKeys?: number;
}

export type ThrottleVerdict =
  | { readonly blocked: false }
  | { readonly blocked: true; readonly retryAfterS: number };

export class LoginThrottle {
  /** key → failure times, oldest first; Map order = least recently failed first */
  private readonly failures = new Map<string, number[]>();
  /** every failure time in the window, for the alarm */
  private all: number[] = [];
  private readonly maxKeys: number;

  constructor(private readonly options: ThrottleOptions) {
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Whether a login of `account` from `address` may be tried now. */
  check(account: string, address: string): ThrottleVerdict {
    const now = this.options.now();
    let retryAt = 0;
    const limits: [string, number][] = [
      [`account:${account}`, this.options.maxFailures],
      [`address:${address}`, this.options.maxAddressFailures],
    ];
    for (const [key, max] of limits) {
      const times = this.recent(key, now);
      if (times.length >= max) {
        const oldest = times[times.length - max] ?? now;
        retryAt = Math.max(retryAt, oldest + this.options.windowMs);
      }
    }
    return retryAt === 0
      ? { blocked: false }
      : { blocked: true, retryAfterS: Math.max(1, Math.ceil((retryAt - now) / 1000)) };
  }

  fail(account: string, address: string): void {
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

  succeed(account: string): void {
    this.failures.delete(`account:${account}`);
  }

  /** Failures of all keys inside the window now (counted up to alarmFailures + 1). */
  failuresInWindow(): number {
    const from = this.options.now() - this.options.windowMs;
    const first = this.all.findIndex((t) => t > from);
    this.all = first < 0 ? [] : this.all.slice(first);
    return this.all.length;
  }

  alarm(): boolean {
    return this.failuresInWindow() > this.options.alarmFailures;
  }

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
