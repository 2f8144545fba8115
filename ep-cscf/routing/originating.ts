import { type ForwardContext, forward, forwardCopy } from '../../sip/proxy/index.ts';
import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { Destination, ReceivedMessage } from '../../sip/transport/index.ts';
import type { ContactBinding } from '../../store/index.ts';
import { legRef } from '../calls/call-control.ts';
import { hasSdp } from '../calls/sdp-body.ts';
import { type EpCscfContext, mwUri, viaFor } from '../context.ts';
import { processIds } from '../ids.ts';
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
  const inDialog = req.to.params.has('tag');
  const top = req.headers.values('route')[0];
  // A request in a dialog comes back through the Record-Route we put for this flow; a To tag
  // without it is not a dialog through us, and must not skip the originating checks.
  if (inDialog && (top === undefined || !calls.isOwnRoute(top, connectionId))) {
    txn.respond(localResponse(req, 403, 'Forbidden (no dialog through this eP-CSCF)'));
    return undefined;
  }
  const copy = forwardCopy(req, viaFor(ctx, ctx.settings.core.protocol), ctx.layer.newBranch());
  const h = copy.headers;
  // RFC 3325 §5: identities asserted by the client are not trusted.
  h.remove('p-preferred-identity');
  h.remove('p-asserted-identity');
  let destination: Destination = ctx.settings.core;
  if (!inDialog) {
    h.set('P-Asserted-Identity', assertedIdentity(binding, req.headers.values('p-preferred-identity')));
    if (!h.has('p-charging-vector'))
      h.set('P-Charging-Vector', `icid-value=${processIds.icid()};icid-generated-at=${ctx.settings.mwHost}`);
    // A client-supplied route set does not get through: the Service-Route does (RFC 3608 §6).
    h.remove('route');
    for (const r of binding.serviceRoute) h.append('Route', r);
    if (DIALOG_CREATING.has(req.method))
      h.prepend('Record-Route', `<${mwUri(ctx, ctx.tokens.encode(connectionId))}>`);
  } else {
    // RFC 3261 §16.4: our Record-Route is consumed; the request follows the rest of the route
    // set, which only ever leads to the core or back to us (another leg here), never elsewhere.
    copy.headers.removeFirstValue('route');
    destination = calls.nextHop(copy.headers.values('route')[0]);
  }
  const initial = !inDialog && req.method === 'INVITE';
  const ref = inDialog ? calls.clientLeg(req.callId, connectionId) : legRef(req.callId, 'orig', connectionId);
  const rec = initial ? calls.begin(req, ref) : undefined;
  if (inDialog) calls.clientInDialog(req, ref);
  const hadOffer = hasSdp(copy);
  const failure = await calls.rewriteRequest(copy, ref, 'wic');
  if (failure !== undefined) {
    if (initial) await calls.release(ref, 'media refused');
    respondError(txn, failure);
    return undefined;
  }
  const fc = forward(
    ctx.layer,
    txn,
    [{ request: copy, destination }],
    calls.responseHooks(req, ref, 'wic', hadOffer),
  );
  if (rec !== undefined && !fc.done) rec.forward = fc;
  return fc;
}

const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);

function assertedIdentity(b: ContactBinding, preferred: string[]): string {
  const associated = b.associatedUris.length > 0 ? b.associatedUris : [`<${b.aor}>`];
  for (const p of preferred) {
    const match = associated.find((a) => bare(a) === bare(p));
    if (match !== undefined) return match;
  }
  return associated[0]!;
}

/** An identity's URI, for comparing: the text between < and >, in lower case. */
function bare(v: string): string {
  return v
    .replace(/^[^<]*</, '')
    .replace(/>.*$/, '')
    .toLowerCase();
}
