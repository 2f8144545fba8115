/**
 * The product's HTTP server (node:http or node:https): GET /healthz and GET /metrics, plus the
 * routes roles mount under a path prefix (the WAF's OAuth endpoints, the WWSF's web client and
 * SAPI). Anything else gets an RFC 9457 problem document.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Logger } from './logger.ts';
import type { RoleName } from './role-name.ts';
import type { RoleState } from './roles.ts';
import type { MetricsSource } from './worker-metrics.ts';
import type { WorkerStatus } from './workers.ts';

export type HealthStatus = 'ok' | 'degraded' | 'stopping';

export interface HealthReport {
  /** `ok` answers 200; `degraded` (a role failed) and `stopping` answer 503. */
  readonly status: HealthStatus;
  readonly roles: Readonly<Record<RoleName, RoleState | 'disabled'>>;
  /** Worker processes per role that has them (the eP-CSCF with EP_CSCF_WORKERS > 1). */
  readonly workers?: Readonly<Partial<Record<RoleName, readonly WorkerStatus[]>>>;
}

export type HttpListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Path prefixes roles claim on the shared HTTP server. A prefix owns itself and everything under
 * it (`/sapi` owns `/sapi` and `/sapi/x`, not `/sapix`); the longest matching prefix wins; `/`
 * owns every path the others and the operations routes do not.
 */
export class HttpRoutes {
  private readonly routes: { prefix: string; listener: HttpListener }[] = [];

  mount(prefix: string, listener: HttpListener): void {
    if (!prefix.startsWith('/') || (prefix.length > 1 && prefix.endsWith('/')))
      throw new Error(`HTTP mount prefix must start with / and not end with one: ${prefix}`);
    if (prefix === '/healthz' || prefix === '/metrics') throw new Error(`${prefix} is reserved`);
    if (this.routes.some((r) => r.prefix === prefix)) throw new Error(`${prefix} is already mounted`);
    this.routes.push({ prefix, listener });
    this.routes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  unmount(prefix: string): void {
    const i = this.routes.findIndex((r) => r.prefix === prefix);
    if (i >= 0) this.routes.splice(i, 1);
  }

  /** The listener owning `path`, or undefined. */
  match(path: string): HttpListener | undefined {
    for (const r of this.routes) {
      if (r.prefix === '/' || path === r.prefix || path.startsWith(`${r.prefix}/`)) return r.listener;
    }
    return undefined;
  }
}

export interface HttpServerOptions {
  readonly health: () => HealthReport;
  /** The process registry, or with workers the merged metrics of every process (worker-metrics.ts). */
  readonly registry: MetricsSource;
  readonly logger: Logger;
  /** PEM key and certificate: serve HTTPS instead of HTTP */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
  /** routes roles mount; the operations routes come first */
  readonly routes?: HttpRoutes;
}

const ALLOW = 'GET, HEAD';

function send(response: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(head ? undefined : body);
}

function problem(response: ServerResponse, status: number, title: string, detail: string, head: boolean) {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  send(response, status, 'application/problem+json', body, head);
}

async function handle(options: HttpServerOptions, request: IncomingMessage, response: ServerResponse) {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  const head = request.method === 'HEAD';
  if (path !== '/healthz' && path !== '/metrics') {
    const listener = options.routes?.match(path);
    if (listener !== undefined) {
      listener(request, response);
      return;
    }
    problem(response, 404, 'Not Found', `no resource at ${path}; try /healthz or /metrics`, head);
    return;
  }
  if (request.method !== 'GET' && !head) {
    response.setHeader('allow', ALLOW);
    problem(response, 405, 'Method Not Allowed', `${path} answers ${ALLOW}`, false);
    return;
  }
  if (path === '/healthz') {
    const report = options.health();
    send(response, report.status === 'ok' ? 200 : 503, 'application/json', JSON.stringify(report), head);
    return;
  }
  send(response, 200, options.registry.contentType, await options.registry.metrics(), head);
}

/** The product's HTTP server; HTTPS when a certificate and key are given (then WebSockets are WSS). */
export function createHttpServer(options: HttpServerOptions): Server {
  const logger = options.logger;
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    handle(options, request, response).catch((error: unknown) => {
      logger.error({ err: error, url: request.url }, 'operations request failed');
      if (!response.headersSent) problem(response, 500, 'Internal Server Error', 'see the server log', false);
      else response.destroy();
    });
  };
  return options.tls === undefined ? createServer(listener) : createHttpsServer(options.tls, listener);
}
