import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import { reasonPhrase } from '../error/sip-error.ts';
import type { SipRequest, SipResponse } from '../message/message.ts';
import {
  buildResponse,
  type ClientTransaction,
  type ClientTransactionUser,
  type ServerTransaction,
  type Transaction,
  type TransactionLayer,
} from '../transaction/index.ts';
import type { Destination, TransportError } from '../transport/types.ts';
import { bestResponse, upstreamResponse } from './best-response.ts';

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
   * Sees each response that could still go upstream, after our Via is removed and before it is
   * relayed or enters the best-response choice: provisionals (not 100), 2xx, and every non-2xx
   * final of a branch, including the 408/503 (or `transportFailureStatus`) synthesized for a
   * branch. It may edit the response. Returning false absorbs it: a provisional or 2xx is not
   * relayed; a non-2xx final leaves the response context (the branch ends contributing nothing;
   * the policy may `addTarget` a replacement before returning).
   */
  onResponse?(response: SipResponse, branch: ForwardBranch): boolean | undefined;
  /**
   * The status a branch counts as having received when it fails at transport level (default
   * 503, RFC 3261 §16.9; a 503 chosen as best goes upstream as 500, §16.7 step 6). An edge
   * proxy answers 430 when a flow is gone (RFC 5626 §5.3). Must be 300-699.
   */
  transportFailureStatus?(error: TransportError, branch: ForwardBranch): number;
  /** The final response sent upstream (the first 2xx or the best response); called once. */
  onDone?(final: SipResponse): void;
  /**
   * An asynchronous rewrite of each response from downstream (after our Via is removed, before
   * `onResponse`), e.g. the media gateway's answer SDP. Responses are processed in arrival order:
   * a later response waits for the earlier one's rewrite. Must not reject; on failure it edits
   * the response itself (e.g. into an error). Returns undefined, synchronously, when it leaves
   * the response as it is (most responses: a 100, a BYE's 200): the response then goes on at
   * once when no earlier one is still being rewritten, without a turn through promises.
   */
  transform?(response: SipResponse, branch: ForwardBranch): Promise<void> | undefined;
}

export interface ForwardOptions extends ForwardHooks {
  /** the clock Timer C runs on (default: the transaction layer's) */
  clock?: Clock;
  /** Timer C in ms, greater than 3 minutes (RFC 3261 §16.6 step 11); default 181000 */
  timerC?: number;
}

export const DEFAULT_TIMER_C = 181_000;

export interface ForwardBranch {
  readonly target: ForwardTarget;
  /** the client transaction (undefined until started) */
  readonly client: ClientTransaction | undefined;
  /** the final response this branch puts into the response context (§16.7 step 6) */
  readonly final: SipResponse | undefined;
  /** a final response arrived or was synthesized: the branch awaits nothing more */
  readonly ended: boolean;
  /** a CANCEL was requested for this branch (RFC 3261 §16.10, §16.8) */
  readonly cancelled: boolean;
}

class Branch implements ForwardBranch {
  client: ClientTransaction | undefined;
  final: SipResponse | undefined;
  ended = false;
  cancelled = false;
  timerC: TimerHandle | undefined;
  private tgt: ForwardTarget | undefined;
  constructor(target: ForwardTarget) {
    this.tgt = target;
  }

  /** The target; released with the context once it is finished (reading it then throws). */
  get target(): ForwardTarget {
    if (this.tgt === undefined)
      throw new TypeError('the target of a finished forwarding context was released');
    return this.tgt;
  }

  release(): void {
    this.tgt = undefined;
    this.final = undefined;
  }
}

const NO_HOOKS: ForwardHooks = {};

/** One forwarding context: a server transaction and its branches (RFC 3261 §16.7 "response context"). */
export class ForwardContext implements ClientTransactionUser {
  readonly server: ServerTransaction;
  private readonly list: Branch[] = [];
  private readonly layer: TransactionLayer;
  private hooks: ForwardHooks;
  private readonly clock: Clock;
  private readonly timerC: number;
  private readonly isInvite: boolean;
  private finalSent = false;
  /** responses waiting for `transform`, in arrival order; undefined when none is */
  private pending: Promise<void> | undefined = undefined;
  private started = false;
  private cancelled = false;

