/**
 * How many eP-CSCF processes to run (EP_CSCF_WORKERS) and the rules that makes on the other
 * variables. With N > 1 workers, worker i binds the Mw ports SIP_PORT+i (and SIP_TLS_PORT+i with
 * TLS) and puts that port in its Via, Path and Record-Route, so the IMS core sends each request
 * and response for a flow to the worker holding it (RFC 3327); all workers share SIP_WS_PORT.
 * Every rule names the variable to change.
 */

import { CONFIG_SCHEMA, type ConfigIssue, type ConfigResult, readEnvironment } from '../app/config.ts';
import { EPCSCF_SCHEMA } from './config.ts';

/**
 * Node flags of an eP-CSCF worker process. A worker is meant to have a core to itself (one per
 * core), so V8's garbage collector works on the worker's own thread instead of helper threads:
 * helpers would only take turns with it on that core, and a request waiting while they run is
 * a latency spike. Measured on one pinned core at 2,500 REGISTER transactions/s: p99 latency
 * 1.7-2.7 ms with it, 8-15 ms without, same CPU per transaction (BENCHMARKS.md, "Tail latency").
 */
export const EP_CSCF_WORKER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];

export interface WorkerPlan {
  /** 1: the eP-CSCF runs in the primary process, as without workers */
  readonly count: number;
  /** worker i's Mw UDP/TCP port is sipPort + i */
  readonly sipPort: number;
  /** worker i's Mw TLS port is sipTlsPort + i (when the product has a certificate) */
  readonly sipTlsPort: number;
  /** SIP_WS_PORT; always set when count > 1 */
  readonly wsPort: number | undefined;
}

const INPUTS = {
  epCscfWorkers: CONFIG_SCHEMA.epCscfWorkers,
  httpPort: CONFIG_SCHEMA.httpPort,
  databaseFile: CONFIG_SCHEMA.databaseFile,
  databaseUrl: CONFIG_SCHEMA.databaseUrl,
  tlsCertFile: CONFIG_SCHEMA.tlsCertFile,
  sipPort: EPCSCF_SCHEMA.sipPort,
  sipTlsPort: EPCSCF_SCHEMA.sipTlsPort,
  sipWsPort: EPCSCF_SCHEMA.sipWsPort,
  imsCoreUri: EPCSCF_SCHEMA.imsCoreUri,
  labCorePort: EPCSCF_SCHEMA.labCorePort,
};

/** `count` ports from `first` on: [first, last]. */
function range(first: number, count: number): { first: number; last: number } {
  return { first, last: first + count - 1 };
}

function inRange(port: number, r: { first: number; last: number }): boolean {
  return port >= r.first && port <= r.last;
}

/** The plan for this environment; `cpus` resolves `auto`. */
export function planWorkers(
  env: Readonly<Record<string, string | undefined>>,
  cpus: number,
): ConfigResult<WorkerPlan> {
  const read = readEnvironment(INPUTS, env);
  if (!read.ok) return read;
  const c = read.config;
  const count = c.epCscfWorkers === 'auto' ? Math.max(1, cpus) : c.epCscfWorkers;
  const plan: WorkerPlan = { count, sipPort: c.sipPort, sipTlsPort: c.sipTlsPort, wsPort: c.sipWsPort };
  if (count === 1) return { ok: true, config: plan };

  const issues: ConfigIssue[] = [];
  const add = (key: string, message: string): void => void issues.push({ key, message });
  const n = `EP_CSCF_WORKERS=${count}`;
  const sip = range(c.sipPort, count);
  if (c.sipPort === 0 || sip.last > 65535)
    add(
      'SIP_PORT',
      `SIP_PORT must be a fixed port from 1 to ${65536 - count} with ${n}: worker i binds SIP_PORT+i, got ${c.sipPort}`,
    );
  const tls = c.tlsCertFile === undefined ? undefined : range(c.sipTlsPort, count);
  if (tls !== undefined) {
    if (c.sipTlsPort === 0 || tls.last > 65535)
      add(
        'SIP_TLS_PORT',
        `SIP_TLS_PORT must be a fixed port from 1 to ${65536 - count} with ${n} and TLS: worker i binds SIP_TLS_PORT+i, got ${c.sipTlsPort}`,
      );
    else if (tls.first <= sip.last && sip.first <= tls.last)
      add(
        'SIP_TLS_PORT',
        `SIP_TLS_PORT ${tls.first}-${tls.last} overlaps SIP_PORT ${sip.first}-${sip.last} with ${n}: move SIP_TLS_PORT to ${sip.last + 1} or above`,
      );
  }
  const taken = (port: number): boolean => inRange(port, sip) || (tls !== undefined && inRange(port, tls));
  if (c.sipWsPort === undefined)
    add(
      'SIP_WS_PORT',
      `SIP_WS_PORT is required with ${n}: the workers share that port for the SIP WebSocket (the HTTP port stays with the primary)`,
    );
  else if (c.sipWsPort === c.httpPort || taken(c.sipWsPort))
    add('SIP_WS_PORT', `SIP_WS_PORT ${c.sipWsPort} is already HTTP_PORT or a worker's Mw port with ${n}`);
  if (c.httpPort !== 0 && taken(c.httpPort))
    add('HTTP_PORT', `HTTP_PORT ${c.httpPort} is a worker's Mw port with ${n}`);
  if (c.imsCoreUri === undefined && c.labCorePort !== 0 && taken(c.labCorePort))
    add('LAB_CORE_PORT', `LAB_CORE_PORT ${c.labCorePort} is a worker's Mw port with ${n}`);
  if (c.databaseUrl === undefined && c.databaseFile === ':memory:')
    add(
      'DATABASE_FILE',
      `DATABASE_FILE=:memory: cannot be shared by ${count} workers: each would open an empty directory of its own (no subscribers, pool leases not exclusive); use a file or DATABASE_URL`,
    );
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config: plan };
}
