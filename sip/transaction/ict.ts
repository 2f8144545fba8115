import type { TimerHandle } from '../clock/clock.ts';
import type { SipRequest, SipResponse } from '../message/message.ts';
import type { Destination, TransportError } from '../transport/types.ts';
import { buildAck } from './build-ack.ts';
import { FORGOTTEN_USER, type Stored, TransactionBase, type TransactionHost } from './transaction-base.ts';
import type { ClientTransactionUser } from './transaction-user.ts';

/** RFC 3261 §17.1.1.2 with the Accepted state of RFC 6026 §7.2. */
export type IctState = 'Calling' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';

/**
 * INVITE client transaction (RFC 3261 §17.1.1, Figure 5 as replaced by RFC 6026 §8.4).
 *
 *   Calling     --1xx-->      Proceeding   (response to TU; Timers A and B stop)
 *   Calling,
 *   Proceeding  --2xx-->      Accepted     (response to TU; Timer M = 64*T1)
 *               --300-699-->  Completed    (ACK sent, response to TU; Timer D)
 *   Calling     --Timer B-->  Terminated   (TU told of the timeout)
 *   Completed   --300-699-->  Completed    (ACK sent again, response absorbed)
 *   Completed   --Timer D-->  Terminated
 *   Accepted    --2xx-->      Accepted     (each 2xx to the TU: retransmissions and forks)
 *   Accepted    --Timer M-->  Terminated
 *   any         --transport error--> Terminated (TU told, §17.1.4)
 */
export class InviteClientTransaction extends TransactionBase {
  readonly kind = 'ict' as const;
  state: IctState = 'Calling';
  user: ClientTransactionUser;
  /** the ACK for the non-2xx final, kept serialised to answer its retransmissions (§17.1.1.2) */
  private ack: Stored | undefined;
  private intervalA = 0;
  private timerA: TimerHandle | undefined;
  private timerB: TimerHandle | undefined;
  private timerD: TimerHandle | undefined;
  private timerM: TimerHandle | undefined;
  /** run once on the first provisional response: a CANCEL waiting for it (RFC 3261 §9.1) */
  private onFirstProvisional: ((txn: InviteClientTransaction) => void) | undefined;

  constructor(
    host: TransactionHost,
    id: string,
    request: SipRequest,
    destination: Destination,
    user: ClientTransactionUser,
  ) {
    super(host, id, request, destination);
    this.user = user;
  }

  /**
   * Sends the INVITE and starts Timer A (unreliable transports only, initially T1) and Timer B
   * (64*T1) (§17.1.1.2). Called by the layer once the transaction is filed.
   */
  start(): void {
    this.transmit(this.request);
    const timers = this.host.timers;
    if (!this.reliable) {
      this.intervalA = timers.t1;
      this.timerA = this.startTimer(this.intervalA, () => this.fireA());
    }
    this.timerB = this.startTimer(timers.timeout, () => this.fireB());
  }

  /** A response matched to this transaction by the layer (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case 'Calling':
      case 'Proceeding':
        if (status < 200) {
          if (this.state === 'Calling') {
            // §17.1.1.2: a provisional response moves Calling to Proceeding; the client
            // transaction stops retransmitting and Timer B no longer applies.
            this.state = 'Proceeding';
            this.timerA = this.stopTimer(this.timerA);
            this.timerB = this.stopTimer(this.timerB);
          }
          this.user.receiveResponse(this, response);
          const hook = this.onFirstProvisional;
          this.onFirstProvisional = undefined;
          if (hook !== undefined && this.state === 'Proceeding') hook(this);
          return;
        }
        if (status < 300) this.accept(response);
        else this.complete(response);
        return;
      case 'Completed':
        // §17.1.1.2: a retransmitted final response makes the ACK go out again and is not
        // passed up to the TU.
        this.host.counters.retransmissionsAbsorbed++;
        if (status >= 300 && this.ack !== undefined) {
          this.host.counters.retransmissionsSent++;
          this.transmitStored(this.ack);
        }
        return;
      case 'Accepted':
        // RFC 6026 §7.2: every 2xx received in Accepted goes to the TU, which ACKs it
        // (retransmissions of the 2xx, or 2xx from other forks).
        if (status >= 200 && status < 300) this.user.receiveResponse(this, response);
        else this.host.counters.retransmissionsAbsorbed++;
        return;
      case 'Terminated':
        return;
    }
  }

  /**
   * Runs `hook` when the first provisional response arrives, or never if the transaction
   * leaves Calling another way. Used by the layer to hold back a CANCEL (§9.1).
   */
  whenProceeding(hook: (txn: InviteClientTransaction) => void): void {
    this.onFirstProvisional = hook;
  }

