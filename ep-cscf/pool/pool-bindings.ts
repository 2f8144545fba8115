import { formatUri, type NameAddr, type SipResponse } from '../../sip/index.ts';
import type { ContactBinding } from '../../store/index.ts';
import type { EpCscfContext } from '../context.ts';
import { associatedUrisFor } from './pool-reply.ts';

/**
 * The registration store's view of a pool registration, as `recordRegistration` keeps a
 * client's own (TS 24.229 §5.2.2.1): one binding per contact of the client, with AOR = the
 * leased IMPU, the client's flow, the core's Service-Route and P-Associated-URI (the leased IMPU
 * first). Originating requests from the flow then get the leased identity asserted, and the
 * reg-event subscription follows the leased IMPU.
 */
export async function storePoolBindings(
  ctx: EpCscfContext,
  o: {
    aor: string;
    impi: string;
    connectionId: string;
    callId: string;
    response: SipResponse;
    granted: ReadonlyArray<{ contact: NameAddr; expires: number }>;
  },
): Promise<void> {
  const now = ctx.now();
  const serviceRoute = o.response.headers.values('service-route');
  const associatedUris = associatedUrisFor(o.response, o.aor);
  const kept = new Set<string>();
  for (const { contact, expires } of o.granted) {
    const uri = formatUri(contact.uri);
    if (expires === 0) {
      await ctx.store.remove(o.aor, uri);
      continue;
    }
    kept.add(uri);
    const regId = contact.params.value('reg-id');
    const binding: ContactBinding = {
      aor: o.aor,
      contact: uri,
      instanceId: contact.params.value('+sip.instance'),
      regId: regId === undefined ? undefined : Number(regId),
      connectionId: o.connectionId,
      expiresAt: now + expires * 1000,
      serviceRoute,
      associatedUris,
      impi: o.impi,
      callId: o.callId,
    };
    await ctx.store.put(binding);
    ctx.regEvent?.ensure(binding);
  }
  for (const b of await ctx.store.forAor(o.aor))
    if (b.connectionId === o.connectionId && !kept.has(b.contact)) await ctx.store.remove(o.aor, b.contact);
}

/** Forgets the bindings of a pool registration (deregistered, lease lost or ended). */
export async function forgetPoolBindings(
  ctx: EpCscfContext,
  aor: string,
  connectionId: string,
): Promise<void> {
  for (const b of await ctx.store.forAor(aor))
    if (b.connectionId === connectionId) await ctx.store.remove(aor, b.contact);
}
