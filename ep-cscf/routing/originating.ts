import { randomBytes } from 'node:crypto';
import { nextHopDestination } from '../../sip/dialog/index.ts';
import { parseUri } from '../../sip/index.ts';
import { type ForwardContext, forward, forwardCopy } from '../../sip/proxy/index.ts';
import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { Destination, ReceivedMessage } from '../../sip/transport/index.ts';
import type { ContactBinding } from '../../store/index.ts';
import { sdpOf } from '../calls/sdp-body.ts';
import { type EpCscfContext, mwUri, viaFor } from '../context.ts';
import { localResponse, respondError } from '../reply.ts';

/**
 * Originating requests (W2 → Mw, TS 24.229 §5.2.6.3): only from a registered flow. Out of a
 * dialog: the route set is the Service-Route learnt at registration, P-Asserted-Identity is
 * asserted from the registered identities (P-Preferred-Identity honoured only when it is one of
 * them, RFC 3325 §9.1), and a Record-Route carrying the flow token brings in-dialog requests back
 * to this flow. In a dialog: our own Route is consumed and the request follows the rest of the
 * route set (RFC 3261 §16.4, loose routing). Offers and answers go through the media gateway.
 */
export async function routeFromClient(
  ctx: EpCscfContext,
  txn: ServerTransaction,
  rm: ReceivedMessage,
): Promise<ForwardContext | undefined> {
  const req = txn.request;
  const connectionId = rm.source.connectionId;
  const bindings = connectionId === undefined ? [] : await ctx.store.forConnection(connectionId);
  const binding = bindings[0];
  if (connectionId === undefined || binding === undefined) {
    txn.respond(localResponse(req, 403, 'Forbidden (not registered on this flow)'));
    return undefined;
  }
  const calls = ctx.calls;
  const copy = forwardCopy(req, viaFor(ctx, ctx.settings.core.protocol), ctx.layer.newBranch());
  const h = copy.headers;
  h.remove('p-preferred-identity');
  const inDialog = req.to.params.has('tag');
  let destination: Destination = ctx.settings.core;
  if (!inDialog) {
    h.set('P-Asserted-Identity', assertedIdentity(binding, req.headers.values('p-preferred-identity')));
    if (!h.has('p-charging-vector'))
      h.set(
        'P-Charging-Vector',
        `icid-value=${randomBytes(16).toString('hex')};icid-generated-at=${ctx.settings.mwHost}`,
      );
    // A client-supplied route set does not get through: the Service-Route does (RFC 3608 §6).
    h.remove('route');
    for (const r of binding.serviceRoute) h.append('Route', r);
    if (DIALOG_CREATING.has(req.method))
      h.prepend('Record-Route', `<${mwUri(ctx, ctx.tokens.encode(connectionId))}>`);
  } else {
    // RFC 3261 §16.4: the top Route is our Record-Route; the next one may be ours again (another
    // leg of a call between two clients here), reached through our own Mw address.
    const top = copy.headers.values('route')[0];
    if (top !== undefined && calls.isOurs(top)) copy.headers.removeFirstValue('route');
    destination = nextHop(ctx, copy.headers.values('route')[0]) ?? destination;
  }
  const leg = inDialog ? calls.legOfClientRequest(req.callId, connectionId) : 'orig';
  if (!inDialog && req.method === 'INVITE') calls.begin(req, 'orig', connectionId);
  if (inDialog) calls.clientInDialog(req, leg);
  const hadOffer = sdpOf(copy) !== undefined;
  const failure = await calls.rewriteRequest(copy, leg, 'wic');
  if (failure !== undefined) {
    if (!inDialog && req.method === 'INVITE') await calls.release(req.callId, 'orig', 'media refused');
    respondError(txn, failure);
    return undefined;
  }
  return forward(
    ctx.layer,
    txn,
    [{ request: copy, destination }],
    calls.responseHooks(req, leg, 'wic', hadOffer),
  );
}

const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);

/** The next hop for a route value (RFC 3263 without DNS), or undefined to use the core. */
export function nextHop(ctx: EpCscfContext, route: string | undefined): Destination | undefined {
  if (route === undefined) return undefined;
  const u = parseUri(route.replace(/^[^<]*<|>.*$/g, ''));
  if (!u.ok) return undefined;
  const d = nextHopDestination(u.uri, ctx.settings.core.protocol);
  return typeof d === 'string' ? undefined : d;
}

function assertedIdentity(b: ContactBinding, preferred: string[]): string {
  const associated = b.associatedUris.length > 0 ? b.associatedUris : [`<${b.aor}>`];
  const bare = (v: string): string =>
    v
      .replace(/^[^<]*</, '')
      .replace(/>.*$/, '')
      .toLowerCase();
  for (const p of preferred) {
    const match = associated.find((a) => bare(a) === bare(p));
    if (match !== undefined) return match;
  }
  return associated[0]!;
}
