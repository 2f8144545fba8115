import { type Clock, systemClock } from '../clock/clock.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/message.ts';
import { formatVia } from '../message/via.ts';
import type { Destination, ReceivedMessage, Transport, TransportDelegate } from '../transport/types.ts';
import { BranchGenerator, hasMagicCookie } from './branch.ts';
import { type CancelOptions, createCancel } from './create-cancel.ts';
import { ExpiringKeys } from './expiring-keys.ts';
import { InviteClientTransaction } from './ict.ts';
import { InviteServerTransaction } from './ist.ts';
import { NonInviteClientTransaction } from './nict.ts';
import { NonInviteServerTransaction } from './nist.ts';
import { responseDestination, responseFallback } from './response-destination.ts';
import { type TimerSettings, TransactionTimers } from './timers.ts';
import {
  newCounters,
  silentLogger,
  type TransactionCounters,
  type TransactionHost,
  type TransactionLogger,
} from './transaction-base.ts';
import { clientKey, legacyAckKey, legacyKey, serverKey } from './transaction-key.ts';
import type {
  ClientTransaction,
  ClientTransactionUser,
  ServerTransaction,
  Transaction,
  TransactionUser,
} from './transaction-user.ts';

export interface TransactionLayerOptions {
  /** where requests and responses go (a transport manager, or a loopback endpoint in tests) */
  transport: Transport;
  /** the TU: receives new requests, stray ACKs, and the events of its transactions */
  user: TransactionUser;
  /** the clock every RFC timer runs on; systemClock when absent */
  clock?: Clock;
  /** T1, T2, T4, Timer D and the 100 Trying delay (see timers.ts for defaults) */
  timers?: Partial<TimerSettings>;
  logger?: TransactionLogger;
}

export interface CancelRequestOptions extends CancelOptions {
  /** the TU of the CANCEL's client transaction; the INVITE transaction's TU when absent */
  user?: ClientTransactionUser;
}

/** What `TransactionLayer.cancel` did (RFC 3261 §9.1). */
export type CancelOutcome =
  | { kind: 'sent'; cancel: NonInviteClientTransaction }
  /** no provisional response yet: the CANCEL goes out when the first one arrives */
  | { kind: 'deferred' }
  /** a final response was received (or the transaction ended): there is nothing to cancel */
  | { kind: 'too-late' };

/**
 * The transaction layer (RFC 3261 §17): creates client transactions for the TU's requests,
 * matches received messages to transactions (§17.1.3, §17.2.3) with one Map lookup, creates
 * server transactions for new requests, and forgets transactions when they terminate.
 * Plug it into the transports as their TransportDelegate.
 */
export class TransactionLayer implements TransportDelegate {
  readonly counters: TransactionCounters = newCounters();
  readonly user: TransactionUser;
  private readonly host: TransactionHost;
  private readonly branches = new BranchGenerator();
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  /** keys of non-INVITE client transactions in Completed over unreliable transports (Timer K) */
  private readonly completedClients: ExpiringKeys;
  /** RFC 2543 INVITE server transactions by their ACK key (§17.2.3) */
  private readonly legacyAcks = new Map<string, InviteServerTransaction>();

  constructor(options: TransactionLayerOptions) {
    this.user = options.user;
    this.host = {
      clock: options.clock ?? systemClock,
      transport: options.transport,
      timers: new TransactionTimers(options.timers),
      logger: options.logger ?? silentLogger,
      counters: this.counters,
      release: (txn) => this.release(txn),
      absorbLateResponses: (txn) => this.completedClients.add(txn.id),
    };
    this.completedClients = new ExpiringKeys(this.host.clock, this.host.timers.timerK(false));
  }

  /** The clock the layer's timers run on (forwarding contexts use it for Timer C). */
  get clock(): Clock {
    return this.host.clock;
  }

  get timers(): TransactionTimers {
    return this.host.timers;
  }

  /** Number of live transactions, client and server. */
  get size(): number {
    return this.clients.size + this.servers.size;
  }

  /** A new branch for a request this element originates (RFC 3261 §8.1.1.7). */
  newBranch(): string {
    return this.branches.next();
  }

