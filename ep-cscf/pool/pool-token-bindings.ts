import { formatUri } from '../../sip/index.ts';
import type { ImsAccessToken } from '../../token/claims.ts';
import { contactForDialog } from '../bearer/deregister.ts';
import type { EpCscfContext } from '../context.ts';
import type { Held } from './pool-lease.ts';

/**
 * Ties each contact of a pool registration to the access token it rests on, in the bearer
 * module's TokenBindings (ep-cscf/bearer/): that is where the token's expiry timer and the
 * RFC 7662 revocation sweep live, and they call the pool registrar's listener when the token
 * ends (attachPoolRegistrar). `lease` names the pool credential. Without bearer access (no WAF
 * configured) there is nothing to tie.
 */
export function bindPoolTokens(ctx: EpCscfContext, h: Held, token: ImsAccessToken, raw: string): void {
  const access = ctx.bearer;
  if (access === undefined) return;
  const path = `<${h.core.o.pathUri}${h.core.o.outbound ? ';ob' : ''}>`;
  for (const c of h.contacts)
    access.bindings.bind({
      aor: h.aor,
      contact: formatUri(c.uri),
      connectionId: h.connectionId,
      token,
      raw,
      impi: h.core.o.credential.impi,
      register: {
        requestUri: h.core.registrar,
        callId: h.core.callId,
        cseq: h.core.lastCseq,
        contact: contactForDialog(c),
        path,
      },
      lease: h.core.o.credential.id,
    });
  access.metrics.bindings.set(access.bindings.size);
}

/** Unties the contacts of an ended (or shrunk) pool registration. */
export function unbindPoolTokens(ctx: EpCscfContext, h: Held, contacts = h.contacts): void {
  const access = ctx.bearer;
  if (access === undefined) return;
  for (const c of contacts) access.bindings.remove(h.aor, formatUri(c.uri));
  access.metrics.bindings.set(access.bindings.size);
}
