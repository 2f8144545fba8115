import type { IntegrityProtected } from '../../sip/auth/index.ts';
import { isSipUri, type NameAddr, parseExpires, type SipRequest, type SipResponse } from '../../sip/index.ts';
import { type ForwardContext, forward, forwardCopy } from '../../sip/proxy/index.ts';
import type { ServerTransaction } from '../../sip/transaction/index.ts';
import type { ReceivedMessage } from '../../sip/transport/index.ts';
import type { ContactBinding } from '../../store/index.ts';
import { type EpCscfContext, mwUri, viaFor } from '../context.ts';
import { processIds } from '../ids.ts';
import { localResponse } from '../reply.ts';
import { editRegisterTowardCore, stripAkaKeys } from './register-edits.ts';

/** Variations of the forwarding for registrations the eP-CSCF vouches for (bearer tokens, pools). */
export interface RegisterOptions {
  /**
   * The Authorization the core gets instead of the client's credentials (all Authorization and
   * Proxy-Authorization fields are replaced): Trusted Node Authentication for a bearer token
   * (TS 24.229 §5.4.1.1, `integrity-protected="auth-done"`), or a pool credential.
   */
  readonly authorization?: string;
  /** Told once the core's 2xx has been stored: which of this client's contacts are registered now. */
  readonly onRegistered?: (r: RegisteredContacts) => void;
}

export interface RegisteredContacts {
  /** the REGISTER as sent to the core (its Request-URI, Call-ID, CSeq, Path) */
  readonly forwarded: SipRequest;
  /** the contacts of this REGISTER that the core lists with a non-zero expiry, as stored */
  readonly registered: readonly ContactBinding[];
  /** contact URIs of this flow that are no longer registered (Expires 0, "*", or not listed) */
  readonly removed: readonly string[];
}

/**
 * A REGISTER from a WebRTC client (W2) toward the IMS core (Mw): TS 24.229 §5.2.2, TS 24.371
 * §6, RFC 5626 §5 (the eP-CSCF is the client's edge proxy and its WebSocket is the flow).
 */
export function forwardRegister(
  ctx: EpCscfContext,
  txn: ServerTransaction,
  rm: ReceivedMessage,
  options: RegisterOptions = {},
): ForwardContext | undefined {
  const req = txn.request;
  const connectionId = rm.source.connectionId;
  if (connectionId === undefined) {
    txn.respond(localResponse(req, 403, 'Forbidden (REGISTER only over a WebSocket flow)'));
    return undefined;
  }
  // RFC 3261 §10.3 step 3: the address-of-record must be a SIP or SIPS URI.
  if (!isSipUri(req.to.uri)) {
    txn.respond(localResponse(req, 400, 'Bad Request (address-of-record must be a SIP URI)'));
    return undefined;
  }
  const contacts = req.contacts();
  if (!Array.isArray(contacts) && contacts !== 'star') {
    txn.respond(localResponse(req, 400, 'Bad Request (Contact)'));
    return undefined;
  }
  const token = ctx.tokens.encode(connectionId);
  const outbound = Array.isArray(contacts) && isOutbound(req, contacts);
  const copy = forwardCopy(req, viaFor(ctx, ctx.settings.core.protocol), ctx.layer.newBranch());
  editRegisterTowardCore(copy, {
    pathUri: mwUri(ctx, token),
    ob: outbound,
    visitedNetworkId: ctx.settings.visitedNetworkId,
    icid: processIds.icid(),
    icidGeneratedAt: ctx.settings.mwHost,
    integrity: options.authorization === undefined ? integrityFor(rm) : undefined,
  });
  if (options.authorization !== undefined) {
    copy.headers.remove('authorization');
    copy.headers.remove('proxy-authorization');
    copy.headers.append('Authorization', options.authorization);
  }
  const started = ctx.now();
  return forward(ctx.layer, txn, [{ request: copy, destination: ctx.settings.core }], {
    onResponse(res) {
      if (res.status === 401 || res.status === 407) stripAkaKeys(res);
      if (res.status >= 200 && res.status < 300) {
        if (outbound && !res.headers.has('flow-timer'))
          res.headers.append('Flow-Timer', String(ctx.settings.flowTimer));
        void recordRegistration(ctx, req, res, connectionId, impiOf(copy)).then(
          (r) => options.onRegistered?.({ forwarded: copy, ...r }),
          (err: unknown) => ctx.logger.error({ err, callId: req.callId }, 'registration state not stored'),
        );
      }
      if (res.status >= 200) {
        ctx.metrics.countResponse('REGISTER', res.status);
        ctx.metrics.observeTransaction('REGISTER', (ctx.now() - started) / 1000);
      }
      return true;
    },
  });
}

