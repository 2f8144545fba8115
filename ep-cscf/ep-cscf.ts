import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConfigOf } from '../app/config.ts';
import { restoreFastStringMethods } from '../sip/index.ts';
import { TransactionLayer } from '../sip/transaction/index.ts';
import {
  type Destination,
  TcpTransport,
  TlsTransport,
  TransportManager,
  type TransportProtocol,
  UdpTransport,
  WsTransport,
} from '../sip/transport/index.ts';
import type { SipUri } from '../sip/uri/uri.ts';
import type { SubscriberDirectory } from '../store/directory.ts';
import { MemoryRegistrationStore, type RegistrationStore } from '../store/index.ts';
import type { TokenAuthority } from '../token/authority.ts';
import { createBearerAccess } from './bearer/create-bearer-access.ts';
import { wireTokenEnd } from './bearer/token-end.ts';
import { CallControl } from './calls/call-control.ts';
import { type MediaGateway, passthroughMedia } from './calls/media.ts';
import type { EPCSCF_SCHEMA } from './config.ts';
import type { EpCscfContext } from './context.ts';
import { EpCscfCore } from './core.ts';
import { FlowTokens } from './flow/flow-token.ts';
import { createEpCscfMetrics } from './metrics.ts';
import { EventLoopLoad, LoadShedding, type LoopLoad } from './overload.ts';
import { attachPoolRegistrar } from './registration/pool-register.ts';
import { RegEventSubscriber } from './registration/reg-event.ts';

export type EpCscfConfig = ConfigOf<typeof EPCSCF_SCHEMA>;

export interface EpCscfOptions {
  config: EpCscfConfig;
  logger: Logger;
  /** the HTTP(S) server the SIP WebSocket shares (path WS_PATH); with SIP_WS_PORT it listens on its own */
  httpServer?: Server;
  /** address of the SIP WebSocket's own listener (SIP_WS_PORT); default 0.0.0.0 */
  wsHost?: string;
  /** makes flow ids unique across processes (each eP-CSCF worker, and each start of one, has its own) */
  connectionIdPrefix?: string;
  registry: Registry;
  /** origins allowed when ALLOWED_ORIGINS is empty (the HTTP server's own) */
  defaultOrigins(): string[];
  /** certificate and key: SIP over TLS on the Mw side (the WebSocket is WSS when httpServer is HTTPS) */
  tls?: { key: Buffer; cert: Buffer };
  /** the IMS core's next hop when IMS_CORE_URI is empty (the lab core the role started) */
  fallbackCore?: SipUri;
  store?: RegistrationStore;
  /** the subscriber directory: pool identities for bearer-token registrations (TS 33.203 Annex X.4) */
  directory?: SubscriberDirectory;
  /** how long a pool lease outlives its registration (ms; default 32 s) */
  poolLeaseMarginMs?: number;
  /** the eIMS-AGW; without one, SDP passes end to end */
  media?: MediaGateway;
  /** the WAF of this process: its issuer and resource-server client, unless WAF_ISSUER says otherwise */
  tokenAuthority?: TokenAuthority;
  /** how busy the event loop has been (load shedding, OVERLOAD_BUSY_PERCENT); default: measured */
  loopLoad?: LoopLoad;
}

export interface RunningEpCscf {
  readonly context: EpCscfContext;
  /** the Mw port actually bound (SIP_PORT, or the free port picked for 0) */
  readonly mwPort: number;
  /** the SIP WebSocket's own port (SIP_WS_PORT); undefined when it shares the HTTP server */
  readonly wsPort: number | undefined;
  stop(): Promise<void>;
}