  /**
   * Sends a request in a new client transaction: an INVITE client transaction for INVITE, a
   * non-INVITE one otherwise. The request must carry its top Via (the TU knows its sent-by);
   * a top Via without a branch gets a new one. `destination` is the next hop the TU resolved.
   */
  sendRequest(
    request: SipRequest,
    destination: Destination,
    user: ClientTransactionUser = this.user,
  ): ClientTransaction {
    if (request.method === 'ACK')
      throw new TypeError(
        'ACK is never sent in a client transaction: the ACK for a 2xx goes through sendStateless (RFC 3261 §13.2.2.4, §17)',
      );
    if (request.cseq.method !== request.method)
      throw new TypeError(
        `CSeq method ${request.cseq.method} differs from the request method ${request.method}`,
      );
    let branch = request.topVia.params.get('branch');
    if (branch === undefined || branch === null || branch === '') {
      branch = this.newBranch();
      setTopViaBranch(request, branch);
    }
    const key = clientKey(branch, request.method);
    if (this.clients.has(key))
      throw new Error(`a ${request.method} client transaction with branch ${branch} already exists`);
    const txn =
      request.method === 'INVITE'
        ? new InviteClientTransaction(this.host, key, request, destination, user)
        : new NonInviteClientTransaction(this.host, key, request, destination, user);
    this.clients.set(key, txn);
    this.counters.clientTransactions++;
    this.host.logger.debug({ txn: key, kind: txn.kind }, 'client transaction created');
    txn.start();
    return txn;
  }

  /**
   * Cancels a pending INVITE (RFC 3261 §9.1): a CANCEL built by `createCancel` goes to the
   * INVITE's destination in its own non-INVITE client transaction, once a provisional
   * response has arrived (before that, the CANCEL waits for one).
   */
  cancel(invite: InviteClientTransaction, options: CancelRequestOptions = {}): CancelOutcome {
    switch (invite.state) {
      case 'Proceeding':
        return { kind: 'sent', cancel: this.sendCancel(invite, options) };
      case 'Calling':
        invite.whenProceeding((txn) => this.sendCancel(txn, options));
        return { kind: 'deferred' };
      default:
        return { kind: 'too-late' };
    }
  }

  /**
   * Sends a message outside any transaction: the ACK for a 2xx (RFC 3261 §13.2.2.4), a 2xx
   * retransmission by a UAS core (§13.3.1.4), stateless forwarding. Rejects with TransportError.
   */
  sendStateless(message: SipMessage, destination: Destination): Promise<void> {
    return this.host.transport.send(message, destination);
  }

  /**
   * The INVITE server transaction a CANCEL targets (RFC 3261 §9.2): the §17.2.3 match of the
   * CANCEL taken as if its method were INVITE. The TU answers the CANCEL (200, or 481 when this
   * returns undefined) and, when the INVITE is still Proceeding, answers the INVITE with 487.
   */
  findInviteForCancel(cancel: SipRequest): InviteServerTransaction | undefined {
    const via = cancel.topVia;
    const branch = via.params.get('branch');
    const key = hasMagicCookie(branch) ? serverKey(branch, via, 'INVITE') : legacyKey(cancel, 'INVITE');
    const txn = this.servers.get(key);
    return txn?.kind === 'ist' ? txn : undefined;
  }

  /** TransportDelegate: every message the transports received and parsed. */
  receiveMessage(rm: ReceivedMessage): void {
    const m = rm.message;
    if (m.kind === 'response') this.receiveResponse(rm, m);
    else this.receiveRequest(rm, m);
  }

  /** Ends every transaction at once (shutdown); their TUs get onTerminated only. */
  close(): void {
    for (const txn of [...this.clients.values(), ...this.servers.values()]) txn.abort();
    this.completedClients.clear();
  }

  /** §17.1.3 / §18.1.2 as updated by RFC 6026 §8.9. */
  private receiveResponse(rm: ReceivedMessage, response: SipResponse): void {
    const branch = response.topVia.params.get('branch');
    const key = branch === undefined || branch === null ? undefined : clientKey(branch, response.cseq.method);
    const txn = key === undefined ? undefined : this.clients.get(key);
    if (txn !== undefined) {
      txn.receiveResponse(response);
      return;
    }
    if (key !== undefined && this.completedClients.has(key)) {
      // §17.1.2.2: a NICT in Completed absorbs retransmissions of its final response.
      this.counters.retransmissionsAbsorbed++;
      return;
    }
    this.counters.strayResponses++;
    if (this.user.receiveStrayResponse !== undefined) this.user.receiveStrayResponse(rm);
    else
      this.host.logger.debug(
        { status: response.status, cseq: response.cseq.method, branch },
        'stray response discarded (RFC 6026 §8.9)',
      );
  }

