/**
 * The eP-CSCF alone in its own process, for the benchmark (bench/run.ts starts it pinned to a
 * core with `taskset`, and reads its CPU time and memory from /proc). Configured like the role
 * (EPCSCF_SCHEMA environment variables) plus:
 *   HTTP_HOST, HTTP_PORT   the HTTP server carrying the SIP WebSocket (0: a free port)
 *   TLS_KEY_FILE, TLS_CERT_FILE   serve WSS (HTTPS) instead of WS
 *   LOG_LEVEL              pino level on stderr (default warn)
 *   RTPENGINES             when set: the eIMS-AGW (EIMS_AGW_SCHEMA variables) anchors call media
 *                          on these rtpengines, in this process, as the product's role does
 * Prints `BENCH-READY {"httpPort":..,"mwPort":..}` once serving. SIGUSR2 runs a full garbage
 * collection when started with --expose-gc (before a memory reading) and prints `BENCH-GC n`.
 * SIGTERM/SIGINT stop it cleanly (so that --cpu-prof writes its profile).
 */
import { readFileSync } from 'node:fs';
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import pino from 'pino';
import { Registry } from 'prom-client';
import { formatConfigIssues, readEnvironment } from '../app/config.ts';
import { startMediaControl } from '../eims-agw/index.ts';
import { eimsAgwMedia } from '../ep-cscf/calls/eims-agw-media.ts';
import { EPCSCF_SCHEMA } from '../ep-cscf/config.ts';
import { startEpCscf } from '../ep-cscf/ep-cscf.ts';

async function main(): Promise<void> {
  const env = process.env;
  const read = readEnvironment(EPCSCF_SCHEMA, env);
  if (!read.ok) throw new Error(formatConfigIssues(read.issues));
  const host = env.HTTP_HOST ?? '127.0.0.1';
  const keyFile = env.TLS_KEY_FILE;
  const certFile = env.TLS_CERT_FILE;
  const answer404 = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(404).end();
  };
  const server: Server =
    keyFile !== undefined && certFile !== undefined
      ? createHttps({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, answer404)
      : createHttp(answer404);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(env.HTTP_PORT ?? '0'), host, () => resolve());
  });
  const address = server.address();
  const httpPort = typeof address === 'object' && address !== null ? address.port : 0;
  const logger = pino({ level: env.LOG_LEVEL ?? 'warn' }, pino.destination({ dest: 2, sync: false }));
  const registry = new Registry();
  // Only with RTPENGINES: without it media control would start an rtpengine of its own.
  const media =
    (env.RTPENGINES ?? '') === '' ? undefined : await startMediaControl({ env, logger, registry });
  const ep = await startEpCscf({
    config: read.config,
    logger,
    httpServer: server,
    registry,
    defaultOrigins: () => [`http://${host}:${httpPort}`],
    ...(media === undefined ? {} : { media: eimsAgwMedia(media.gateway) }),
  });

  let gcs = 0;
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    process.stdout.write(`BENCH-GC ${++gcs}\n`);
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    void ep
      .stop()
      .then(() => media?.stop())
      .then(() => new Promise<void>((resolve) => server.close(() => resolve())))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`BENCH-READY ${JSON.stringify({ httpPort, mwPort: ep.mwPort })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`epcscf-main: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
