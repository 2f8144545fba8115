import type { Clock, TimerHandle } from '../clock/clock.ts';

/** What the keep-alive wheel checks: a WsConnection, or a test double. */
export interface KeepAliveMember {
  /** owned by the wheel: the member's slot, -1 outside it */
  keepAliveSlot: number;
  keepAlive(): void;
}

/** target spacing of the wheel's ticks: small enough that one tick is a small share of the work */
const KEEP_ALIVE_TICK_MS = 100;
const KEEP_ALIVE_MAX_SLOTS = 1000;

/**
 * Spreads the keep-alive checks over the ping interval instead of one sweep over every
 * connection: each member gets a slot when it joins (round robin), a timer ticks every
 * interval / slots and checks only that tick's slot, so each member is checked once per
 * revolution (at least one interval: the tick is rounded up) and no tick handles more than
 * about 1/slots of the members. A 30 s interval has 300 slots, one tick every 100 ms.
 */
export class KeepAliveWheel<M extends KeepAliveMember = KeepAliveMember> {
  readonly tickMs: number;
  private readonly slots: Array<Set<M>>;
  private nextSlot = 0;
  private cursor = 0;
  private members = 0;
  private timer: TimerHandle | undefined = undefined;
  private running = false;

  constructor(
    private readonly clock: Clock,
    intervalMs: number,
    slotCount = Math.min(KEEP_ALIVE_MAX_SLOTS, Math.max(1, Math.round(intervalMs / KEEP_ALIVE_TICK_MS))),
  ) {
    if (!(intervalMs > 0) || !Number.isInteger(slotCount) || slotCount < 1)
      throw new RangeError(
        `keep-alive wheel needs an interval > 0 and slots >= 1 (${intervalMs}, ${slotCount})`,
      );
    this.slots = Array.from({ length: slotCount }, () => new Set<M>());
    this.tickMs = Math.ceil(intervalMs / slotCount);
  }

  /** Members in the wheel. */
  get size(): number {
    return this.members;
  }

  get slotCount(): number {
    return this.slots.length;
  }

  add(m: M): void {
    if (m.keepAliveSlot >= 0) return;
    const slot = this.nextSlot;
    this.nextSlot = (slot + 1) % this.slots.length;
    m.keepAliveSlot = slot;
    this.slots[slot]!.add(m);
    this.members++;
  }

  /** Takes a member out (a closed connection); a member not in the wheel is ignored. */
  remove(m: M): void {
    if (m.keepAliveSlot >= 0 && this.slots[m.keepAliveSlot]?.delete(m) === true) this.members--;
    m.keepAliveSlot = -1;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = this.clock.setTimer(this.tickMs, this.tick);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private readonly tick = (): void => {
    if (!this.running) return;
    const slot = this.slots[this.cursor]!;
    this.cursor = (this.cursor + 1) % this.slots.length;
    // Re-armed first: a member that throws must not stop everyone's keep-alive.
    this.timer = this.clock.setTimer(this.tickMs, this.tick);
    for (const m of slot) m.keepAlive();
  };
}
