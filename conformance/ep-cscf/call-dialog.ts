/**
 * The call side of the test UA (call-ua.ts): an INVITE it sent (provisional and final
 * responses, CANCEL, the ACK for a non-2xx), a request it received (responses with the To tag,
 * Contact and Record-Route a UAS puts in, RFC 3261 §8.2.6, §12.1.1), and the dialog either
 * creates, built on sip/dialog: in-dialog requests along the route set (§12.2.1.1), re-INVITE,
 * and the ACK for a 2xx (§13.2.2.4).
 */

import { type Dialog, dialogAsUac, dialogAsUas } from '../../sip/dialog/index.ts';
import { reasonPhrase } from '../../sip/error/sip-error.ts';
import { SipHeaders, SipRequest, type SipResponse } from '../../sip/index.ts';
import { buildAck, buildResponse, createCancel } from '../../sip/transaction/index.ts';
import { applyOptions, newTag, type RequestOptions } from './call-options.ts';
import type { CallUa } from './call-ua.ts';

/** An INVITE the UA sent outside a dialog; with forking, one dialog per answering tag. */
export class OutgoingInvite {
  /** early dialogs made by reliable provisional responses, by To tag */
  private readonly early = new Map<string, CallDialog>();

  constructor(
    readonly ua: CallUa,
    readonly request: SipRequest,
  ) {}

  get callId(): string {
    return this.request.callId;
  }

  /** The next provisional response (101-199). */
  provisional(timeoutMs?: number): Promise<SipResponse> {
    return this.ua.provisionalTo(this.request, timeoutMs);
  }

  /** The next final response; a non-2xx is acknowledged at once (RFC 3261 §17.1.1.3). */
  async final(timeoutMs?: number): Promise<SipResponse> {
    const res = await this.ua.finalTo(this.request, timeoutMs);
    if (res.status >= 300) this.ua.send(buildAck(this.request, res));
    return res;
  }

  /** The early dialog a provisional response with a To tag makes (RFC 3261 §12.1.2), e.g. to PRACK it. */
  earlyDialog(provisional: SipResponse): CallDialog {
    const tag = provisional.to.params.value('tag') ?? '';
    const known = this.early.get(tag);
    if (known !== undefined) return known;
    const d = dialogAsUac(this.request, provisional, this.ua.contact);
    if (typeof d === 'string') throw new Error(`the ${provisional.status} makes no dialog: ${d}`);
    const dialog = new CallDialog(this.ua, d);
    this.early.set(tag, dialog);
    return dialog;
  }

  /**
   * Waits for the next 2xx (throws on any other final), confirms its dialog (the early one with
   * the same tag, or a new one) and sends the ACK. Called again, it takes the next 2xx of a fork.
   */
  async answered(ack: RequestOptions = {}): Promise<{ response: SipResponse; dialog: CallDialog }> {
    const response = await this.final();
    if (response.status >= 300) throw new Error(`INVITE ${this.callId} answered ${response.status}`);
    const known = this.early.get(response.to.params.value('tag') ?? '');
    let dialog: CallDialog;
    if (known !== undefined) {
      known.dialog.state = 'confirmed';
      known.dialog.receiveResponse(this.request, response);
      dialog = known;
    } else {
      const d = dialogAsUac(this.request, response, this.ua.contact);
      if (typeof d === 'string') throw new Error(`the 2xx makes no dialog: ${d}`);
      dialog = new CallDialog(this.ua, d);
    }
    dialog.ack(this.request, ack);
    return { response, dialog };
  }

  /** Sends a CANCEL (RFC 3261 §9.1) and resolves with its final response. */
  cancel(): Promise<SipResponse> {
    const cancel = createCancel(this.request);
    this.ua.send(cancel);
    return this.ua.finalTo(cancel);
  }
}

export interface ReplyOptions extends RequestOptions {
  readonly reason?: string;
}

/** A request the UA received; `reply` answers it, `answer` accepts an INVITE and makes the dialog. */
export class IncomingRequest {
  /** the To tag of every response to it (when its To had none) */
  readonly toTag = newTag();

