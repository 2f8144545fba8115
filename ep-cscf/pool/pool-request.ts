import {
  formatNameAddr,
  isSipUri,
  type NameAddr,
  parseUri,
  SipHeaders,
  SipRequest,
} from '../../sip/index.ts';
import { editRegisterTowardCore } from '../registration/register-edits.ts';

/**
 * The REGISTER the eP-CSCF sends the core for a leased pool identity (TS 33.203 Annex X.4): the
 * eP-CSCF is the UA (its own Call-ID, From tag and CSeq per lease), the leased IMPU is To and
 * From, the client's Contact is the binding, and the P-CSCF edits of TS 24.229 §5.2.2.1 apply as
 * for a client's own REGISTER (Path with the flow token, path required, P-Visited-Network-ID,
 * P-Charging-Vector).
 */
export interface PoolRegisterInput {
  /** the leased public identity, e.g. sip:pool-1@ims.example.com */
  readonly impu: string;
  /** Request-URI: the home network's registrar, sip:<home domain> (TS 24.229 §5.1.1.2.1) */
  readonly registrar: string;
  /** our Via value without branch (the transaction layer adds one) */
  readonly via: string;
  readonly callId: string;
  readonly fromTag: string;
  readonly cseq: number;
  /** the client's Contact values; their `expires` parameters are dropped (Expires says it) */
  readonly contacts: readonly NameAddr[];
  /** contacts registered before and to be removed now: sent with `expires=0` (RFC 3261 §10.2.2) */
  readonly removed: readonly NameAddr[];
  readonly expires: number;
  /** the client registered with RFC 5626 outbound (Contact reg-id and +sip.instance) */
  readonly outbound: boolean;
  /** Authorization (after 401, or the initial IMS form) or Proxy-Authorization (after 407) */
  readonly credentials: { readonly header: 'Authorization' | 'Proxy-Authorization'; readonly value: string };
  /** our Path URI with the flow token (mwUri of the flow) */
  readonly pathUri: string;
  readonly visitedNetworkId: string;
  readonly icid: string;
  readonly icidGeneratedAt: string;
}

export function buildPoolRegister(o: PoolRegisterInput): SipRequest {
  const h = new SipHeaders();
  h.append('Via', o.via);
  h.append('Max-Forwards', '70');
  h.append('To', `<${o.impu}>`);
  h.append('From', `<${o.impu}>;tag=${o.fromTag}`);
  h.append('Call-ID', o.callId);
  h.append('CSeq', `${o.cseq} REGISTER`);
  for (const c of o.contacts) h.append('Contact', formatNameAddr(withExpires(c, undefined)));
  for (const c of o.removed) h.append('Contact', formatNameAddr(withExpires(c, '0')));
  h.append('Expires', String(o.expires));
  h.append('Supported', o.outbound ? 'path, outbound' : 'path');
  h.append(o.credentials.header, o.credentials.value);
  const req = new SipRequest('REGISTER', o.registrar, h);
  editRegisterTowardCore(req, {
    pathUri: o.pathUri,
    ob: o.outbound,
    visitedNetworkId: o.visitedNetworkId,
    icid: o.icid,
    icidGeneratedAt: o.icidGeneratedAt,
    // The eP-CSCF is the UA here: nothing was protected for it, the core challenges it.
    integrity: undefined,
  });
  return req;
}

function withExpires(c: NameAddr, expires: string | undefined): NameAddr {
  if (expires === undefined && !c.params.has('expires')) return c;
  const params = c.params.clone();
  if (expires === undefined) params.delete('expires');
  else params.set('expires', expires);
  return { ...c, params };
}

/** The AOR as the registration store keys it (as canonicalAor does for a client's To). */
export function canonicalImpu(impu: string): string {
  const r = parseUri(impu);
  if (!r.ok || !isSipUri(r.uri)) return impu;
  const u = r.uri;
  const user = u.user === undefined ? '' : `${u.user}@`;
  return `${u.scheme}:${user}${u.host.toLowerCase()}${u.port === undefined ? '' : `:${u.port}`}`;
}

/**
 * The registrar of an identity's home network and the digest realm of its initial
 * Authorization (TS 24.229 §5.1.1.2.1): the domain of the IMPI (`user@domain`), else the
 * host of the IMPU. Undefined when the IMPU is not a SIP URI (a pool identity must be one:
 * RFC 3261 §10.2 registers SIP URIs).
 */
export function homeDomainOf(impu: string, impi: string): string | undefined {
  const m = /^sips?:(?:[^@;?]*@)?([^;?:>]+|\[[^\]]+\])/i.exec(impu);
  if (m === null) return undefined;
  const at = impi.lastIndexOf('@');
  return at >= 0 && at < impi.length - 1 ? impi.slice(at + 1) : m[1];
}
