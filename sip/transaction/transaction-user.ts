import type { SipResponse } from '../message/message.ts';
import type { ReceivedMessage, TransportError } from '../transport/types.ts';
import type { InviteClientTransaction } from './ict.ts';
import type { InviteServerTransaction } from './ist.ts';
import type { NonInviteClientTransaction } from './nict.ts';
import type { NonInviteServerTransaction } from './nist.ts';

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;
/** Any transaction; tell them apart by `kind` ('ict' | 'nict' | 'ist' | 'nist'). */
export type Transaction = ClientTransaction | ServerTransaction;

/** Upcalls every transaction makes to its TU. */
export interface TransactionEvents {
  /**
   * Timer B or F fired before a final response (the TU acts as if it received 408,
   * RFC 3261 §8.1.3.1), or Timer H fired before the ACK (§17.2.1).
   */
  onTimeout(txn: Transaction): void;
  /**
   * A send failed. A client transaction is Terminated by then (§17.1.4; the TU acts as if it
   * received 503, §8.1.3.1, and may fail over, RFC 3263). A server transaction stays in its
   * state (RFC 6026 §8.8) and reports only its first failure.
   */
  onTransportError(txn: Transaction, error: TransportError): void;
  /** The transaction reached Terminated and was removed from the layer. */
  onTerminated?(txn: Transaction): void;
}

/** The TU of a client transaction (a UAC core, a proxy's forwarding logic). */
export interface ClientTransactionUser extends TransactionEvents {
  /** A response for the TU: provisional and final responses, 2xx retransmissions in Accepted. */
  receiveResponse(txn: ClientTransaction, response: SipResponse): void;
}

/** The TU of server transactions (a UAS core, a proxy). */
export interface ServerTransactionUser extends TransactionEvents {
  /** A new request; the TU answers with `txn.respond(...)`. Retransmissions never reach here. */
  receiveRequest(txn: ServerTransaction, rm: ReceivedMessage): void;
  /**
   * An ACK that belongs to no transaction: the ACK for a 2xx (RFC 3261 §17, §13.3.1.4). When
   * it matched an INVITE server transaction in Accepted that transaction is given (RFC 6026
   * §7.1: such ACKs go to the TU and are not absorbed).
   */
  receiveStrayAck(rm: ReceivedMessage, accepted: InviteServerTransaction | undefined): void;
}

/** The TU of a transaction layer: it owns every server transaction and, by default, client ones. */
export interface TransactionUser extends ClientTransactionUser, ServerTransactionUser {
  /**
   * A response that matched no client transaction. Only a stateless proxy implements this
   * (RFC 6026 §8.9: every other element silently discards such responses); when absent the
   * layer discards and counts them.
   */
  receiveStrayResponse?(rm: ReceivedMessage): void;
}
