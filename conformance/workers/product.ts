/**
 * The product as an operator runs it: `node --import tsx bin/start.ts` (what `npm start` runs)
 * as a child process in its own process group, configured by environment variables only, on
 * free loopback ports. With `workers` > 1 it forks that many eP-CSCF workers: the SIP WebSocket
 * on SIP_WS_PORT, worker i's Mw on SIP_PORT+i. The directory is a SQLite file in a temporary
 * folder (the workers open it too).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PortAllocator } from '../harness/ports.ts';
import { type ExitStatus, type PeerProcess, startProcess } from '../harness/process.ts';
import { createTempDir } from '../harness/temp-dir.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Settings of the test's own environment that must not leak into the product's. */
const INHERITED = [
  'HTTP_HOST',
  'LOG_LEVEL',
  'ROLES',
  'SHUTDOWN_TIMEOUT_MS',
  'DIRECTORY_SEED',
  'DATABASE_URL',
  'REDIS_URL',
  'TLS_CERT_FILE',
  'TLS_KEY_FILE',
  'WAF_ISSUER',
  'IMS_CORE_URI',
  'EP_CSCF_WORKERS',
  'SIP_WS_PORT',
  'WWSF_WSS_URLS',
];

export type LogLine = Record<string, unknown> & { msg?: string; pid?: number; worker?: number };

export interface WorkerHealth {
  readonly index: number;
  readonly state: string;
  readonly pid: number | undefined;
  readonly restarts: number;
  readonly detail?: { readonly mwPort?: number };
}

export interface Health {
  readonly httpStatus: number;
  readonly status: string;
  readonly roles: Record<string, string>;
  readonly workers: readonly WorkerHealth[];
}

export interface Product {
  readonly process: PeerProcess;
  readonly url: string;
  readonly host: string;
  readonly wsPort: number;
  readonly wsUrl: string;
  /** worker i's Mw port is sipPort + i */
  readonly sipPort: number;
  /** every JSON log line printed so far, all processes */
  logs(): LogLine[];
  health(): Promise<Health>;
  metrics(): Promise<string>;
  report(): string;
  stop(): Promise<ExitStatus>;
}

export interface ProductOptions {
  readonly ports: PortAllocator;
  readonly workers: number;
  /** on top of the ports, the directory file and no local rtpengine/coturn */
  readonly env: Readonly<Record<string, string>>;
}

export async function startProduct(o: ProductOptions): Promise<Product> {
  const host = o.ports.host;
  const httpPort = await o.ports.tcp();
  const wsPort = await o.ports.tcp();
  const sip = await o.ports.range(o.workers, 'both');
  const dir = createTempDir('product');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of INHERITED) delete env[key];
  Object.assign(env, {
    HTTP_HOST: host,
    HTTP_PORT: String(httpPort),
    SIP_HOST: host,
    SIP_PORT: String(sip.min),
    SIP_WS_PORT: String(wsPort),
    EP_CSCF_WORKERS: String(o.workers),
    DATABASE_FILE: path.join(dir.path, 'directory.sqlite'),
    RTPENGINE_BINARY: '',
    TURNSERVER_BINARY: '',
    ...o.env,
  });
  const peer = await startProcess({
    name: 'webrtc-ims',
    command: process.execPath,
    args: ['--import', 'tsx', 'bin/start.ts'],
    cwd: REPO,
    env,
    readiness: { kind: 'log', pattern: /webrtc-ims listening on / },
    // tsx compiles the tree once per process: the primary and each worker.
    readyTimeoutMs: 120_000,
    stopGraceMs: 15_000,
    outputCapacity: 16 * 1024 * 1024,
    cleanup: () => {
      dir.remove();
      o.ports.release(httpPort);
      o.ports.release(wsPort);
      o.ports.release(sip);
    },
  });
  const url = `http://${host}:${httpPort}`;
  return {
    process: peer,
    url,
    host,
    wsPort,
    wsUrl: `ws://${host}:${wsPort}/sip`,
    sipPort: sip.min,
    logs: () => parseLogLines(peer.output()),
    async health() {
      const response = await fetch(`${url}/healthz`);
      const body = (await response.json()) as {
        status: string;
        roles: Record<string, string>;
        workers?: { 'ep-cscf'?: WorkerHealth[] };
      };
      return {
        httpStatus: response.status,
        status: body.status,
        roles: body.roles,
        workers: body.workers?.['ep-cscf'] ?? [],
      };
    },
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    report: () => peer.report(),
    stop: () => peer.stop(),
  };
}

function parseLogLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as LogLine);
    } catch {
      // a line cut by the ring buffer or interleaved with stderr
    }
  }
  return out;
}

/** The value of an unlabelled sample (or the sum over a family's labelled samples) in Prometheus text. */
export function sample(metrics: string, name: string, labels?: string): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    if (labels !== undefined && match[2] !== `{${labels}}`) continue;
    total += Number(match[3]);
  }
  return total;
}
