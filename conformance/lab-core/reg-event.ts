/**
 * The reg event notifier of the lab core (RFC 3680 §4, RFC 6665 notifier, TS 24.229 §5.4.2.1):
 * accepts SUBSCRIBE Event: reg for an IMPU, sends full state at once, partial state on every
 * change of the registration set, and a terminated NOTIFY when the subscription or the
 * registration ends. One NOTIFY in flight per subscription, so versions arrive in order.
 */

import type { Clock, TimerHandle } from '../../sip/clock/clock.ts';
import {
  type Dialog,
  dialogAsUas,
  dialogIdOfRequest,
  dialogKey,
  nextHopDestination,
} from '../../sip/dialog/index.ts';
import { SipError } from '../../sip/error/sip-error.ts';
import { isSipUri, parseExpires, parseNameAddrList, type SipRequest } from '../../sip/index.ts';
import { buildRegInfo, REGINFO_CONTENT_TYPE, type RegInfo } from '../../sip/reginfo/index.ts';
import { buildResponse, type ServerTransaction, type TransactionLayer } from '../../sip/transaction/index.ts';
import type { Source, TransportLogger, TransportProtocol } from '../../sip/transport/index.ts';
import { sendRequest } from '../../sip/ua/uac.ts';
import type { BindingChange, BindingStore, RegistrationSet } from './bindings.ts';
import { fullState, partialState } from './reginfo-state.ts';
import type { SubscriberDirectory } from './subscribers.ts';

/** RFC 3680 §4.4: the default subscription duration. */
export const DEFAULT_REG_SUBSCRIPTION_EXPIRES = 3761;

export interface RegEventContext {
  readonly layer: TransactionLayer;
  readonly clock: Clock;
  readonly logger: TransportLogger;
  readonly store: BindingStore;
  readonly subscribers: SubscriberDirectory;
  readonly trustedPeers: ReadonlySet<string>;
  /** our Contact for the subscription dialogs */
  readonly localContact: string;
  /** the Via value (without branch) for a request sent over `protocol` */
  readonly via: (protocol: TransportProtocol) => string;
  readonly newTag: () => string;
  /** the longest subscription granted, in seconds */
  readonly maxExpires: number;
}

interface Subscription {
  readonly key: string;
  readonly dialog: Dialog;
  readonly set: RegistrationSet;
  readonly protocol: TransportProtocol;
  expiresAt: number;
  timer: TimerHandle | undefined;
  version: number;
  readonly queue: Array<{ doc: Omit<RegInfo, 'version'>; state: string }>;
  sending: boolean;
  /** a terminated NOTIFY is queued or the subscription failed: nothing more is queued */
  ended: boolean;
}

export class RegEventNotifier {
  private readonly subs = new Map<string, Subscription>();

  constructor(private readonly ctx: RegEventContext) {}

  /** Live subscriptions (for tests and metrics). */
  get size(): number {
    return this.subs.size;
  }

  /** A SUBSCRIBE, initial or in-dialog; answers it and queues the NOTIFY. */
  receiveSubscribe(txn: ServerTransaction, req: SipRequest, source: Source): void {
    try {
      this.subscribe(txn, req, source);
    } catch (e) {
      if (!(e instanceof SipError)) throw e;
      const res = buildResponse(req, e.status, e.reason, this.ctx.newTag());
      for (const [n, v] of e.headers) res.headers.append(n, v);
      txn.respond(res);
    }
  }

  /** The bindings of a set changed: partial state to every subscription of the set. */
  changed(set: RegistrationSet, changes: readonly BindingChange[]): void {
    const over = set.bindings.size === 0;
    for (const sub of this.subs.values()) {
      if (sub.set !== set || sub.ended) continue;
      // TS 24.229 §5.4.2.1.2: once the whole set is deregistered, the subscription ends too.
      this.enqueue(
        sub,
        partialState(set, changes, this.ctx.store),
        over ? 'terminated;reason=noresource' : this.active(sub),
      );
    }
  }

  /** Ends every subscription without notifying (shutdown). */
  close(): void {
    for (const sub of this.subs.values()) this.forget(sub);
  }

  private subscribe(txn: ServerTransaction, req: SipRequest, source: Source): void {
    const event = req.headers.get('event')?.split(';')[0]?.trim().toLowerCase();
    if (event !== 'reg') throw new SipError(489, 'Bad Event', [['Allow-Events', 'reg']]);
    const accept = req.headers.values('accept').map((a) => a.split(';')[0]!.trim().toLowerCase());
    if (
      accept.length > 0 &&
      !accept.some((a) => a === REGINFO_CONTENT_TYPE || a === '*/*' || a === 'application/*')
    )
      throw new SipError(406, 'Not Acceptable', [['Accept', REGINFO_CONTENT_TYPE]]);
    const header = req.headers.get('expires');
    const asked = header === undefined ? DEFAULT_REG_SUBSCRIPTION_EXPIRES : parseExpires(header);
    if (typeof asked === 'string') throw new SipError(400, 'Bad Expires');
    const expires = Math.min(asked, this.ctx.maxExpires);

    const id = dialogIdOfRequest(req);
    if (id !== undefined) {
      const sub = this.subs.get(dialogKey(id));
      if (sub === undefined || sub.ended) throw new SipError(481, 'Subscription Does Not Exist');
      const err = sub.dialog.receiveRequest(req);
      if (err !== undefined) throw err;
      this.accept(txn, req, sub.dialog.id.localTag, expires);
      this.refresh(sub, expires);
      return;
    }
    const set = this.setOf(req);
    if (!this.authorized(req, source, set)) throw new SipError(403, 'Forbidden');
    const localTag = this.ctx.newTag();
    const dialog = dialogAsUas(req, { localTag, localContact: this.ctx.localContact });
    if (typeof dialog === 'string') throw new SipError(400, `Cannot Create Subscription (${dialog})`);
    const sub: Subscription = {
      key: dialogKey(dialog.id),
      dialog,
      set,
      protocol: source.protocol === 'tcp' ? 'tcp' : 'udp',
      expiresAt: 0,
      timer: undefined,
      version: 0,
      queue: [],
      sending: false,
      ended: false,
    };
    this.subs.set(sub.key, sub);
    this.accept(txn, req, localTag, expires);
    this.refresh(sub, expires);
  }

