/**
 * A tiny SIP UA over WebSocket built from the product's SIP library: message model and
 * serialiser, parser, and the DigestClient that answers digest and Digest AKA challenges (AKA
 * through a USIM simulator, TS 33.102). It REGISTERs as a WebRTC client does (RFC 7118 Via and
 * Contact with an `.invalid` host; RFC 5626 `+sip.instance` and `reg-id`; the initial IMS
 * Authorization of TS 24.229 §5.1.1.2.1). Over a reliable transport there is nothing to
 * retransmit, so it needs no transaction layer.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type ClientSecret, DigestClient, formatInitialImsAuthorization } from '../../sip/auth/index.ts';
import { parseMessage, SipHeaders, SipRequest, type SipResponse, serialize } from '../../sip/index.ts';
import { SipWebSocket } from './sip-websocket.ts';

export interface WsUaOptions {
  readonly wsUrl: string;
  readonly domain: string;
  /** the public identity registered, e.g. sip:carol@ims.lab */
  readonly impu: string;
  /** the private identity, the digest username */
  readonly impi: string;
  readonly secret: ClientSecret;
}

export interface Exchange {
  readonly request: SipRequest;
  readonly response: SipResponse;
}

export class WsUa {
  /** every REGISTER sent and its final response, in order */
  readonly exchanges: Exchange[] = [];
  readonly client: DigestClient;
  /** the `.invalid` host of its Via and Contact (RFC 7118 §5.2) */
  readonly host = `${randomBytes(6).toString('hex')}.invalid`;
  private readonly instance = `<urn:uuid:${randomUUID()}>`;
  private readonly callId = randomBytes(10).toString('hex');
  private readonly fromTag = randomBytes(4).toString('hex');
  private cseq = 0;

  private constructor(
    private readonly o: WsUaOptions,
    readonly ws: SipWebSocket,
  ) {
    this.client = new DigestClient({ username: o.impi, secret: o.secret });
  }

  static async open(o: WsUaOptions): Promise<WsUa> {
    return new WsUa(o, await SipWebSocket.connect(o.wsUrl));
  }

  /** REGISTER, answering up to three challenges; resolves with every final response, the last = outcome. */
  async register(expires = 600): Promise<SipResponse[]> {
    const uri = `sip:${this.o.domain}`;
    let authorization = formatInitialImsAuthorization({ impi: this.o.impi, realm: this.o.domain, uri });
    const finals: SipResponse[] = [];
    for (let round = 0; round < 4; round++) {
      const res = await this.send(this.registerRequest(uri, expires, authorization));
      finals.push(res);
      if (res.status !== 401) return finals;
      const answer = this.client.respond(res.headers.values('www-authenticate'), { method: 'REGISTER', uri });
      if (!answer.ok || answer.values[0] === undefined) return finals;
      authorization = answer.values[0];
    }
    return finals;
  }

  close(): Promise<unknown> {
    return this.ws.close();
  }

  /** the public identity it registers */
  get impu(): string {
    return this.o.impu;
  }

  /** the URI of its Contact (without the RFC 5626 parameters), e.g. `sip:alice@x.invalid;transport=ws` */
  get contactUri(): string {
    const user = /^sips?:([^@]+)@/.exec(this.o.impu)?.[1] ?? 'ua';
    return `sip:${user}@${this.host};transport=ws`;
  }

  private registerRequest(uri: string, expires: number, authorization: string): SipRequest {
    const h = new SipHeaders();
    h.append('Via', `SIP/2.0/WS ${this.host};branch=z9hG4bK${randomBytes(8).toString('hex')}`);
    h.append('Max-Forwards', '70');
    h.append('To', `<${this.o.impu}>`);
    h.append('From', `<${this.o.impu}>;tag=${this.fromTag}`);
    h.append('Call-ID', this.callId);
    h.append('CSeq', `${++this.cseq} REGISTER`);
    h.append('Contact', `<${this.contactUri}>;+sip.instance="${this.instance}";reg-id=1`);
    h.append('Expires', String(expires));
    h.append('Authorization', authorization);
    h.append('Supported', 'path, outbound');
    return new SipRequest('REGISTER', uri, h);
  }

  private async send(request: SipRequest): Promise<SipResponse> {
    const from = this.ws.received.length;
    const { seq } = request.cseq;
    this.ws.send(serialize(request).toString('utf8'));
    const text = await this.ws.next(
      (t) => {
        const m = parseMessage(Buffer.from(t, 'utf8'));
        return (
          m.ok &&
          m.message.kind === 'response' &&
          m.message.status >= 200 &&
          m.message.callId === this.callId &&
          m.message.cseq.seq === seq
        );
      },
      5_000,
      from,
    );
    if (text === undefined) throw new Error(`no final response to REGISTER CSeq ${seq}`);
    const parsed = parseMessage(Buffer.from(text, 'utf8'));
    if (!parsed.ok || parsed.message.kind !== 'response') throw new Error('unparseable response');
    this.exchanges.push({ request, response: parsed.message });
    return parsed.message;
  }
}
