import { SipError } from '../../sip/error/sip-error.ts';
import { flatString as flat } from '../../sip/grammar/flat-string.ts';
import { parseUri, SipHeaders, SipRequest, type SipResponse } from '../../sip/index.ts';
import type { ForwardOptions } from '../../sip/proxy/index.ts';
import type { Destination } from '../../sip/transport/index.ts';
import { sendRequest } from '../../sip/ua/uac.ts';
import { type EpCscfContext, viaFor } from '../context.ts';
import { type CallRecord, CallTable } from './call-table.ts';
import { MediaError, type MediaGateway, type MediaSide } from './media.ts';
import { SDP_METHODS, sdpOf, setSdp } from './sdp-body.ts';

/** Which leg of a call a message belongs to: the WIC called out (`orig`) or was called (`term`). */
export type Leg = 'orig' | 'term';

/**
 * One leg of a call at this eP-CSCF: the Call-ID, the WIC's role and its flow. Forks of one
 * INVITE toward several devices of a user are distinct legs (one per flow).
 */
export interface LegRef {
  readonly callId: string;
  readonly leg: Leg;
  readonly connectionId: string;
}

/** What the response hooks of a forwarded request need of it (see responseHooks). */
interface ResponseLeg {
  readonly ref: LegRef;
  /** who sent the request, and so who responds */
  readonly requestFrom: MediaSide;
  readonly responder: MediaSide;
  readonly requestHadOffer: boolean;
  /** the request's From tag, copied */
  readonly fromTag: string;
}

/**
 * A leg's reference with a copy of the Call-ID: references outlive the request they were read
 * from (the forwarding hooks of an INVITE live 64*T1 after its 2xx), and the Call-ID as parsed is
 * a slice of the whole message's text.
 */
export function legRef(callId: string, leg: Leg, connectionId: string): LegRef {
  return { callId: flat(callId), leg, connectionId };
}

/**
 * Calls through the eP-CSCF (TS 24.229 §5.2.6-§5.2.8, TS 24.371 §7): the SDP of every offer and
 * answer goes through the media gateway (TS 23.334 §6.2.10), each INVITE dialog leg is recorded
 * so that its media is released when it ends, and when the client's flow drops a call being set
 * up is cancelled (or failed) and an established one gets a BYE toward the IMS side. Media
 * sessions are keyed by Call-ID, leg and flow, so a call between two WICs on the same eP-CSCF,
 * and each fork, anchor separately.
 */
export class CallControl {
  readonly table = new CallTable();

  constructor(
    private readonly ctx: EpCscfContext,
    readonly media: MediaGateway,
  ) {}

  record(ref: LegRef): CallRecord | undefined {
    return this.table.get(key(ref));
  }

  /** The leg a request from a client on `connectionId` belongs to. */
  clientLeg(callId: string, connectionId: string): LegRef {
    const term = legRef(callId, 'term', connectionId);
    return this.table.get(key(term)) !== undefined ? term : { ...term, leg: 'orig' };
  }

  /** The leg a request from the core toward the client on `connectionId` belongs to. */
  coreLeg(callId: string, connectionId: string, initial: boolean): LegRef {
    const orig = legRef(callId, 'orig', connectionId);
    return !initial && this.table.get(key(orig)) !== undefined ? orig : { ...orig, leg: 'term' };
  }

