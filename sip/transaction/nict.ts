import type { TimerHandle } from '../clock/clock.ts';
import type { SipRequest, SipResponse } from '../message/message.ts';
import type { Destination, TransportError } from '../transport/types.ts';
import { FORGOTTEN_USER, TransactionBase, type TransactionHost } from './transaction-base.ts';
import type { ClientTransactionUser } from './transaction-user.ts';

/** RFC 3261 §17.1.2.2. */
export type NictState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

/**
 * Non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6).
 *
 *   Trying      --1xx-->      Proceeding  (response to TU)
 *   Trying,
 *   Proceeding  --200-699-->  Completed   (response to TU; Timer K)
 *   Trying      --Timer E-->  Trying      (request sent again; E doubles up to T2)
 *   Proceeding  --Timer E-->  Proceeding  (request sent again; E = T2)
 *   Trying,
 *   Proceeding  --Timer F-->  Terminated  (TU told of the timeout)
 *   Completed   --at once-->  Terminated  (the layer absorbs retransmitted responses
 *                                          to its key for Timer K: T4 unreliable, 0 reliable)
 *   any         --transport error--> Terminated (TU told, §17.1.4)
 */
export class NonInviteClientTransaction extends TransactionBase {
  readonly kind = 'nict' as const;
  state: NictState = 'Trying';
  user: ClientTransactionUser;
  private intervalE = 0;
  private timerE: TimerHandle | undefined;
  private timerF: TimerHandle | undefined;

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

  /** Sends the request, starts Timer E (unreliable only, T1) and Timer F (64*T1) (§17.1.2.2). */
  start(): void {
    this.transmit(this.request);
    const timers = this.host.timers;
    if (!this.reliable) {
      this.intervalE = timers.t1;
      this.timerE = this.startTimer(this.intervalE, () => this.fireE());
    }
    this.timerF = this.startTimer(timers.timeout, () => this.fireF());
  }

  /** A response matched to this transaction by the layer (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    switch (this.state) {
      case 'Trying':
      case 'Proceeding':
        if (response.status < 200) {
          this.state = 'Proceeding';
          this.user.receiveResponse(this, response);
          return;
        }
        this.complete(response);
        return;
      case 'Completed':
      case 'Terminated':
        return;
    }
  }

  /**
   * §17.1.2.2: a final response goes to the TU. Completed then only absorbs retransmissions of
   * the final response, for T4 over unreliable transports (Timer K; zero over reliable ones).
   * The layer does that from this transaction's key alone (`absorbLateResponses`: no object,
   * timer or TU kept for those seconds), so the transaction terminates now.
   */
  private complete(response: SipResponse): void {
    this.timerE = this.stopTimer(this.timerE);
    this.timerF = this.stopTimer(this.timerF);
    this.state = 'Completed';
    this.user.receiveResponse(this, response);
    if (this.state !== 'Completed') return;
    if (!this.reliable) this.host.absorbLateResponses(this);
    this.terminate();
  }

  /**
   * Timer E: send the request again. In Trying the interval doubles up to T2; in Proceeding
   * it is T2 (§17.1.2.2).
   */
  private fireE(): void {
    this.timerE = undefined;
    if (this.state !== 'Trying' && this.state !== 'Proceeding') return;
    this.host.counters.retransmissionsSent++;
    this.transmit(this.request);
    const timers = this.host.timers;
    this.intervalE = this.state === 'Trying' ? timers.backoff(this.intervalE) : timers.t2;
    this.timerE = this.startTimer(this.intervalE, () => this.fireE());
  }

  /** Timer F: no final response in 64*T1; the TU is told of the timeout. */
  private fireF(): void {
    this.timerF = undefined;
    if (this.state === 'Trying' || this.state === 'Proceeding') this.terminate('timeout');
  }

  protected transportFailed(error: TransportError): void {
    this.terminate(error);
  }

  private terminate(cause?: 'timeout' | TransportError): void {
    if (this.state === 'Terminated') return;
    this.state = 'Terminated';
    this.timerE = this.stopTimer(this.timerE);
    this.timerF = this.stopTimer(this.timerF);
    this.host.release(this);
    if (cause === 'timeout') {
      this.host.counters.timeouts++;
      this.user.onTimeout(this);
    } else if (cause !== undefined) this.user.onTransportError(this, cause);
    this.user.onTerminated?.(this);
    this.releaseRequest();
    this.user = FORGOTTEN_USER;
  }

  /** Ends the transaction at once without telling the TU why (layer shutdown). */
  abort(): void {
    this.terminate();
  }
}
