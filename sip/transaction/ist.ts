import type { TimerHandle } from '../clock/clock.ts';
import { flatString as flat } from '../grammar/flat-string.ts';
import type { SipRequest, SipResponse } from '../message/message.ts';
import type { Destination, ReceivedMessage, Source, TransportError } from '../transport/types.ts';
import { buildResponse } from './build-response.ts';
import { type Stored, TransactionBase, type TransactionHost } from './transaction-base.ts';
import type { ServerTransactionUser } from './transaction-user.ts';

/** RFC 3261 §17.2.1 with the Accepted state of RFC 6026 §7.1. */
export type IstState = 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';

/**
 * INVITE server transaction (RFC 3261 §17.2.1, Figure 7 as replaced by RFC 6026 §8.7).
 *
 *   (created)   --> Proceeding    (100 Trying unless the TU answers within 200 ms)
 *   Proceeding  --INVITE-->       Proceeding  (last provisional sent again)
 *               --1xx from TU-->  Proceeding  (sent)
 *               --2xx from TU-->  Accepted    (sent; Timer L = 64*T1)
 *               --300-699 from TU--> Completed (sent; Timer G unreliable, Timer H = 64*T1)
 *   Completed   --INVITE or Timer G--> Completed (final response sent again)
 *               --ACK-->          Confirmed   (Timer I: T4 unreliable, zero reliable)
 *               --Timer H-->      Terminated  (TU told: the ACK never came)
 *   Confirmed   --INVITE, ACK-->  absorbed;  --Timer I--> Terminated
 *   Accepted    --INVITE-->       absorbed;  --2xx from TU--> sent;  --ACK--> to the TU
 *               --Timer L-->      Terminated
 *   any         --transport error--> same state, TU told (RFC 6026 §8.8)
 */
export class InviteServerTransaction extends TransactionBase {
  readonly kind = 'ist' as const;
  state: IstState = 'Proceeding';
  user: ServerTransactionUser;
  /** where the request came from */
  readonly source: Source;
  /** the To tag of the final response sent, for matching RFC 2543 ACKs (§17.2.3) */
  toTag: string | undefined;
  /** the layer's RFC 2543 ACK key, when the INVITE had no magic cookie */
  legacyAckKey: string | undefined;
  private lastProvisional: SipResponse | undefined;
  /** the non-2xx final, serialised once, re-sent by Timer G and on INVITE retransmissions */
  private lastFinal: Stored | undefined;
  /**
   * The last response sent, for the second try of §18.2.2 (`fallback`, TCP and TLS only); not
   * kept without a fallback: a 2xx would otherwise live with its received octets for the whole
   * Accepted state (64*T1) for nothing.
   */
  private lastSent: Stored | undefined;
  private fallback: Destination | undefined;
  private toldTransportError = false;
  private intervalG = 0;
  private timerTrying: TimerHandle | undefined;
  private timerG: TimerHandle | undefined;
  private timerH: TimerHandle | undefined;
  private timerI: TimerHandle | undefined;
  private timerL: TimerHandle | undefined;

  constructor(
    host: TransactionHost,
    id: string,
    request: SipRequest,
    source: Source,
    destination: Destination,
    fallback: Destination | undefined,
    user: ServerTransactionUser,
  ) {
    super(host, id, request, destination);
    this.source = source;
    this.fallback = fallback;
    this.user = user;
  }

  /**
   * §17.2.1: the server transaction sends 100 (Trying) unless the TU answers first; it waits
   * `timers.trying` (200 ms) for the TU. Called by the layer before the request goes to the TU.
   */
  start(): void {
    const wait = this.host.timers.trying;
    if (wait === 0) this.sendTrying();
    else this.timerTrying = this.startTimer(wait, () => this.fireTrying());
  }