  /**
   * Rewrites the offer (or answer) in a request about to be forwarded; the SipError to answer
   * with when media cannot be set up (488 + Warning, 503 + Retry-After).
   */
  async rewriteRequest(req: SipRequest, ref: LegRef, from: MediaSide): Promise<SipError | undefined> {
    if (!SDP_METHODS.has(req.method)) return undefined;
    const sdp = sdpOf(req);
    if (sdp === undefined) return undefined;
    const to: MediaSide = from === 'wic' ? 'ims' : 'wic';
    const callId = mediaKey(ref);
    const fromTag = req.from.params.value('tag') ?? '';
    try {
      // An ACK (or PRACK) carries the answer to an offer the other party made in a response
      // (RFC 3264 §4): the offer's sender is the To side of this request.
      const answersResponseOffer =
        req.method === 'ACK' || (req.method === 'PRACK' && this.record(ref)?.state === 'early');
      const out = answersResponseOffer
        ? await this.media.answer({
            callId,
            fromTag: req.to.params.value('tag') ?? '',
            toTag: fromTag,
            sdp,
            from,
            to,
          })
        : await this.media.offer({ callId, fromTag, sdp, from, to });
      setSdp(req, out);
      const rec = this.record(ref);
      if (rec !== undefined) rec.media = true;
      return undefined;
    } catch (err) {
      return mediaFailure(this.ctx, err, req.callId);
    }
  }

  /**
   * The forwarding options that rewrite SDP in responses (an answer to the request's offer, or an
   * offer in a response to an offer-less INVITE) and keep the call table (RFC 3261 §16.7).
   */
  responseHooks(
    req: SipRequest,
    ref: LegRef,
    requestFrom: MediaSide,
    requestHadOffer: boolean,
  ): ForwardOptions {
    // What the hooks need of the request, read now and copied: they live as long as the forwarding
    // context (an INVITE's: 64*T1 after its 2xx), and the request, or a slice of its text (a
    // header value), would keep the whole message alive that long.
    const { method } = req;
    const leg: ResponseLeg = {
      ref,
      requestFrom,
      responder: requestFrom === 'wic' ? 'ims' : 'wic',
      requestHadOffer,
      fromTag: flat(req.from.params.value('tag') ?? ''),
    };
    const initialInvite = method === 'INVITE' && !req.to.params.has('tag');
    const calls = this;
    // Methods, not arrow-valued properties: under tsx (esbuild keepNames) every named arrow made
    // per request costs a defineProperty of its name.
    return {
      // Only a 101-299 with SDP to a method that carries offers is rewritten; any other response
      // goes on at once (undefined: nothing to wait for).
      transform(res: SipResponse) {
        if (res.status < 101 || res.status >= 300 || !SDP_METHODS.has(method)) return undefined;
        const sdp = sdpOf(res);
        return sdp === undefined ? undefined : calls.rewriteResponse(res, sdp, leg);
      },
      onDone(final: SipResponse) {
        if (!initialInvite) return;
        if (final.status >= 300) void calls.release(ref, 'initial INVITE failed');
        else calls.confirm(ref, final);
      },
    };
  }

  /** The SDP of a response: an answer to the request's offer, or an offer made in the response. */
  private async rewriteResponse(res: SipResponse, sdp: string, leg: ResponseLeg): Promise<void> {
    const callId = mediaKey(leg.ref);
    try {
      const responderTag = res.to.params.value('tag') ?? '';
      const out = leg.requestHadOffer
        ? await this.media.answer({
            callId,
            fromTag: leg.fromTag,
            toTag: responderTag,
            sdp,
            from: leg.responder,
            to: leg.requestFrom,
          })
        : await this.media.offer({
            callId,
            fromTag: responderTag,
            sdp,
            from: leg.responder,
            to: leg.requestFrom,
          });
      setSdp(res, out);
    } catch (err) {
      this.ctx.logger.error({ err, callId: leg.ref.callId, status: res.status }, 'media answer failed');
    }
  }

  /** Records a new INVITE dialog leg before it is forwarded. */
  begin(req: SipRequest, ref: LegRef): CallRecord {
    const rec: CallRecord = {
      callId: key(ref),
      sipCallId: ref.callId,
      leg: ref.leg,
      connectionId: ref.connectionId,
      caller: ref.leg === 'orig' ? 'wic' : 'ims',
      // Copies, not slices of the INVITE's text: the record lasts as long as the call.
      from: flat(req.headers.get('from') ?? ''),
      fromTag: flat(req.from.params.value('tag') ?? ''),
      to: flat(req.headers.get('to') ?? ''),
      toTag: undefined,
      // On the terminating leg the IMS side is the caller: its Contact and the INVITE's
      // Record-Route (in order, ours excluded) reach it (RFC 3261 §12.1.1).
      imsTarget: ref.leg === 'term' ? firstContact(req) : undefined,
      imsRouteSet:
        ref.leg === 'term' ? this.withoutOwn(req.headers.values('record-route'), ref.connectionId) : [],
      wicCseq: ref.leg === 'orig' ? req.cseq.seq : 0,
      state: 'early',
      media: false,
      forward: undefined,
    };
    this.table.add(rec);
    return rec;
  }

