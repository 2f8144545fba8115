import { formatUri, isSipUri, type NameAddr, parseExpires, type SipRequest } from '../../sip/index.ts';

/**
 * What a client's REGISTER asks for (RFC 3261 §10.2, §10.3 steps 6-7), read once at the edge:
 * bind its contacts for `expires` seconds (the longest asked for; contacts with expires 0 are
 * removed), remove them (Expires 0 on every contact, or `*`), or list them (no Contact).
 */
export type PoolIntent =
  | {
      readonly kind: 'register';
      /** the contacts to bind (expires > 0) */
      readonly contacts: readonly NameAddr[];
      /** contacts listed with expires 0 */
      readonly removed: readonly NameAddr[];
      readonly expires: number;
      /** RFC 5626 §5.1: reg-id and +sip.instance on every Contact, and a single Via */
      readonly outbound: boolean;
    }
  | { readonly kind: 'remove'; readonly contacts: readonly NameAddr[] | 'all' }
  | { readonly kind: 'query' };

export type PoolIntentResult =
  | { readonly ok: true; readonly intent: PoolIntent }
  | { readonly ok: false; readonly status: 400; readonly reason: string };

/** RFC 3261 §10.2.1.1: a registration without an expiry asks for the registrar's default. */
const DEFAULT_EXPIRES = 3600;

export function readPoolRegister(req: SipRequest): PoolIntentResult {
  // RFC 3261 §10.3 step 3: the address-of-record must be a SIP or SIPS URI. The client's AOR is
  // not what gets registered (the leased IMPU is), but a malformed one is still refused.
  if (!isSipUri(req.to.uri)) return bad('address-of-record must be a SIP URI');
  const contacts = req.contacts();
  if (typeof contacts === 'string' && contacts !== 'star') return bad('Contact');
  const header = req.headers.get('expires');
  const headerExpires = header === undefined ? undefined : parseExpires(header.trim());
  if (typeof headerExpires === 'string') return bad('Expires');
  if (contacts === 'star') {
    // RFC 3261 §10.2.2: "*" only with Expires: 0.
    if (headerExpires !== 0) return bad('Contact: * needs Expires: 0');
    return { ok: true, intent: { kind: 'remove', contacts: 'all' } };
  }
  if (contacts.length === 0) return { ok: true, intent: { kind: 'query' } };
  const bind: NameAddr[] = [];
  const removed: NameAddr[] = [];
  let expires = 0;
  for (const c of contacts) {
    const p = c.params.value('expires');
    const e = p === undefined ? (headerExpires ?? DEFAULT_EXPIRES) : parseExpires(p);
    if (typeof e === 'string') return bad('Contact expires');
    if (e === 0) removed.push(c);
    else {
      bind.push(c);
      expires = Math.max(expires, e);
    }
  }
  if (bind.length === 0) return { ok: true, intent: { kind: 'remove', contacts: removed } };
  return {
    ok: true,
    intent: { kind: 'register', contacts: bind, removed, expires, outbound: isOutbound(req, bind) },
  };
}

function isOutbound(req: SipRequest, contacts: readonly NameAddr[]): boolean {
  const vias = req.viaList();
  if (typeof vias === 'string' || vias.length !== 1) return false;
  return contacts.every((c) => c.params.has('reg-id') && c.params.has('+sip.instance'));
}

function bad(what: string): PoolIntentResult {
  return { ok: false, status: 400, reason: `Bad Request (${what})` };
}

/** Whether `c` is one of `list`, by URI (RFC 3261 §10.3 step 7 compares contacts by URI). */
export function listed(list: readonly NameAddr[], c: NameAddr): boolean {
  const key = formatUri(c.uri);
  return list.some((x) => formatUri(x.uri) === key);
}
