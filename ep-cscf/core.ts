import { checkProxyRequest } from '../sip/endpoint/request-checks.ts';
import type { SipRequest } from '../sip/index.ts';
import type { ForwardContext } from '../sip/proxy/index.ts';
import type {
  InviteServerTransaction,
  ServerTransaction,
  Transaction,
  TransactionUser,
} from '../sip/transaction/index.ts';
import type { ReceivedMessage, TransportError } from '../sip/transport/index.ts';
import { registerWithBearer } from './bearer/bearer-register.ts';
import { admitBearerRequest } from './bearer/bearer-request.ts';
import { readBearer, stripBearer } from './bearer/credentials.ts';
import type { EpCscfContext } from './context.ts';
import { forwardRegister } from './registration/register.ts';
import { localResponse, respondError } from './reply.ts';
import { forwardAck } from './routing/ack.ts';
import { routeFromClient } from './routing/originating.ts';
import { routeToFlow, topRouteFlow } from './routing/terminating.ts';

/** Handles requests from the core that are for the eP-CSCF itself (the reg-event NOTIFYs). */
export interface LocalRequestHandler {
  /** true when the request was taken (and will be answered) */
  receiveLocalRequest(txn: ServerTransaction, rm: ReceivedMessage): boolean;
}

const SCHEMES: ReadonlySet<string> = new Set(['sip', 'sips', 'tel', 'urn']);

/**
 * The eP-CSCF's policy: what happens to each request, in one place. Mechanisms (registration
 * edits, flows, forwarding) live in their modules; this file only decides which applies.
 *
 *   from a client (W2, WebSocket):  checks → CANCEL | overloaded and new → 503
 *                                   | REGISTER → [bearer token →] core
 *                                   | other → [bearer admission →] originating
 *   from the core (Mw):             checks → CANCEL | flow token in top Route → that flow
 *                                   | for us (reg-event NOTIFY) | 404
 */
export class EpCscfCore implements TransactionUser {
  /**
   * The forwarding context of each INVITE, for a CANCEL (RFC 3261 §9.2); an entry leaves when
   * its transaction terminates. Not a WeakMap: V8's young-generation collector keeps the values
   * of a WeakMap in the old generation alive, so every forwarded request and its transactions
   * were promoted and died in the old generation (BENCHMARKS.md, "Tail latency").
   */
  private readonly contexts = new Map<ServerTransaction, ForwardContext>();
  local: LocalRequestHandler | undefined;

  constructor(private readonly ctx: EpCscfContext) {}

  receiveRequest(txn: ServerTransaction, rm: ReceivedMessage): void {
    const req = txn.request;
    const fromClient = rm.source.protocol === 'ws' || rm.source.protocol === 'wss';
    this.ctx.metrics.countRequest(req.method, fromClient ? 'client' : 'core');
    this.ctx.logger.debug(
      {
        callId: req.callId,
        method: req.method,
        flow: rm.source.connectionId,
        side: fromClient ? 'client' : 'core',
      },
      'request',
    );
    const fault = checkProxyRequest(req, { schemes: SCHEMES });
    if (fault !== undefined) {
      respondError(txn, fault);
      return;
    }
    if (req.method === 'CANCEL') {
      this.cancel(txn);
      return;
    }
    const refusal = fromClient ? this.ctx.shedding.refusal(req) : undefined;
    if (refusal !== undefined) {
      this.ctx.metrics.countShed(req.method);
      txn.respond(refusal);
      return;
    }
    try {
      if (fromClient) this.fromClient(txn, rm);
      else this.fromCore(txn, rm);
    } catch (err) {
      this.fail(txn, err);
    }
  }