  /**
   * Sends a response from the TU. Returns false when the state machine discards it: any
   * response after a non-2xx final, a non-2xx after a 2xx, anything once Terminated.
   */
  respond(response: SipResponse): boolean {
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 699)
      throw new RangeError(`status ${status} is not a SIP status code`);
    switch (this.state) {
      case 'Proceeding':
        this.timerTrying = this.stopTimer(this.timerTrying);
        if (status < 200) {
          this.lastProvisional = response;
          this.send(response);
          return true;
        }
        // Kept through Accepted or Completed: a copy, not a slice of the response's text.
        this.toTag = copyOf(response.to.params.value('tag'));
        if (status < 300) {
          // RFC 6026 §7.1: the 2xx is sent once; the TU retransmits it (RFC 3261 §13.3.1.4).
          this.state = 'Accepted';
          this.timerL = this.startTimer(this.host.timers.timeout, () => this.fireL());
          this.send(response);
          // Accepted never re-sends a provisional (RFC 6026 §7.1). The INVITE stays: a UAS
          // core builds the retransmissions of its 2xx from it.
          this.lastProvisional = undefined;
          return true;
        }
        this.state = 'Completed';
        if (!this.reliable) {
          this.intervalG = this.host.timers.t1;
          this.timerG = this.startTimer(this.intervalG, () => this.fireG());
        }
        this.timerH = this.startTimer(this.host.timers.timeout, () => this.fireH());
        this.lastProvisional = undefined;
        this.lastFinal = this.transmitKept(response);
        if (this.fallback !== undefined) this.lastSent = this.lastFinal;
        // Completed only re-sends the final response and waits for the ACK: the INVITE and
        // the parsed response are not needed any more.
        this.releaseRequest();
        return true;
      case 'Accepted':
        // RFC 6026 §7.1: 2xx responses from the TU (its retransmissions, or a proxy's
        // forwarded 2xx from other forks) are passed to the transport.
        if (status >= 200 && status < 300) {
          this.send(response);
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  /** A retransmission of the INVITE (§17.2.1). */
  receiveRequest(_rm: ReceivedMessage): void {
    switch (this.state) {
      case 'Proceeding':
        // The most recent provisional response goes out again; when the TU has sent none yet,
        // the 100 (Trying) goes out now: the client is evidently still retransmitting.
        this.host.counters.retransmissionsSent++;
        if (this.lastProvisional !== undefined) this.send(this.lastProvisional);
        else this.sendTrying();
        return;
      case 'Completed':
        this.host.counters.retransmissionsSent++;
        if (this.lastFinal !== undefined) this.transmitStored(this.lastFinal);
        return;
      default:
        // Confirmed and (RFC 6026 §7.1) Accepted absorb INVITE retransmissions.
        this.host.counters.retransmissionsAbsorbed++;
        return;
    }
  }

  /** An ACK matched to this transaction (§17.2.3). */
  receiveAck(rm: ReceivedMessage): void {
    switch (this.state) {
      case 'Completed': {
        // §17.2.1: the ACK for the non-2xx final response; Timer I absorbs further ACKs.
        this.state = 'Confirmed';
        this.lastFinal = undefined;
        this.timerG = this.stopTimer(this.timerG);
        this.timerH = this.stopTimer(this.timerH);
        const i = this.host.timers.timerI(this.reliable);
        if (i === 0) this.terminate();
        else this.timerI = this.startTimer(i, () => this.fireI());
        return;
      }
      case 'Accepted':
        // RFC 6026 §7.1: an ACK received in Accepted is passed to the TU, not absorbed.
        this.host.counters.strayAcks++;
        this.user.receiveStrayAck(rm, this);
        return;
      default:
        this.host.counters.retransmissionsAbsorbed++;
        return;
    }
  }

  private sendTrying(): void {
    this.timerTrying = this.stopTimer(this.timerTrying);
    const trying = buildResponse(this.request, 100, 'Trying');
    this.lastProvisional = trying;
    this.send(trying);
  }

  private send(response: SipResponse): void {
    if (this.fallback !== undefined) this.lastSent = response;
    this.transmit(response);
  }

  private fireTrying(): void {
    this.timerTrying = undefined;
    if (this.state === 'Proceeding' && this.lastProvisional === undefined) this.sendTrying();
  }

  /** Timer G: the final response goes out again; the interval doubles up to T2 (§17.2.1). */
  private fireG(): void {
    this.timerG = undefined;
    if (this.state !== 'Completed' || this.lastFinal === undefined) return;
    this.host.counters.retransmissionsSent++;
    this.transmitStored(this.lastFinal);
    this.intervalG = this.host.timers.backoff(this.intervalG);
    this.timerG = this.startTimer(this.intervalG, () => this.fireG());
  }

  /** Timer H: no ACK in 64*T1; the TU is told of the failure (§17.2.1). */
  private fireH(): void {
    this.timerH = undefined;
    if (this.state === 'Completed') this.terminate('timeout');
  }

  private fireI(): void {
    this.timerI = undefined;
    this.terminate();
  }

  private fireL(): void {
    this.timerL = undefined;
    this.terminate();
  }

  /**
   * RFC 6026 §8.8 (replacing RFC 3261 §17.2.4): first the backup of §18.2.2 (a new
   * connection to `received` and the sent-by port when the request's connection is gone);
   * if that fails too, the TU is told once and the transaction stays in its state, so that
   * it keeps absorbing retransmissions until its timers end it.
   */
  protected transportFailed(error: TransportError): void {
    // Not skipped once Terminated: on a reliable transport Timer J (or I) is zero, so the
    // final response's failure is only known after the transaction ended.
    const fallback = this.fallback;
    if (fallback !== undefined && error.kind === 'connection-closed' && this.lastSent !== undefined) {
      this.fallback = undefined;
      this.retarget(fallback);
      this.transmitStored(this.lastSent);
      return;
    }
    if (this.toldTransportError) return;
    this.toldTransportError = true;
    this.user.onTransportError(this, error);
  }

  private terminate(cause?: 'timeout'): void {
    if (this.state === 'Terminated') return;
    this.state = 'Terminated';
    this.timerTrying = this.stopTimer(this.timerTrying);
    this.timerG = this.stopTimer(this.timerG);
    this.timerH = this.stopTimer(this.timerH);
    this.timerI = this.stopTimer(this.timerI);
    this.timerL = this.stopTimer(this.timerL);
    this.host.release(this);
    if (cause === 'timeout') {
      this.host.counters.timeouts++;
      this.user.onTimeout(this);
    }
    this.user.onTerminated?.(this);
    this.lastProvisional = undefined;
    this.lastFinal = undefined;
    this.releaseRequest();
  }

  /** Ends the transaction at once without telling the TU why (layer shutdown). */
  abort(): void {
    this.terminate();
  }
}

function copyOf(tag: string | undefined): string | undefined {
  return tag === undefined ? undefined : flat(tag);
}
