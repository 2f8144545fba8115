/**
 * The transaction timers of RFC 3261 §17 and Table 4 (§A), with the additions of RFC 6026 §8.11
 * (Timers L and M). T1, T2 and T4 are configurable; every other timer derives from them.
 *
 *   Timer A  INVITE retransmit, unreliable only        starts at T1, doubles (no cap)
 *   Timer B  INVITE transaction timeout                64*T1
 *   Timer D  wait for response retransmits             >= 32 s unreliable, 0 reliable
 *   Timer E  non-INVITE retransmit, unreliable only    starts at T1, doubles up to T2
 *   Timer F  non-INVITE transaction timeout            64*T1
 *   Timer G  INVITE response retransmit, unreliable    starts at T1, doubles up to T2
 *   Timer H  wait for ACK receipt                      64*T1
 *   Timer I  wait for ACK retransmits                  T4 unreliable, 0 reliable
 *   Timer J  wait for non-INVITE request retransmits   64*T1 unreliable, 0 reliable
 *   Timer K  wait for response retransmits             T4 unreliable, 0 reliable
 *   Timer L  wait for accepted INVITE retransmits      64*T1 (RFC 6026)
 *   Timer M  wait for 2xx retransmits / other forks    64*T1 (RFC 6026)
 */

export interface TimerSettings {
  /** RTT estimate, ms (RFC 3261 §17.1.1.1); default 500 */
  t1: number;
  /** maximum retransmit interval for non-INVITE requests and INVITE responses, ms; default 4000 */
  t2: number;
  /** maximum duration a message remains in the network, ms; default 5000 */
  t4: number;
  /** Timer D on unreliable transports, ms; at least 32000 (RFC 3261 §17.1.1.2); default 32000 */
  timerD: number;
  /**
   * How long an INVITE server transaction waits for the TU's first response before it sends
   * 100 (Trying) itself (RFC 3261 §17.2.1: "unless it knows that the TU will generate a
   * provisional or final response within 200 ms"); 0 sends it at once; default 200.
   */
  trying: number;
}

export const DEFAULT_TIMERS: Readonly<TimerSettings> = Object.freeze({
  t1: 500,
  t2: 4000,
  t4: 5000,
  timerD: 32_000,
  trying: 200,
});

/** Timer values of one configuration, in ms, for a reliable or an unreliable transport. */
export class TransactionTimers {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
  readonly trying: number;
  private readonly d: number;

  constructor(settings: Partial<TimerSettings> = {}) {
    const s = { ...DEFAULT_TIMERS, ...settings };
    for (const key of ['t1', 't2', 't4'] as const) {
      if (!Number.isFinite(s[key]) || s[key] <= 0) throw new RangeError(`timers.${key} must be > 0 ms`);
    }
    if (s.t2 < s.t1) throw new RangeError('timers.t2 must be >= timers.t1');
    if (!Number.isFinite(s.timerD) || s.timerD < 32_000)
      throw new RangeError('timers.timerD must be >= 32000 ms (RFC 3261 §17.1.1.2)');
    if (!Number.isFinite(s.trying) || s.trying < 0) throw new RangeError('timers.trying must be >= 0 ms');
    this.t1 = s.t1;
    this.t2 = s.t2;
    this.t4 = s.t4;
    this.trying = s.trying;
    this.d = s.timerD;
  }

  /** 64*T1: Timers B, F, H, L, M (and J on unreliable transports). */
  get timeout(): number {
    return 64 * this.t1;
  }

  timerD(reliable: boolean): number {
    return reliable ? 0 : this.d;
  }

  timerI(reliable: boolean): number {
    return reliable ? 0 : this.t4;
  }

  timerJ(reliable: boolean): number {
    return reliable ? 0 : 64 * this.t1;
  }

  timerK(reliable: boolean): number {
    return reliable ? 0 : this.t4;
  }

  /** Next interval of Timer E or G: doubled, capped at T2. */
  backoff(interval: number): number {
    return Math.min(2 * interval, this.t2);
  }
}
