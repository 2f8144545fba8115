/**
 * The eP-CSCF under test with its media anchored: the product's `startEpCscf` configured from
 * environment variables through EPCSCF_SCHEMA (as an operator would), and the eIMS-AGW started
 * the product's way (`startMediaControl` with RTPENGINES pointing at the harness rtpengine),
 * plugged in with `eimsAgwMedia`. Both logs are kept for `report()`.
 */
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { Registry } from 'prom-client';
import { readEnvironment } from '../../app/config.ts';
import { type MediaControl, startMediaControl } from '../../eims-agw/index.ts';
import { eimsAgwMedia } from '../../ep-cscf/calls/eims-agw-media.ts';
import { EPCSCF_SCHEMA } from '../../ep-cscf/config.ts';
import { type RunningEpCscf, startEpCscf } from '../../ep-cscf/ep-cscf.ts';
import { OutputRing } from '../harness/output-ring.ts';
import type { PortAllocator } from '../harness/ports.ts';

export interface MediaEpCscfOptions {
  readonly ports: PortAllocator;
  /** IMS_CORE_URI, e.g. `sip:127.0.0.1:5070` */
  readonly coreUri: string;
  /** `host:port` of rtpengine's NG socket (RTPENGINES) */
  readonly rtpengine: string;
  /** eP-CSCF and eIMS-AGW variables on top (IMS_DOMAIN, ALLOWED_ORIGINS, MEDIA_ICE, ...) */
  readonly env?: Readonly<Record<string, string>>;
}

export interface MediaEpCscf {
  /** `ws://127.0.0.1:PORT/sip` */
  readonly wsUrl: string;
  readonly mwPort: number;
  readonly running: RunningEpCscf;
  readonly media: MediaControl;
  report(): string;
  stop(): Promise<void>;
}

export async function startMediaEpCscf(o: MediaEpCscfOptions): Promise<MediaEpCscf> {
  const { ports } = o;
  const host = ports.host;
  const httpPort = await ports.tcp();
  const sipPort = await ports.port('both');
  const env = {
    SIP_HOST: host,
    SIP_PORT: String(sipPort),
    IMS_CORE_URI: o.coreUri,
    RTPENGINES: o.rtpengine,
    ...o.env,
  };
  const config = readEnvironment(EPCSCF_SCHEMA, env);
  if (!config.ok) throw new Error(`eP-CSCF configuration refused: ${JSON.stringify(config.issues)}`);
  const ring = new OutputRing();
  const logger = pino(
    { level: process.env['EPCSCF_LOG_LEVEL'] ?? 'debug' },
    { write: (line: string) => ring.push(line) },
  );
  const registry = new Registry();
  const http = createServer((_req, res) => res.writeHead(404).end());
  const release = (): void => {
    ports.release(httpPort);
    ports.release(sipPort);
  };
  let media: MediaControl | undefined;
  let running: RunningEpCscf;
  try {
    await listen(http, host, httpPort);
    media = await startMediaControl({ env, logger, registry });
    running = await startEpCscf({
      config: config.config,
      logger,
      httpServer: http,
      registry,
      defaultOrigins: () => [`http://${host}:${httpPort}`],
      media: eimsAgwMedia(media.gateway),
    });
  } catch (err) {
    await media?.stop().catch(() => undefined);
    await close(http);
    release();
    throw err;
  }
  const mediaControl = media;
  let stopped: Promise<void> | undefined;
  return {
    wsUrl: `ws://${host}:${httpPort}${config.config.wsPath}`,
    mwPort: running.mwPort,
    running,
    media: mediaControl,
    report: () => `--- eP-CSCF + eIMS-AGW log (ws://${host}:${httpPort}) ---\n${ring.text()}`,
    stop() {
      stopped ??= (async () => {
        try {
          await running.stop();
          await mediaControl.stop();
        } finally {
          await close(http);
          release();
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