  constructor(
    layer: TransactionLayer,
    server: ServerTransaction,
    targets: ForwardTarget[],
    options: ForwardOptions = {},
  ) {
    if (targets.length === 0) throw new RangeError('forward needs at least one target');
    const timerC = options.timerC ?? DEFAULT_TIMER_C;
    if (!Number.isFinite(timerC) || timerC <= 180_000)
      throw new RangeError('timerC must be > 180000 ms (RFC 3261 §16.6 step 11)');
    this.layer = layer;
    this.server = server;
    this.hooks = options;
    this.clock = options.clock ?? layer.clock;
    this.timerC = timerC;
    this.isInvite = server.request.method === 'INVITE';
    for (const t of targets) this.list.push(new Branch(t));
  }

  get branches(): readonly ForwardBranch[] {
    return this.list;
  }

  /** A final response went upstream. */
  get done(): boolean {
    return this.finalSent;
  }

  /** Sends the request of every branch, each in its own client transaction (§16.6 step 10). */
  start(): void {
    if (this.started) throw new Error('the forwarding context was already started');
    this.started = true;
    for (const b of this.list) this.startBranch(b);
  }

  /**
   * Adds a target to the response context and forwards to it at once (§16.6: the target set
   * may grow, e.g. a retry on another flow after a 430 absorbed by `onResponse`).
   */
  addTarget(target: ForwardTarget): ForwardBranch {
    // §16.10: once the request is cancelled, no new branch may be created.
    if (this.cancelled) throw new Error('the forwarded request was cancelled');
    if (this.finalSent) throw new Error('a final response was already sent upstream');
    const b = new Branch(target);
    this.list.push(b);
    if (this.started) this.startBranch(b);
    return b;
  }

  /** RFC 3261 §16.10: CANCEL every pending INVITE branch (the 487s come back upstream). */
  cancel(reason?: string): void {
    this.cancelled = true;
    for (const b of this.list) this.cancelBranch(b, reason);
  }

  /**
   * Ends the context at once with `status` upstream (RFC 3261 §16.7 step 6 applied early): used
   * when the policy knows no branch can succeed, e.g. the callee's flow failed while ringing
   * (TS 24.229 §5.2.8.1.1). Pending branches are CANCELled and their late responses absorbed.
   */
  abort(status: number): void {
    if (this.finalSent) return;
    const response = this.synthesize(status);
    this.finalSent = true;
    this.server.respond(response);
    for (const b of this.list) {
      this.cancelBranch(b);
      this.stopTimerC(b);
    }
    this.hooks.onDone?.(response);
  }

  private startBranch(b: Branch): void {
    b.client = this.layer.sendRequest(b.target.request, b.target.destination, this);
    // §16.6 step 11: Timer C guards an INVITE branch that gets provisionals but no final.
    if (this.isInvite) this.armTimerC(b, this.timerC);
  }

  /** §9.1 via §16.10: the CANCEL waits for a provisional; after it, 64*T1 for the final (Timer C reset). */
  private cancelBranch(b: Branch, reason?: string): void {
    if (b.ended || b.cancelled || b.client?.kind !== 'ict') return;
    b.cancelled = true;
    this.layer.cancel(b.client, reason === undefined ? {} : { reason });
    this.armTimerC(b, this.layer.timers.timeout);
  }

  private cancelOthers(b: Branch): void {
    for (const other of this.list) if (other !== b) this.cancelBranch(other);
  }

  private branchOf(txn: Transaction): Branch | undefined {
    return this.list.find((b) => b.client === txn);
  }

  // ClientTransactionUser (also the user of the CANCELs' transactions, whose events are ignored)

  receiveResponse(txn: ClientTransaction, response: SipResponse): void {
    const b = this.branchOf(txn);
    if (b === undefined) return;
    // §16.7 step 3: remove our Via. With none left the response was for this element alone
    // (§16.7 step 3: not forwarded); a final one still ends the branch.
    response.headers.removeFirstValue('via');
    if (!response.headers.has('via')) {
      if (response.status >= 200 && !b.ended) this.endBranch(b, undefined);
      return;
    }
    const transform = this.hooks.transform;
    if (transform === undefined) {
      this.handle(b, response);
      return;
    }
    const pending = this.pending;
    if (pending !== undefined) {
      // Behind the responses still being rewritten, in arrival order.
      this.queue(
        pending.then(() => transform(response, b)),
        () => this.handle(b, response),
      );
      return;
    }
    let rewrite: Promise<void> | undefined;
    try {
      rewrite = transform(response, b);
    } catch {
      // A transform must not fail; if one does, the response goes on as it is.
      rewrite = undefined;
    }
    if (rewrite === undefined) this.handle(b, response);
    else this.queue(rewrite, () => this.handle(b, response));
  }

