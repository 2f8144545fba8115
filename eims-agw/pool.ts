/**
 * A pool of rtpengine instances. Each is health-checked with an NG `ping` every
 * `pingIntervalMs` (on the injected clock); one failed ping (after the client's own
 * retransmissions) or an unreachable instance marks it down, one answered ping marks it up again.
 * A timed-out request only makes an instance suspect: it is pinged at once, takes no new call
 * while another is up and not suspect, and is marked down only if that ping fails too. A busy
 * rtpengine answering one request late must not fail every call pinned to it (with a single
 * instance, every call): measured in the calls benchmark at overload, where one timeout turned
 * into more than a thousand 503s until the next ping (BENCHMARKS.md, calls).
 * A call is pinned to the instance chosen for its first offer, by Call-ID, for the call's life:
 * a down instance takes no new calls, and requests for a call pinned to a down instance fail at
 * once with RtpengineUnavailable('instance-down') rather than waiting for a timeout.
 */
import type { Logger } from 'pino';
import { type Clock, systemClock, type TimerHandle } from '../sip/clock/clock.ts';
import { RtpengineTimeout, RtpengineUnavailable } from './errors.ts';
import type { CallNotes } from './gateway.ts';
import type { NgApi } from './ng/ng-client.ts';

export type InstanceState = 'unknown' | 'up' | 'down';
export type Selection = 'round-robin' | 'least-loaded';

export interface InstanceStatus {
  readonly address: string;
  readonly state: InstanceState;
  /** Calls pinned to it now. */
  readonly calls: number;
  readonly lastError: string | undefined;
}

/** A call's place in the pool. */
export interface PinnedCall {
  readonly callId: string;
  readonly instance: NgApi;
  /**
   * What the gateway notes about the call, dropped with the pin. A field, not a WeakMap keyed by
   * the pin: V8's young-generation collector keeps every value of a WeakMap that lives in the old
   * generation alive, so each call's notes were promoted, whatever they were kept for.
   */
  notes: CallNotes | undefined;
}

export interface RtpenginePoolOptions {
  readonly instances: readonly NgApi[];
  readonly selection?: Selection;
  readonly pingIntervalMs?: number;
  /** A pin unused this long is dropped (the eP-CSCF failed to delete the call); default 24 h. */
  readonly pinIdleMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly onStateChange?: (address: string, state: InstanceState) => void;
}

interface Member {
  readonly api: NgApi;
  state: InstanceState;
  calls: number;
  lastError: string | undefined;
  pinging: boolean;
  /** a request to it timed out: a ping is under way to decide */
  suspect: boolean;
}

interface Pin extends PinnedCall {
  readonly member: Member;
  lastUsed: number;
}

