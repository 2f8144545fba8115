/**
 * The eP-CSCF of the end-to-end tests, started in this process as an operator would configure it
 * (EPCSCF_SCHEMA environment: WAF_ISSUER, the introspection client, TOKEN_VALIDATION, ...) and
 * handed the subscriber directory the WAF uses (pool identities, scenario 3). Every message it
 * sends toward the IMS core (Mw) is recorded: the core trusts `auth-done` only from the
 * eP-CSCF's own Mw socket, so no relay may sit in between to watch.
 */
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { Registry } from 'prom-client';
import { readEnvironment } from '../../app/config.ts';
import { EPCSCF_SCHEMA } from '../../ep-cscf/config.ts';
import { type RunningEpCscf, startEpCscf } from '../../ep-cscf/ep-cscf.ts';
import type { SipMessage } from '../../sip/index.ts';
import type { SubscriberDirectory } from '../../store/directory.ts';
import { OutputRing } from '../harness/output-ring.ts';
import type { PortAllocator } from '../harness/ports.ts';

export interface E2eEpCscf {
  /** `ws://127.0.0.1:PORT/sip` */
  readonly wsUrl: string;
  readonly host: string;
  readonly mwPort: number;
  readonly running: RunningEpCscf;
  /** messages sent toward the core (Mw), oldest first */
  readonly toCore: SipMessage[];
  report(): string;
  stop(): Promise<void>;
}

export interface E2eEpCscfOptions {
  readonly ports: PortAllocator;
  /** the Mw port, chosen before the core starts (the core trusts exactly it) */
  readonly mwPort: number;
  readonly coreUri: string;
  readonly env: Readonly<Record<string, string>>;
  readonly directory: SubscriberDirectory;
}

export async function startE2eEpCscf(o: E2eEpCscfOptions): Promise<E2eEpCscf> {
  const host = o.ports.host;
  const httpPort = await o.ports.tcp();
  const config = readEnvironment(EPCSCF_SCHEMA, {
    SIP_HOST: host,
    SIP_PORT: String(o.mwPort),
    IMS_CORE_URI: o.coreUri,
    REG_EVENT: 'false',
    ...o.env,
  });
  if (!config.ok) throw new Error(`eP-CSCF configuration refused: ${JSON.stringify(config.issues)}`);
  const ring = new OutputRing();
  const logger = pino(
    { level: process.env['EPCSCF_LOG_LEVEL'] ?? 'debug' },
    { write: (line: string) => ring.push(line) },
  );
  const http = createServer((_req, res) => res.writeHead(404).end());
  await listen(http, host, httpPort);
  const release = async (): Promise<void> => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    o.ports.release(httpPort);
  };
  let running: RunningEpCscf;
  try {
    running = await startEpCscf({
      config: config.config,
      logger,
      httpServer: http,
      registry: new Registry(),
      defaultOrigins: () => [`http://${host}:${httpPort}`],
      directory: o.directory,
    });
  } catch (err) {
    await release();
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
    wsUrl: `ws://${host}:${httpPort}${config.config.wsPath}`,
    host,
    mwPort: running.mwPort,
    running,
    toCore,
    report: () =>
      `--- eP-CSCF log (ws://${host}:${httpPort}, Mw ${host}:${running.mwPort}) ---\n${ring.text()}`,
    stop() {
      stopped ??= (async () => {
        try {
          await running.stop();
        } finally {
          await release();
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
