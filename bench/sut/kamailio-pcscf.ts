/**
 * Kamailio as a WebSocket P-CSCF (bench/kamailio/pcscf.cfg) as a system under test, pinned with
 * taskset (every process it forks inherits the CPU). Worker counts fit one core: one UDP
 * receiver for the Mw side and one TCP reader for the WebSockets by default (BENCHMARKS.md says
 * why); calls with rtpengine (`-A WITH_CALLS`) when given an rtpengine; shared memory at least 1 GB (PEERS.md: the 64 MB default stalls under load), more
 * for many connections; the TLSF allocator.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTempDir,
  PeerMissingError,
  renderTemplateFile,
  requireBinary,
  sipOptionsProbe,
  startProcess,
  tcpConnect,
} from '../../conformance/harness/index.ts';
import { openFilesLimit } from './proc-stats.ts';
import { pinnedCommand, type SystemOptions, type SystemUnderTest } from './system.ts';

const CONFIG = new URL('../kamailio/pcscf.cfg', import.meta.url);
const MODULE_DIR = '/usr/lib/x86_64-linux-gnu/kamailio/modules';

export interface KamailioWorkers {
  /** UDP receivers (`children`) */
  readonly udp: number;
  /** TCP/WebSocket readers (`tcp_children`) */
  readonly tcp: number;
}

export const DEFAULT_KAMAILIO_WORKERS: KamailioWorkers = { udp: 1, tcp: 1 };

export async function startKamailioPcscf(
  o: SystemOptions,
  workers: KamailioWorkers = DEFAULT_KAMAILIO_WORKERS,
): Promise<SystemUnderTest> {
  const kamailio = requireBinary({ name: 'kamailio', debianPackage: 'kamailio' });
  for (const [mod, pkg] of [
    ['websocket', 'kamailio-websocket-modules'],
    ['outbound', 'kamailio-outbound-modules'],
    ['tls', 'kamailio-tls-modules'],
    ['rtpengine', 'kamailio'],
  ] as const) {
    if (existsSync(MODULE_DIR) && !existsSync(join(MODULE_DIR, `${mod}.so`)))
      throw new PeerMissingError(`kamailio module ${mod}.so`, pkg);
  }
  const { ports } = o;
  const host = ports.host;
  const mwPort = await ports.port('both');
  const wsPort = await ports.tcp();
  const dir = createTempDir('bench-kamailio-pcscf');
  const cfgFile = join(dir.path, 'pcscf.cfg');
  const tlsCfg = join(dir.path, 'tls.cfg');
  if (o.tls !== undefined)
    writeFileSync(
      tlsCfg,
      `[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n` +
        `private_key = ${o.tls.keyFile}\ncertificate = ${o.tls.certFile}\n\n` +
        `[client:default]\nverify_certificate = no\nrequire_certificate = no\n`,
    );
  writeFileSync(
    cfgFile,
    renderTemplateFile(CONFIG, {
      HOST: host,
      MW_PORT: mwPort,
      WS_PORT: wsPort,
      UDP_CHILDREN: workers.udp,
      TCP_CHILDREN: workers.tcp,
      MAX_CONNECTIONS: Math.max(4096, o.maxConnections + 1024),
      OPEN_FILES: Math.min(openFilesLimit(), Math.max(8192, o.maxConnections + 4096)),
      CTL_SOCKET: join(dir.path, 'kamailio_ctl'),
      KEEPALIVE: 30,
      REG_EXPIRES: 600,
      FLOW_TIMER: 120,
      VISITED_NETWORK_ID: o.domain,
      CORE_HOST: o.core.host,
      CORE_PORT: o.core.port,
      ORIGIN: o.origin,
      TLS_CFG: tlsCfg,
      // Only read with WITH_CALLS.
      RTPENGINE_HOST: o.rtpengine?.host ?? host,
      RTPENGINE_PORT: o.rtpengine?.port ?? 0,
    }),
  );
  // Each WebSocket connection costs Kamailio ~80 kB of shared memory (measured: with 1 GB,
  // wsconn_add() fails from ~12,000 connections on): 1 GB plus 100 kB per expected connection.
  const shmMb = 1024 + Math.ceil(o.maxConnections / 10);
  const args = [
    '-f',
    cfgFile,
    ...(o.tls === undefined ? [] : ['-A', 'WITH_TLS']),
    ...(o.rtpengine === undefined ? [] : ['-A', 'WITH_CALLS']),
    '-m',
    String(shmMb),
    '-M',
    '16',
    // TLSF for shared and private memory: the default (qm, with Debian's DBG_SR_MEMORY build)
    // spent most of the TCP reader's time in qm_malloc under load.
    '-x',
    'tlsf',
    '-DD',
    '-E',
    '-Y',
    dir.path,
    '-P',
    join(dir.path, 'kamailio.pid'),
  ];
  const cmd = pinnedCommand(o.cpu, kamailio, args);
  const peer = await startProcess({
    name: 'kamailio-pcscf',
    command: cmd.command,
    args: cmd.args,
    cwd: dir.path,
    readiness: {
      kind: 'probe',
      describe: `SIP OPTIONS to ${host}:${mwPort} and a TCP connection to ${host}:${wsPort}`,
      probe: async () => (await sipOptionsProbe(host, mwPort)) && (await tcpConnect(host, wsPort, 500)),
    },
    readyTimeoutMs: 20_000,
    cleanup: () => {
      dir.remove();
      ports.release(mwPort);
      ports.release(wsPort);
    },
  });
  return {
    name: 'kamailio',
    url: `${o.tls === undefined ? 'ws' : 'wss'}://${host}:${wsPort}/sip`,
    pgid: peer.pid,
    description:
      `${kamailioVersion(kamailio)}, children=${workers.udp} tcp_children=${workers.tcp}, -m ${shmMb} -x tlsf` +
      (o.rtpengine === undefined ? '' : ', rtpengine module (-A WITH_CALLS)') +
      (o.cpu === undefined ? '' : `, every process pinned to CPU ${o.cpu}`),
    settle: () => Promise.resolve(),
    report: () => peer.report(),
    async stop() {
      await peer.stop();
    },
  };
}

/** e.g. "kamailio 5.6.3". */
export function kamailioVersion(binary = 'kamailio'): string {
  try {
    const out = execFileSync(binary, ['-v'], { encoding: 'utf8' });
    return /version: (kamailio [^\s]+)/.exec(out)?.[1] ?? 'kamailio (unknown version)';
  } catch {
    return 'kamailio (unknown version)';
  }
}
