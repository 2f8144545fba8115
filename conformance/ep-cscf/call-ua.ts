/**
 * A WebRTC client for call and message tests: the registered `WsUa` (ws-ua.ts) plus what a UA
 * core does in calls (RFC 3261 §8, §12-§15): out-of-dialog requests (INVITE, MESSAGE, OPTIONS),
 * incoming requests to answer, and the dialogs of call-dialog.ts. Over a WebSocket nothing is
 * retransmitted (RFC 3261 §17.1.1.2 over reliable transports), so there is no transaction layer:
 * responses match their request by Call-ID and CSeq, what arrives waits in a CallInbox.
 */
import { randomBytes } from 'node:crypto';
import type { ClientSecret } from '../../sip/auth/index.ts';
import { SipHeaders, type SipMessage, SipRequest, type SipResponse, serialize } from '../../sip/index.ts';
import { IncomingRequest, OutgoingInvite } from './call-dialog.ts';
import { CallInbox } from './call-inbox.ts';
import { applyOptions, newTag, type RequestOptions } from './call-options.ts';
import { WsUa } from './ws-ua.ts';

export interface CallUaOptions {
  readonly wsUrl: string;
  readonly domain: string;
  /** the user part: sip:USER@domain is the IMPU, USER@domain the IMPI */
  readonly user: string;
  readonly secret: ClientSecret;
}

/** generous: peers share the machine with other test files */
const TIMEOUT = 5_000;

export class CallUa {
  readonly inbox: CallInbox;

  private constructor(readonly ua: WsUa) {
    this.inbox = new CallInbox(ua.ws);
  }

  /** Opens a WebSocket to the eP-CSCF without registering. */
  static async open(o: CallUaOptions): Promise<CallUa> {
    const ua = await WsUa.open({
      wsUrl: o.wsUrl,
      domain: o.domain,
      impu: `sip:${o.user}@${o.domain}`,
      impi: `${o.user}@${o.domain}`,
      secret: o.secret,
    });
    return new CallUa(ua);
  }

  /** Opens a WebSocket and registers over it; throws unless the registration ends in 200. */
  static async registered(o: CallUaOptions): Promise<CallUa> {
    const c = await CallUa.open(o);
    const finals = await c.ua.register();
    const last = finals[finals.length - 1];
    if (last?.status !== 200) {
      await c.close();
      throw new Error(`${o.user} could not register: ${finals.map((r) => r.status).join(', ')}`);
    }
    return c;
  }

  get impu(): string {
    return this.ua.impu;
  }

  /** Contact value for dialogs (RFC 7118 §5.2: an `.invalid` host, transport=ws). */
  get contact(): string {
    return `<${this.ua.contactUri}>`;
  }

  /** A fresh top Via for a request it sends (RFC 7118 §5.2). */
  via(): string {
    return `SIP/2.0/WS ${this.ua.host};branch=z9hG4bK${randomBytes(8).toString('hex')}`;
  }

  /** An out-of-dialog request from its IMPU to `target`, not yet sent. */
  newRequest(method: string, target: string, o: RequestOptions = {}): SipRequest {
    const h = new SipHeaders();
    h.append('Via', this.via());
    h.append('Max-Forwards', '70');
    h.append('From', `<${this.impu}>;tag=${newTag()}`);
    h.append('To', `<${target}>`);
    h.append('Call-ID', randomBytes(10).toString('hex'));
    h.append('CSeq', `1 ${method}`);
    if (method === 'INVITE') h.append('Contact', this.contact);
    const req = new SipRequest(method, target, h);
    applyOptions(req, o);
    return req;
  }

  /** Sends a request or response as one WebSocket message (RFC 7118 §5.1). */
  send(m: SipMessage): void {
    this.ua.ws.send(serialize(m).toString('utf8'));
  }

  /** Sends an out-of-dialog non-INVITE request and resolves with its final response. */
  async request(method: string, target: string, o: RequestOptions = {}): Promise<SipResponse> {
    const req = this.newRequest(method, target, o);
    this.send(req);
    return this.finalTo(req);
  }

  /** Sends an INVITE (an offer when `o.body` is given). */
  invite(target: string, o: RequestOptions = {}): OutgoingInvite {
    const req = this.newRequest('INVITE', target, o);
    this.send(req);
    return new OutgoingInvite(this, req);
  }

  /** The next request of this method received (of this call when `callId` is given). */
  async incoming(method: string, callId?: string, timeoutMs = TIMEOUT): Promise<IncomingRequest> {
    const m = await this.inbox.take(
      (x) => x.kind === 'request' && x.method === method && (callId === undefined || x.callId === callId),
      `${method}${callId === undefined ? '' : ` in call ${callId}`} at ${this.impu}`,
      timeoutMs,
    );
    if (m.kind !== 'request') throw new Error('unreachable: a response matched a request filter');
    return new IncomingRequest(this, m);
  }

  /** The next provisional response (101-199) to `req`. */
  async provisionalTo(req: SipRequest, timeoutMs = TIMEOUT): Promise<SipResponse> {
    return this.responseTo(req, (s) => s > 100 && s < 200, 'provisional response', timeoutMs);
  }

  /** The final response to `req`. */
  async finalTo(req: SipRequest, timeoutMs = TIMEOUT): Promise<SipResponse> {
    return this.responseTo(req, (s) => s >= 200, 'final response', timeoutMs);
  }

  /** Requests received and not yet taken, by method (for asserting that nothing else arrived). */
  pendingRequests(method?: string): SipRequest[] {
    return this.inbox
      .pending((m) => m.kind === 'request' && (method === undefined || m.method === method))
      .filter((m): m is SipRequest => m.kind === 'request');
  }

  close(): Promise<unknown> {
    return this.ua.close();
  }

  private async responseTo(
    req: SipRequest,
    status: (s: number) => boolean,
    what: string,
    timeoutMs: number,
  ): Promise<SipResponse> {
    const { seq, method } = req.cseq;
    const m = await this.inbox.take(
      (x) =>
        x.kind === 'response' &&
        x.callId === req.callId &&
        x.cseq.seq === seq &&
        x.cseq.method === method &&
        status(x.status),
      `${what} to ${method} (CSeq ${seq}) at ${this.impu}`,
      timeoutMs,
    );
    if (m.kind !== 'response') throw new Error('unreachable: a request matched a response filter');
    return m;
  }
}
