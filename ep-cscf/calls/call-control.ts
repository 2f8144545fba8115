import { randomBytes } from 'node:crypto';
import { nextHopDestination } from '../../sip/dialog/index.ts';
import { SipError } from '../../sip/error/sip-error.ts';
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
 * Calls through the eP-CSCF (TS 24.229 §5.2.6-§5.2.8, TS 24.371 §7): the SDP of every offer and
 * answer goes through the media gateway (TS 23.334 §6.2.10), each INVITE dialog is recorded so
 * that its media is released when it ends and the IMS side gets a BYE when the client's flow
 * drops. Media sessions are keyed by Call-ID and leg, so a call between two WICs on the same
 * eP-CSCF anchors each leg separately.
 */
export class CallControl {
  readonly table = new CallTable();

  constructor(
    private readonly ctx: EpCscfContext,
    readonly media: MediaGateway,
  ) {}

  /** The record of this leg, if the dialog is known. */
  record(callId: string, leg: Leg): CallRecord | undefined {
    return this.table.get(key(callId, leg));
  }

  /** Which leg a request from a client on `connectionId` belongs to. */
  legOfClientRequest(callId: string, connectionId: string): Leg {
    const term = this.table.get(key(callId, 'term'));
    return term !== undefined && term.connectionId === connectionId ? 'term' : 'orig';
  }

