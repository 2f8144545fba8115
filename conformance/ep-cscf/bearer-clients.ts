/**
 * WebRTC clients with web credentials for the bearer-token tests:
 * - `createBearerJsSip`: unmodified JsSIP 3 configured as a web page with a WAF token would
 *   configure it (`authorization_jwt: 'Bearer <token>'`, no password): JsSIP then puts that
 *   Authorization on every request it sends. Call installWebSocketTap() first.
 * - `BearerUa`: the library-built WebSocket UA of the call tests (call-ua.ts) registering with a
 *   token in either spelling (RFC 8898 `Bearer <token>`, TS 24.371 `Bearer access_token="…"`),
 *   for what JsSIP cannot do in Node (INVITE without WebRTC) or will not do (malformed input).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { UA, WebSocketInterface } from 'jssip';
import type { IncomingMessageEvent, OutgoingMessageEvent, UnRegisteredEvent } from 'jssip/lib/UA.js';
import { formatBearerCredentials } from '../../sip/auth/index.ts';
import { SipHeaders, SipRequest, type SipResponse } from '../../sip/index.ts';
import { CallUa } from './call-ua.ts';
import type { WireTap } from './wire-tap.ts';

export interface BearerJsSip {
  readonly ua: UA;
  readonly messages: IncomingMessageEvent[];
  /** connects, REGISTERs; resolves with the final response the client saw */
  start(): Promise<SipResponse>;
  /** the token JsSIP sends from now on (as a refreshed web login would set it) */
  setToken(token: string): void;
  /** a refresh REGISTER; resolves with its final response */
  register(): Promise<SipResponse>;
  /** MESSAGE; resolves with the final response */
  message(target: string, body: string): Promise<SipResponse>;
  /** whether JsSIP's WebSocket is connected */
  connected(): boolean;
  stop(): Promise<void>;
}

export function createBearerJsSip(o: {
  wsUrl: string;
  user: string;
  domain: string;
  token: string;
  wire: WireTap;
}): BearerJsSip {
  const socket = new WebSocketInterface(o.wsUrl);
  const ua = new UA({
    sockets: [socket],
    uri: `sip:${o.user}@${o.domain}`,
    authorization_jwt: formatBearerCredentials(o.token),
    register: false,
    connection_recovery_min_interval: 3600,
    connection_recovery_max_interval: 3600,
  });
  const messages: IncomingMessageEvent[] = [];
  ua.on('newMessage', (e: IncomingMessageEvent | OutgoingMessageEvent) => {
    if (e.originator === 'remote') messages.push(e as IncomingMessageEvent);
  });
  const finalOf = async (method: string, from: number, send: () => void): Promise<SipResponse> => {
    send();
    const sent = await o.wire.waitFor(
      (f) => f.direction === 'sent' && f.message.kind === 'request' && f.message.method === method,
      from,
    );
    const { callId } = sent.message;
    const { seq } = sent.message.cseq;
    const final = await o.wire.waitFor(
      (f) =>
        f.direction === 'received' &&
        f.message.kind === 'response' &&
        f.message.status >= 200 &&
        f.message.callId === callId &&
        f.message.cseq.seq === seq,
      from,
    );
    return final.message as SipResponse;
  };
  return {
    ua,
    messages,
    async start() {
      const connected = new Promise<void>((resolve) => ua.once('connected', () => resolve()));
      ua.start();
      await connected;
      return finalOf('REGISTER', o.wire.frames.length, () => ua.register());
    },
    setToken(token) {
      ua.set('authorization_jwt', formatBearerCredentials(token));
    },
    register() {
      return finalOf('REGISTER', o.wire.frames.length, () => ua.register());
    },
    message(target, body) {
      return finalOf('MESSAGE', o.wire.frames.length, () => ua.sendMessage(target, body));
    },
    connected: () => ua.isConnected(),
    async stop() {
      if (ua.isRegistered() && ua.isConnected()) {
        const done = new Promise<UnRegisteredEvent>((resolve) => ua.once('unregistered', resolve));
        ua.unregister();
        await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
      }
      ua.stop();
      socket.disconnect();
    },
  };
}

/** A library-built WebSocket UA that registers with a bearer token. */
export class BearerUa {
  private readonly callId = randomBytes(10).toString('hex');
  private readonly fromTag = randomBytes(4).toString('hex');
  private readonly instance = `<urn:uuid:${randomUUID()}>`;
  private cseq = 0;

  private constructor(
    readonly call: CallUa,
    private readonly domain: string,
  ) {}

  static async open(o: { wsUrl: string; domain: string; user: string }): Promise<BearerUa> {
    const call = await CallUa.open({ ...o, secret: { password: '-' } });
    return new BearerUa(call, o.domain);
  }

  get impu(): string {
    return this.call.impu;
  }

  /**
   * REGISTER for `aor` (default: its own IMPU) with these Authorization values (e.g.
   * `bearer(token)`), none for an empty list; resolves with the final response.
   */
  register(
    authorization: readonly string[],
    o: { aor?: string; expires?: number } = {},
  ): Promise<SipResponse> {
    const aor = o.aor ?? this.impu;
    const h = new SipHeaders();
    h.append('Via', this.call.via());
    h.append('Max-Forwards', '70');
    h.append('To', `<${aor}>`);
    h.append('From', `<${aor}>;tag=${this.fromTag}`);
    h.append('Call-ID', this.callId);
    h.append('CSeq', `${++this.cseq} REGISTER`);
    h.append('Contact', `<${this.call.ua.contactUri}>;+sip.instance="${this.instance}";reg-id=1`);
    h.append('Expires', String(o.expires ?? 600));
    h.append('Supported', 'path, outbound');
    for (const a of authorization) h.append('Authorization', a);
    const req = new SipRequest('REGISTER', `sip:${this.domain}`, h);
    this.call.send(req);
    return this.call.finalTo(req);
  }

  close(): Promise<unknown> {
    return this.call.close();
  }
}

/** `Bearer <token>` (RFC 8898) or `Bearer access_token="<token>"` (TS 24.371 A.3.2). */
export function bearer(token: string, form: 'token68' | 'access_token' = 'token68'): string {
  return formatBearerCredentials(token, form);
}
