import type { EpCscfContext } from '../context.ts';
import type { BearerAccess } from './bearer-access.ts';
import { deregisterAtCore } from './deregister.ts';

/**
 * What the end of a token does for scenario 2 (identity from the token): the registration is
 * ended at the core (REGISTER Expires 0 with Trusted Node Authentication, deregister.ts) unless
 * it is already gone (the client deregistered, it expired, or the core ended it); then, when no
 * other registration on the flow rests on a live token, the flow is closed.
 *
 * Why close the flow: nothing the client sends on it is authorised any more, and SIP has no
 * standard way to tell a client its binding was removed without a reg-event subscription (which
 * browser clients do not make). A closed WebSocket is what every client notices: JsSIP and SIP.js
 * reconnect and REGISTER again, and a refused token (401 invalid_token) sends the application to
 * the WAF for a new one. Calls on the flow are released by the flow-closed handling (BYE with a
 * Reason toward the IMS side, TS 24.229 §5.2.8.1). The WebSocket is dropped without a close frame
 * (the transport's close), which clients see as an abnormal closure.
 */
export function wireTokenEnd(ctx: EpCscfContext, access: BearerAccess): void {
  access.bindings.onTokenEnded(async (b, reason) => {
    if (reason === 'revoked') access.markRevoked(b.token);
    if (b.token.identity.kind !== 'subscriber') return; // scenario 3: the pool registrar's listener
    const stored = (await ctx.store.forAor(b.aor)).find((x) => x.contact === b.contact);
    if (stored === undefined || stored.connectionId !== b.connectionId) return;
    const res = await deregisterAtCore(ctx, b);
    ctx.logger.info(
      { aor: b.aor, contact: b.contact, flow: b.connectionId, reason, status: res.status },
      'registration ended at the core: access token ended',
    );
  });
  access.bindings.afterEnded = (b, reason) => {
    access.metrics.deregistrations.inc({ reason });
    access.metrics.bindings.set(access.bindings.size);
    if (access.bindings.forConnection(b.connectionId).length > 0) return;
    ctx.transports.connections.get(b.connectionId)?.close(`token-${reason}`);
  };
}