  /**
   * Rewrites the offer (or answer) in a request about to be forwarded; the SipError to answer
   * with when media cannot be set up (488 + Warning, 503 + Retry-After).
   */
  async rewriteRequest(req: SipRequest, leg: Leg, from: MediaSide): Promise<SipError | undefined> {
    if (!SDP_METHODS.has(req.method)) return undefined;
    const sdp = sdpOf(req);
    if (sdp === undefined) return undefined;
    const to: MediaSide = from === 'wic' ? 'ims' : 'wic';
    const callId = mediaKey(req.callId, leg);
    const fromTag = req.from.params.value('tag') ?? '';
    try {
      // An ACK (or PRACK) carries the answer to an offer the other party made in a response
      // (RFC 3264 §4): the offer's sender is the To side of this request.
      const answersResponseOffer =
        req.method === 'ACK' || (req.method === 'PRACK' && this.record(req.callId, leg)?.state === 'early');
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
      const rec = this.record(req.callId, leg);
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
  responseHooks(req: SipRequest, leg: Leg, requestFrom: MediaSide, requestHadOffer: boolean): ForwardOptions {
    const ctx = this.ctx;
    const responder: MediaSide = requestFrom === 'wic' ? 'ims' : 'wic';
    return {
      transform: async (res: SipResponse) => {
        const sdp = sdpOf(res);
        if (sdp === undefined || res.status < 101 || res.status >= 300 || !SDP_METHODS.has(req.method))
          return;
        const callId = mediaKey(req.callId, leg);
        const fromTag = req.from.params.value('tag') ?? '';
        try {
          const responderTag = res.to.params.value('tag') ?? '';
          // An answer to the request's offer, or an offer made in the response (sent by the responder).
          const out = requestHadOffer
            ? await this.media.answer({
                callId,
                fromTag,
                toTag: responderTag,
                sdp,
                from: responder,
                to: requestFrom,
              })
            : await this.media.offer({
                callId,
                fromTag: responderTag,
                sdp,
                from: responder,
                to: requestFrom,
              });
          setSdp(res, out);
        } catch (err) {
          ctx.logger.error({ err, callId: req.callId, status: res.status }, 'media answer failed');
        }
      },
      onDone: (final: SipResponse) => {
        if (req.method !== 'INVITE' || req.to.params.has('tag')) return;
        if (final.status >= 300) void this.release(req.callId, leg, 'initial INVITE failed');
        else this.confirm(req, final, leg);
      },
    };
  }

  /** Records a new INVITE dialog leg before it is forwarded. */
  begin(req: SipRequest, leg: Leg, connectionId: string): void {
    const cseq = req.cseq.seq;
    this.table.add({
      callId: key(req.callId, leg),
      connectionId,
      caller: leg === 'orig' ? 'wic' : 'ims',
      from: req.headers.get('from') ?? '',
      fromTag: req.from.params.value('tag') ?? '',
      to: req.headers.get('to') ?? '',
      toTag: undefined,
      // On the terminating leg the IMS side is the caller: its Contact and the INVITE's
      // Record-Route (in order, ours excluded) reach it (RFC 3261 §12.1.1).
      imsTarget: leg === 'term' ? firstContact(req) : undefined,
      imsRouteSet: leg === 'term' ? this.withoutOwn(req.headers.values('record-route'), connectionId) : [],
      wicCseq: leg === 'orig' ? cseq : 0,
      state: 'early',
      media: false,
    });
  }

  private confirm(req: SipRequest, res: SipResponse, leg: Leg): void {
    const rec = this.record(req.callId, leg);
    if (rec === undefined) return;
    rec.state = 'confirmed';
    rec.toTag = res.to.params.value('tag');
    if (leg === 'orig') {
      // RFC 3261 §12.1.2: the caller's route set is the 2xx's Record-Route reversed.
      rec.imsTarget = firstContact(res);
      rec.imsRouteSet = this.withoutOwn(res.headers.values('record-route').reverse(), rec.connectionId);
    }
  }

  /** Notes a request the WIC sent in a dialog (its CSeq), and ends the leg on BYE. */
  clientInDialog(req: SipRequest, leg: Leg): void {
    const rec = this.record(req.callId, leg);
    if (rec === undefined) return;
    if (req.cseq.seq > rec.wicCseq) rec.wicCseq = req.cseq.seq;
    if (req.method === 'BYE') void this.release(req.callId, leg, 'BYE');
  }

  /** A BYE from the core ends the leg too. */
  coreInDialog(req: SipRequest, leg: Leg): void {
    if (req.method === 'BYE') void this.release(req.callId, leg, 'BYE');
  }

  /** Ends a leg: forget it and delete its media session. */
  async release(callId: string, leg: Leg, why: string): Promise<void> {
    const rec = this.table.remove(key(callId, leg));
    if (rec === undefined) return;
    this.ctx.logger.debug({ callId, leg, why }, 'call leg released');
    try {
      await this.media.delete({ callId: mediaKey(callId, leg) });
    } catch (err) {
      this.ctx.logger.warn({ err, callId, leg }, 'media delete failed');
    }
  }

  /**
   * The WIC's flow dropped (TS 24.371 §7, RFC 5626 §4.4): every confirmed call on it is released
   * toward the IMS side with a BYE sent on the client's behalf, and every leg's media deleted.
   */
  async flowClosed(connectionId: string): Promise<void> {
    for (const rec of this.table.onConnection(connectionId)) {
      const leg: Leg = rec.caller === 'wic' ? 'orig' : 'term';
      const callId = rec.callId.slice(0, rec.callId.lastIndexOf(':'));
      if (rec.state === 'confirmed') await this.byeTowardIms(rec, callId);
      await this.release(callId, leg, 'flow closed');
    }
  }

  private async byeTowardIms(rec: CallRecord, callId: string): Promise<void> {
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
    h.append('Call-ID', callId);
    h.append('CSeq', `${rec.wicCseq + 1} BYE`);
    h.append('Reason', 'SIP;cause=480;text="WebSocket flow failed"');
    const bye = new SipRequest('BYE', target, h);
    const first = rec.imsRouteSet[0];
    let dest: Destination = ctx.settings.core;
    if (first !== undefined) {
      const u = parseUri(first.replace(/^[^<]*<|>.*$/g, ''));
      const d = u.ok ? nextHopDestination(u.uri, ctx.settings.core.protocol) : 'bad route';
      if (typeof d !== 'string') dest = d;
    }
    const res = await sendRequest(ctx.layer, bye, dest);
    ctx.logger.info(
      { callId, status: res.status },
      'call released toward the IMS core: the client flow failed',
    );
  }

  /** Record-Route / Route values that are ours (flow-token URIs on our Mw address). */
  isOurs(route: string): boolean {
    const u = parseUri(route.replace(/^[^<]*<|>.*$/g, ''));
    if (!u.ok || !('host' in u.uri)) return false;
    const s = this.ctx.settings;
    const host = u.uri.hostKind === 'ipv6' ? u.uri.host.slice(1, -1) : u.uri.host;
    return host.toLowerCase() === s.mwHost.toLowerCase() && (u.uri.port ?? 5060) === s.mwPort;
  }

  /** The route set without the Record-Route we added for this leg (the one naming its flow). */
  private withoutOwn(routes: string[], connectionId: string): string[] {
    const token = this.ctx.tokens.encode(connectionId);
    return routes.filter((r) => !(this.isOurs(r) && r.includes(`sip:${token}@`)));
  }
}

function key(callId: string, leg: Leg): string {
  return `${callId}:${leg}`;
}

/** The media session key: Call-ID and leg (see CallControl). */
export function mediaKey(callId: string, leg: Leg): string {
  return `${callId}:${leg === 'orig' ? 'o' : 't'}`;
}

function firstContact(m: SipRequest | SipResponse): string | undefined {
  const c = m.contacts();
  return Array.isArray(c) && c[0] !== undefined ? c[0].uriText : undefined;
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

export function newTag(): string {
  return randomBytes(6).toString('hex');
}
