/**
 * The IMS core both systems under test forward to: the harness's Kamailio registrar
 * (conformance/kamailio/ims-core.cfg) with digest authentication against a db_text subscriber
 * table holding one subscriber per simulated client (register-client.ts userOf/passwordOf), or
 * without authentication when there are no subscribers (the memory phases: db_text looks a
 * user up by scanning its whole table, so 50,000 rows would make the core the bottleneck),
 * 1 GB of shared memory by default (more for the 100,000-client memory points), every process
 * pinned to the load generator's CPU.
 */

import type { PortAllocator } from '../../conformance/harness/index.ts';
import { type Subscriber, startKamailio } from '../../conformance/kamailio/kamailio.ts';
import { passwordOf, userOf } from '../load/register-client.ts';
import { cpuSeconds, groupPids, pinProcess } from './proc-stats.ts';

export interface ImsCore {
  readonly host: string;
  readonly port: number;
  readonly domain: string;
  readonly subscribers: number;
  /** the process group of its Kamailio processes */
  readonly pgid: number;
  /** CPU seconds its processes have used so far */
  cpuSeconds(): number;
  /** contacts in its location table now (usrloc's `location_contacts` statistic) */
  contacts(): Promise<number>;
  report(): string;
  stop(): Promise<void>;
}

export async function startImsCore(o: {
  ports: PortAllocator;
  domain: string;
  subscribers: number;
  /** more rows of the subscriber table (the callee of the call benchmark) */
  extraSubscribers?: readonly Subscriber[] | undefined;
  cpu: number | undefined;
  /** Kamailio's shared memory (`-m`), default 1024 MB */
  sharedMemoryMb?: number | undefined;
}): Promise<ImsCore> {
  const subscribers = [
    ...Array.from({ length: o.subscribers }, (_, i) => ({ username: userOf(i), password: passwordOf(i) })),
    ...(o.subscribers === 0 ? [] : (o.extraSubscribers ?? [])),
  ];
  const core = await startKamailio({
    ports: o.ports,
    domain: o.domain,
    ...(subscribers.length === 0 ? {} : { subscribers }),
    sharedMemoryMb: o.sharedMemoryMb ?? 1024,
    // TLSF allocator (the default qm is slow under load) and UDP receive buffers of up to 4 MB,
    // so that bursts from the proxies are not dropped while the load generator holds the CPU.
    extraArgs: ['-x', 'tlsf', '-b', '4194304'],
    readyTimeoutMs: 30_000,
  });
  const pgid = core.process.pid;
  try {
    if (o.cpu !== undefined) for (const pid of groupPids(pgid)) pinProcess(pid, o.cpu);
  } catch (err) {
    await core.stop();
    throw err;
  }
  return {
    host: core.host,
    port: core.sipPort,
    domain: core.domain,
    subscribers: o.subscribers,
    pgid,
    cpuSeconds: () => cpuSeconds(groupPids(pgid)),
    async contacts() {
      const out = await core.kamcmd('stats.get_statistics', 'location_contacts');
      const m = /location_contacts\s*=\s*(\d+)/.exec(out);
      if (m === null) throw new Error(`IMS core: no location_contacts statistic in ${JSON.stringify(out)}`);
      return Number(m[1]);
    },
    report: () => core.report(),
    async stop() {
      await core.stop();
    },
  };
}
