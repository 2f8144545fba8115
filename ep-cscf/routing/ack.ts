import type { SipRequest } from '../../sip/index.ts';
import { forwardCopy } from '../../sip/proxy/index.ts';
import type { Destination } from '../../sip/transport/index.ts';
import { type EpCscfContext, viaFor } from '../context.ts';
import { topRouteFlow } from './terminating.ts';

/** Stateless forwarding of an ACK for a 2xx (RFC 3261 §16.11, §13.2.2.4) in either direction. */
export async function forwardAck(
  ctx: EpCscfContext,
  ack: SipRequest,
  fromClient: boolean,
  connectionId: string | undefined,
): Promise<void> {
  const calls = ctx.calls;
  if (fromClient) {
    if (connectionId === undefined) return;
    const ref = calls.clientLeg(ack.callId, connectionId);
    const copy = forwardCopy(ack, viaFor(ctx, ctx.settings.core.protocol), ctx.layer.newBranch());
    const top = copy.headers.values('route')[0];
    if (top !== undefined && calls.isOurs(top)) copy.headers.removeFirstValue('route');
    if ((await calls.rewriteRequest(copy, ref, 'wic')) !== undefined) return;
    const destination = calls.nextHop(copy.headers.values('route')[0]);
    await ctx.layer.sendStateless(copy, destination);
    return;
  }
  const route = topRouteFlow(ctx, ack);
  if (route.kind !== 'flow') return;
  const conn = ctx.transports.connections.get(route.connectionId);
  if (conn === undefined || !conn.isOpen) return;
  const ref = calls.coreLeg(ack.callId, route.connectionId, false);
  const copy = forwardCopy(ack, viaFor(ctx, conn.source.protocol), ctx.layer.newBranch());
  copy.headers.removeFirstValue('route');
  if ((await calls.rewriteRequest(copy, ref, 'ims')) !== undefined) return;
  const s = conn.source;
  const destination: Destination = {
    protocol: s.protocol,
    address: s.remoteAddress,
    port: s.remotePort,
    connectionId: route.connectionId,
  };
  await ctx.layer.sendStateless(copy, destination);
}