  private confirm(ref: LegRef, res: SipResponse): void {
    const rec = this.record(ref);
    if (rec === undefined) return;
    rec.state = 'confirmed';
    const toTag = res.to.params.value('tag');
    rec.toTag = toTag === undefined ? undefined : flat(toTag);
    if (ref.leg === 'orig') {
      // RFC 3261 §12.1.2: the caller's route set is the 2xx's Record-Route reversed.
      rec.imsTarget = firstContact(res);
      rec.imsRouteSet = this.withoutOwn(res.headers.values('record-route').reverse(), rec.connectionId);
    }
  }

  /** Notes a request the WIC sent in a dialog (its CSeq), and ends the leg on BYE. */
  clientInDialog(req: SipRequest, ref: LegRef): void {
    const rec = this.record(ref);
    if (rec === undefined) return;
    if (req.cseq.seq > rec.wicCseq) rec.wicCseq = req.cseq.seq;
    if (req.method === 'BYE') void this.release(ref, 'BYE');
  }

  /** A BYE from the core ends the leg too. */
  coreInDialog(req: SipRequest, ref: LegRef): void {
    if (req.method === 'BYE') void this.release(ref, 'BYE');
  }

  /** Ends a leg: forget it and delete its media session. */
  async release(ref: LegRef, why: string): Promise<void> {
    const rec = this.table.remove(key(ref));
    if (rec === undefined) return;
    this.ctx.logger.debug(
      { callId: ref.callId, leg: ref.leg, flow: ref.connectionId, why },
      'call leg released',
    );
    if (!rec.media) return;
    try {
      await this.media.delete({ callId: mediaKey(ref) });
    } catch (err) {
      this.ctx.logger.warn({ err, callId: ref.callId, leg: ref.leg }, 'media delete failed');
    }
  }

  /**
   * The WIC's flow dropped (TS 24.229 §5.2.8.1.1, TS 24.371 §7, RFC 5626 §4.4): a call it was
   * placing is CANCELled downstream; a call ringing it is answered 480 upstream at once; an
   * established call gets a BYE toward the IMS side on the client's behalf. Media is deleted.
   */
  async flowClosed(connectionId: string): Promise<void> {
    for (const rec of this.table.onConnection(connectionId)) {
      const ref: LegRef = { callId: rec.sipCallId, leg: rec.leg, connectionId };
      if (rec.state === 'confirmed') await this.byeTowardIms(rec);
      else if (rec.leg === 'orig') rec.forward?.cancel('SIP;cause=480;text="WebSocket flow failed"');
      else rec.forward?.abort(480);
      await this.release(ref, 'flow closed');
    }
  }

