/**
 * Which access token each registration made with a bearer token rests on (RFC 8898 §2.2,
 * TS 33.203 X.3/X.4): per registered contact, the token (its jti, subject, expiry and IMS
 * identity), the flow it came over, and what is needed to deregister it on the client's behalf.
 *
 * A token's end ends its registration (issue #5): at the token's `exp` a timer fires; every
 * `checkIntervalMs` the tokens still bound are asked about at the WAF (RFC 7662 introspection)
 * and a revoked one ends too. Either way every `onTokenEnded` listener is called and awaited
 * (scenario 2 deregisters with Trusted Node Authentication, scenario 3 with the pool
 * credential and releases the lease), then the binding is dropped and `afterEnded` runs (the
 * eP-CSCF closes the flow). A client that refreshes with a new valid token before the end gets
 * `bind` again, which replaces the token and moves the timer.
 *
 * Kept in the memory of the eP-CSCF instance that owns the flow (timers cannot live in a store);
 * a restart loses them, and the registrations then end when they expire.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../sip/clock/clock.ts';
import type { ImsAccessToken } from '../../token/claims.ts';
import type { ActiveCheck } from '../../token/validator.ts';

export type TokenEndReason = 'expired' | 'revoked';

/** The REGISTER as last forwarded to the core for this contact: what a deregistration repeats. */
export interface RegisterDialog {
  /** Request-URI of the REGISTER (the home network's registrar) */
  readonly requestUri: string;
  readonly callId: string;
  /** CSeq number of the last REGISTER forwarded for this contact */
  readonly cseq: number;
  /** the Contact header value as registered (URI with +sip.instance, reg-id) */
  readonly contact: string;
  /** our Path value, e.g. <sip:FLOWTOKEN@mw;lr;ob> */
  readonly path: string;
}

export interface TokenBinding {
  /** the registered IMPU (canonical AOR, as the RegistrationStore keys it) */
  readonly aor: string;
  /** the contact URI (as the RegistrationStore keys it) */
  readonly contact: string;
  /** the flow (WebSocket connection id) the registration was made over */
  readonly connectionId: string;
  readonly token: ImsAccessToken;
  /** the token itself: needed for the introspection check; never logged */
  readonly raw: string;
  /** the IMPI the registration was made with (the token's, or the pool lease's) */
  readonly impi: string;
  readonly register: RegisterDialog;
  /** free for the scenario's module, e.g. the pool lease id */
  readonly lease?: string | undefined;
}

export type TokenEndedListener = (binding: TokenBinding, reason: TokenEndReason) => Promise<void> | void;

export interface TokenBindingsOptions {
  /** timers (the eP-CSCF's clock; FakeClock in tests) */
  readonly clock: Clock;
  /** wall-clock ms, to compare with the token's exp */
  readonly now: () => number;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** RFC 7662 check of a token still bound; undefined: no revocation checks */
  readonly checkActive?: ((token: string) => Promise<ActiveCheck>) | undefined;
  /** ms between two revocation sweeps; 0: none */
  readonly checkIntervalMs: number;
}

/** setTimeout's limit: a longer wait is taken in steps. */
const MAX_TIMER_MS = 2_147_000_000;

interface Entry {
  binding: TokenBinding;
  timer: TimerHandle | undefined;
  ending: boolean;
}

export class TokenBindings {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<TokenEndedListener>();
  private sweepTimer: TimerHandle | undefined;
  private sweeping: Promise<void> | undefined;
  private closed = false;
  /** runs after the listeners of an ended token (the eP-CSCF closes the flow there) */
  afterEnded: TokenEndedListener | undefined;

  constructor(private readonly o: TokenBindingsOptions) {
    this.scheduleSweep();
  }

  /** Binds (or re-binds, on a refresh with a new token) the token of one registered contact. */
  bind(binding: TokenBinding): void {
    if (this.closed) return;
    const key = keyOf(binding.aor, binding.contact);
    const old = this.entries.get(key);
    if (old?.timer !== undefined) this.o.clock.clearTimer(old.timer);
    const entry: Entry = { binding, timer: undefined, ending: false };
    this.entries.set(key, entry);
    this.armExpiry(key, entry);
  }

  get(aor: string, contact: string): TokenBinding | undefined {
    return this.entries.get(keyOf(aor, contact))?.binding;
  }