/** Creates the eP-CSCF: transports (WebSocket on the HTTP server; UDP and TCP toward the core), transactions, policy. */
export async function startEpCscf(o: EpCscfOptions): Promise<RunningEpCscf> {
  const { config, logger } = o;
  // Once every module is loaded: a String subclass (the Redis client's) leaves String.prototype
  // a dictionary, which slows every SIP scanner (sip/grammar/string-methods.ts).
  restoreFastStringMethods();
  const coreUri = config.imsCoreUri ?? o.fallbackCore;
  if (coreUri === undefined) throw new Error('IMS_CORE_URI is empty and no lab core was started');
  const core = destinationOf(coreUri);
  // Before any socket opens: a bearer configuration error stops the start cleanly.
  const bearer = createBearerAccess({ config, authority: o.tokenAuthority, registry: o.registry, logger });
  const transports = new TransportManager({
    logger,
    ...(o.connectionIdPrefix === undefined ? {} : { connectionIdPrefix: o.connectionIdPrefix }),
  });
  const allowed = new Set(config.allowedOrigins);
  const ws = transports.add(
    new WsTransport({
      ...webSocketListener(config.sipWsPort, o),
      path: config.wsPath,
      maxMessageSize: config.wsMaxMessage,
      pingIntervalMs: config.wsPingInterval * 1000,
      logger,
      originCheck: (origin) => {
        if (origin === undefined) return !config.requireOrigin;
        return allowed.size > 0 ? allowed.has(origin) : o.defaultOrigins().includes(origin);
      },
    }),
  );
  // A large receive buffer rides out GC pauses under load instead of dropping the core's responses.
  const udp = transports.add(
    new UdpTransport({
      host: config.sipHost,
      port: config.sipPort,
      logger,
      receiveBufferSize: 8 * 1024 * 1024,
    }),
  );
  await transports.start();
  const mwPort = udp.address()?.port ?? config.sipPort;
  transports.add(new TcpTransport({ host: config.sipHost, port: mwPort, logger }));
  if (o.tls !== undefined)
    transports.add(
      new TlsTransport({
        host: config.sipHost,
        port: config.sipTlsPort,
        key: o.tls.key,
        cert: o.tls.cert,
        logger,
      }),
    );
  await transports.start();

  const store = o.store ?? new MemoryRegistrationStore();
  const metrics = createEpCscfMetrics(o.registry, () => store.size());
  const threshold = config.overloadBusyPercent / 100;
  const measured = o.loopLoad === undefined && threshold > 0 ? new EventLoopLoad() : undefined;
  const shedding = new LoadShedding(o.loopLoad ?? measured ?? { busy: 0 }, threshold);
  let layer: TransactionLayer | undefined;
  let calls: CallControl | undefined;
  const context: EpCscfContext = {
    get calls(): CallControl {
      if (calls === undefined) throw new Error('call control not created yet');
      return calls;
    },
    get layer(): TransactionLayer {
      if (layer === undefined) throw new Error('transaction layer not created yet');
      return layer;
    },
    transports,
    store,
    pool: undefined,
    tokens: new FlowTokens(config.flowTokenKey),
    logger,
    metrics,
    settings: {
      mwHost: config.sipHost,
      mwPort,
      core,
      coreUri: formatCore(coreUri),
      visitedNetworkId: config.visitedNetworkId !== '' ? config.visitedNetworkId : config.homeDomain,
      homeDomain: config.homeDomain,
      flowTimer: config.flowTimer,
      regEvent: config.regEvent,
    },
    now: () => Date.now(),
    shedding,
    bearer,
    regEvent: undefined,
  };
  calls = new CallControl(context, o.media ?? passthroughMedia);
  const policy = new EpCscfCore(context);
  layer = new TransactionLayer({ transport: transports, user: policy, logger });
  if (config.regEvent) {
    const regEvent = new RegEventSubscriber(context);
    context.regEvent = regEvent;
    policy.local = regEvent;
  }
  transports.delegate = layer;
  if (bearer !== undefined) wireTokenEnd(context, bearer);
  if (o.directory !== undefined)
    context.pool = attachPoolRegistrar(context, {
      directory: o.directory,
      registry: o.registry,
      ...(o.poolLeaseMarginMs === undefined ? {} : { marginMs: o.poolLeaseMarginMs }),
    });

  let flows = 0;
  /** releases in progress for flows that closed (awaited by stop) */
  const closing = new Set<Promise<void>>();
  transports.connections.onAdd = (c) => {
    if (c.source.protocol === 'ws' || c.source.protocol === 'wss') metrics.flows.set(++flows);
  };
  transports.connections.onRemove = (c) => {
    if (c.source.protocol !== 'ws' && c.source.protocol !== 'wss') return;
    metrics.flows.set(--flows);
    // RFC 5626 §5.3: the flow failed. Its registrations stay as the core knows them until they
    // expire, are refreshed over a new flow, or the core ends them; requests for it get 430.
    logger.info({ flow: c.id, remote: c.source.remoteAddress }, 'flow closed');
    // TS 24.371 §7: calls on the flow are released toward the IMS side, their media deleted.
    void calls
      ?.flowClosed(c.id)
      .catch((err: unknown) => logger.error({ err, flow: c.id }, 'call release failed'));
    // TS 33.203 X.4: a pool identity registered over the flow is deregistered and released.
    void context.pool
      ?.flowClosed(c.id)
      .catch((err: unknown) => logger.error({ err, flow: c.id }, 'pool release on flow close failed'));
  };

  // Expired bindings leave the store (a client that stops refreshing, RFC 3261 §10.2.1).
  const sweep = setInterval(() => {
    void store
      .expire(Date.now())
      .catch((err: unknown) => logger.error({ err }, 'registration expiry sweep failed'));
  }, 10_000);
  sweep.unref();

  const wsPort = config.sipWsPort === undefined ? undefined : ws.address()?.port;
  const wsAt = wsPort === undefined ? config.wsPath : `port ${wsPort} ${config.wsPath}`;
  logger.info(
    { mw: `${config.sipHost}:${mwPort}`, core: context.settings.coreUri, ws: config.wsPath, wsPort },
    `eP-CSCF up: SIP over WebSocket on ${wsAt}, Mw on udp/tcp ${config.sipHost}:${mwPort}, core ${context.settings.coreUri}`,
  );

  return {
    context,
    mwPort,
    wsPort,
    async stop() {
      clearInterval(sweep);
      measured?.stop();
      // Pool identities are deregistered at the core and their leases released first.
      await context.pool?.stop();
      bearer?.bindings.close();
      // Calls still up are released toward the IMS side while the transports can still send.
      await calls?.releaseAll(2000);
      await Promise.allSettled(closing);
      layer?.close();
      await transports.stop();
    },
  };
}

