/**
 * Replay protection for Digest with qop: the nonce count `nc` of a nonce must grow with each
 * request that uses it (RFC 7616 §3.4 and §5.4, RFC 2617 §3.2.2). The store remembers the highest
 * nc accepted per nonce until the nonce expires.
 *
 * This is the interface the shared store layer implements for clustered eP-CSCFs (Redis); the
 * in-memory implementation below serves one process and the tests.
 */

export interface NonceCountStore {
  /**
   * Accepts `nc` for `nonce` when it is higher than any accepted before, and records it.
   * `expiresAt` (ms since epoch) tells the store when it may forget the nonce.
   */
  accept(nonce: string, nc: number, expiresAt: number): boolean | Promise<boolean>;
}

export interface MemoryNonceCountStoreOptions {
  /** Bound on remembered nonces; the oldest are forgotten first (they are the first to expire). */
  readonly maxEntries?: number | undefined;
  readonly now?: (() => number) | undefined;
}

export class MemoryNonceCountStore implements NonceCountStore {
  private readonly entries = new Map<string, { nc: number; expiresAt: number }>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(opts: MemoryNonceCountStoreOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  accept(nonce: string, nc: number, expiresAt: number): boolean {
    const now = this.now();
    const seen = this.entries.get(nonce);
    if (seen && seen.expiresAt > now) {
      if (nc <= seen.nc) return false;
      seen.nc = nc;
      return true;
    }
    if (seen) this.entries.delete(nonce);
    this.evict(now);
    this.entries.set(nonce, { nc, expiresAt });
    return true;
  }

  /** Drops expired entries from the front (insertion order), then the oldest if still full. */
  private evict(now: number): void {
    for (const [k, v] of this.entries) {
      if (v.expiresAt > now && this.entries.size < this.maxEntries) break;
      this.entries.delete(k);
    }
  }
}
