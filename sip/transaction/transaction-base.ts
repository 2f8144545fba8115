import type { Clock, TimerHandle } from '../clock/clock.ts';
import { flatString as flat } from '../grammar/flat-string.ts';
import type { SipMessage, SipRequest } from '../message/message.ts';
import { serialize } from '../message/serialize.ts';
import { type Destination, RELIABLE, SENT, type Transport, TransportError } from '../transport/types.ts';
import type { TransactionTimers } from './timers.ts';
import type { ClientTransactionUser, Transaction } from './transaction-user.ts';

const ignore = (): void => {};

/** The user of a terminated client transaction: it forgets the TU it no longer calls. */
export const FORGOTTEN_USER: ClientTransactionUser = {
  receiveResponse: ignore,
  onTimeout: ignore,
  onTransportError: ignore,
};

/** The logger a transaction layer writes to (a pino child logger fits). */
export interface TransactionLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: TransactionLogger = {
  debug() {},
  warn() {},
};

/** A message a transaction may send again: serialised, or parsed when the transport needs it. */
export type Stored = Buffer | SipMessage;

/** What the layer counts; read them from `TransactionLayer.counters`. */
export interface TransactionCounters {
  clientTransactions: number;
  serverTransactions: number;
  /** requests and responses sent again by Timer A, E or G or on a retransmitted request */
  retransmissionsSent: number;
  /** retransmitted requests and responses absorbed by a transaction */
  retransmissionsAbsorbed: number;
  timeouts: number;
  transportErrors: number;
  strayResponses: number;
  strayAcks: number;
}

export function newCounters(): TransactionCounters {
  return {
    clientTransactions: 0,
    serverTransactions: 0,
    retransmissionsSent: 0,
    retransmissionsAbsorbed: 0,
    timeouts: 0,
    transportErrors: 0,
    strayResponses: 0,
    strayAcks: 0,
  };
}

/** What a transaction needs from the layer that owns it. */
export interface TransactionHost {
  readonly clock: Clock;
  readonly transport: Transport;
  readonly timers: TransactionTimers;
  readonly logger: TransactionLogger;
  readonly counters: TransactionCounters;
  /** Called once, when the transaction enters Terminated: the layer forgets it. */
  release(txn: Transaction): void;
  /**
   * A non-INVITE client transaction completed over an unreliable transport: for Timer K (T4)
   * the layer absorbs retransmissions of its final response by its key (RFC 3261 §17.1.2.2).
   */
  absorbLateResponses(txn: Transaction): void;
}

/**
 * What the four state machines share: identity, the destination and its reliability, sending
 * through the transport with failures routed to `transportFailed`, and timers on the host's
 * clock. Timer and failure callbacks are small unnamed arrows made when a timer starts or a
 * message goes out, not per-instance fields: such fields live as long as the transaction and,
 * under tsx (esbuild keepNames), each gets a name property and its own property store.
 */
export abstract class TransactionBase {
  /** the key the layer files this transaction under (RFC 3261 §17.1.3, §17.2.3) */
  readonly id: string;
  /** whether the transport is reliable: no retransmissions, zero wait timers (RFC 3261 §17) */
  readonly reliable: boolean;
  /** the branch of the top Via of the request */
  readonly branch: string | undefined;
  /** the request's Call-ID and method, kept after the request itself is released */
  readonly callId: string;
  readonly method: string;
  protected readonly host: TransactionHost;
  private dest: Destination;
  private req: SipRequest | undefined;

  constructor(host: TransactionHost, id: string, request: SipRequest, destination: Destination) {
    this.host = host;
    this.id = id;
    this.req = request;
    this.dest = destination;
    this.reliable = RELIABLE[destination.protocol];
    const branch = request.topVia.params.get('branch');
    this.branch = branch === null || branch === undefined ? undefined : flat(branch);
    this.callId = flat(request.callId);
    this.method = request.method;
  }

  /**
   * The request that created the transaction, while the TU may still need it. A completed
   * transaction only absorbs retransmissions and lets go of it (BENCHMARKS.md, eP-CSCF item 3):
   * reading it then is a programming mistake and throws; `callId`, `method`, `branch` remain.
   */
  get request(): SipRequest {
    const r = this.req;
    if (r === undefined) throw new TypeError(`the request of transaction ${this.id} was released`);
    return r;
  }

  /** whether `request` can still be read */
  get holdsRequest(): boolean {
    return this.req !== undefined;
  }

  /** Lets go of the request (Completed, Confirmed, Terminated). */
  protected releaseRequest(): void {
    this.req = undefined;
  }

  /**
   * The TU will not read `request` again, and the transaction lets go of it: a proxy that has
   * relayed an INVITE's 2xx, whose transactions stay Accepted for 64*T1 (RFC 6026) for the 2xx
   * retransmissions but need none of the INVITE for them. A UA core, which builds an ACK or its
   * 2xx retransmissions from the INVITE, does not call it.
   */
  forgetRequest(): void {
    this.req = undefined;
  }

  /** where this transaction sends: the next hop (client) or the response destination (server) */
  get destination(): Destination {
    return this.dest;
  }

  /** Sends from now on to `d` (a server's second try, RFC 3261 §18.2.2). */
  protected retarget(d: Destination): void {
    this.dest = d;
  }

  /**
   * Sends a message it may have to send again, and returns it in the form to keep: its bytes
   * when the transport takes serialised messages (serialised once, here), else the message.
   */
  protected transmitKept(message: SipMessage): Stored {
    if (this.host.transport.sendBytes === undefined) {
      this.transmit(message);
      return message;
    }
    const bytes = serialize(message);
    this.transmitStored(bytes);
    return bytes;
  }

  /** Sends a message kept by `transmitKept` again. */
  protected transmitStored(stored: Stored): void {
    const transport = this.host.transport;
    if (Buffer.isBuffer(stored) && transport.sendBytes !== undefined)
      this.watch(transport.sendBytes(stored, this.dest));
    else if (!Buffer.isBuffer(stored)) this.transmit(stored);
  }

  protected transmit(message: SipMessage): void {
    this.watch(this.host.transport.send(message, this.dest));
  }

  /** Routes a send's failure to `transportFailed`; a send done at once (SENT) needs no watching. */
  private watch(sending: Promise<void>): void {
    if (sending !== SENT) sending.then(undefined, (err: unknown) => this.sendRejected(err));
  }

  private sendRejected(err: unknown): void {
    this.host.counters.transportErrors++;
    this.host.logger.debug(
      { txn: this.id, error: err instanceof Error ? err.message : String(err) },
      'transport failure',
    );
    this.transportFailed(asTransportError(err, this.dest));
  }

  /** A send failed (RFC 3261 §17.1.4, §17.2.4 as updated by RFC 6026 §8.8). */
  protected abstract transportFailed(error: TransportError): void;

  protected startTimer(ms: number, fn: () => void): TimerHandle {
    return this.host.clock.setTimer(ms, fn);
  }

  /** Clears a timer if set; returns undefined so that `this.timerX = this.stopTimer(this.timerX)`. */
  protected stopTimer(handle: TimerHandle | undefined): undefined {
    if (handle !== undefined) this.host.clock.clearTimer(handle);
    return undefined;
  }
}

function asTransportError(err: unknown, destination: Destination): TransportError {
  if (err instanceof TransportError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new TransportError(message, destination, 'unreachable');
}