  /** RFC 3680 §4.6: the AOR is the Request-URI (To when it is not a known IMPU). */
  private setOf(req: SipRequest): RegistrationSet {
    const subscriber = this.ctx.subscribers.byImpu(req.uri) ?? this.ctx.subscribers.byImpu(req.to.uri);
    if (subscriber === undefined) throw new SipError(404, 'Not Found');
    return this.ctx.store.setOf(subscriber);
  }

  /**
   * TS 24.229 §5.4.2.1.1, as far as a lab goes: a trusted peer, the user itself (P-Asserted-Identity
   * is one of its IMPUs), or the P-CSCF on its Path (P-Asserted-Identity host = a Path host).
   */
  private authorized(req: SipRequest, source: Source, set: RegistrationSet): boolean {
    if (this.ctx.trustedPeers.has(source.remoteAddress)) return true;
    const pai = req.addresses('p-asserted-identity');
    if (!Array.isArray(pai)) return false;
    const pathHosts = new Set<string>();
    for (const b of set.bindings.values())
      for (const p of b.path) {
        const list = parseNameAddrList(p);
        if (Array.isArray(list))
          for (const a of list) if (isSipUri(a.uri)) pathHosts.add(a.uri.host.toLowerCase());
      }
    return pai.some(
      (a) =>
        this.ctx.subscribers.byImpu(a.uri) === set.subscriber ||
        (isSipUri(a.uri) && pathHosts.has(a.uri.host.toLowerCase())),
    );
  }

  private accept(txn: ServerTransaction, req: SipRequest, localTag: string, expires: number): void {
    const res = buildResponse(req, 200, 'OK', localTag);
    res.headers.append('Expires', String(expires));
    res.headers.append('Contact', this.ctx.localContact);
    txn.respond(res);
  }

  /** RFC 6665 §4.2.1.2: (re)arms the expiry and sends full state; Expires 0 ends the subscription. */
  private refresh(sub: Subscription, expires: number): void {
    if (sub.timer !== undefined) this.ctx.clock.clearTimer(sub.timer);
    sub.timer = undefined;
    sub.expiresAt = this.ctx.clock.now() + expires * 1000;
    const doc = fullState(sub.set, this.ctx.store);
    if (expires === 0) {
      this.enqueue(sub, doc, 'terminated;reason=timeout');
      return;
    }
    sub.timer = this.ctx.clock.setTimer(expires * 1000, () => {
      sub.timer = undefined;
      if (!sub.ended) this.enqueue(sub, fullState(sub.set, this.ctx.store), 'terminated;reason=timeout');
    });
    this.enqueue(sub, doc, this.active(sub));
  }

  private active(sub: Subscription): string {
    return `active;expires=${Math.max(0, Math.ceil((sub.expiresAt - this.ctx.clock.now()) / 1000))}`;
  }

  private enqueue(sub: Subscription, doc: Omit<RegInfo, 'version'>, state: string): void {
    if (sub.ended) return;
    if (state.startsWith('terminated')) sub.ended = true;
    sub.queue.push({ doc, state });
    if (!sub.sending) void this.drain(sub);
  }

  /** Sends the queued NOTIFYs one after the other (the next once the previous has its final response). */
  private async drain(sub: Subscription): Promise<void> {
    sub.sending = true;
    let failed = false;
    for (let item = sub.queue.shift(); item !== undefined && !failed; item = sub.queue.shift()) {
      const dest = nextHopDestination(sub.dialog.nextHop(), sub.protocol);
      if (typeof dest === 'string') {
        this.ctx.logger.warn({ subscription: sub.key, reason: dest }, 'reg-event: cannot reach subscriber');
        failed = true;
        break;
      }
      const body = buildRegInfo({ ...item.doc, version: sub.version++ });
      const notify = sub.dialog.createRequest('NOTIFY', {
        via: this.ctx.via(dest.protocol),
        headers: [
          ['Event', 'reg'],
          ['Subscription-State', item.state],
          ['Content-Type', REGINFO_CONTENT_TYPE],
        ],
        body: Buffer.from(body),
      });
      const res = await sendRequest(this.ctx.layer, notify, dest);
      // RFC 6665 §4.2.2: a failed NOTIFY (481, timeout, transport error...) ends the subscription.
      if (res.status >= 300) {
        this.ctx.logger.info({ subscription: sub.key, status: res.status }, 'reg-event: NOTIFY failed');
        failed = true;
      }
    }
    sub.sending = false;
    if (failed || sub.ended) this.forget(sub);
  }

  private forget(sub: Subscription): void {
    sub.ended = true;
    sub.queue.length = 0;
    if (sub.timer !== undefined) this.ctx.clock.clearTimer(sub.timer);
    sub.timer = undefined;
    if (this.subs.get(sub.key) === sub) this.subs.delete(sub.key);
  }
}