  private fromClient(txn: ServerTransaction, rm: ReceivedMessage): void {
    const bearer = this.ctx.bearer;
    if (txn.request.method === 'REGISTER') {
      // RFC 8898: a REGISTER with a Bearer token (or any REGISTER when BEARER_REQUIRED) is the
      // bearer module's; without one it goes on with IMS credentials (digest, AKA).
      const cred = bearer === undefined ? undefined : readBearer(txn.request);
      if (bearer !== undefined && cred !== undefined && (cred.kind !== 'none' || bearer.required)) {
        registerWithBearer(this.ctx, bearer, txn, rm, cred).then(
          (fc) => this.track(txn, fc),
          (err: unknown) => this.fail(txn, err),
        );
        return;
      }
      this.track(txn, forwardRegister(this.ctx, txn, rm));
      return;
    }
    if (bearer === undefined) {
      routeFromClient(this.ctx, txn, rm).then(
        (fc) => this.track(txn, fc),
        (err: unknown) => this.fail(txn, err),
      );
      return;
    }
    admitBearerRequest(bearer, txn, rm)
      .then((admitted) => (admitted ? routeFromClient(this.ctx, txn, rm) : undefined))
      .then(
        (fc) => this.track(txn, fc),
        (err: unknown) => this.fail(txn, err),
      );
  }

  private fromCore(txn: ServerTransaction, rm: ReceivedMessage): void {
    const route = topRouteFlow(this.ctx, txn.request);
    if (route.kind === 'flow') {
      routeToFlow(this.ctx, txn, route.connectionId).then(
        (fc) => this.track(txn, fc),
        (err: unknown) => this.fail(txn, err),
      );
      return;
    }
    if (route.kind === 'tampered') {
      // RFC 5626 §5.3: a flow token that does not validate is answered 403 and nothing is sent.
      txn.respond(localResponse(txn.request, 403, 'Forbidden (invalid flow token)'));
      return;
    }
    if (this.local?.receiveLocalRequest(txn, rm) === true) return;
    txn.respond(localResponse(txn.request, 404, 'Not Found (no flow for this request)'));
  }

  /** RFC 3261 §16.10: answer the CANCEL, then cancel the INVITE's branches. */
  private cancel(txn: ServerTransaction): void {
    const invite = this.ctx.layer.findInviteForCancel(txn.request);
    if (invite === undefined) {
      txn.respond(localResponse(txn.request, 481));
      return;
    }
    txn.respond(localResponse(txn.request, 200));
    const fc = this.contexts.get(invite);
    if (fc !== undefined) fc.cancel();
    else if (invite.state === 'Proceeding') invite.respond(localResponse(invite.request, 487));
  }

  /** Only an INVITE can be CANCELled (RFC 3261 §9.2): other forwards are not tracked. */
  private track(txn: ServerTransaction, fc: ForwardContext | undefined): void {
    if (fc !== undefined && txn.kind === 'ist') this.contexts.set(txn, fc);
  }

  private fail(txn: ServerTransaction, err: unknown): void {
    this.ctx.logger.error({ err, callId: txn.callId }, 'request handling failed');
    // A transaction that answered already has released its request (and would discard a 500).
    if (txn.holdsRequest) txn.respond(localResponse(txn.request, 500));
  }

  /**
   * ACKs for 2xx are end to end (RFC 3261 §13.2.2.4): forwarded statelessly (§16.11) along the
   * route set, from a client toward the core, or from the core to the flow its Route names. An
   * ACK carrying the answer to an offer made in a 2xx goes through the media gateway.
   */
  receiveStrayAck(rm: ReceivedMessage, _accepted: InviteServerTransaction | undefined): void {
    const fromClient = rm.source.protocol === 'ws' || rm.source.protocol === 'wss';
    this.ctx.metrics.countRequest('ACK', fromClient ? 'client' : 'core');
    if (rm.message.kind !== 'request') return;
    // The token never travels toward the core, not even on an ACK (JsSIP puts it on every request).
    if (fromClient && this.ctx.bearer !== undefined) stripBearer(rm.message);
    forwardAck(this.ctx, rm.message, fromClient, rm.source.connectionId).catch((err: unknown) =>
      this.ctx.logger.warn({ err, callId: rm.message.callId }, 'ACK not forwarded'),
    );
  }

  receiveResponse(): void {}

  onTerminated(txn: Transaction): void {
    if (txn.kind === 'ist') this.contexts.delete(txn);
  }

  onTimeout(txn: Transaction): void {
    this.ctx.logger.debug({ callId: txn.callId, kind: txn.kind }, 'transaction timeout');
  }

  onTransportError(txn: Transaction, error: TransportError): void {
    this.ctx.logger.info({ callId: txn.callId, kind: txn.kind, err: error.message }, 'transport error');
  }
}

export type { SipRequest };
