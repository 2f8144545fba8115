/**
 * REGISTER at the lab core: the registrar of RFC 3261 §10.3 with the S-CSCF rules of TS 24.229
 * §5.4.1 a lab needs (IMPU/IMPI, challenge, Trusted Node Authentication, Service-Route,
 * P-Associated-URI), Path (RFC 3327 §5.3) and the RFC 5626 §6 binding keys.
 */

import { parseDigestCredentials } from '../../sip/auth/index.ts';
import type { Clock } from '../../sip/clock/clock.ts';
import { reasonPhrase, SipError } from '../../sip/error/sip-error.ts';
import {
  formatNameAddr,
  formatUri,
  isSipUri,
  type NameAddr,
  parseExpires,
  parseUri,
  type SipRequest,
  type SipResponse,
} from '../../sip/index.ts';
import { buildResponse } from '../../sip/transaction/index.ts';
import type { Source } from '../../sip/transport/index.ts';
import type { Binding, BindingChange, BindingStore, RegistrationSet } from './bindings.ts';
import type { LabAuthenticator } from './lab-auth.ts';
import type { Subscriber, SubscriberDirectory } from './subscribers.ts';

export interface RegistrarContext {
  readonly domain: string;
  /** host:port of the core, for Service-Route and the Request-URI check */
  readonly coreHost: string;
  readonly corePort: number;
  readonly subscribers: SubscriberDirectory;
  readonly auth: LabAuthenticator;
  readonly store: BindingStore;
  /** source addresses whose `integrity-protected="auth-done"` is believed (TS 24.229 §5.4.1.2.2) */
  readonly trustedPeers: ReadonlySet<string>;
  readonly minExpires: number;
  readonly maxExpires: number;
  readonly defaultExpires: number;
  readonly clock: Clock;
  readonly newTag: () => string;
}

/** Handles one REGISTER (already through the RFC 3261 §8.2 checks) and returns the final response. */
export async function handleRegister(
  ctx: RegistrarContext,
  req: SipRequest,
  source: Source,
): Promise<SipResponse> {
  try {
    return await register(ctx, req, source);
  } catch (e) {
    if (!(e instanceof SipError)) throw e;
    const res = buildResponse(req, e.status, e.reason, ctx.newTag());
    for (const [name, value] of e.headers) res.headers.append(name, value);
    return res;
  }
}

async function register(ctx: RegistrarContext, req: SipRequest, source: Source): Promise<SipResponse> {
  // §10.3 step 1: bindings are kept for our domain (or addressed to this host) only.
  const ruri = parseUri(req.uri);
  if (!ruri.ok || !isSipUri(ruri.uri)) throw new SipError(400, 'Bad Request-URI');
  const host = ruri.uri.host.toLowerCase();
  if (host !== ctx.domain.toLowerCase() && host !== ctx.coreHost.toLowerCase())
    throw new SipError(404, 'Domain Not Served Here');
  // §10.3 step 3: the address-of-record (IMPU) from To.
  const subscriber = ctx.subscribers.byImpu(req.to.uri);
  if (subscriber === undefined) throw new SipError(404, 'Not Found');
  // TS 24.229 §5.4.1.2.1: the IMPI from the Authorization username, else derived from the IMPU.
  const impi = impiOf(ctx, req);
  if (impi.toLowerCase() !== subscriber.impi.toLowerCase())
    throw new SipError(403, 'Private Identity Does Not Match');

  let authenticationInfo: string | undefined;
  if (!trustedNode(ctx, req, source)) {
    const outcome = await ctx.auth.authenticate(subscriber, {
      method: 'REGISTER',
      uri: req.uri,
      credentials: req.headers.values('authorization'),
    });
    if (outcome.kind === 'challenge')
      throw new SipError(
        401,
        'Unauthorized',
        outcome.challenges.map((c) => ['WWW-Authenticate', c] as const),
      );
    if (outcome.kind === 'forbidden') throw new SipError(403, 'Forbidden');
    if (outcome.kind === 'bad-request') throw new SipError(400, `Bad Authorization (${outcome.reason})`);
    authenticationInfo = outcome.authenticationInfo;
  }

  const set = ctx.store.setOf(subscriber);
  const changes = bindingChanges(ctx, req, source, set);
  ctx.store.apply(set, changes);
  return ok(ctx, req, set, subscriber, authenticationInfo);
}

function impiOf(ctx: RegistrarContext, req: SipRequest): string {
  for (const v of req.headers.values('authorization')) {
    const c = parseDigestCredentials(v);
    if (c.ok && c.value.realm === ctx.domain) return c.value.username;
  }
  const to = req.to.uri;
  return isSipUri(to) && to.user !== undefined ? `${to.user}@${to.host}` : '';
}

/** TS 24.229 §5.4.1.2.2 Trusted Node Authentication: `auth-done` counts only from a trusted peer. */
function trustedNode(ctx: RegistrarContext, req: SipRequest, source: Source): boolean {
  if (!ctx.trustedPeers.has(source.remoteAddress)) return false;
  return req.headers.values('authorization').some((v) => {
    const c = parseDigestCredentials(v);
    return c.ok && c.value.integrityProtected?.toLowerCase() === 'auth-done';
  });
}