  /**
   * Graceful stop: every call is released as if its flow had failed (BYE or CANCEL toward the
   * IMS side, media deleted) while the transports are still up, bounded by `timeoutMs`.
   */
  async releaseAll(timeoutMs: number): Promise<void> {
    const flows = new Set(this.table.all().map((c) => c.connectionId));
    const work = Promise.all([...flows].map((f) => this.flowClosed(f)));
    await Promise.race([work, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private async byeTowardIms(rec: CallRecord): Promise<void> {
    const target = rec.imsTarget;
    if (target === undefined || rec.toTag === undefined) return;
    const ctx = this.ctx;
    const h = new SipHeaders();
    h.append('Via', viaFor(ctx, ctx.settings.core.protocol));
    h.append('Max-Forwards', '70');
    for (const r of rec.imsRouteSet) h.append('Route', r);
    if (rec.caller === 'wic') {
      h.append('From', rec.from);
      h.append('To', `${rec.to};tag=${rec.toTag}`);
    } else {
      // The WIC answered: it is the To side of the INVITE, with the tag of its 2xx.
      h.append('From', `${rec.to};tag=${rec.toTag}`);
      h.append('To', rec.from);
    }
    h.append('Call-ID', rec.sipCallId);
    h.append('CSeq', `${rec.wicCseq + 1} BYE`);
    h.append('Reason', 'SIP;cause=480;text="WebSocket flow failed"');
    const bye = new SipRequest('BYE', target, h);
    const res = await sendRequest(ctx.layer, bye, this.nextHop(rec.imsRouteSet[0]));
    ctx.logger.info(
      { callId: rec.sipCallId, status: res.status },
      'call released toward the IMS core: the client flow failed',
    );
  }

  /** Next hop for a route value: ourselves (another leg here) or the core; never elsewhere. */
  nextHop(route: string | undefined): Destination {
    const core = this.ctx.settings.core;
    if (route === undefined || !this.isOurs(route)) return core;
    const s = this.ctx.settings;
    return { protocol: core.protocol, address: s.mwHost, port: s.mwPort };
  }

  /** Record-Route / Route values that are ours (URIs on our Mw address). */
  isOurs(route: string): boolean {
    const u = parseUri(route.replace(/^[^<]*<|>.*$/g, ''));
    if (!u.ok || !('host' in u.uri)) return false;
    const s = this.ctx.settings;
    const host = u.uri.hostKind === 'ipv6' ? u.uri.host.slice(1, -1) : u.uri.host;
    return host.toLowerCase() === s.mwHost.toLowerCase() && (u.uri.port ?? 5060) === s.mwPort;
  }

  /** Whether a route value is the Record-Route we put for this client's flow. */
  isOwnRoute(route: string, connectionId: string): boolean {
    return this.isOurs(route) && route.includes(`sip:${this.ctx.tokens.encode(connectionId)}@`);
  }

  /** The route set without the Record-Route we added for this leg (the one naming its flow). */
  /** The routes that are not ours, copied (the call record keeps them for the whole call). */
  private withoutOwn(routes: string[], connectionId: string): string[] {
    return routes.filter((r) => !this.isOwnRoute(r, connectionId)).map(flat);
  }
}

function key(ref: LegRef): string {
  return `${ref.callId}:${ref.leg}:${ref.connectionId}`;
}

/** The media session key: Call-ID, leg and flow (see CallControl). */
export function mediaKey(ref: LegRef): string {
  return `${ref.callId}:${ref.leg === 'orig' ? 'o' : 't'}:${ref.connectionId}`;
}

function firstContact(m: SipRequest | SipResponse): string | undefined {
  const c = m.contacts();
  return Array.isArray(c) && c[0] !== undefined ? flat(c[0].uriText) : undefined;
}

/**
 * A media failure → the response (TS 23.334 §6.2.10; RFC 3261 §21.4.26, §21.5.4): 488 with a
 * Warning naming the reason, 503 with Retry-After when no media gateway is reachable, else 500.
 */
function mediaFailure(ctx: EpCscfContext, err: unknown, callId: string): SipError {
  const e = err instanceof MediaError ? err : undefined;
  const status = e?.status ?? 500;
  const text = (e?.message ?? 'media error').replace(/["\\\r\n]/g, ' ').slice(0, 200);
  const warning: [string, string] = ['Warning', `399 ${ctx.settings.mwHost} "${text}"`];
  if (status === 488) return new SipError(488, 'Not Acceptable Here', [warning]);
  ctx.logger.warn({ err, callId }, 'media gateway failed');
  if (status === 503)
    return new SipError(503, 'Service Unavailable', [['Retry-After', String(e?.retryAfter ?? 5)]]);
  return new SipError(500, 'Server Internal Error', [warning]);
}
