/**
 * Test support: a small SIP UA built from the library pieces (TransportManager, TransactionLayer,
 * DigestClient) that registers, subscribes and answers requests over real UDP or TCP sockets.
 */

import { randomBytes } from 'node:crypto';
import { type ClientSecret, DigestClient, formatInitialImsAuthorization } from '../../sip/auth/index.ts';
import { SipHeaders, SipRequest, type SipResponse } from '../../sip/index.ts';
import {
  buildResponse,
  type ServerTransaction,
  TransactionLayer,
  type TransactionUser,
} from '../../sip/transaction/index.ts';
import {
  type Destination,
  type ReceivedMessage,
  TcpTransport,
  TransportManager,
  UdpTransport,
} from '../../sip/transport/index.ts';
import { sendRequest } from '../../sip/ua/uac.ts';

export interface TestUaOptions {
  readonly protocol: 'udp' | 'tcp';
  /** local address to bind (127.0.0.2 etc. to come from another source address) */
  readonly host?: string;
  readonly core: { readonly host: string; readonly port: number };
  readonly domain: string;
  readonly impu: string;
  readonly impi: string;
  readonly secret?: ClientSecret;
}

export interface RegisterOptions {
  readonly expires?: number;
  /** extra Contact parameters, e.g. `;+sip.instance="<urn:uuid:...>";reg-id=1` */
  readonly contactParams?: string;
  /** `*` to remove every binding */
  readonly contact?: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  /** an Authorization value to send instead of the initial IMS one */
  readonly authorization?: string;
  /** answer 401s with the DigestClient (default true) */
  readonly answerChallenges?: boolean;
}

export class TestUa implements TransactionUser {
  readonly received: SipRequest[] = [];
  /** answers requests other than NOTIFY (default 200) */
  onRequest: (req: SipRequest) => number = () => 200;
  readonly client: DigestClient | undefined;
  private cseq = 0;
  private readonly callId = `${randomBytes(8).toString('hex')}@test-ua`;
  private readonly fromTag = randomBytes(4).toString('hex');

  private constructor(
    readonly opts: TestUaOptions,
    readonly transports: TransportManager,
    readonly layer: TransactionLayer,
    readonly port: number,
  ) {
    this.client =
      opts.secret === undefined ? undefined : new DigestClient({ username: opts.impi, secret: opts.secret });
  }

  static async start(opts: TestUaOptions): Promise<TestUa> {
    const host = opts.host ?? '127.0.0.1';
    const transports = new TransportManager();
    const t =
      opts.protocol === 'udp'
        ? transports.add(new UdpTransport({ host, port: 0 }))
        : transports.add(new TcpTransport({ host, port: 0 }));
    const holder: { ua?: TestUa } = {};
    const layer = new TransactionLayer({
      transport: transports,
      user: {
        receiveRequest: (txn, rm) => holder.ua?.receiveRequest(txn, rm),
        receiveResponse: () => {},
        receiveStrayAck: () => {},
        onTimeout: () => {},
        onTransportError: () => {},
      },
    });
    transports.delegate = layer;
    await transports.start();
    const ua = new TestUa(opts, transports, layer, t.address()!.port);
    holder.ua = ua;
    return ua;
  }

  get host(): string {
    return this.opts.host ?? '127.0.0.1';
  }

  get contactUri(): string {
    const user = this.opts.impu.replace(/^sip:/, '').split('@')[0];
    return `sip:${user}@${this.host}:${this.port};transport=${this.opts.protocol}`;
  }

  get coreDestination(): Destination {
    return { protocol: this.opts.protocol, address: this.opts.core.host, port: this.opts.core.port };
  }

  /** A request from this UA (Via, From with tag, Call-ID, next CSeq); the caller adds the rest. */
  request(
    method: string,
    uri: string,
    to: string,
    headers: ReadonlyArray<readonly [string, string]> = [],
  ): SipRequest {
    const h = new SipHeaders();
    h.append('Via', `SIP/2.0/${this.opts.protocol.toUpperCase()} ${this.host}:${this.port};rport`);
    h.append('Max-Forwards', '70');
    h.append('From', `<${this.opts.impu}>;tag=${this.fromTag}`);
    h.append('To', to);
    h.append('Call-ID', method === 'REGISTER' ? this.callId : `${randomBytes(8).toString('hex')}@test-ua`);
    h.append('CSeq', `${++this.cseq} ${method}`);
    for (const [n, v] of headers) h.append(n, v);
    return new SipRequest(method, uri, h);
  }

  send(req: SipRequest, destination: Destination = this.coreDestination): Promise<SipResponse> {
    return sendRequest(this.layer, req, destination);
  }

  /** REGISTER, answering challenges (up to 3); resolves with every final response, last = outcome. */
  async register(o: RegisterOptions = {}): Promise<SipResponse[]> {
    const uri = `sip:${this.opts.domain}`;
    const contact = o.contact ?? `<${this.contactUri}>${o.contactParams ?? ''}`;
    // A UE re-registers with the nonce it has (next nc), else with the initial IMS Authorization.
    const reused =
      o.authorization === undefined
        ? this.client?.authorize(this.opts.domain, { method: 'REGISTER', uri })
        : undefined;
    let authorization =
      o.authorization ??
      reused ??
      formatInitialImsAuthorization({ impi: this.opts.impi, realm: this.opts.domain, uri });
    const finals: SipResponse[] = [];
    for (let round = 0; round < 4; round++) {
      const headers: Array<readonly [string, string]> = [
        ['Contact', contact],
        ['Authorization', authorization],
      ];
      if (o.expires !== undefined) headers.push(['Expires', String(o.expires)]);
      headers.push(...(o.headers ?? []));
      const res = await this.send(this.request('REGISTER', uri, `<${this.opts.impu}>`, headers));
      finals.push(res);
      if (res.status !== 401 || o.answerChallenges === false || this.client === undefined) return finals;
      const challenges = res.headers.values('www-authenticate');
      let answer = this.client.respond(challenges, { method: 'REGISTER', uri });
      if (!answer.ok && answer.reason === 'rejected' && reused !== undefined && round === 0) {
        // The nonce we re-used is no longer accepted: answer the new challenge from scratch.
        this.client.forget(this.opts.domain);
        answer = this.client.respond(challenges, { method: 'REGISTER', uri });
      }
      if (!answer.ok || answer.values[0] === undefined) return finals;
      authorization = answer.values[0];
    }
    return finals;
  }

  /** Waits until `count` requests of `method` were received. */
  async waitFor(method: string, count: number, ms = 5000): Promise<SipRequest[]> {
    const until = Date.now() + ms;
    for (;;) {
      const got = this.received.filter((r) => r.method === method);
      if (got.length >= count) return got;
      if (Date.now() > until) throw new Error(`timed out waiting for ${count} ${method} (got ${got.length})`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  receiveRequest(txn: ServerTransaction, rm: ReceivedMessage): void {
    const req = rm.message;
    if (req.kind !== 'request') return;
    this.received.push(req);
    const status = req.method === 'NOTIFY' ? 200 : this.onRequest(req);
    txn.respond(buildResponse(req, status, status === 200 ? 'OK' : 'Test Answer', 'ua-tag'));
  }

  receiveResponse(): void {}
  receiveStrayAck(): void {}
  onTimeout(): void {}
  onTransportError(): void {}

  async stop(): Promise<void> {
    this.layer.close();
    await this.transports.stop();
  }
}