/** §10.3 steps 5–7: the changes one REGISTER asks for, checked in full before any is applied. */
function bindingChanges(
  ctx: RegistrarContext,
  req: SipRequest,
  source: Source,
  set: RegistrationSet,
): BindingChange[] {
  const contacts = req.contacts();
  if (typeof contacts === 'string' && contacts !== 'star') throw new SipError(400, 'Bad Contact');
  const header = req.headers.get('expires');
  const headerExpires = header === undefined ? undefined : parseExpires(header);
  if (typeof headerExpires === 'string') throw new SipError(400, 'Bad Expires');
  const callId = req.callId;
  const cseq = req.cseq.seq;
  if (contacts === 'star') {
    // §10.3 step 6: "*" only with Expires: 0; removes every binding unless a CSeq is out of order.
    if (headerExpires !== 0) throw new SipError(400, 'Contact * Requires Expires 0');
    for (const b of set.bindings.values()) checkOrder(b, callId, cseq);
    return [...set.bindings.values()].map((binding) => ({
      binding,
      state: 'terminated',
      event: 'unregistered',
    }));
  }
  if (typeof contacts === 'string') throw new SipError(400, 'Bad Contact');
  const now = ctx.clock.now();
  const path = req.headers.values('path');
  const changes: BindingChange[] = [];
  for (const c of contacts) {
    const expiresParam = c.params.value('expires');
    let expires =
      expiresParam === undefined ? (headerExpires ?? ctx.defaultExpires) : parseExpires(expiresParam);
    if (typeof expires === 'string') throw new SipError(400, 'Bad Contact expires');
    if (expires !== 0 && expires < ctx.minExpires)
      throw new SipError(423, reasonPhrase(423), [['Min-Expires', String(ctx.minExpires)]]);
    expires = Math.min(expires, ctx.maxExpires);
    const key = bindingKey(c);
    const old = set.bindings.get(key);
    if (old !== undefined) checkOrder(old, callId, cseq);
    if (expires === 0) {
      if (old !== undefined) changes.push({ binding: old, state: 'terminated', event: 'unregistered' });
      continue;
    }
    const params = c.params.clone();
    params.delete('expires');
    const regId = c.params.value('reg-id');
    const binding: Binding = {
      key,
      id: old?.id ?? ctx.store.newId(),
      contact: formatNameAddr({ ...c, params }),
      uri: formatUri(c.uri),
      path,
      instance: c.params.value('+sip.instance'),
      regId: regId === undefined ? undefined : Number(regId),
      params: params.entries().map(([n, v]) => [n, v ?? ''] as const),
      callId,
      cseq,
      registeredAt: old?.registeredAt ?? now,
      expiresAt: now + expires * 1000,
      source,
    };
    changes.push({ binding, state: 'active', event: old === undefined ? 'registered' : 'refreshed' });
  }
  return changes;
}

/** §10.3 step 7: the same Call-ID with a CSeq not above the stored one aborts the request. */
function checkOrder(b: Binding, callId: string, cseq: number): void {
  if (b.callId === callId && cseq <= b.cseq)
    throw new SipError(500, 'CSeq Out of Order', [['Retry-After', '1']]);
}

/** RFC 5626 §6: instance + reg-id, or the instance alone (RFC 5627); otherwise the contact URI (§10.3 step 7). */
function bindingKey(c: NameAddr): string {
  const instance = c.params.value('+sip.instance');
  if (instance !== undefined) return `instance ${instance} ${c.params.value('reg-id') ?? ''}`;
  const u = c.uri;
  return isSipUri(u)
    ? `uri ${u.scheme}:${u.user ?? ''}@${u.host.toLowerCase()}:${u.port ?? ''}`
    : `uri ${formatUri(u)}`;
}

/** §10.3 step 8 with TS 24.229 §5.4.1.2.2: every binding with its expires, Path, Service-Route, P-Associated-URI. */
function ok(
  ctx: RegistrarContext,
  req: SipRequest,
  set: RegistrationSet,
  subscriber: Subscriber,
  authenticationInfo: string | undefined,
): SipResponse {
  const res = buildResponse(req, 200, 'OK', ctx.newTag());
  const h = res.headers;
  for (const b of set.bindings.values())
    h.append('Contact', `${b.contact};expires=${ctx.store.secondsLeft(b)}`);
  // RFC 3327 §5.3: the Path goes back when the UA said it supports path.
  const supported = req.headers.values('supported').map((t) => t.toLowerCase());
  const path = req.headers.values('path');
  if (path.length > 0 && supported.includes('path')) for (const p of path) h.append('Path', p);
  if (set.bindings.size > 0) {
    h.append('Service-Route', `<sip:orig@${hostPort(ctx)};lr>`);
    h.append('P-Associated-URI', subscriber.impus.map((u) => `<${u}>`).join(', '));
  }
  if (usesOutbound(req)) h.append('Require', 'outbound');
  h.append('Supported', 'path, outbound');
  h.append('Date', new Date().toUTCString());
  if (authenticationInfo !== undefined) h.append('Authentication-Info', authenticationInfo);
  return res;
}

/** RFC 5626 §6: outbound applies when a Contact has reg-id and the first hop is an edge proxy with `ob` or the UA itself. */
function usesOutbound(req: SipRequest): boolean {
  const contacts = req.contacts();
  if (
    !Array.isArray(contacts) ||
    !contacts.some((c) => c.params.has('reg-id') && c.params.has('+sip.instance'))
  )
    return false;
  const path = req.addresses('path');
  if (Array.isArray(path) && path.length > 0) {
    const first = path[0]!.uri;
    return isSipUri(first) && first.params.has('ob');
  }
  const vias = req.viaList();
  return Array.isArray(vias) && vias.length === 1;
}

export function hostPort(ctx: { coreHost: string; corePort: number }): string {
  const host =
    ctx.coreHost.includes(':') && !ctx.coreHost.startsWith('[') ? `[${ctx.coreHost}]` : ctx.coreHost;
  return `${host}:${ctx.corePort}`;
}