  constructor(
    readonly ua: CallUa,
    readonly request: SipRequest,
  ) {}

  get callId(): string {
    return this.request.callId;
  }

  reply(status: number, o: ReplyOptions = {}): SipResponse {
    const req = this.request;
    const res = buildResponse(
      req,
      status,
      o.reason ?? reasonPhrase(status),
      status === 100 ? undefined : this.toTag,
    );
    const establishing = status > 100 && status < 300;
    // RFC 3261 §12.1.1: a response that makes a dialog copies the Record-Route of the request.
    if (establishing && !req.to.params.has('tag'))
      for (const rr of req.headers.all('record-route')) res.headers.append('Record-Route', rr.value);
    if (establishing && TARGET_REFRESH.has(req.method)) res.headers.append('Contact', this.ua.contact);
    applyOptions(res, o);
    this.ua.send(res);
    return res;
  }

  /** 200 with `o` (an SDP answer) to an initial INVITE; the dialog it makes (RFC 3261 §12.1.1). */
  answer(o: ReplyOptions = {}): CallDialog {
    this.reply(200, o);
    const d = dialogAsUas(this.request, { localTag: this.toTag, localContact: this.ua.contact });
    if (typeof d === 'string') throw new Error(`the INVITE makes no dialog: ${d}`);
    return new CallDialog(this.ua, d);
  }
}

const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE']);

/** One dialog of the UA: requests in it, and the requests the far end sends in it. */
export class CallDialog {
  constructor(
    readonly ua: CallUa,
    readonly dialog: Dialog,
  ) {}

  get callId(): string {
    return this.dialog.id.callId;
  }

  /** A request in the dialog, not yet sent (RFC 3261 §12.2.1.1). */
  create(method: string, o: RequestOptions = {}): SipRequest {
    const req = this.dialog.createRequest(method, { via: this.ua.via() });
    applyOptions(req, o);
    return req;
  }

  /** Sends a non-INVITE request in the dialog (BYE, UPDATE, MESSAGE, ...) and resolves with its final response. */
  request(method: string, o: RequestOptions = {}): Promise<SipResponse> {
    const req = this.create(method, o);
    this.ua.send(req);
    return this.ua.finalTo(req);
  }

  /** A re-INVITE (RFC 3261 §14.1): its final response, acknowledged (2xx end to end, others hop by hop). */
  async reinvite(o: RequestOptions = {}): Promise<SipResponse> {
    const req = this.create('INVITE', o);
    this.ua.send(req);
    const res = await this.ua.finalTo(req);
    if (res.status >= 300) this.ua.send(buildAck(req, res));
    else {
      this.dialog.receiveResponse(req, res);
      this.ack(req);
    }
    return res;
  }

  /** The ACK for a 2xx to `invite` (RFC 3261 §13.2.2.4): same CSeq number, along the route set. */
  ack(invite: SipRequest, o: RequestOptions = {}): SipRequest {
    const d = this.dialog;
    const h = new SipHeaders();
    h.append('Via', this.ua.via());
    h.append('Max-Forwards', '70');
    for (const r of d.routeSet) h.append('Route', r);
    h.append('From', `${d.localAddress};tag=${d.id.localTag}`);
    h.append('To', `${d.remoteAddress};tag=${d.id.remoteTag}`);
    h.append('Call-ID', d.id.callId);
    h.append('CSeq', `${invite.cseq.seq} ACK`);
    const ack = new SipRequest('ACK', d.remoteTarget, h);
    applyOptions(ack, o);
    this.ua.send(ack);
    return ack;
  }

  /** The next request of this method the far end sends in this dialog. */
  async incoming(method: string, timeoutMs?: number): Promise<IncomingRequest> {
    const r = await this.ua.incoming(method, this.callId, timeoutMs);
    if (method !== 'ACK') {
      const fault = this.dialog.receiveRequest(r.request);
      if (fault !== undefined)
        throw new Error(`in-dialog ${method} refused: ${fault.status} ${fault.reason}`);
    }
    return r;
  }
}
