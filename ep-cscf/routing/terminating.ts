import { isSipUri, type SipRequest } from '../../sip/index.ts';
import { type ForwardContext, forward, forwardCopy } from '../../sip/proxy/index.ts';
import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { Destination } from '../../sip/transport/index.ts';
import { hasSdp } from '../calls/sdp-body.ts';
import { type EpCscfContext, mwUri, viaFor } from '../context.ts';
import { localResponse, respondError } from '../reply.ts';

/**
 * What the top Route of a request from the core says (RFC 5626 §5.3, RFC 3327): `flow` with the
 * connection its token names; `tampered` when it is our URI with a token that does not
 * validate (answered 403); `none` when the top Route is not one of our flow URIs.
 */
export type TopRoute = { kind: 'flow'; connectionId: string } | { kind: 'tampered' } | { kind: 'none' };

export function topRouteFlow(ctx: EpCscfContext, req: SipRequest): TopRoute {
  const routes = req.addresses('route');
  if (typeof routes === 'string') return { kind: 'none' };
  const top = routes[0];
  if (top === undefined || !isSipUri(top.uri) || top.uri.user === undefined) return { kind: 'none' };
  const connectionId = ctx.tokens.decode(top.uri.user);
  if (connectionId !== undefined) return { kind: 'flow', connectionId };
  const s = ctx.settings;
  const host = top.uri.hostKind === 'ipv6' ? top.uri.host.slice(1, -1) : top.uri.host;
  const ours = host.toLowerCase() === s.mwHost.toLowerCase() && (top.uri.port ?? 5060) === s.mwPort;
  return ours ? { kind: 'tampered' } : { kind: 'none' };
}

/**
 * Terminating requests (Mw → W2, TS 24.229 §5.2.6.4, RFC 5626 §5.3): pop our Route and send the
 * request on the flow the token names; 430 (Flow Failed) when that WebSocket is gone. A
 * dialog-creating request gets our Record-Route (with the token) so the client's in-dialog
 * requests come back through us; offers and answers go through the media gateway.
 */
export async function routeToFlow(
  ctx: EpCscfContext,
  txn: ServerTransaction,
  connectionId: string,
): Promise<ForwardContext | undefined> {
  const req = txn.request;
  const conn = ctx.transports.connections.get(connectionId);
  if (conn === undefined || !conn.isOpen) {
    ctx.metrics.flowFailures.inc();
    ctx.logger.info({ callId: req.callId, flow: connectionId, method: req.method }, 'flow gone: 430');
    txn.respond(localResponse(req, 430, 'Flow Failed'));
    return undefined;
  }
  const calls = ctx.calls;
  const s = conn.source;
  const copy = forwardCopy(req, viaFor(ctx, s.protocol), ctx.layer.newBranch());
  copy.headers.removeFirstValue('route');
  const inDialog = req.to.params.has('tag');
  if (!inDialog && DIALOG_CREATING.has(req.method))
    copy.headers.prepend('Record-Route', `<${mwUri(ctx, ctx.tokens.encode(connectionId))}>`);
  const initial = !inDialog && req.method === 'INVITE';
  const ref = calls.coreLeg(req.callId, connectionId, initial);
  const rec = initial ? calls.begin(req, ref) : undefined;
  if (inDialog) calls.coreInDialog(req, ref);
  const hadOffer = hasSdp(copy);
  const failure = await calls.rewriteRequest(copy, ref, 'ims');
  if (failure !== undefined) {
    if (initial) await calls.release(ref, 'media refused');
    respondError(txn, failure);
    return undefined;
  }
  const destination: Destination = {
    protocol: s.protocol,
    address: s.remoteAddress,
    port: s.remotePort,
    connectionId,
  };
  const fc = forward(ctx.layer, txn, [{ request: copy, destination }], {
    ...calls.responseHooks(req, ref, 'ims', hadOffer),
    transportFailureStatus: () => {
      ctx.metrics.flowFailures.inc();
      return 430;
    },
  });
  if (rec !== undefined && !fc.done) rec.forward = fc;
  return fc;
}

const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);
