import { type Clock, systemClock } from '../../sip/clock/clock.ts';
import type { SipResponse } from '../../sip/index.ts';
import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { ReceivedMessage } from '../../sip/transport/index.ts';
import type { SubscriberDirectory } from '../../store/directory.ts';
import type { ImsAccessToken } from '../../token/claims.ts';
import { readBearer } from '../bearer/credentials.ts';
import type { EpCscfContext } from '../context.ts';
import { localResponse } from '../reply.ts';
import { coreExpires, LEASE_MARGIN_MS, leaseExpiresAt, leaseHolder } from './lease-terms.ts';
import { forgetPoolBindings, storePoolBindings } from './pool-bindings.ts';
import { listed, type PoolIntent, readPoolRegister } from './pool-intent.ts';
import { type Held, leaseIdentity, type PoolClient } from './pool-lease.ts';
import type { PoolMetrics } from './pool-metrics.ts';
import {
  associatedUrisFor,
  bindingsListing,
  coreFailureAnswer,
  grantedExpires,
  intervalTooBriefAnswer,
  type PoolAnswer,
  poolSuccessAnswer,
} from './pool-reply.ts';
import { bindPoolTokens, unbindPoolTokens } from './pool-token-bindings.ts';
import { SerialQueue } from './serial-queue.ts';

export interface PoolRegistrarOptions {
  readonly directory: SubscriberDirectory;
  readonly metrics: PoolMetrics;
  /** runs the lease timers (default: the system clock) */
  readonly clock?: Clock;
  /** how long a lease outlives its registration (default LEASE_MARGIN_MS) */
  readonly marginMs?: number;
}

/** Why a pool registration ends (what the log and the lease release go by). */
export type PoolEnd = 'flow-closed' | 'token-expired' | 'token-revoked' | 'lease-expired' | 'stopping';

/**
 * Scenario 3 of TS 33.203 Annex X.4 at the eP-CSCF: a client whose token asks for an identity
 * from its domain's pool gets one leased (SubscriberDirectory), which the eP-CSCF registers at
 * the core as the UA, and loses it when it deregisters, its flow closes, its token ends, or the
 * lease runs out unrefreshed. Work for one holder runs one step at a time, in arrival order.
 */
export class PoolRegistrar {
  private readonly held = new Map<string, Held>();
  private readonly queue = new SerialQueue();
  private readonly clock: Clock;
  private readonly marginMs: number;

  constructor(
    private readonly ctx: EpCscfContext,
    private readonly o: PoolRegistrarOptions,
  ) {
    this.clock = o.clock ?? systemClock;
    this.marginMs = o.marginMs ?? LEASE_MARGIN_MS;
  }

  /** Pool registrations held now (one per client). */
  get size(): number {
    return this.held.size;
  }

  /** The client's REGISTER (its token valid, of the pool kind): answered through `txn`. */
  receiveRegister(txn: ServerTransaction, rm: ReceivedMessage, token: ImsAccessToken): void {
    const req = txn.request;
    if (token.identity.kind !== 'pool') throw new TypeError('registerFromPool needs a pool token');
    const connectionId = rm.source.connectionId;
    if (connectionId === undefined) {
      txn.respond(localResponse(req, 403, 'Forbidden (REGISTER only over a WebSocket flow)'));
      return;
    }
    const read = readPoolRegister(req);
    if (!read.ok) {
      txn.respond(localResponse(req, read.status, read.reason));
      return;
    }
    const s = this.ctx.settings;
    const holder = leaseHolder({ instance: `${s.mwHost}:${s.mwPort}`, connectionId, subject: token.subject });
    const domain = token.identity.domain.toLowerCase();
    const bearer = readBearer(req);
    const raw = bearer.kind === 'bearer' ? bearer.token : undefined;
    this.queue
      .run(holder, async () => {
        const answer = await this.handle(read.intent, { holder, domain, connectionId, token, raw });
        txn.respond(localResponse(req, answer.status, answer.reason, answer.headers));
      })
      .catch((err: unknown) => {
        this.ctx.logger.error({ err, callId: req.callId, flow: connectionId }, 'pool registration failed');
        txn.respond(localResponse(req, 500));
      });
  }

  /** RFC 5626 §4.4: the flow failed; its pool registrations end and their identities go back. */
  flowClosed(connectionId: string): Promise<void> {
    return this.endWhere((h) => h.connectionId === connectionId, 'flow-closed');
  }

