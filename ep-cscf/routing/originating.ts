import { randomBytes } from 'node:crypto';
import { type ForwardContext, forward, forwardCopy } from '../../sip/proxy/index.ts';
import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { ReceivedMessage } from '../../sip/transport/index.ts';
import type { ContactBinding } from '../../store/index.ts';
import { type EpCscfContext, mwUri, viaFor } from '../context.ts';
import { localResponse } from '../reply.ts';

/**
 * Originating requests (W2 → Mw, TS 24.229 §5.2.6.3): only from a registered flow; the route
 * set is the Service-Route learnt at registration; P-Asserted-Identity is asserted from the
 * registered identities (P-Preferred-Identity honoured only when it is one of them, RFC 3325
 * §9.1) and P-Preferred-Identity removed; a Record-Route carrying the flow token brings
 * in-dialog requests back to this flow.
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
  const copy = forwardCopy(req, viaFor(ctx, ctx.settings.core.protocol), ctx.layer.newBranch());
  const h = copy.headers;
  h.set('P-Asserted-Identity', assertedIdentity(binding, req.headers.values('p-preferred-identity')));
  h.remove('p-preferred-identity');
  if (!h.has('p-charging-vector'))
    h.set(
      'P-Charging-Vector',
      `icid-value=${randomBytes(16).toString('hex')};icid-generated-at=${ctx.settings.mwHost}`,
    );
  const inDialog = req.to.params.has('tag');
  if (!inDialog) {
    // A client-supplied route set does not get through: the Service-Route does (RFC 3608 §6).
    h.remove('route');
    for (const r of binding.serviceRoute) h.append('Route', r);
    if (DIALOG_CREATING.has(req.method))
      h.prepend('Record-Route', `<${mwUri(ctx, ctx.tokens.encode(connectionId))}>`);
  }
  return forward(ctx.layer, txn, [{ request: copy, destination: ctx.settings.core }]);
}

const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);

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
