/**
 * The calls of a load worker (load-worker.ts): places calls from idle registered clients at a
 * given rate for a step (call-client.ts writes the requests), sends the ACK, holds the call, sends
 * the BYE, and tallies each call as one outcome: ok, or failed with its first fault. The step
 * ends once every call it started has ended (answered and torn down, refused, or given up after
 * the timeout). Timing is performance.now() in the worker's thread.
 */
import { performance } from 'node:perf_hooks';
import { CallClient, type OfferTemplate, offerTemplate } from './call-client.ts';
import { readCallResponse } from './call-reader.ts';
import type { CallStepResult } from './protocol.ts';
import type { RegisterClient } from './register-client.ts';
import { Latencies, StepPacer } from './step-pacer.ts';

/** How long a call given up on is remembered for a late 2xx (longer than Timer B's 32 s). */
const ORPHAN_MS = 40_000;

/** What the runner needs of a worker's client slot. */
export interface CallSlot {
  readonly client: RegisterClient;
  /** the client's source address (its offer's c= and candidates) */
  readonly localAddress: string;
  call: CallClient | undefined;
  alive: boolean;
  send(text: string): void;
}

export interface CallRunnerOptions {
  readonly workerId: number;
  readonly callee: string;
  readonly offerSdp: string;
  /** a call's INVITE or BYE without a final response after this long fails the call */
  readonly timeoutMs: number;
}

/** One step's counters. */
class CallTally {
  readonly setup = new Latencies();
  readonly teardown = new Latencies();
  ok = 0;
  failed = 0;
  sampleAnswer: string | undefined;
  readonly failures: Record<string, number> = {};
  fail(reason: string): void {
    this.failed++;
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
  }
}

export class CallRunner {
  private tally = new CallTally();
  /** calls waiting for a final response to their INVITE or BYE */
  private readonly waiting = new Set<CallSlot>();
  private readonly offers = new Map<string, OfferTemplate>();
  /** calls given up on while inviting, by Call-ID: a late 2xx is ACKed and BYEd (call-client.ts) */
  private readonly orphans = new Map<string, { readonly call: CallClient; readonly at: number }>();
  /** told when a call ends (the step puts the slot back among the idle ones) */
  private onEnd: ((slot: CallSlot) => void) | undefined;
  private holdMs = 0;
  private clients = 0;

  constructor(private readonly o: CallRunnerOptions) {}

  /** True when a message on this slot belongs to a call under way. */
  busy(slot: CallSlot): boolean {
    return slot.call !== undefined && slot.call.phase !== 'idle';
  }

  /** True when a message on this slot may be for a call: one under way, or one given up on. */
  claims(slot: CallSlot): boolean {
    return this.busy(slot) || this.orphans.size > 0;
  }

  /** Runs a step: `callsPerSec` calls started for `durationMs` from the idle clients in `slots`. */
  step(
    slots: readonly CallSlot[],
    callsPerSec: number,
    durationMs: number,
    holdMs: number,
  ): Promise<CallStepResult> {
    this.tally = new CallTally();
    this.holdMs = holdMs;
    const idle: CallSlot[] = slots.filter(
      (s) => s.alive && s.client.registered && s.client.phase === 'idle' && !this.busy(s),
    );
    const pacer = new StepPacer(idle, callsPerSec, durationMs, (slot, now) => this.begin(slot, now));
    this.onEnd = (slot) => pacer.ended(slot);
    return pacer.run().then(({ starved, elapsedMs }) => {
      this.onEnd = undefined;
      const t = this.tally;
      return {
        op: 'calls-done',
        setupLatencies: t.setup.take(),
        teardownLatencies: t.teardown.take(),
        callsOk: t.ok,
        callsFailed: t.failed,
        starved,
        failures: t.failures,
        sampleAnswer: t.sampleAnswer,
        elapsedMs,
      };
    });
  }

