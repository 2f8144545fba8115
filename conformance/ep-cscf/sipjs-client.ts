/**
 * An unmodified SIP.js 0.21 user agent running in Node, configured as a web page would
 * configure it (UserAgent + Registerer with reg-id, RFC 5626). SIP.js constructs
 * `new WebSocket(url, 'sip')`: call installWebSocketTap() first.
 */
import {
  type Core,
  Registerer,
  type RegistererRegisterOptions,
  type RegistererUnregisterOptions,
  UserAgent,
} from 'sip.js';

type IncomingResponse = Core.IncomingResponse;

export interface SipJsClientOptions {
  readonly wsUrl: string;
  readonly user: string;
  readonly domain: string;
  readonly password: string;
}

export interface SipJsClient {
  readonly ua: UserAgent;
  readonly registerer: Registerer;
  /** connects (first call) and REGISTERs; resolves with the final response after authentication */
  register(): Promise<IncomingResponse>;
  unregister(): Promise<IncomingResponse>;
  stop(): Promise<void>;
}

export function createSipJsClient(o: SipJsClientOptions): SipJsClient {
  const uri = UserAgent.makeURI(`sip:${o.user}@${o.domain}`);
  if (uri === undefined) throw new Error(`bad SIP.js URI for ${o.user}@${o.domain}`);
  const ua = new UserAgent({
    uri,
    transportOptions: { server: o.wsUrl },
    authorizationUsername: o.user,
    authorizationPassword: o.password,
    logBuiltinEnabled: false,
    logLevel: 'error',
  });
  const registerer = new Registerer(ua, { regId: 1, expires: 600 });
  let started: Promise<void> | undefined;
  const final = (
    send: (options: RegistererRegisterOptions & RegistererUnregisterOptions) => Promise<unknown>,
  ): Promise<IncomingResponse> =>
    new Promise((resolve, reject) => {
      send({
        requestDelegate: {
          onAccept: resolve,
          onReject: resolve,
        },
      }).catch(reject);
    });
  return {
    ua,
    registerer,
    async register() {
      started ??= ua.start();
      await started;
      return final((options) => registerer.register(options));
    },
    unregister() {
      return final((options) => registerer.unregister(options));
    },
    async stop() {
      await registerer.dispose().catch(() => undefined);
      await ua.stop();
    },
  };
}
