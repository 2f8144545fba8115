import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { SipMessage, SipRequest } from '../message/message.ts';
import { type Destination, RELIABLE, type Transport, TransportError } from '../transport/types.ts';
import type { TransactionTimers } from './timers.ts';
import type { Transaction } from './transaction-user.ts';

/** The logger a transaction layer writes to (a pino child logger fits). */
export interface TransactionLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: TransactionLogger = {
  debug() {},
  warn() {},
};

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
}

/**
 * What the four state machines share: identity, the destination and its reliability, sending
 * through the transport with failures routed to `transportFailed`, and timers on the host's
 * clock. Timer and failure callbacks are bound once per transaction, never per message.
 */
export abstract class TransactionBase {
  /** the key the layer files this transaction under (RFC 3261 §17.1.3, §17.2.3) */
  readonly id: string;
  /** the request that created the transaction */
  readonly request: SipRequest;
  /** whether the transport is reliable: no retransmissions, zero wait timers (RFC 3261 §17) */
  readonly reliable: boolean;
  protected readonly host: TransactionHost;
  private dest: Destination;

  constructor(host: TransactionHost, id: string, request: SipRequest, destination: Destination) {
    this.host = host;
    this.id = id;
    this.request = request;
    this.dest = destination;
    this.reliable = RELIABLE[destination.protocol];
  }

  /** where this transaction sends: the next hop (client) or the response destination (server) */
  get destination(): Destination {
    return this.dest;
  }

  /** Sends from now on to `d` (a server's second try, RFC 3261 §18.2.2). */
  protected retarget(d: Destination): void {
    this.dest = d;
  }

  /** the branch of the top Via of the request */
  get branch(): string | undefined {
    return this.request.topVia.params.get('branch') ?? undefined;
  }

  protected transmit(message: SipMessage): void {
    this.host.transport.send(message, this.dest).then(undefined, this.sendRejected);
  }

  private readonly sendRejected = (err: unknown): void => {
    this.host.counters.transportErrors++;
    this.host.logger.debug(
      { txn: this.id, error: err instanceof Error ? err.message : String(err) },
      'transport failure',
    );
    this.transportFailed(asTransportError(err, this.dest));
  };

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
