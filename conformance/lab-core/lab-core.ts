/**
 * The lab IMS core: a small S-CSCF/registrar stand-in for `npm start` without IMS_CORE_URI and
 * for the conformance tests. Not a product core (see README.md). One transaction layer over UDP
 * and TCP on the same port; requests go to the registrar, the reg-event notifier or the router.
 */

import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../../sip/clock/clock.ts';
import { checkUasRequest } from '../../sip/endpoint/request-checks.ts';
import { SipError } from '../../sip/error/sip-error.ts';
import { isSipUri, parseUri, type SipRequest, type Uri } from '../../sip/index.ts';
import {
  buildResponse,
  type ServerTransaction,
  type TimerSettings,
  TransactionLayer,
  type TransactionUser,
} from '../../sip/transaction/index.ts';
import {
  type ReceivedMessage,
  silentLogger,
  TcpTransport,
  type TransportLogger,
  TransportManager,
  type TransportProtocol,
  UdpTransport,
} from '../../sip/transport/index.ts';
import { BindingStore } from './bindings.ts';
import { LabAuthenticator } from './lab-auth.ts';
import { DEFAULT_REG_SUBSCRIPTION_EXPIRES, RegEventNotifier } from './reg-event.ts';
import { handleRegister, hostPort, type RegistrarContext } from './registrar.ts';
import { Router } from './routing.ts';
import type { SubscriberDirectory } from './subscribers.ts';
import { type RegistrationView, registrationsView } from './view.ts';

export interface LabCoreOptions {
  /** address to bind (UDP and TCP) */
  readonly host: string;
  /** port for both; 0 picks one free for both */
  readonly port: number;
  /** home domain: the realm, the Request-URI host of REGISTER */
  readonly domain: string;
  readonly subscribers: SubscriberDirectory;
  /** source addresses trusted for `integrity-protected="auth-done"` and reg-event subscriptions */
  readonly trusted?: readonly string[];
  /** host put in Via, Contact and Service-Route (default: host, or 127.0.0.1 for a wildcard bind) */
  readonly advertisedHost?: string;
  /** seconds; defaults 60, 3600, 3600 */
  readonly minExpires?: number;
  readonly maxExpires?: number;
  readonly defaultExpires?: number;
  readonly clock?: Clock;
  readonly logger?: TransportLogger;
  readonly timers?: Partial<TimerSettings>;
}

export interface LabCore {
  /** sip:host:port of the core (UDP and TCP) */
  readonly uri: string;
  readonly host: string;
  readonly port: number;
  /** current registrations, read-only */
  readonly registrations: {
    get(impu: string): RegistrationView | undefined;
    all(): RegistrationView[];
  };
  /** network-initiated deregistration of the IMPU's whole set (NOTIFY with the event); false when not registered */
  deregister(impu: string, event?: 'deactivated' | 'rejected'): boolean;
  /** shortens every binding of the IMPU's set to at most `seconds` (NOTIFY event shortened) */
  shortenExpiry(impu: string, seconds: number): boolean;
  /** live reg-event subscriptions */
  readonly subscriptions: number;
  stop(): Promise<void>;
}

const ALLOW = new Set([
  'REGISTER',
  'SUBSCRIBE',
  'OPTIONS',
  'INVITE',
  'ACK',
  'CANCEL',
  'BYE',
  'MESSAGE',
  'NOTIFY',
  'UPDATE',
  'PRACK',
  'INFO',
  'REFER',
]);
const SUPPORTED = new Set(['path', 'outbound']);

