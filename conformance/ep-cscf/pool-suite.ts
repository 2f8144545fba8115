/**
 * The describe-block set-up of a pool-registration test (TS 33.203 Annex X.4): an IMS core that
 * knows the pool identities, started by the test file's `startCore` (the lab core or Kamailio),
 * the pool bed in front of it (pool-bed.ts: token issuer, directory, core tap, the eP-CSCF with
 * the pool registrar), and the clients the tests open. Registers the hooks: everything is
 * started once for the file and stopped after it, clients first; on a failing test the core's
 * (when it has a report) and the eP-CSCF's output are printed.
 */
import { afterAll, beforeAll } from 'vitest';
import { PortAllocator } from '../harness/ports.ts';
import { type HasReport, printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import type { LabCore } from '../lab-core/index.ts';
import { type LoopbackLabCoreOptions, startLoopbackLabCore } from './lab-core-peer.ts';
import { type PoolBed, type PoolBedOptions, startPoolBed, TENANT } from './pool-bed.ts';
import { PoolUa } from './pool-ua.ts';

/** What the suite needs of the IMS core. */
export interface PoolCore {
  readonly host: string;
  stop(): Promise<unknown>;
  report?(): string;
}

export interface PoolSuiteOptions<C extends PoolCore>
  extends Omit<PoolBedOptions, 'ports' | 'core' | 'onPeer'> {
  /** the core's home domain: the pool identities are sip:USER@domain */
  readonly domain: string;
  /** starts the IMS core on `ports`; `port` is its SIP port (UDP) */
  readonly startCore: (ports: PortAllocator) => Promise<{ readonly core: C; readonly port: number }>;
}

interface Closable {
  close(): Promise<unknown>;
}

/** The pool bed (stopped by the suite) with the core, the ports and the clients. */
export interface PoolSuite<C extends PoolCore> extends Omit<PoolBed, 'stop'> {
  readonly ports: PortAllocator;
  readonly core: C;
  /** the clients client() opened, oldest first, until closeClients() */
  readonly clients: readonly PoolUa[];
  /** a pool client of `tenant` (default TENANT) on a WebSocket of its own */
  client(tenant?: string): Promise<PoolUa>;
  /** closes `c` together with the clients */
  keep<T extends Closable>(c: T): T;
  /** closes every client opened or kept so far */
  closeClients(): Promise<void>;
}

/** The suite, started by the beforeAll hook it registers (read its fields inside tests only). */
export function usePoolSuite<C extends PoolCore>(o: PoolSuiteOptions<C>): PoolSuite<C> {
  const { domain, startCore, ...bedOptions } = o;
  const peers: HasReport[] = [];
  const clients: PoolUa[] = [];
  const kept: Closable[] = [];
  let ports: PortAllocator | undefined;
  let core: C | undefined;
  let bed: PoolBed | undefined;
  printPeerOutputOnFailure(() => peers);

  const closeClients = async (): Promise<void> => {
    for (const c of [...clients.splice(0), ...kept.splice(0)]) await c.close();
  };
  beforeAll(async () => {
    ports = await PortAllocator.open();
    const started = await startCore(ports);
    const c = started.core;
    core = c;
    if (c.report !== undefined) peers.push({ report: () => c.report?.() ?? '' });
    bed = await startPoolBed({
      ...bedOptions,
      ports,
      core: { host: c.host, port: started.port, domain },
      onPeer: (p) => peers.push(p),
    });
  });
  afterAll(async () => {
    await closeClients();
    await bed?.stop();
    await core?.stop();
    await ports?.close();
  });

  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('pool suite not started');
    return value;
  };
  return {
    get ports() {
      return ready(ports);
    },
    get core() {
      return ready(core);
    },
    get issuer() {
      return ready(bed).issuer;
    },
    get directory() {
      return ready(bed).directory;
    },
    get tap() {
      return ready(bed).tap;
    },
    get ep() {
      return ready(bed).ep;
    },
    token: (t) => ready(bed).token(t),
    clients,
    async client(tenant = TENANT) {
      const ua = await PoolUa.open(ready(bed).ep.wsUrl, tenant);
      clients.push(ua);
      return ua;
    },
    keep(c) {
      kept.push(c);
      return c;
    },
    closeClients,
  };
}

/** `startCore` for the lab core on loopback (lab-core-peer.ts). */
export function loopbackLabCore(o: LoopbackLabCoreOptions): PoolSuiteOptions<LabCore>['startCore'] {
  return async (ports) => {
    const core = await startLoopbackLabCore(ports, o);
    return { core, port: core.port };
  };
}