  /** Runs `fn` after the responses still being transformed, or at once when none is. */
  private afterPending(fn: () => void): void {
    const pending = this.pending;
    if (pending === undefined) fn();
    else this.queue(pending, fn);
  }

  /** Runs `fn` once `before` settles, as the new tail of `pending` (cleared when still the tail). */
  private queue(before: Promise<unknown>, fn: () => void): void {
    // Arrows passed straight on, not held in named constants: under tsx (esbuild keepNames) each
    // named arrow made per response costs a defineProperty of its name.
    const chain: Promise<void> = before.then(
      () => this.dequeue(chain, fn),
      () => this.dequeue(chain, fn),
    );
    this.pending = chain;
  }

  private dequeue(chain: Promise<void>, fn: () => void): void {
    if (this.pending === chain) this.pending = undefined;
    fn();
  }

  onTimeout(txn: Transaction): void {
    const b = this.branchOf(txn);
    // §16.7 step 2 / §16.8: a timeout counts as a 408 for this branch.
    if (b !== undefined && !b.ended) this.failBranch(b, 408);
  }

  onTransportError(txn: Transaction, error: TransportError): void {
    const b = this.branchOf(txn);
    if (b === undefined || b.ended) return;
    // §16.9: as if the branch received a 503 (or the status the policy picks, e.g. 430).
    if (this.finalSent) {
      this.failBranch(b, 503);
      return;
    }
    const status = this.hooks.transportFailureStatus?.(error, b) ?? 503;
    this.failBranch(b, status);
  }

  /**
   * A branch ends without a response (timeout, transport failure, Timer C): it counts as
   * `status`. Once the context has answered upstream the status is not needed (the server
   * transaction may have released its request): the branch just ends.
   */
  private failBranch(b: Branch, status: number): void {
    if (this.finalSent || !this.server.holdsRequest) this.endBranch(b, undefined);
    else this.handle(b, this.synthesize(status));
  }

  /**
   * Once a non-INVITE context answered upstream and every branch ended, it keeps nothing the
   * late events of its client transactions (absorbed retransmissions, Timer K) would need:
   * the targets' requests, the finals and the policy's hooks (their closures) are released.
   */
  private releaseIfFinished(): void {
    // INVITE: 2xx from forks and their retransmissions keep coming through the hooks (Accepted).
    if (this.isInvite || !this.finalSent || !this.list.every((b) => b.ended)) return;
    this.afterPending(() => {
      if (!this.list.every((b) => b.ended)) return;
      this.hooks = NO_HOOKS;
      for (const b of this.list) b.release();
    });
  }

  /** A client transaction ended without a final for its branch (layer shutdown): forget it. */
  onTerminated(txn: Transaction): void {
    const b = this.branchOf(txn);
    if (b === undefined) return;
    // Behind any response still being transformed: a final that arrived just before the
    // transaction ended must end the branch first.
    this.afterPending(() => {
      if (!b.ended) this.endBranch(b, undefined);
    });
  }

  /** A response the proxy generates for a branch, as a UAS would (a To tag, §8.2.6.2). */
  private synthesize(status: number): SipResponse {
    return buildResponse(this.server.request, status, reasonPhrase(status), randomBytes(5).toString('hex'));
  }

  private consult(response: SipResponse, b: Branch): boolean {
    return this.hooks.onResponse?.(response, b) !== false;
  }

