import type { TimerHandle } from '../clock/clock.ts';
import type { SipRequest, SipResponse } from '../message/message.ts';
import type { Destination, ReceivedMessage, Source, TransportError } from '../transport/types.ts';
import { type Stored, TransactionBase, type TransactionHost } from './transaction-base.ts';
import type { ServerTransactionUser } from './transaction-user.ts';

/** RFC 3261 §17.2.2. */
export type NistState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

/**
 * Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8).
 *
 *   Trying      --request-->         Trying      (retransmission absorbed)
 *               --1xx from TU-->     Proceeding  (sent)
 *   Trying,
 *   Proceeding  --200-699 from TU--> Completed   (sent; Timer J: 64*T1 unreliable, zero reliable)
 *   Proceeding  --request-->         Proceeding  (last provisional sent again)
 *               --1xx from TU-->     Proceeding  (sent)
 *   Completed   --request-->         Completed   (final response sent again)
 *               --final from TU-->   discarded
 *               --Timer J-->         Terminated
 *   any         --transport error--> same state, TU told (RFC 6026 §8.8)
 */
export class NonInviteServerTransaction extends TransactionBase {
  readonly kind = 'nist' as const;
  state: NistState = 'Trying';
  user: ServerTransactionUser;
  /** where the request came from */
  readonly source: Source;
  /** the last response sent: serialised once final, to answer retransmitted requests (§17.2.2) */
  private lastResponse: Stored | undefined;
  private fallback: Destination | undefined;
  private toldTransportError = false;
  private timerJ: TimerHandle | undefined;

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

  /** Nothing to do until the TU answers (§17.2.2: no 100 Trying for non-INVITE requests). */
  start(): void {}

  /** Sends a response from the TU. Returns false when discarded (any response once Completed). */
  respond(response: SipResponse): boolean {
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 699)
      throw new RangeError(`status ${status} is not a SIP status code`);
    if (this.state !== 'Trying' && this.state !== 'Proceeding') return false;
    if (status < 200) {
      this.lastResponse = response;
      this.transmit(response);
      this.state = 'Proceeding';
      return true;
    }
    this.lastResponse = this.transmitKept(response);
    this.state = 'Completed';
    // Completed only re-sends the final response: the request is not needed any more.
    this.releaseRequest();
    const j = this.host.timers.timerJ(this.reliable);
    if (j === 0) this.terminate();
    else this.timerJ = this.startTimer(j, () => this.fireJ());
    return true;
  }

  /** A retransmission of the request (§17.2.2). */
  receiveRequest(_rm: ReceivedMessage): void {
    if ((this.state === 'Proceeding' || this.state === 'Completed') && this.lastResponse !== undefined) {
      this.host.counters.retransmissionsSent++;
      this.transmitStored(this.lastResponse);
      return;
    }
    // Trying: retransmissions are discarded until the TU answers.
    this.host.counters.retransmissionsAbsorbed++;
  }

  private fireJ(): void {
    this.timerJ = undefined;
    this.terminate();
  }

  /** RFC 6026 §8.8: the backup of §18.2.2 first, then the TU is told once; the state stays. */
  protected transportFailed(error: TransportError): void {
    // Not skipped once Terminated: on a reliable transport Timer J (or I) is zero, so the
    // final response's failure is only known after the transaction ended.
    const fallback = this.fallback;
    if (fallback !== undefined && error.kind === 'connection-closed' && this.lastResponse !== undefined) {
      this.fallback = undefined;
      this.retarget(fallback);
      this.transmitStored(this.lastResponse);
      return;
    }
    if (this.toldTransportError) return;
    this.toldTransportError = true;
    this.user.onTransportError(this, error);
  }

  private terminate(): void {
    if (this.state === 'Terminated') return;
    this.state = 'Terminated';
    this.timerJ = this.stopTimer(this.timerJ);
    this.host.release(this);
    this.user.onTerminated?.(this);
    this.releaseRequest();
  }

  /** Ends the transaction at once (layer shutdown). */
  abort(): void {
    this.terminate();
  }
}