  /** The token (by id, or every token of a subject) expired or was revoked. */
  tokenEnded(
    t: { tokenId?: string; subject?: string },
    why: 'token-expired' | 'token-revoked',
  ): Promise<void> {
    return this.endWhere(
      (h) => (t.tokenId !== undefined ? h.tokenId === t.tokenId : h.subject === t.subject),
      why,
    );
  }

  /** Deregisters every pool identity at the core and releases the leases (graceful stop). */
  stop(): Promise<void> {
    return this.endWhere(() => true, 'stopping');
  }

  private async handle(intent: PoolIntent, c: PoolClient): Promise<PoolAnswer> {
    const h = this.held.get(c.holder);
    if (intent.kind === 'query') return { status: 200, reason: 'OK', headers: h ? this.listing(h) : [] };
    if (intent.kind === 'remove') {
      if (h === undefined) return { status: 200, reason: 'OK', headers: [] };
      const asked = intent.contacts;
      const gone = asked === 'all' ? h.contacts : h.contacts.filter((x) => listed(asked, x));
      if (gone.length === h.contacts.length) {
        await this.end(h, 'deregistered');
        return { status: 200, reason: 'OK', headers: [] };
      }
      const res = await h.core.register([], 0, gone);
      if (res.status >= 200 && res.status < 300) {
        h.contacts = h.contacts.filter((x) => !listed(gone, x));
        unbindPoolTokens(this.ctx, h, gone);
      }
      return { status: 200, reason: 'OK', headers: this.listing(h) };
    }
    return this.register(intent, c, h);
  }

  private async register(
    intent: Extract<PoolIntent, { kind: 'register' }>,
    c: PoolClient,
    current: Held | undefined,
  ): Promise<PoolAnswer> {
    const { directory, metrics } = this.o;
    const now = this.ctx.now();
    const tokenExpiresAt = c.token.expiresAt * 1000;
    const expires = coreExpires(intent.expires, now, tokenExpiresAt);
    let h = current;
    if (h !== undefined) {
      const until = leaseExpiresAt(now, expires, tokenExpiresAt, this.marginMs);
      if (!(await directory.renewLease(h.core.o.credential.id, c.holder, until))) {
        // The lease ran out and the identity may be another client's now: start afresh.
        metrics.leaseFailures.inc({ domain: c.domain, reason: 'lost' });
        this.forget(h);
        unbindPoolTokens(this.ctx, h);
        await forgetPoolBindings(this.ctx, h.aor, h.connectionId);
        h = undefined;
      }
    }
    const fresh = h === undefined;
    if (h === undefined) {
      const until = leaseExpiresAt(now, expires, tokenExpiresAt, this.marginMs);
      const leased = await leaseIdentity(this.ctx, this.o, c, { now, until, outbound: intent.outbound });
      if ('status' in leased) return leased;
      h = leased;
      await this.updateGauge(c.domain);
    }
    h.tokenId = c.token.tokenId;
    h.tokenExpiresAt = tokenExpiresAt;
    const removed = [...intent.removed, ...h.contacts.filter((x) => !listed(intent.contacts, x))];
    const res = await h.core.register(intent.contacts, expires, removed);
    const ok = res.status >= 200 && res.status < 300;
    // A 2xx that lists none of the client's contacts registered nothing (RFC 3261 §10.3 step 8).
    if (ok && grantedExpires(res, intent.contacts).some((g) => g.expires > 0))
      return this.registered(h, c, intent, res, now);
    metrics.coreRegistrations.inc({ outcome: 'refused' });
    this.ctx.logger.warn(
      { status: res.status, impu: h.core.impu, flow: h.connectionId, callId: h.core.callId },
      'the IMS core refused the pool registration',
    );
    // A refused refresh leaves the registration as it stood; a refused first one frees the identity.
    if (fresh) await this.release(h);
    if (res.status === 423)
      return intervalTooBriefAnswer(res, {
        requested: intent.expires,
        tokenSecondsLeft: Math.floor((tokenExpiresAt - now) / 1000),
        realm: c.domain,
      });
    if (ok)
      return {
        status: 500,
        reason: 'Server Internal Error (the IMS core did not bind the contact)',
        headers: [],
      };
    return coreFailureAnswer(res);
  }

