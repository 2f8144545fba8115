/**
 * The eP-CSCF under test, started in this process on free loopback ports: an HTTP server that
 * carries the SIP WebSocket (WS_PATH), and the Mw side (UDP and TCP) toward a real IMS core.
 * Its configuration goes through the product's own schema (EPCSCF_SCHEMA), so a test sets
 * exactly the environment variables an operator would. Its JSON log is kept in a ring buffer
 * and shown by `report()` when a test fails.
 */
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { Registry } from 'prom-client';
import { readEnvironment } from '../../app/config.ts';
import type { MediaGateway } from '../../ep-cscf/calls/media.ts';
import { EPCSCF_SCHEMA } from '../../ep-cscf/config.ts';
import { type RunningEpCscf, startEpCscf } from '../../ep-cscf/ep-cscf.ts';
import type { SipMessage } from '../../sip/index.ts';
import type { RegistrationStore, SubscriberDirectory } from '../../store/index.ts';
import { OutputRing } from '../harness/output-ring.ts';
import type { PortAllocator } from '../harness/ports.ts';

export interface EpCscfPeerOptions {
  readonly ports: PortAllocator;
  /** IMS_CORE_URI, e.g. `sip:127.0.0.1:5070` */
  readonly coreUri: string;
  /** further environment variables (IMS_DOMAIN, ALLOWED_ORIGINS, WS_MAX_MESSAGE, ...) */
  readonly env?: Readonly<Record<string, string>>;
  /** the media gateway (default: SDP passes through) */
  readonly media?: MediaGateway;
  /** the subscriber directory: pool identities for bearer tokens (scenario 3) */
  readonly directory?: SubscriberDirectory;
  readonly poolLeaseMarginMs?: number;
}

export interface EpCscfPeer {
  readonly host: string;
  readonly httpPort: number;
  /** UDP and TCP port of the Mw side */
  readonly mwPort: number;
  /** `ws://127.0.0.1:PORT/sip` */
  readonly wsUrl: string;
  readonly running: RunningEpCscf;
  readonly store: RegistrationStore;
  /** its Prometheus registry */
  readonly registry: Registry;
  /** every message it sent toward the core (Mw, no connection id), oldest first */
  readonly toCore: SipMessage[];
  /** the eP-CSCF's recent log lines */
  report(): string;
  stop(): Promise<void>;
}

export async function startEpCscfPeer(o: EpCscfPeerOptions): Promise<EpCscfPeer> {
  const { ports } = o;
  const host = ports.host;
  const httpPort = await ports.tcp();
  const sipPort = await ports.port('both');
  const env = {
    SIP_HOST: host,
    SIP_PORT: String(sipPort),
    IMS_CORE_URI: o.coreUri,
    ...o.env,
  };
  const config = readEnvironment(EPCSCF_SCHEMA, env);
  if (!config.ok) throw new Error(`eP-CSCF configuration refused: ${JSON.stringify(config.issues)}`);
  const ring = new OutputRing();
  const logger = pino(
    { level: process.env['EPCSCF_LOG_LEVEL'] ?? 'debug' },
    { write: (line: string) => ring.push(line) },
  );
  const http = createServer((_req, res) => res.writeHead(404).end());
  await listen(http, host, httpPort);
  const registry = new Registry();
  let running: RunningEpCscf;
  try {
    running = await startEpCscf({
      config: config.config,
      logger,
      httpServer: http,
      registry,
      defaultOrigins: () => [`http://${host}:${httpPort}`],
      ...(o.media === undefined ? {} : { media: o.media }),
      ...(o.directory === undefined ? {} : { directory: o.directory }),
      ...(o.poolLeaseMarginMs === undefined ? {} : { poolLeaseMarginMs: o.poolLeaseMarginMs }),
    });
  } catch (err) {
    await close(http);
    ports.release(httpPort);
    ports.release(sipPort);
    throw err;
  }
  const toCore: SipMessage[] = [];
  const transports = running.context.transports;
  const send = transports.send.bind(transports);
  transports.send = (message, destination) => {
    if (destination.connectionId === undefined) toCore.push(message);
    return send(message, destination);
  };
  let stopped: Promise<void> | undefined;
  return {
    host,
    httpPort,
    registry,
    toCore,
    mwPort: running.mwPort,
    wsUrl: `ws://${host}:${httpPort}${config.config.wsPath}`,
    running,
    store: running.context.store,
    report: () =>
      `--- eP-CSCF log (ws://${host}:${httpPort}, Mw ${host}:${running.mwPort}) ---\n${ring.text()}`,
    stop() {
      stopped ??= (async () => {
        try {
          await running.stop();
        } finally {
          await close(http);
          ports.release(httpPort);
          ports.release(sipPort);
        }
      })();
      return stopped;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