/** The SIP WebSocket on the HTTP server, or on a listener of its own when SIP_WS_PORT is set. */
function webSocketListener(
  port: number | undefined,
  o: EpCscfOptions,
): { server: Server } | { host: string; port: number; key?: Buffer; cert?: Buffer } {
  if (port !== undefined)
    return {
      host: o.wsHost ?? '0.0.0.0',
      port,
      ...(o.tls === undefined ? {} : { key: o.tls.key, cert: o.tls.cert }),
    };
  if (o.httpServer === undefined) throw new Error('the SIP WebSocket needs the HTTP server or SIP_WS_PORT');
  return { server: o.httpServer };
}

function destinationOf(uri: SipUri): Destination {
  const t = uri.params.value('transport')?.toLowerCase();
  const protocol: TransportProtocol = t === 'tcp' ? 'tcp' : t === 'tls' ? 'tls' : 'udp';
  const address = uri.hostKind === 'ipv6' ? uri.host.slice(1, -1) : uri.host;
  return { protocol, address, port: uri.port ?? (protocol === 'tls' ? 5061 : 5060) };
}

function formatCore(uri: SipUri): string {
  return `${uri.scheme}:${uri.host}${uri.port === undefined ? '' : `:${uri.port}`}${uri.params.toString()}`;
}