export class RtpenginePool {
  readonly #members: Member[];
  readonly #pins = new Map<string, Pin>();
  readonly #options: RtpenginePoolOptions;
  readonly #clock: Clock;
  #cursor = 0;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(options: RtpenginePoolOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#members = options.instances.map((api) => ({
      api,
      state: 'unknown',
      calls: 0,
      lastError: undefined,
      pinging: false,
      suspect: false,
    }));
  }

  /** Pings every instance now, then every `pingIntervalMs`. Resolves after the first round. */
  async start(): Promise<void> {
    const first = this.checkNow();
    this.#schedule();
    await first;
  }

  /** One health-check round: pings every instance not already being pinged. */
  async checkNow(): Promise<void> {
    this.#sweepPins();
    await Promise.all(this.#members.filter((m) => !m.pinging).map((m) => this.#ping(m)));
  }

  /** The instance of a call: its pinned one, or a newly chosen healthy one for a new call. */
  acquire(callId: string): PinnedCall {
    return this.lookup(callId) ?? this.#pinNew(callId);
  }

  /** The pinned instance of a known call, or undefined; throws when that instance is down. */
  lookup(callId: string): PinnedCall | undefined {
    this.#assertRunning();
    const pin = this.#pins.get(callId);
    if (pin === undefined) return undefined;
    if (pin.member.state === 'down')
      throw new RtpengineUnavailable(
        'instance-down',
        `rtpengine ${pin.instance.address} holding call ${callId} is down`,
      );
    pin.lastUsed = this.#clock.now();
    return pin;
  }

  /**
   * The pinned instance of a known call whatever its state, for ending the call there: an
   * instance marked down may only have been slow (a ping that timed out under load), and a
   * delete not sent leaves its session behind.
   */
  pinned(callId: string): PinnedCall | undefined {
    this.#assertRunning();
    return this.#pins.get(callId);
  }

  /** Forgets a call's pin (after its delete, or when rtpengine no longer knows it). */
  release(callId: string): void {
    const pin = this.#pins.get(callId);
    if (pin === undefined) return;
    this.#pins.delete(callId);
    pin.member.calls--;
  }

  /**
   * A request to `instance` could not be sent (down until a ping answers) or timed out (suspect:
   * pinged now, down if that ping fails too).
   */
  reportFailure(instance: NgApi, error: unknown): void {
    const member = this.#members.find((m) => m.api === instance);
    if (member === undefined) return;
    if (error instanceof RtpengineUnavailable && error.reason === 'unreachable') {
      this.#setState(member, 'down', error.message);
      return;
    }
    if (!(error instanceof RtpengineTimeout) || member.state === 'down') return;
    member.lastError = error.message;
    member.suspect = true;
    this.#options.logger?.warn(
      { rtpengine: member.api.address, error: error.message },
      `rtpengine ${member.api.address} did not answer a request in time: checking it`,
    );
    if (!member.pinging) void this.#ping(member);
  }

  get activeCalls(): number {
    return this.#pins.size;
  }

  status(): readonly InstanceStatus[] {
    return this.#members.map((m) => ({
      address: m.api.address,
      state: m.state,
      calls: m.calls,
      lastError: m.lastError,
    }));
  }

  /** Every instance, for administrative commands such as `list`. */
  get instances(): readonly NgApi[] {
    return this.#members.map((m) => m.api);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    await Promise.all(this.#members.map((m) => m.api.close()));
  }

  #pinNew(callId: string): PinnedCall {
    const member = this.#select();
    const pin: Pin = { callId, instance: member.api, notes: undefined, member, lastUsed: this.#clock.now() };
    this.#pins.set(callId, pin);
    member.calls++;
    return pin;
  }

  #select(): Member {
    if (this.#members.length === 0)
      throw new RtpengineUnavailable('not-configured', 'no rtpengine configured (RTPENGINES is empty)');
    // Instances not yet checked, or suspect, are used only while none is known to be up.
    const healthy = this.#members.filter((m) => m.state === 'up' && !m.suspect);
    const up = healthy.length > 0 ? healthy : this.#members.filter((m) => m.state === 'up');
    const eligible = up.length > 0 ? up : this.#members.filter((m) => m.state === 'unknown');
    if (eligible.length === 0)
      throw new RtpengineUnavailable('no-healthy-instance', 'every configured rtpengine is down');
    const start = this.#cursor++ % eligible.length;
    const rotated = [...eligible.slice(start), ...eligible.slice(0, start)];
    if (this.#options.selection === 'round-robin') return rotated[0] as Member;
    return rotated.reduce((best, m) => (m.calls < best.calls ? m : best));
  }

  async #ping(member: Member): Promise<void> {
    member.pinging = true;
    try {
      await member.api.ping();
      this.#setState(member, 'up', undefined);
    } catch (error) {
      this.#setState(member, 'down', error instanceof Error ? error.message : String(error));
    } finally {
      member.pinging = false;
    }
  }

  #setState(member: Member, state: InstanceState, lastError: string | undefined): void {
    member.lastError = lastError;
    member.suspect = false;
    if (member.state === state) return;
    member.state = state;
    const log = { rtpengine: member.api.address, state, calls: member.calls, error: lastError };
    if (state === 'down') this.#options.logger?.warn(log, `rtpengine ${member.api.address} is down`);
    else this.#options.logger?.info(log, `rtpengine ${member.api.address} is ${state}`);
    this.#options.onStateChange?.(member.api.address, state);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#clock.setTimer(this.#options.pingIntervalMs ?? 5_000, () => {
      // Fixed rate: a ping still in flight (an unreachable instance takes the client's full
      // timeout) is not started again by the next round.
      this.#schedule();
      void this.checkNow();
    });
  }

  #sweepPins(): void {
    const idle = this.#options.pinIdleMs ?? 86_400_000;
    const now = this.#clock.now();
    for (const [callId, pin] of this.#pins) {
      if (now - pin.lastUsed <= idle) continue;
      this.#options.logger?.warn({ callId, rtpengine: pin.instance.address }, 'dropping an idle call pin');
      this.release(callId);
    }
  }

  #assertRunning(): void {
    if (this.#stopped) throw new RtpengineUnavailable('stopped', 'the media gateway is stopped');
  }
}