  /**
   * A message on a slot whose call is under way, or for a call given up on; false when it is
   * neither (then it is the registration's).
   */
  receive(slot: CallSlot, text: string, now: number): boolean {
    const call = slot.call;
    const busy = this.busy(slot);
    const facts = readCallResponse(text);
    if (typeof facts === 'string') {
      if (!busy) return false;
      this.end(slot, `unreadable message: ${facts}`);
      return true;
    }
    const orphan = this.orphans.get(facts.callId);
    if (orphan !== undefined) {
      const late = orphan.call.hangUpLate(facts, now);
      if (late !== undefined) for (const request of late) slot.send(request);
      else if (facts.method === 'BYE' && facts.status >= 200) this.orphans.delete(facts.callId);
      return true;
    }
    if (!busy || call === undefined) return false;
    const outcome = call.receive(facts, now);
    if (outcome === undefined) return true;
    switch (outcome.kind) {
      case 'answered':
        this.waiting.delete(slot);
        this.tally.setup.push(outcome.setupMs);
        this.tally.sampleAnswer ??= facts.body;
        slot.send(outcome.ack);
        if (this.holdMs <= 0) this.hangUp(slot, call.callId);
        else setTimeout(() => this.hangUp(slot, call.callId), this.holdMs);
        return true;
      case 'ack-again':
        slot.send(outcome.ack);
        return true;
      case 'ended':
        this.tally.teardown.push(outcome.teardownMs);
        this.end(slot, call.problem === undefined ? undefined : `unusable answer: ${call.problem}`);
        return true;
      case 'failed':
        if (outcome.ack !== undefined) slot.send(outcome.ack);
        this.end(slot, outcome.reason);
        return true;
    }
  }

  /** Gives up on calls whose INVITE or BYE went unanswered for the timeout. */
  sweep(now: number): void {
    const limit = now - this.o.timeoutMs;
    for (const slot of this.waiting) {
      const call = slot.call;
      if (call === undefined || call.sentAt >= limit) continue;
      const inviting = call.phase === 'inviting';
      this.end(slot, `no final response to the ${inviting ? 'INVITE' : 'BYE'} within ${this.o.timeoutMs} ms`);
      if (inviting) {
        // Kept aside for a late 2xx; the slot gets a new call object for its next call.
        this.orphans.set(call.callId, { call, at: now });
        slot.call = undefined;
      }
    }
    for (const [callId, o] of this.orphans) if (o.at < now - ORPHAN_MS) this.orphans.delete(callId);
  }

  /** The slot's connection closed during its call. */
  lost(slot: CallSlot, reason: string): void {
    if (this.busy(slot)) this.end(slot, reason);
  }

  private begin(slot: CallSlot, now: number): void {
    slot.call ??= this.newCall(slot);
    this.waiting.add(slot);
    slot.send(slot.call.invite(now));
  }

  private hangUp(slot: CallSlot, callId: string): void {
    const call = slot.call;
    // The call may have ended meanwhile (connection lost), and the client be in another one.
    if (call === undefined || call.phase !== 'established' || call.callId !== callId) return;
    if (!slot.alive) {
      this.end(slot, 'WebSocket closed during the call');
      return;
    }
    this.waiting.add(slot);
    slot.send(call.bye(performance.now()));
  }

  private end(slot: CallSlot, reason: string | undefined): void {
    this.waiting.delete(slot);
    slot.call?.abandon();
    if (reason === undefined) this.tally.ok++;
    else this.tally.fail(reason);
    this.onEnd?.(slot);
  }

  private newCall(slot: CallSlot): CallClient {
    const address = slot.localAddress;
    let offer = this.offers.get(address);
    if (offer === undefined) {
      offer = offerTemplate(this.o.offerSdp, address);
      this.offers.set(address, offer);
    }
    const c = slot.client;
    const caller = {
      user: c.user,
      domain: c.spec.domain,
      sentBy: c.sentBy,
      contactUri: c.contactUri,
      transport: c.spec.transport,
    };
    // Session ids: worker, client number, then the client's call count (call-client.ts).
    const prefix = `1${String(this.o.workerId).padStart(2, '0')}${String(this.clients++).padStart(6, '0')}`;
    return new CallClient(caller, this.o.callee, offer, prefix);
  }
}