  /** RFC 6026 §7.2: a 2xx moves Calling or Proceeding to Accepted and starts Timer M. */
  private accept(response: SipResponse): void {
    this.timerA = this.stopTimer(this.timerA);
    this.timerB = this.stopTimer(this.timerB);
    this.onFirstProvisional = undefined;
    this.state = 'Accepted';
    this.timerM = this.startTimer(this.host.timers.timeout, () => this.fireM());
    this.user.receiveResponse(this, response);
  }

  /**
   * §17.1.1.2: a 300-699 response moves Calling or Proceeding to Completed: the ACK is sent
   * (built per §17.1.1.3), the response goes to the TU, and Timer D starts (at least 32 s on
   * unreliable transports, zero on reliable ones).
   */
  private complete(response: SipResponse): void {
    this.timerA = this.stopTimer(this.timerA);
    this.timerB = this.stopTimer(this.timerB);
    this.onFirstProvisional = undefined;
    this.state = 'Completed';
    this.ack = this.transmitKept(buildAck(this.request, response));
    this.user.receiveResponse(this, response);
    if (this.state !== 'Completed') return;
    // Completed only re-sends the ACK on a retransmitted final: the INVITE is not needed.
    this.releaseRequest();
    const d = this.host.timers.timerD(this.reliable);
    if (d === 0) this.terminate();
    else this.timerD = this.startTimer(d, () => this.fireD());
  }

  /** Timer A: retransmit the INVITE and double the interval (§17.1.1.2; no T2 cap for INVITE). */
  private fireA(): void {
    this.timerA = undefined;
    if (this.state !== 'Calling') return;
    this.host.counters.retransmissionsSent++;
    this.transmit(this.request);
    this.intervalA *= 2;
    this.timerA = this.startTimer(this.intervalA, () => this.fireA());
  }

  /** Timer B: no final response in 64*T1 while Calling; the TU is told of the timeout. */
  private fireB(): void {
    this.timerB = undefined;
    if (this.state === 'Calling') this.terminate('timeout');
  }

  private fireD(): void {
    this.timerD = undefined;
    this.terminate();
  }

  private fireM(): void {
    this.timerM = undefined;
    this.terminate();
  }

  protected transportFailed(error: TransportError): void {
    this.terminate(error);
  }

  /** Terminated: timers stop, the layer forgets the transaction, the TU is told why. */
  private terminate(cause?: 'timeout' | TransportError): void {
    if (this.state === 'Terminated') return;
    this.state = 'Terminated';
    this.onFirstProvisional = undefined;
    this.timerA = this.stopTimer(this.timerA);
    this.timerB = this.stopTimer(this.timerB);
    this.timerD = this.stopTimer(this.timerD);
    this.timerM = this.stopTimer(this.timerM);
    this.host.release(this);
    if (cause === 'timeout') {
      this.host.counters.timeouts++;
      this.user.onTimeout(this);
    } else if (cause !== undefined) this.user.onTransportError(this, cause);
    this.user.onTerminated?.(this);
    this.ack = undefined;
    this.releaseRequest();
    this.user = FORGOTTEN_USER;
  }

  /** Ends the transaction at once without telling the TU why (layer shutdown). */
  abort(): void {
    this.terminate();
  }
}