  private async registered(
    h: Held,
    c: PoolClient,
    intent: Extract<PoolIntent, { kind: 'register' }>,
    res: SipResponse,
    now: number,
  ): Promise<PoolAnswer> {
    const granted = grantedExpires(res, intent.contacts);
    const longest = Math.max(0, ...granted.map((g) => g.expires));
    const before = h.contacts;
    h.contacts = granted.filter((g) => g.expires > 0).map((g) => g.contact);
    unbindPoolTokens(
      this.ctx,
      h,
      before.filter((x) => !listed(h.contacts, x)),
    );
    if (c.raw !== undefined) bindPoolTokens(this.ctx, h, c.token, c.raw);
    h.associatedUris = associatedUrisFor(res, h.core.impu);
    h.registeredUntil = now + longest * 1000;
    h.leaseExpiresAt = leaseExpiresAt(now, longest, h.tokenExpiresAt, this.marginMs);
    await this.o.directory.renewLease(h.core.o.credential.id, h.holder, h.leaseExpiresAt);
    this.held.set(h.holder, h);
    this.arm(h);
    // The flow closed while the core was answering: end it as soon as this step is done.
    if (!this.ctx.transports.connections.isAlive(h.connectionId))
      void this.endWhere((x) => x === h, 'flow-closed');
    await storePoolBindings(this.ctx, {
      aor: h.aor,
      impi: h.core.o.credential.impi,
      connectionId: h.connectionId,
      callId: h.core.callId,
      response: res,
      granted,
    });
    this.o.metrics.coreRegistrations.inc({ outcome: 'registered' });
    return poolSuccessAnswer({
      coreResponse: res,
      impu: h.core.impu,
      granted,
      outbound: h.core.o.outbound,
      flowTimer: this.ctx.settings.flowTimer,
    });
  }

  /**
   * Ends a registration: deregisters at the core, forgets the bindings, releases the lease. The
   * lease goes back at once when the core confirmed, or when nothing can reach the old holder
   * any more: its flow closed (or all flows, at a stop), or the core's registration has run out
   * (it never outlives the token, coreExpires). Otherwise — a deregistration the core did not
   * confirm while the flow is open — it stays until its expiry, so that the identity is never lent
   * while the core may still route it to this flow.
   */
  private async end(h: Held, why: PoolEnd | 'deregistered'): Promise<void> {
    this.forget(h);
    unbindPoolTokens(this.ctx, h);
    const res = await h.core.register([], 0, h.contacts);
    await forgetPoolBindings(this.ctx, h.aor, h.connectionId);
    const confirmed = res.status >= 200 && res.status < 300;
    this.o.metrics.coreRegistrations.inc({ outcome: confirmed ? 'deregistered' : 'deregistration-failed' });
    this.ctx.logger.info(
      { impu: h.core.impu, flow: h.connectionId, why, status: res.status },
      'pool registration ended',
    );
    if (confirmed || (why !== 'deregistered' && why !== 'token-revoked')) await this.release(h);
  }

  private async release(h: Held): Promise<void> {
    await this.o.directory.releaseLease(h.core.o.credential.id, h.holder);
    await this.updateGauge(h.domain);
  }

  private endWhere(match: (h: Held) => boolean, why: PoolEnd): Promise<void> {
    const work = [...this.held.values()]
      .filter(match)
      .map((h) =>
        this.queue
          .run(h.holder, () => (this.held.get(h.holder) === h ? this.end(h, why) : undefined))
          .catch((err: unknown) =>
            this.ctx.logger.error({ err, impu: h.core.impu, why }, 'pool registration not ended cleanly'),
          ),
      );
    return Promise.all(work).then(() => undefined);
  }

  /** One timer per registration: when the lease runs out (at the latest when the token does). */
  private arm(h: Held): void {
    if (h.timer !== undefined) this.clock.clearTimer(h.timer);
    const why: PoolEnd = h.leaseExpiresAt >= h.tokenExpiresAt ? 'token-expired' : 'lease-expired';
    h.timer = this.clock.setTimer(Math.max(0, h.leaseExpiresAt - this.ctx.now()), () => {
      h.timer = undefined;
      void this.endWhere((x) => x === h, why);
    });
  }

  private forget(h: Held): void {
    if (h.timer !== undefined) this.clock.clearTimer(h.timer);
    h.timer = undefined;
    if (this.held.get(h.holder) === h) this.held.delete(h.holder);
  }

  /** The 200 to a query or partial removal: the bindings held, with what is left of them. */
  private listing(h: Held): Array<[string, string]> {
    return bindingsListing(h.contacts, h.associatedUris, (h.registeredUntil - this.ctx.now()) / 1000);
  }

  private async updateGauge(domain: string): Promise<void> {
    const active = await this.o.directory.activeLeases(domain, this.ctx.now());
    this.o.metrics.leasesActive.set({ domain }, active.length);
  }
}
