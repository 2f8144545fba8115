import { randomBytes } from 'node:crypto';
import { formatNameAddr, type NameAddr, SipHeaders, SipRequest, type SipResponse } from '../../sip/index.ts';
import { sendRequest } from '../../sip/ua/uac.ts';
import { type EpCscfContext, viaFor } from '../context.ts';
import type { RegisterDialog, TokenBinding } from './token-bindings.ts';
import { trustedNodeAuthorization } from './trusted-node.ts';

/** The Contact of a REGISTER as a deregistration repeats it: URI and parameters, without expires. */
export function contactForDialog(c: NameAddr): string {
  const params = c.params.clone();
  params.delete('expires');
  return formatNameAddr({ ...c, params });
}

/**
 * Ends one registration at the core on the client's behalf (the eP-CSCF is now the UA, RFC 3261
 * §10.2.2): REGISTER for the same AOR and contact with Expires 0, the Call-ID of the client's
 * registration and a higher CSeq (§10.3 step 7 would refuse a lower one), our Path, and the
 * Trusted Node Authentication Authorization (`integrity-protected="auth-done"`) so that the
 * S-CSCF accepts it without a challenge. `authorization` overrides that (the pool scenario
 * answers the core's challenge itself).
 */
export function buildDeregister(
  ctx: EpCscfContext,
  b: Pick<TokenBinding, 'aor' | 'impi'> & { register: RegisterDialog },
  authorization = trustedNodeAuthorization(b.impi, b.register.requestUri),
): SipRequest {
  const s = ctx.settings;
  const r = b.register;
  const h = new SipHeaders();
  h.append('Via', viaFor(ctx, s.core.protocol));
  h.append('Max-Forwards', '70');
  h.append('From', `<${b.aor}>;tag=${randomBytes(6).toString('hex')}`);
  h.append('To', `<${b.aor}>`);
  h.append('Call-ID', r.callId);
  h.append('CSeq', `${r.cseq + 1} REGISTER`);
  h.append('Contact', r.contact);
  h.append('Expires', '0');
  h.append('Path', r.path);
  h.append('Supported', 'path');
  h.append('Authorization', authorization);
  h.append('P-Visited-Network-ID', tokenOrQuoted(s.visitedNetworkId));
  h.append(
    'P-Charging-Vector',
    `icid-value=${randomBytes(16).toString('hex')};icid-generated-at=${s.mwHost}`,
  );
  return new SipRequest('REGISTER', r.requestUri, h);
}

/** Sends the deregistration and forgets the binding in the store; resolves with the core's answer. */
export async function deregisterAtCore(
  ctx: EpCscfContext,
  b: Pick<TokenBinding, 'aor' | 'contact' | 'impi'> & { register: RegisterDialog },
): Promise<SipResponse> {
  const res = await sendRequest(ctx.layer, buildDeregister(ctx, b), ctx.settings.core);
  await ctx.store.remove(b.aor, b.contact);
  return res;
}

function tokenOrQuoted(v: string): string {
  return /^[A-Za-z0-9.!%*_+`'~-]+$/.test(v) ? v : `"${v.replace(/["\\]/g, '\\$&')}"`;
}