  /** §17.2.3 (and §18.2.1 as updated by RFC 6026 §8.10). */
  private receiveRequest(rm: ReceivedMessage, request: SipRequest): void {
    const via = request.topVia;
    const branch = via.params.get('branch');
    if (hasMagicCookie(branch)) {
      const key = serverKey(branch, via, request.method);
      const txn = this.servers.get(key);
      if (request.method === 'ACK') {
        if (txn?.kind === 'ist') txn.receiveAck(rm);
        else this.strayAck(rm);
      } else if (txn !== undefined) txn.receiveRequest(rm);
      else this.createServer(rm, request, key, undefined);
      return;
    }
    // RFC 2543 peers: match on the identifying header fields (last paragraphs of §17.2.3).
    if (request.method === 'ACK') {
      const ist = this.legacyAcks.get(legacyAckKey(request));
      const ackTag = request.to.params.value('tag') ?? '';
      if (ist !== undefined && ist.state !== 'Proceeding' && (ist.toTag ?? '') === ackTag) ist.receiveAck(rm);
      else this.strayAck(rm);
      return;
    }
    const key = legacyKey(request, request.method);
    const txn = this.servers.get(key);
    if (txn !== undefined) txn.receiveRequest(rm);
    else this.createServer(rm, request, key, request.method === 'INVITE' ? legacyAckKey(request) : undefined);
  }

  private createServer(
    rm: ReceivedMessage,
    request: SipRequest,
    key: string,
    ackKey: string | undefined,
  ): void {
    const via = request.topVia;
    const destination = responseDestination(via, rm.source);
    const fallback = responseFallback(via, rm.source);
    let txn: ServerTransaction;
    if (request.method === 'INVITE') {
      const ist = new InviteServerTransaction(
        this.host,
        key,
        request,
        rm.source,
        destination,
        fallback,
        this.user,
      );
      if (ackKey !== undefined) {
        ist.legacyAckKey = ackKey;
        this.legacyAcks.set(ackKey, ist);
      }
      txn = ist;
    } else {
      txn = new NonInviteServerTransaction(
        this.host,
        key,
        request,
        rm.source,
        destination,
        fallback,
        this.user,
      );
    }
    this.servers.set(key, txn);
    this.counters.serverTransactions++;
    this.host.logger.debug({ txn: key, kind: txn.kind }, 'server transaction created');
    txn.start();
    this.user.receiveRequest(txn, rm);
  }

  private strayAck(rm: ReceivedMessage): void {
    this.counters.strayAcks++;
    this.user.receiveStrayAck(rm, undefined);
  }

  private sendCancel(
    invite: InviteClientTransaction,
    options: CancelRequestOptions,
  ): NonInviteClientTransaction {
    const request = createCancel(invite.request, options);
    const key = clientKey(invite.branch ?? '', 'CANCEL');
    const existing = this.clients.get(key);
    if (existing?.kind === 'nict') return existing;
    const txn = new NonInviteClientTransaction(
      this.host,
      key,
      request,
      invite.destination,
      options.user ?? invite.user,
    );
    this.clients.set(key, txn);
    this.counters.clientTransactions++;
    txn.start();
    return txn;
  }

  private release(txn: Transaction): void {
    if (txn.kind === 'ict' || txn.kind === 'nict') {
      if (this.clients.get(txn.id) === txn) this.clients.delete(txn.id);
      return;
    }
    if (this.servers.get(txn.id) === txn) this.servers.delete(txn.id);
    if (txn.kind === 'ist' && txn.legacyAckKey !== undefined && this.legacyAcks.get(txn.legacyAckKey) === txn)
      this.legacyAcks.delete(txn.legacyAckKey);
  }
}

/** Puts `branch` into the top Via of a request the TU built without one. */
function setTopViaBranch(request: SipRequest, branch: string): void {
  const via = request.topVia;
  const params = via.params.clone();
  params.set('branch', branch);
  request.headers.removeFirstValue('via');
  request.headers.prepend('via', formatVia({ ...via, params }));
}
