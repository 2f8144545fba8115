/**
 * An unmodified JsSIP 3 user agent running in Node, configured as a web page would configure
 * it (WebSocketInterface + UA). JsSIP constructs `new WebSocket(url, 'sip')`: call
 * installWebSocketTap() first. Connection recovery is pushed out of any test's reach, so a
 * dropped connection stays dropped (the terminating tests need a gone flow).
 */
import { UA, WebSocketInterface } from 'jssip';
import type {
  IncomingMessageEvent,
  OutgoingMessageEvent,
  RegisteredEvent,
  UnRegisteredEvent,
} from 'jssip/lib/UA.js';
import type { SipResponse } from '../../sip/index.ts';
import type { WireTap } from './wire-tap.ts';

export interface JsSipClientOptions {
  readonly wsUrl: string;
  readonly user: string;
  readonly domain: string;
  readonly password: string;
  /** the tap installed by installWebSocketTap(): JsSIP reports a refresh's 2xx nowhere else */
  readonly wire: WireTap;
}

export interface JsSipClient {
  readonly ua: UA;
  /** incoming MESSAGE requests, oldest first */
  readonly messages: IncomingMessageEvent[];
  /** connects, then REGISTERs; resolves with the 2xx event, rejects with the failure cause */
  start(): Promise<RegisteredEvent>;
  /** a refresh REGISTER (same Call-ID, next CSeq); resolves with its final response as the client saw it */
  register(): Promise<SipResponse>;
  /** REGISTER with Expires: 0 */
  unregister(): Promise<UnRegisteredEvent>;
  /** closes the WebSocket without unregistering or reconnecting: the flow fails */
  dropConnection(): void;
  stop(): Promise<void>;
}

export function createJsSipClient(o: JsSipClientOptions): JsSipClient {
  const socket = new WebSocketInterface(o.wsUrl);
  const ua = new UA({
    sockets: [socket],
    uri: `sip:${o.user}@${o.domain}`,
    password: o.password,
    register: false,
    connection_recovery_min_interval: 3600,
    connection_recovery_max_interval: 3600,
  });
  const messages: IncomingMessageEvent[] = [];
  let dropped = false;
  ua.on('newMessage', (e: IncomingMessageEvent | OutgoingMessageEvent) => {
    if (e.originator === 'remote') messages.push(e as IncomingMessageEvent);
  });
  const registration = (): Promise<RegisteredEvent> =>
    new Promise((resolve, reject) => {
      const ok = (e: RegisteredEvent): void => {
        ua.off('registrationFailed', failed);
        resolve(e);
      };
      const failed = (e: UnRegisteredEvent): void => {
        ua.off('registered', ok);
        reject(
          new Error(
            `JsSIP registration failed: ${e.cause ?? 'unknown'} (${e.response?.status_code ?? 'no response'})`,
          ),
        );
      };
      ua.once('registered', ok);
      ua.once('registrationFailed', failed);
    });
  return {
    ua,
    messages,
    async start() {
      const connected = new Promise<void>((resolve) => ua.once('connected', () => resolve()));
      ua.start();
      await connected;
      const done = registration();
      ua.register();
      return done;
    },
    async register() {
      // JsSIP emits 'registered' only on the way from unregistered to registered.
      const from = o.wire.frames.length;
      ua.register();
      const sent = await o.wire.waitFor(
        (f) => f.direction === 'sent' && f.message.kind === 'request' && f.message.method === 'REGISTER',
        from,
      );
      const callId = sent.message.callId;
      const cseq = sent.message.cseq.seq;
      const final = await o.wire.waitFor(
        (f) =>
          f.direction === 'received' &&
          f.message.kind === 'response' &&
          f.message.status >= 200 &&
          f.message.callId === callId &&
          f.message.cseq.seq >= cseq &&
          f.message.cseq.method === 'REGISTER' &&
          f.message.status !== 401 &&
          f.message.status !== 407,
        from,
      );
      return final.message as SipResponse;
    },
    unregister() {
      const done = new Promise<UnRegisteredEvent>((resolve) => ua.once('unregistered', resolve));
      ua.unregister();
      return done;
    },
    dropConnection() {
      dropped = true;
      // WebSocketInterface.disconnect() unbinds JsSIP's handlers before closing: the UA is not
      // told, so it neither unregisters nor reconnects. What the eP-CSCF sees is a closed flow.
      socket.disconnect();
    },
    async stop() {
      if (!dropped && ua.isRegistered()) await this.unregister();
      // UA.stop() closes its socket up to 2 s later when transactions linger; close it now.
      ua.stop();
      socket.disconnect();
    },
  };
}