export async function startLabCore(opts: LabCoreOptions): Promise<LabCore> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger?.child?.({ module: 'labcore' }) ?? opts.logger ?? silentLogger;
  const { transports, port } = await bind(opts, clock);
  const advertised =
    opts.advertisedHost ?? (opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host);
  const coreHostPort = hostPort({ coreHost: advertised, corePort: port });
  const trusted = new Set(opts.trusted ?? []);
  const newTag = () => randomBytes(6).toString('hex');
  const via = (protocol: TransportProtocol) => `SIP/2.0/${protocol.toUpperCase()} ${coreHostPort};rport`;

  const user = new CoreUser();
  const layer = new TransactionLayer({ transport: transports, user, clock, timers: opts.timers ?? {} });
  transports.delegate = layer;
  let notifier: RegEventNotifier | undefined;
  const store = new BindingStore(clock, (set, changes) => notifier?.changed(set, changes));
  const auth = new LabAuthenticator({
    realm: opts.domain,
    now: () => clock.now(),
    passwordOf: (impi) => opts.subscribers.byImpi(impi)?.password,
  });
  const registrar: RegistrarContext = {
    domain: opts.domain,
    coreHost: advertised,
    corePort: port,
    subscribers: opts.subscribers,
    auth,
    store,
    trustedPeers: trusted,
    minExpires: opts.minExpires ?? 60,
    maxExpires: opts.maxExpires ?? 3600,
    defaultExpires: opts.defaultExpires ?? 3600,
    clock,
    newTag,
  };
  notifier = new RegEventNotifier({
    layer,
    clock,
    logger,
    store,
    subscribers: opts.subscribers,
    trustedPeers: trusted,
    localContact: `<sip:${coreHostPort}>`,
    via,
    newTag,
    maxExpires: Math.max(DEFAULT_REG_SUBSCRIPTION_EXPIRES, 600_000),
  });
  const isOurs = (uri: Uri): boolean =>
    isSipUri(uri) &&
    ((uri.host.toLowerCase() === advertised.toLowerCase() && (uri.port ?? 5060) === port) ||
      (uri.user === undefined && uri.host.toLowerCase() === opts.domain.toLowerCase()));
  const router = new Router({ layer, store, subscribers: opts.subscribers, clock, isOurs, via });
  user.handle = (txn, rm) => {
    const req = rm.message;
    if (req.kind !== 'request') return;
    dispatch(txn, req, rm)
      .then((error) => {
        if (error !== undefined) reply(txn, req, error, newTag());
      })
      .catch((err: unknown) => {
        if (err instanceof SipError) {
          reply(txn, req, err, newTag());
          return;
        }
        logger.error({ err, callId: req.callId, method: req.method }, 'lab core failed on a request');
        reply(txn, req, new SipError(500, 'Server Internal Error'), newTag());
      });
  };

  async function dispatch(
    txn: ServerTransaction,
    req: SipRequest,
    rm: ReceivedMessage,
  ): Promise<SipError | undefined> {
    logger.debug({ method: req.method, callId: req.callId, source: rm.source.remoteAddress }, 'request');
    switch (req.method) {
      case 'REGISTER': {
        const bad = checkUasRequest(req, { allow: ALLOW, supported: SUPPORTED, registrar: true });
        if (bad !== undefined) return bad;
        txn.respond(await handleRegister(registrar, req, rm.source));
        return undefined;
      }
      case 'SUBSCRIBE': {
        const bad = checkUasRequest(req, {
          allow: ALLOW,
          supported: SUPPORTED,
          schemes: new Set(['sip', 'sips', 'tel']),
        });
        if (bad !== undefined) return bad;
        notifier?.receiveSubscribe(txn, req, rm.source);
        return undefined;
      }
      case 'CANCEL':
        if (router.cancel(req)) txn.respond(buildResponse(req, 200, 'OK', newTag()));
        else return new SipError(481, 'Call/Transaction Does Not Exist');
        return undefined;
      case 'OPTIONS': {
        const u = parseTarget(req);
        if (u === undefined || isOurs(u) || (isSipUri(u) && u.user === undefined)) {
          const res = buildResponse(req, 200, 'OK', newTag());
          res.headers.append('Allow', [...ALLOW].join(', '));
          res.headers.append('Supported', [...SUPPORTED].join(', '));
          txn.respond(res);
          return undefined;
        }
        router.route(txn, req);
        return undefined;
      }
      default:
        router.route(txn, req);
        return undefined;
    }
  }

  const view = registrationsView(store, opts.subscribers);
  logger.info({ uri: `sip:${coreHostPort}`, domain: opts.domain }, 'lab IMS core listening');
  return {
    uri: `sip:${coreHostPort}`,
    host: advertised,
    port,
    registrations: view,
    deregister(impu, event = 'deactivated') {
      const s = opts.subscribers.byImpu(impu);
      if (s === undefined) return false;
      const set = store.setOf(s);
      if (set.bindings.size === 0) return false;
      store.removeAll(set, event);
      return true;
    },
    shortenExpiry(impu, seconds) {
      const s = opts.subscribers.byImpu(impu);
      if (s === undefined || !Number.isInteger(seconds) || seconds < 0) return false;
      const set = store.setOf(s);
      if (set.bindings.size === 0) return false;
      store.shorten(set, seconds);
      return true;
    },
    get subscriptions() {
      return notifier?.size ?? 0;
    },
    async stop() {
      notifier?.close();
      store.close();
      layer.close();
      await transports.stop();
    },
  };
}

function parseTarget(req: SipRequest): Uri | undefined {
  const p = parseUri(req.uri);
  return p.ok ? p.uri : undefined;
}

function reply(txn: ServerTransaction, req: SipRequest, e: SipError, tag: string): void {
  const res = buildResponse(req, e.status, e.reason, tag);
  for (const [n, v] of e.headers) res.headers.append(n, v);
  txn.respond(res);
}

/** UDP and TCP on one port; with port 0, TCP tries the port UDP got (again with a new one if taken). */
async function bind(
  opts: LabCoreOptions,
  clock: Clock,
): Promise<{ transports: TransportManager; port: number }> {
  const logger = opts.logger ?? silentLogger;
  for (let attempt = 0; ; attempt++) {
    const transports = new TransportManager({ logger });
    const udp = transports.add(new UdpTransport({ host: opts.host, port: opts.port, clock, logger }));
    await transports.start();
    const port = udp.address()?.port ?? opts.port;
    try {
      transports.add(new TcpTransport({ host: opts.host, port, clock, logger }));
      await transports.start();
      return { transports, port };
    } catch (e) {
      await transports.stop();
      if (opts.port !== 0 || attempt >= 5) throw e;
    }
  }
}

/** The transaction user: hands every new request to the core's dispatcher. */
class CoreUser implements TransactionUser {
  handle: (txn: ServerTransaction, rm: ReceivedMessage) => void = () => {};
  receiveRequest(txn: ServerTransaction, rm: ReceivedMessage): void {
    this.handle(txn, rm);
  }
  receiveResponse(): void {}
  receiveStrayAck(): void {}
  onTimeout(): void {}
  onTransportError(): void {}
}
