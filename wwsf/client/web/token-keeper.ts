/**
 * Keeps the web client's access token fresh: refreshes it (RFC 6749 §6) a margin before it
 * expires and hands the new one to `onToken` (the phone then puts it on its next REGISTER, so
 * the eP-CSCF binds the new token to the flow before the old one lapses). A token that cannot
 * be refreshed (no refresh token, or the WAF refuses) ends in `onExpired` at its expiry: the
 * user is asked to sign in again. A network failure is retried until then. Time is injected.
 */
import { OAuthError, type TokenSet } from './oauth.ts';

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const browserTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface TokenKeeperOptions {
  readonly timers: Timers;
  /** the refresh grant; absent when the token set has no refresh token to use */
  readonly refresh: (refreshToken: string) => Promise<TokenSet>;
  readonly onToken: (set: TokenSet) => void;
  readonly onExpired: (reason: string) => void;
  /** retry delay after a network failure, ms (default 5 s) */
  readonly retryMs?: number;
}

/** When to refresh: a tenth of the lifetime before expiry, at least 10 s, at most 5 min. */
export function refreshDelay(set: TokenSet, now: number, lifetimeMs: number): number {
  const margin = Math.min(300_000, Math.max(10_000, lifetimeMs / 10));
  return Math.max(0, set.expiresAt - now - margin);
}

export class TokenKeeper {
  private set: TokenSet | undefined;
  private timer: unknown;
  private stopped = false;

  constructor(private readonly o: TokenKeeperOptions) {}

  get current(): TokenSet | undefined {
    return this.set;
  }

  /** Starts keeping `set` (a fresh token from a sign-in or a refresh). */
  keep(set: TokenSet): void {
    this.set = set;
    this.stopped = false;
    this.schedule(set, set.expiresAt - this.o.timers.now());
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private clear(): void {
    if (this.timer !== undefined) this.o.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(set: TokenSet, lifetimeMs: number): void {
    this.clear();
    const now = this.o.timers.now();
    if (set.refreshToken === undefined) {
      this.timer = this.o.timers.setTimeout(
        () => this.expire('the access token expired and cannot be refreshed'),
        Math.max(0, set.expiresAt - now),
      );
      return;
    }
    this.timer = this.o.timers.setTimeout(
      () => void this.refresh(set, lifetimeMs),
      refreshDelay(set, now, lifetimeMs),
    );
  }

  private expire(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clear();
    this.o.onExpired(reason);
  }

  private async refresh(set: TokenSet, lifetimeMs: number): Promise<void> {
    if (this.stopped || set.refreshToken === undefined) return;
    try {
      const fresh = await this.o.refresh(set.refreshToken);
      if (this.stopped) return;
      this.set = fresh;
      this.o.onToken(fresh);
      this.schedule(fresh, fresh.expiresAt - this.o.timers.now());
    } catch (error) {
      if (this.stopped) return;
      const now = this.o.timers.now();
      const transient =
        error instanceof OAuthError && (error.error === 'network' || (error.status ?? 0) >= 500);
      if (!transient || now >= set.expiresAt) {
        this.expire(error instanceof Error ? error.message : String(error));
        return;
      }
      // Try again shortly, but never past the expiry.
      const wait = Math.min(this.o.retryMs ?? 5_000, Math.max(0, set.expiresAt - now));
      this.timer = this.o.timers.setTimeout(() => void this.refresh(set, lifetimeMs), wait);
    }
  }
}