/**
 * RFC 5626 §5.1: an outbound registration carries `reg-id` and `+sip.instance` on its Contact
 * and arrives with a single Via: the edge proxy then puts `ob` in its Path URI.
 */
function isOutbound(req: SipRequest, contacts: NameAddr[]): boolean {
  const single = req.viaList();
  if (typeof single === 'string' || single.length !== 1) return false;
  return (
    contacts.length > 0 && contacts.every((c) => c.params.has('reg-id') && c.params.has('+sip.instance'))
  );
}

/**
 * The integrity-protected value the P-CSCF adds to the Authorization it forwards (TS 24.229
 * §5.2.2.1, TS 24.371 §6.2): over WSS (TLS) an IMS AKA registration is "tls-connected" and a
 * digest one "tls-pending" until the core has authenticated it; over plain WS (lab use only)
 * the request is not protected: "no" for AKA, and no parameter for digest.
 */
function integrityFor(rm: ReceivedMessage): IntegrityProtected | undefined {
  const auth = rm.message.headers.get('authorization');
  if (auth === undefined) return undefined;
  const aka = /algorithm\s*=\s*"?AKA/i.test(auth);
  if (rm.source.protocol === 'wss') return aka ? 'tls-connected' : 'tls-pending';
  return aka ? 'no' : undefined;
}

/**
 * On a 2xx to REGISTER (TS 24.229 §5.2.2.1): remember, per registered contact of this client,
 * the Service-Route (RFC 3608) and P-Associated-URI, and the flow; forget contacts the core no
 * longer lists (expired or unregistered).
 */
async function recordRegistration(
  ctx: EpCscfContext,
  req: SipRequest,
  res: SipResponse,
  connectionId: string,
  impi: string | undefined,
): Promise<{ registered: ContactBinding[]; removed: string[] }> {
  const aor = canonicalAor(req);
  const sent = req.contacts();
  const granted = res.contacts();
  const registered: ContactBinding[] = [];
  const removed: string[] = [];
  if (!Array.isArray(granted) || (!Array.isArray(sent) && sent !== 'star')) return { registered, removed };
  const serviceRoute = res.headers.values('service-route');
  const associatedUris = res.headers.values('p-associated-uri');
  const defaultExpires = parseExpires(res.headers.get('expires') ?? '3600');
  const now = ctx.now();
  const listed = new Set<string>();
  for (const g of granted) {
    const uri = g.uriText;
    listed.add(uri);
    const mine = Array.isArray(sent) ? sent.find((s) => s.uriText === uri) : undefined;
    if (mine === undefined) continue; // another device's binding
    const e = g.params.value('expires');
    const seconds = e !== undefined ? parseExpires(e) : defaultExpires;
    if (typeof seconds === 'string' || seconds === 0) {
      await ctx.store.remove(aor, uri);
      removed.push(uri);
      continue;
    }
    const regId = mine.params.value('reg-id');
    const binding: ContactBinding = {
      aor,
      contact: uri,
      instanceId: mine.params.value('+sip.instance'),
      regId: regId === undefined ? undefined : Number(regId),
      connectionId,
      expiresAt: now + seconds * 1000,
      serviceRoute,
      associatedUris,
      impi,
      callId: req.callId,
    };
    await ctx.store.put(binding);
    registered.push(binding);
    ctx.regEvent?.ensure(binding);
  }
  // Contacts of this client that the core no longer lists are gone (Expires: 0, or "*").
  for (const b of await ctx.store.forAor(aor)) {
    if (!listed.has(b.contact) && b.connectionId === connectionId) {
      await ctx.store.remove(aor, b.contact);
      removed.push(b.contact);
    }
  }
  return { registered, removed };
}

/** The AOR as the store keys it: the To URI without parameters, scheme and host in lower case. */
export function canonicalAor(req: SipRequest): string {
  const u = req.to.uri;
  if (!isSipUri(u)) return req.to.uriText;
  const host = u.host.toLowerCase();
  return `${u.scheme}:${u.user === undefined ? '' : `${u.user}@`}${host}${u.port === undefined ? '' : `:${u.port}`}`;
}

/** The IMPI the core registers: the username of the Authorization as forwarded. */
function impiOf(req: SipRequest): string | undefined {
  const auth = req.headers.get('authorization');
  const m = auth === undefined ? null : /username\s*=\s*"([^"]*)"/i.exec(auth);
  return m?.[1];
}
