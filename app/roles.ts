/**
 * The roles the entry point runs. Each is a small descriptor whose `start()` returns a handle;
 * the app never reaches into a role's internals. Roles not built yet start as a placeholder
 * that says so once and reports `not-built`.
 */

import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { MediaGateway } from '../eims-agw/index.ts';
import { eimsAgwRole } from '../eims-agw/role.ts';
import { epCscfRole } from '../ep-cscf/role.ts';
import type { SubscriberDirectory } from '../store/directory.ts';
import type { RegistrationStore } from '../store/registration-store.ts';
import type { TokenAuthority } from '../token/authority.ts';
import { wafRole } from '../waf/role.ts';
import { wwsfRole } from '../wwsf/role.ts';
import type { HttpRoutes } from './http-server.ts';
import type { Logger } from './logger.ts';
import type { RoleName } from './role-name.ts';
import type { MetricFamilyJson } from './worker-protocol.ts';
import type { WorkerStatus } from './workers.ts';

export type RoleState = 'not-built' | 'up' | 'failed' | 'stopped';

export interface RoleHandle {
  /** Read on every /healthz and metrics update, so a role can report a later failure. */
  readonly state: RoleState;
  stop(): Promise<void>;
  /** The role's worker processes (the eP-CSCF with EP_CSCF_WORKERS > 1): listed by /healthz. */
  workers?(): readonly WorkerStatus[];
  /** The workers' metrics (prom-client JSON, one list per worker): merged into /metrics. */
  collectMetrics?(): Promise<readonly (readonly MetricFamilyJson[])[]>;
  /** Told once the HTTP server listens: its origins (publicOrigins) are known from then on. */
  httpListening?(): void;
}

export interface RoleContext {
  /** Child logger with `{ module: <role> }`. */
  readonly logger: Logger;
  /** The product's HTTP server (HTTP_PORT): roles attach their routes and WebSocket upgrades to it. */
  readonly httpServer: Server;
  /** Path prefixes on that server: a role mounts its HTTP handlers here (node:http listeners). */
  readonly http: HttpRoutes;
  /** The process's Prometheus registry: roles register their metrics on it. */
  readonly registry: Registry;
  /** The origins browsers reach the HTTP server by (known once it listens). */
  publicOrigins(): string[];
  /** The product's certificate and key, when TLS is configured (the HTTP server is then HTTPS). */
  readonly tls: { readonly key: Buffer; readonly cert: Buffer } | undefined;
  /** The eIMS-AGW's media gateway when that role runs in this process (started before the eP-CSCF). */
  readonly mediaGateway: MediaGateway | undefined;
  /** NG addresses (host:port) of the eIMS-AGW's rtpengines when that role runs in this process. */
  readonly rtpengines?: readonly string[] | undefined;
  /** The WAF when that role runs in this process (started before the others). */
  readonly tokenAuthority: TokenAuthority | undefined;
  /** The subscriber directory (DATABASE_FILE), opened before the roles start and closed after. */
  readonly directory: SubscriberDirectory;
  /** The shared registration store when REDIS_URL is set; undefined: the role's own memory store. */
  readonly registrations: RegistrationStore | undefined;
  /** The environment the role reads its own configuration from. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface RoleDescriptor {
  readonly name: RoleName;
  /** What the role is, for logs and docs. */
  readonly title: string;
  start(context: RoleContext): Promise<RoleHandle>;
}

/** A placeholder for a role whose code does not exist yet; `issue` is where it is planned. */
export function notBuiltRole(name: RoleName, title: string, issue: string): RoleDescriptor {
  return {
    name,
    title,
    async start({ logger }) {
      logger.info({ role: name, issue }, `${title}: role not built yet (${issue})`);
      let state: RoleState = 'not-built';
      return {
        get state() {
          return state;
        },
        async stop() {
          state = 'stopped';
        },
      };
    },
  };
}

/** Every role, in start order; stopped in reverse. */
export const ROLES: readonly RoleDescriptor[] = [
  wafRole,
  wwsfRole,
  eimsAgwRole,
  epCscfRole,
  notBuiltRole('xmpp', 'XMPP interworking', 'no issue yet'),
];
