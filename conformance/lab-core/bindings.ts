/**
 * The lab core's location service: the bindings of each implicit registration set (RFC 3261
 * §10.3, TS 24.229 §5.4.1.2.2: all IMPUs of the set are registered together with the same
 * contacts), with expiry timers on the injected clock. Every change is reported to `onChange`
 * with the RFC 3680 event that caused it, so the reg-event notifier can tell its subscribers.
 */

import type { Clock, TimerHandle } from '../../sip/clock/clock.ts';
import type { ContactEvent } from '../../sip/reginfo/index.ts';
import type { Source } from '../../sip/transport/index.ts';
import type { Subscriber } from './subscribers.ts';

export interface Binding {
  /** what identifies the binding: `+sip.instance` (+ reg-id) or the contact URI (RFC 5626 §6, RFC 3261 §10.3) */
  readonly key: string;
  /** stable id for reginfo documents */
  readonly id: string;
  /** the Contact value as stored (name-addr without expires) */
  readonly contact: string;
  readonly uri: string;
  readonly path: readonly string[];
  readonly instance: string | undefined;
  readonly regId: number | undefined;
  readonly params: ReadonlyArray<readonly [string, string]>;
  readonly callId: string;
  readonly cseq: number;
  /** clock ms */
  readonly registeredAt: number;
  readonly expiresAt: number;
  /** where the REGISTER came from (the P-CSCF, or the UE itself) */
  readonly source: Source;
}

export interface BindingChange {
  readonly binding: Binding;
  readonly state: 'active' | 'terminated';
  readonly event: ContactEvent;
}

/** The bindings of one subscriber's implicit registration set. */
export class RegistrationSet {
  readonly bindings = new Map<string, Binding>();
  /** whether the set was registered at least once (reginfo `init` vs `terminated`) */
  everRegistered = false;
  constructor(readonly subscriber: Subscriber) {}
}

export type ChangeListener = (set: RegistrationSet, changes: readonly BindingChange[]) => void;

export class BindingStore {
  private readonly sets = new Map<string, RegistrationSet>();
  private readonly timers = new Map<Binding, TimerHandle>();
  private nextId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly onChange: ChangeListener,
  ) {}

  /** The set of a subscriber (created empty on first use). */
  setOf(subscriber: Subscriber): RegistrationSet {
    let set = this.sets.get(subscriber.impi);
    if (set === undefined) {
      set = new RegistrationSet(subscriber);
      this.sets.set(subscriber.impi, set);
    }
    return set;
  }

  /** Every set with at least one binding. */
  registered(): RegistrationSet[] {
    return [...this.sets.values()].filter((s) => s.bindings.size > 0);
  }

  newId(): string {
    return `c${this.nextId++}`;
  }

  /** Applies one REGISTER's changes at once (one notification), each with its event. */
  apply(set: RegistrationSet, changes: readonly BindingChange[]): void {
    for (const c of changes) {
      const old = set.bindings.get(c.binding.key);
      if (old !== undefined) this.clearTimer(old);
      if (c.state === 'terminated') {
        set.bindings.delete(c.binding.key);
        continue;
      }
      set.bindings.set(c.binding.key, c.binding);
      set.everRegistered = true;
      this.timers.set(
        c.binding,
        this.clock.setTimer(Math.max(0, c.binding.expiresAt - this.clock.now()), () =>
          this.expire(set, c.binding),
        ),
      );
    }
    if (changes.length > 0) this.onChange(set, changes);
  }

  /** Removes every binding of a set with one event (network-initiated deregistration). */
  removeAll(set: RegistrationSet, event: ContactEvent): void {
    this.apply(
      set,
      [...set.bindings.values()].map((binding) => ({ binding, state: 'terminated', event })),
    );
  }

  /** Shortens every binding of a set to at most `seconds` (RFC 3680 event `shortened`). */
  shorten(set: RegistrationSet, seconds: number): void {
    const at = this.clock.now() + seconds * 1000;
    const changes: BindingChange[] = [];
    for (const b of set.bindings.values())
      if (b.expiresAt > at)
        changes.push({ binding: { ...b, expiresAt: at }, state: 'active', event: 'shortened' });
    this.apply(set, changes);
  }

  now(): number {
    return this.clock.now();
  }

  /** Seconds left on a binding, rounded up. */
  secondsLeft(b: Binding): number {
    return Math.max(0, Math.ceil((b.expiresAt - this.clock.now()) / 1000));
  }

  close(): void {
    for (const t of this.timers.values()) this.clock.clearTimer(t);
    this.timers.clear();
  }

  private expire(set: RegistrationSet, binding: Binding): void {
    this.timers.delete(binding);
    if (set.bindings.get(binding.key) !== binding) return;
    this.apply(set, [{ binding, state: 'terminated', event: 'expired' }]);
  }

  private clearTimer(b: Binding): void {
    const t = this.timers.get(b);
    if (t !== undefined) this.clock.clearTimer(t);
    this.timers.delete(b);
  }
}
