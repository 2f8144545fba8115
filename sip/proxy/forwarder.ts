import { reasonPhrase } from '../error/sip-error.ts';
import type { SipRequest, SipResponse } from '../message/message.ts';
import {
  buildResponse,
  type ClientTransaction,
  type ClientTransactionUser,
  type InviteClientTransaction,
  type ServerTransaction,
  type Transaction,
  type TransactionLayer,
} from '../transaction/index.ts';
import type { Destination, TransportError } from '../transport/types.ts';

/**
 * Stateful forwarding (RFC 3261 §16.6-§16.10): one server transaction, one client transaction
 * per target, responses relayed upstream with the proxy's Via removed. Which targets, which
 * Route, Record-Route or identity headers is decided by the role's policy before calling
 * `forward`; the policy can also look at (and edit) each response through `ForwardHooks`.
 */

export interface ForwardTarget {
  /** the request to send, already prepared (see forwardCopy): our Via with a new branch on top */
  request: SipRequest;
  destination: Destination;
}

export interface ForwardHooks {
  /**
   * Sees every response from downstream before it is relayed (after our Via is removed).
   * Returning false absorbs it. Called for synthesized 408/503 too.
   */
  onResponse?(response: SipResponse, branch: ForwardBranch): boolean | undefined;
  /**
   * The status to answer when a branch fails at transport level (default 503, RFC 3261
   * §16.7 step 2 / §8.1.3.1). An edge proxy answers 430 when a flow is gone (RFC 5626 §5.3).
   */
  transportFailureStatus?(error: TransportError, branch: ForwardBranch): number;
  /** The forwarding ended: a final response went upstream (or nothing could be sent). */
  onDone?(final: SipResponse | undefined): void;
}

export interface ForwardBranch {
  readonly target: ForwardTarget;
  client: ClientTransaction | undefined;
  /** the best final response received on this branch */
  final: SipResponse | undefined;
}

/** One forwarding context: a server transaction and its branches (RFC 3261 §16.7 "response context"). */
export class ForwardContext implements ClientTransactionUser {
  readonly server: ServerTransaction;
  readonly branches: ForwardBranch[];
  private readonly layer: TransactionLayer;
  private readonly hooks: ForwardHooks;
  private finalSent = false;
  private cancelled = false;

  constructor(
    layer: TransactionLayer,
    server: ServerTransaction,
    targets: ForwardTarget[],
    hooks: ForwardHooks,
  ) {
    this.layer = layer;
    this.server = server;
    this.hooks = hooks;
    this.branches = targets.map((target) => ({ target, client: undefined, final: undefined }));
  }

  get done(): boolean {
    return this.finalSent;
  }

  start(): void {
    for (const b of this.branches) {
      b.client = this.layer.sendRequest(b.target.request, b.target.destination, this);
    }
  }

  /** RFC 3261 §16.10: CANCEL every pending client transaction (the 487s come back upstream). */
  cancel(reason?: string): void {
    this.cancelled = true;
    for (const b of this.branches) this.cancelBranch(b, reason);
  }

  private cancelBranch(b: ForwardBranch, reason?: string): void {
    if (b.final !== undefined || b.client?.kind !== 'ict') return;
    this.layer.cancel(b.client as InviteClientTransaction, reason === undefined ? {} : { reason });
  }

  private branchOf(txn: Transaction): ForwardBranch | undefined {
    return this.branches.find((b) => b.client === txn);
  }

  // ClientTransactionUser

  receiveResponse(txn: ClientTransaction, response: SipResponse): void {
    const b = this.branchOf(txn);
    if (b === undefined) return;
    // §16.7 step 3: remove our Via.
    response.headers.removeFirstValue('via');
    if (!response.headers.has('via')) return; // it was for us alone: nothing to relay
    this.handle(b, response);
  }

  onTimeout(txn: Transaction): void {
    const b = this.branchOf(txn);
    if (b === undefined || b.final !== undefined) return;
    // §16.7 step 2 / §16.8: a timeout counts as a 408 for this branch.
    this.handle(b, this.synthesize(408));
  }

  onTransportError(txn: Transaction, error: TransportError): void {
    const b = this.branchOf(txn);
    if (b === undefined || b.final !== undefined) return;
    const status = this.hooks.transportFailureStatus?.(error, b) ?? 503;
    this.handle(b, this.synthesize(status));
  }

  private synthesize(status: number): SipResponse {
    return buildResponse(this.server.request, status, reasonPhrase(status));
  }

  private handle(b: ForwardBranch, response: SipResponse): void {
    const status = response.status;
    if (status < 200) {
      // §16.7 step 5: provisional responses other than 100 go upstream at once.
      if (status === 100 || this.finalSent) return;
      if (this.hooks.onResponse?.(response, b) === false) return;
      this.server.respond(response);
      return;
    }
    const isInvite = this.server.request.method === 'INVITE';
    if (status < 300) {
      b.final ??= response;
      // §16.7 step 5: every 2xx to an INVITE is forwarded (also after the first, for forking);
      // a 2xx to a non-INVITE ends the context.
      if (this.finalSent && !isInvite) return;
      if (this.hooks.onResponse?.(response, b) === false) return;
      const first = !this.finalSent;
      this.finalSent = true;
      this.server.respond(response);
      if (first) {
        for (const other of this.branches) if (other !== b) this.cancelBranch(other);
        this.hooks.onDone?.(response);
      }
      return;
    }
    b.final = response;
    if (status >= 600 && isInvite && !this.cancelled) {
      // §16.7 step 5: a 6xx cancels the other branches.
      for (const other of this.branches) if (other !== b) this.cancelBranch(other);
    }
    if (this.branches.every((x) => x.final !== undefined || x.client === undefined)) this.sendBest();
  }

  /** §16.7 step 6: the best of the non-2xx finals (6xx first, else the lowest class). */
  private sendBest(): void {
    if (this.finalSent) return;
    let best: SipResponse | undefined;
    for (const b of this.branches) {
      const r = b.final;
      if (r === undefined) continue;
      if (best === undefined || rank(r.status) < rank(best.status)) best = r;
    }
    if (best === undefined) return;
    if (best.status === 503) {
      // §16.7 step 6: a 503 is passed upstream as 500.
      best.status = 500;
      best.reason = reasonPhrase(500);
    }
    if (this.hooks.onResponse?.(best, this.branches.find((b) => b.final === best)!) === false) return;
    this.finalSent = true;
    this.server.respond(best);
    this.hooks.onDone?.(best);
  }
}

function rank(status: number): number {
  if (status >= 600) return 0;
  // 401/407 and 415/420/484 are preferred over other 4xx (§16.7 step 6); then by class.
  if (status === 401 || status === 407) return 1;
  return 2 + Math.floor(status / 100) * 10 + (status % 100) / 1000;
}

/** Creates and starts a forwarding context. */
export function forward(
  layer: TransactionLayer,
  server: ServerTransaction,
  targets: ForwardTarget[],
  hooks: ForwardHooks = {},
): ForwardContext {
  const ctx = new ForwardContext(layer, server, targets, hooks);
  ctx.start();
  return ctx;
}
