import { isSipUri, type SipRequest } from '../../sip/index.ts';
import { type ForwardContext, forward, forwardCopy } from '../../sip/proxy/index.ts';
import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { Destination } from '../../sip/transport/index.ts';
import { type EpCscfContext, viaFor } from '../context.ts';
import { localResponse } from '../reply.ts';

/**
 * The connection a request from the core is for: the flow token in the user part of the top
 * Route, which is our Path (or Record-Route) URI (RFC 5626 §5.3, RFC 3327). Undefined when the
 * top Route is not one of our flow URIs.
 */
export function flowOfTopRoute(ctx: EpCscfContext, req: SipRequest): string | undefined {
  const routes = req.addresses('route');
  if (typeof routes === 'string') return undefined;
  const top = routes[0];
  if (top === undefined || !isSipUri(top.uri) || top.uri.user === undefined) return undefined;
  return ctx.tokens.decode(top.uri.user);
}

/**
 * Terminating requests (Mw → W2, TS 24.229 §5.2.6.4, RFC 5626 §5.3): pop our Route and send the
 * request on the flow the token names; 430 (Flow Failed) when that WebSocket is gone.
 */
export function routeToFlow(
  ctx: EpCscfContext,
  txn: ServerTransaction,
  connectionId: string,
): ForwardContext | undefined {
  const req = txn.request;
  const conn = ctx.transports.connections.get(connectionId);
  if (conn === undefined || !conn.isOpen) {
    ctx.metrics.flowFailures.inc();
    ctx.logger.info({ callId: req.callId, flow: connectionId, method: req.method }, 'flow gone: 430');
    txn.respond(localResponse(req, 430, 'Flow Failed'));
    return undefined;
  }
  const s = conn.source;
  const copy = forwardCopy(req, viaFor(ctx, s.protocol), ctx.layer.newBranch());
  copy.headers.removeFirstValue('route');
  const destination: Destination = {
    protocol: s.protocol,
    address: s.remoteAddress,
    port: s.remotePort,
    connectionId,
  };
  return forward(ctx.layer, txn, [{ request: copy, destination }], {
    transportFailureStatus: () => {
      ctx.metrics.flowFailures.inc();
      return 430;
    },
  });
}
