/**
 * A WebRTC client with web credentials that asks for a pool identity (TS 33.203 Annex X.4): a
 * CallUa (call-ua.ts) whose REGISTER carries `Authorization: Bearer <token>` and the To a client
 * without an identity sends (`sip:anonymous@<domain>`); it learns its identity from the 200's
 * P-Associated-URI. Calls and messages then go through CallUa as for any client.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { SipHeaders, SipRequest, type SipResponse } from '../../sip/index.ts';
import { CallUa } from './call-ua.ts';

export class PoolUa {
  readonly instance = `<urn:uuid:${randomUUID()}>`;
  private readonly callId = randomBytes(10).toString('hex');
  private readonly fromTag = randomBytes(4).toString('hex');
  private cseq = 0;
  /** every REGISTER sent, oldest first */
  readonly sent: SipRequest[] = [];

  private constructor(
    readonly call: CallUa,
    private readonly domain: string,
  ) {}

  static async open(wsUrl: string, domain: string): Promise<PoolUa> {
    const call = await CallUa.open({ wsUrl, domain, user: 'anonymous', secret: { password: '' } });
    return new PoolUa(call, domain);
  }

  /** the Contact URI it registers */
  get contactUri(): string {
    return this.call.ua.contactUri;
  }

  /** REGISTER with the token; resolves with the final response. */
  register(token: string, expires = 600, o: { contact?: string } = {}): Promise<SipResponse> {
    const contact = o.contact ?? `<${this.contactUri}>;+sip.instance="${this.instance}";reg-id=1`;
    return this.send(this.request(token, expires, contact));
  }

  /** REGISTER with Expires: 0 for its contact. */
  unregister(token: string): Promise<SipResponse> {
    return this.register(token, 0);
  }

  close(): Promise<unknown> {
    return this.call.close();
  }

  private request(token: string, expires: number, contact: string): SipRequest {
    const h = new SipHeaders();
    h.append('Via', this.call.via());
    h.append('Max-Forwards', '70');
    h.append('To', `<sip:anonymous@${this.domain}>`);
    h.append('From', `<sip:anonymous@${this.domain}>;tag=${this.fromTag}`);
    h.append('Call-ID', this.callId);
    h.append('CSeq', `${++this.cseq} REGISTER`);
    h.append('Contact', contact);
    h.append('Expires', String(expires));
    h.append('Supported', 'path, outbound');
    h.append('Authorization', `Bearer ${token}`);
    return new SipRequest('REGISTER', `sip:${this.domain}`, h);
  }

  private async send(req: SipRequest): Promise<SipResponse> {
    this.sent.push(req);
    this.call.send(req);
    return this.call.finalTo(req, 10_000);
  }
}

/** The identity a 200 lends: the first P-Associated-URI, without its brackets. */
export function leasedIdentity(res: SipResponse): string | undefined {
  const first = res.headers.values('p-associated-uri')[0];
  return first?.replace(/^\s*</, '').replace(/>.*$/, '');
}
