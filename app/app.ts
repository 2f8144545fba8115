/**
 * The whole product in one process: starts the enabled roles in order, then the operations
 * HTTP server; `stop()` drains in reverse. Everything is handed in (config, logger, roles):
 * no globals, so tests can run several apps side by side.
 */

import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type EimsAgwHandle,
  type MediaGateway,
  MediaGateway as MediaGatewayClass,
} from '../eims-agw/index.ts';
import type { TokenAuthority } from '../token/authority.ts';
import type { Config } from './config.ts';
import { createHttpServer, type HealthReport, HttpRoutes } from './http-server.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { ROLE_NAMES, type RoleName } from './role-name.ts';
import { ROLES, type RoleDescriptor, type RoleHandle } from './roles.ts';
import { openSharedState } from './shared-state.ts';
import { aggregatedMetrics } from './worker-metrics.ts';
import type { WorkerStatus } from './workers.ts';

export interface AppOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Defaults to every role of roles.ts. */
  readonly roles?: readonly RoleDescriptor[];
  /** The environment roles read their own settings from (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface RunningApp {
  /** Base URL of the operations server, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly port: number;
  health(): HealthReport;
  /** Graceful stop; calling it again returns the same promise. */
  stop(): Promise<void>;
}

interface StartedRole {
  readonly descriptor: RoleDescriptor;
  readonly handle: RoleHandle;
}

/** A URL a person can open: the wildcard addresses are shown as loopback. */
function displayUrl(host: string, port: number, scheme: string): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `${scheme}://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function stopRoles(started: readonly StartedRole[], logger: Logger): Promise<void> {
  for (const { descriptor, handle } of [...started].reverse()) {
    try {
      await handle.stop();
    } catch (error) {
      logger.error({ err: error, role: descriptor.name }, 'role failed to stop');
    }
  }
}

export async function startApp(options: AppOptions): Promise<RunningApp> {
  const { config } = options;
  const logger = options.logger.child({ module: 'app' });
  const enabled = (options.roles ?? ROLES).filter((role) => config.roles.includes(role.name));
  const started: StartedRole[] = [];
  let stopping = false;

  const health = (): HealthReport => {
    const roles = Object.fromEntries(ROLE_NAMES.map((name) => [name, 'disabled'])) as Record<
      RoleName,
      HealthReport['roles'][RoleName]
    >;
    const workers: Partial<Record<RoleName, readonly WorkerStatus[]>> = {};
    for (const { descriptor, handle } of started) {
      roles[descriptor.name] = handle.state;
      if (handle.workers !== undefined) workers[descriptor.name] = handle.workers();
    }
    const failed = Object.values(roles).includes('failed');
    const status = stopping ? 'stopping' : failed ? 'degraded' : 'ok';
    return Object.keys(workers).length === 0 ? { status, roles } : { status, roles, workers };
  };
  const metrics = createMetrics(ROLE_NAMES, (role) => health().roles[role] === 'up');
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined))
    throw new Error('TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  const tls =
    config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined
      ? { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) }
      : undefined;
  const scheme = tls === undefined ? 'http' : 'https';
  const routes = new HttpRoutes();
  const server = createHttpServer({
    health,
    routes,
    // With worker processes, /metrics merges theirs into this process's registry.
    registry: aggregatedMetrics(metrics.registry, async () => {
      const lists = await Promise.all(started.map(({ handle }) => handle.collectMetrics?.() ?? []));
      return lists.flat();
    }),
    logger,
    ...(tls === undefined ? {} : { tls }),
  });
  // Roles that serve browsers (the eP-CSCF's SIP WebSocket, later the WWSF) share this server.
  let boundPort: number | undefined;
  const publicOrigins = (): string[] => {
    if (boundPort === undefined) return [];
    const hosts =
      config.httpHost === '0.0.0.0' || config.httpHost === '::'
        ? ['localhost', '127.0.0.1']
        : [config.httpHost];
    return hosts.map((h) => `${scheme}://${h.includes(':') ? `[${h}]` : h}:${boundPort}`);
  };
  // The directory (and Redis) before the roles, which use them; closed after they stop.
  const state = await openSharedState(config, logger);
  const stopRolesAndState = async (): Promise<void> => {
    await stopRoles(started, logger);
    await state
      .close()
      .catch((error: unknown) => logger.error({ err: error }, 'shared state failed to close'));
  };
  let mediaGateway: MediaGateway | undefined;
  let tokenAuthority: TokenAuthority | undefined;
  let rtpengines: readonly string[] | undefined;
  for (const descriptor of enabled) {
    try {
      const handle = await descriptor.start({
        mediaGateway,
        tokenAuthority,
        rtpengines,
        directory: state.directory,
        registrations: state.registrations,
        logger: options.logger.child({ module: descriptor.name }),
        httpServer: server,
        http: routes,
        registry: metrics.registry,
        publicOrigins,
        env: options.env ?? process.env,
        tls,
      });
      started.push({ descriptor, handle });
      if ('gateway' in handle && handle.gateway instanceof MediaGatewayClass) mediaGateway = handle.gateway;
      if ('authority' in handle) tokenAuthority = handle.authority as TokenAuthority;
      if (descriptor.name === 'eims-agw' && 'media' in handle)
        rtpengines = (handle as EimsAgwHandle).media.instances.map((instance) => instance.address);
    } catch (error) {
      logger.fatal({ err: error, role: descriptor.name }, 'role failed to start; stopping the others');
      await stopRolesAndState();
      throw error;
    }
  }
  let port: number;
  try {
    port = await listen(server, config.httpHost, config.httpPort);
    boundPort = port;
    for (const { handle } of started) handle.httpListening?.();
  } catch (error) {
    logger.fatal({ err: error, host: config.httpHost, port: config.httpPort }, 'cannot listen');
    await stopRolesAndState();
    throw error;
  }
  const url = displayUrl(config.httpHost, port, scheme);
  logger.info(
    { url, host: config.httpHost, port, roles: config.roles },
    `webrtc-ims listening on ${url} (health ${url}/healthz, metrics ${url}/metrics)`,
  );

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      logger.info('stopping: closing the HTTP server, then the roles in reverse order');
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await stopRolesAndState();
      logger.info('stopped');
    })();
    return stopped;
  };

  return { url, port, health, stop };
}
