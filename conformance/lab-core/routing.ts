/**
 * Requests other than REGISTER and SUBSCRIBE: the lab core routes them like an S-CSCF that
 * serves the callee (TS 24.229 §5.4.3.3, simplified): Route entries naming the core are removed
 * (RFC 3261 §16.4), a remaining Route is followed (loose routing), otherwise the Request-URI must
 * be a registered IMPU and the request is forked to each of its contacts with the stored Path as
 * Route (RFC 3327 §5.4, RFC 3261 §16.6). Forwarding is the lead's stateful sip/proxy.
 */

import type { Clock } from '../../sip/clock/clock.ts';
import { nextHopDestination } from '../../sip/dialog/index.ts';
import { checkProxyRequest } from '../../sip/endpoint/request-checks.ts';
import { SipError } from '../../sip/error/sip-error.ts';
import { isSipUri, parseNameAddrList, parseUri, type SipRequest, type Uri } from '../../sip/index.ts';
import { type ForwardContext, type ForwardTarget, forward, forwardCopy } from '../../sip/proxy/index.ts';
import type { ServerTransaction, TransactionLayer } from '../../sip/transaction/index.ts';
import type { TransportProtocol } from '../../sip/transport/index.ts';
import type { BindingStore } from './bindings.ts';
import type { SubscriberDirectory } from './subscribers.ts';

export interface RouterContext {
  readonly layer: TransactionLayer;
  readonly store: BindingStore;
  readonly subscribers: SubscriberDirectory;
  readonly clock: Clock;
  /** whether a URI names this core (its host:port or its domain without a user) */
  readonly isOurs: (uri: Uri) => boolean;
  readonly via: (protocol: TransportProtocol) => string;
}

export class Router {
  /** the forwarding context of each INVITE server transaction, for CANCEL (RFC 3261 §16.10) */
  private readonly invites = new WeakMap<ServerTransaction, ForwardContext>();

  constructor(private readonly ctx: RouterContext) {}

  /** Routes one request; throws SipError for the response the core answers itself. */
  route(txn: ServerTransaction, req: SipRequest): void {
    const check = checkProxyRequest(req);
    if (check !== undefined) throw check;
    const copyRoutes = this.remainingRoutes(req);
    const targets: ForwardTarget[] = [];
    if (copyRoutes.length > 0) {
      // Loose routing: the next Route decides the next hop; the Request-URI stays.
      targets.push(this.target(req, req.uri, copyRoutes, copyRoutes[0]!));
    } else {
      const uri = parseUri(req.uri);
      if (!uri.ok) throw new SipError(400, 'Bad Request-URI');
      const subscriber = this.ctx.subscribers.byImpu(uri.uri);
      if (subscriber === undefined) throw new SipError(404, 'Not Found');
      const bindings = [...this.ctx.store.setOf(subscriber).bindings.values()];
      if (bindings.length === 0) throw new SipError(480, 'Temporarily Unavailable');
      for (const b of bindings) {
        // RFC 3327 §5.4: Request-URI = the contact, Route = the Path recorded at registration.
        const next = b.path[0] ?? `<${b.uri}>`;
        targets.push(this.target(req, b.uri, [...b.path], next, b.source.protocol));
      }
    }
    const ctx = forward(this.ctx.layer, txn, targets, { clock: this.ctx.clock });
    if (txn.kind === 'ist') this.invites.set(txn, ctx);
  }

  /** RFC 3261 §16.10: CANCEL the branches of the matching INVITE; answers 200 or 481. */
  cancel(req: SipRequest): boolean {
    const ist = this.ctx.layer.findInviteForCancel(req);
    const ctx = ist === undefined ? undefined : this.invites.get(ist);
    if (ctx === undefined) return false;
    ctx.cancel();
    return true;
  }

  /** The Route values left once those naming this core are removed from the top (RFC 3261 §16.4). */
  private remainingRoutes(req: SipRequest): string[] {
    const routes = req.headers.values('route');
    while (routes.length > 0) {
      const list = parseNameAddrList(routes[0]!);
      if (!Array.isArray(list) || list[0] === undefined || !this.ctx.isOurs(list[0].uri)) break;
      routes.shift();
    }
    return routes;
  }

  private target(
    req: SipRequest,
    requestUri: string,
    routes: readonly string[],
    next: string,
    fallback: TransportProtocol = 'udp',
  ): ForwardTarget {
    const list = parseNameAddrList(next);
    const nextUri = Array.isArray(list) && list[0] !== undefined ? list[0].uri : undefined;
    if (nextUri === undefined || !isSipUri(nextUri)) throw new SipError(500, 'Bad Next Hop');
    const destination = nextHopDestination(nextUri, fallback === 'tcp' ? 'tcp' : 'udp');
    if (typeof destination === 'string') throw new SipError(502, 'Bad Next Hop');
    const copy = forwardCopy(req, this.ctx.via(destination.protocol), this.ctx.layer.newBranch());
    copy.uri = requestUri;
    copy.headers.remove('route');
    for (const r of routes) copy.headers.append('Route', r);
    return { request: copy, destination };
  }
}