  private handle(b: Branch, response: SipResponse): void {
    const status = response.status;
    if (status < 200) {
      if (b.ended) return;
      // §16.7 step 2: a provisional other than 100 resets Timer C (not once the branch is cancelled).
      if (this.isInvite && status > 100 && !b.cancelled) this.armTimerC(b, this.timerC);
      // §16.7 step 5: provisional responses other than 100 go upstream at once.
      if (status === 100 || this.finalSent) return;
      if (this.consult(response, b)) this.server.respond(response);
      return;
    }
    if (status < 300) {
      this.relay2xx(b, response);
      return;
    }
    if (this.finalSent) {
      // The context already answered: a late non-2xx is only recorded.
      this.endBranch(b, response);
      return;
    }
    const kept = this.consult(response, b);
    // §16.7 step 5: a 6xx is not relayed at once, but the other pending branches are cancelled.
    if (kept && status >= 600 && this.isInvite) this.cancelOthers(b);
    this.endBranch(b, kept ? response : undefined);
  }

  /** §16.7 step 5: a 2xx goes upstream at once; for an INVITE every 2xx does (forks, retransmissions). */
  private relay2xx(b: Branch, response: SipResponse): void {
    const firstOnBranch = !b.ended;
    if (firstOnBranch) {
      b.ended = true;
      this.stopTimerC(b);
    }
    if (this.finalSent && !this.isInvite) {
      if (firstOnBranch) this.releaseIfFinished();
      return;
    }
    if (!this.consult(response, b)) {
      if (firstOnBranch) this.finishIfAllEnded();
      if (firstOnBranch) this.releaseIfFinished();
      return;
    }
    b.final ??= response;
    const first = !this.finalSent;
    this.finalSent = true;
    this.server.respond(response);
    if (!first) return;
    // §16.7 step 10: the final response is sent; CANCEL every pending branch.
    this.cancelOthers(b);
    this.hooks.onDone?.(response);
    this.releaseIfFinished();
    // An INVITE context lives on while its transactions are Accepted (64*T1), for the 2xx
    // retransmissions and other forks' 2xx, which need the hooks but none of the requests (the
    // received one, those sent) or the finals collected.
    if (this.isInvite) this.afterPending(() => this.releaseTargets());
  }

  private releaseTargets(): void {
    for (const x of this.list) {
      // A branch still pending (being CANCELled) keeps its INVITE: its ICT builds the ACK for
      // the 487 from it.
      if (x.client?.state === 'Accepted') x.client.forgetRequest();
      x.release();
    }
    this.server.forgetRequest();
  }

  private endBranch(b: Branch, final: SipResponse | undefined): void {
    b.ended = true;
    b.final = final;
    this.stopTimerC(b);
    this.finishIfAllEnded();
    this.releaseIfFinished();
  }

  /** §16.7 step 6: once every branch has ended, the best response goes upstream. */
  private finishIfAllEnded(): void {
    if (this.finalSent || !this.list.every((b) => b.ended)) return;
    // The server transaction ended without a final (layer shutdown): nobody is left to answer.
    if (!this.server.holdsRequest) {
      this.finalSent = true;
      return;
    }
    const finals = this.list.flatMap((b) => (b.final === undefined ? [] : [b.final]));
    const best = bestResponse(finals);
    // §16.7 step 6: with no final response in the context, the proxy answers 408.
    const response = best === undefined ? this.synthesize(408) : upstreamResponse(best, finals);
    this.finalSent = true;
    this.server.respond(response);
    this.hooks.onDone?.(response);
  }

  private armTimerC(b: Branch, ms: number): void {
    this.stopTimerC(b);
    b.timerC = this.clock.setTimer(ms, () => this.fireTimerC(b));
  }

  private stopTimerC(b: Branch): void {
    if (b.timerC !== undefined) this.clock.clearTimer(b.timerC);
    b.timerC = undefined;
  }

  /**
   * §16.8: Timer C fired. After a provisional response the branch is CANCELled (and given
   * 64*T1 for its final, §9.1); without one, or when that wait is over too, the client
   * transaction is destroyed and the branch counts as a 408.
   */
  private fireTimerC(b: Branch): void {
    b.timerC = undefined;
    if (b.ended) return;
    const client = b.client;
    if (!b.cancelled && client?.kind === 'ict' && client.state === 'Proceeding') {
      this.cancelBranch(b);
      return;
    }
    this.failBranch(b, 408);
    client?.abort();
  }
}

/** Creates and starts a forwarding context. */
export function forward(
  layer: TransactionLayer,
  server: ServerTransaction,
  targets: ForwardTarget[],
  options: ForwardOptions = {},
): ForwardContext {
  const ctx = new ForwardContext(layer, server, targets, options);
  ctx.start();
  return ctx;
}
