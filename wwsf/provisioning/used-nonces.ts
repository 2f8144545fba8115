/**
 * Single use of provisioning links and codes: the nonce of each one presented is remembered
 * until its expiry (after which the token is refused as expired anyway). In memory by default,
 * which holds for one WWSF process; several WWSF instances behind a load balancer need a shared
 * implementation: Redis (`SET <prefix><nonce> 1 NX PXAT <expiresAt>`) is the intended one.
 */

export interface UsedNonces {
  /**
   * Records `nonce` as used until `expiresAt` (ms since the epoch). True the first time; false
   * when it was already recorded (a replay). Atomic: of two concurrent calls, one gets true.
   */
  use(nonce: string, expiresAt: number): Promise<boolean>;
}

/** Expired entries are swept at most this often (ms). */
const SWEEP_INTERVAL_MS = 60_000;

export class MemoryUsedNonces implements UsedNonces {
  private readonly used = new Map<string, number>();
  private lastSweep: number;

  constructor(private readonly now: () => number = Date.now) {
    this.lastSweep = now();
  }

  async use(nonce: string, expiresAt: number): Promise<boolean> {
    const now = this.now();
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep(now);
    const until = this.used.get(nonce);
    if (until !== undefined && until > now) return false;
    this.used.set(nonce, expiresAt);
    return true;
  }

  /** How many nonces are remembered (for tests and metrics). */
  get size(): number {
    return this.used.size;
  }

  private sweep(now: number): void {
    for (const [nonce, until] of this.used) if (until <= now) this.used.delete(nonce);
    this.lastSweep = now;
  }
}