  /** Bindings made over one flow. */
  forConnection(connectionId: string): TokenBinding[] {
    const out: TokenBinding[] = [];
    for (const e of this.entries.values()) if (e.binding.connectionId === connectionId) out.push(e.binding);
    return out;
  }

  /** Forgets a binding without ending it (the client deregistered, or the core ended the registration). */
  remove(aor: string, contact: string): boolean {
    const key = keyOf(aor, contact);
    const e = this.entries.get(key);
    if (e === undefined) return false;
    if (e.timer !== undefined) this.o.clock.clearTimer(e.timer);
    this.entries.delete(key);
    return true;
  }

  /** Subscribes to token ends; returns the unsubscribe function. */
  onTokenEnded(listener: TokenEndedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.entries.size;
  }

  /** One revocation sweep now: every bound token is checked at the WAF (RFC 7662). */
  checkNow(): Promise<void> {
    this.sweeping ??= this.sweep().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /** Ends one binding now (also used by tests and by the expiry timer). */
  async end(aor: string, contact: string, reason: TokenEndReason): Promise<void> {
    const key = keyOf(aor, contact);
    const e = this.entries.get(key);
    if (e === undefined || e.ending) return;
    e.ending = true;
    if (e.timer !== undefined) this.o.clock.clearTimer(e.timer);
    const b = e.binding;
    this.o.logger.info(
      { aor: b.aor, contact: b.contact, flow: b.connectionId, jti: b.token.tokenId, reason },
      'access token ended: ending its registration',
    );
    const results = await Promise.allSettled([...this.listeners].map(async (l) => l(b, reason)));
    for (const r of results)
      if (r.status === 'rejected')
        this.o.logger.error({ err: r.reason, aor: b.aor }, 'token-end handler failed');
    // A refresh with a new token may have re-bound the contact meanwhile: keep that one.
    if (this.entries.get(key) === e) this.entries.delete(key);
    try {
      await this.afterEnded?.(b, reason);
    } catch (err) {
      this.o.logger.error({ err, aor: b.aor }, 'token-end follow-up failed');
    }
  }

  /** Stops every timer; bindings are kept as they are (nothing is deregistered). */
  close(): void {
    this.closed = true;
    if (this.sweepTimer !== undefined) this.o.clock.clearTimer(this.sweepTimer);
    for (const e of this.entries.values()) if (e.timer !== undefined) this.o.clock.clearTimer(e.timer);
  }

  private armExpiry(key: string, entry: Entry): void {
    const wait = entry.binding.token.expiresAt * 1000 - this.o.now();
    if (wait <= 0) {
      void this.end(entry.binding.aor, entry.binding.contact, 'expired');
      return;
    }
    entry.timer = this.o.clock.setTimer(Math.min(wait, MAX_TIMER_MS), () => {
      if (this.entries.get(key) !== entry) return;
      entry.timer = undefined;
      this.armExpiry(key, entry);
    });
  }

  private scheduleSweep(): void {
    if (this.closed || this.o.checkActive === undefined || this.o.checkIntervalMs <= 0) return;
    this.sweepTimer = this.o.clock.setTimer(this.o.checkIntervalMs, () => {
      void this.checkNow().finally(() => this.scheduleSweep());
    });
  }

  private async sweep(): Promise<void> {
    const check = this.o.checkActive;
    if (check === undefined) return;
    // One question per distinct token, however many contacts it registered.
    const byToken = new Map<string, Entry[]>();
    for (const e of this.entries.values()) {
      if (e.ending) continue;
      const list = byToken.get(e.binding.raw);
      if (list === undefined) byToken.set(e.binding.raw, [e]);
      else list.push(e);
    }
    for (const [raw, list] of byToken) {
      const state = await check(raw);
      if (state === 'unavailable') {
        // The WAF could not say: nothing is ended on a guess; the next sweep asks again.
        this.o.logger.warn({ jti: list[0]?.binding.token.tokenId }, 'revocation check unavailable');
        continue;
      }
      if (state === 'inactive')
        await Promise.all(list.map((e) => this.end(e.binding.aor, e.binding.contact, 'revoked')));
    }
  }
}

function keyOf(aor: string, contact: string): string {
  return `${aor}\n${contact}`;
}
