/**
 * The callee of the call benchmark: sipp as an IMS user registered at the core, answering every
 * call (bench/sipp/callee-answer-pcma.xml: 180, 200 with PCMA, ACK, BYE). Both systems' calls
 * reach it the same way: the core looks the callee up in its location table (ims-core.cfg
 * route[LOCATION]). It registers by SIP digest first (the scenario of conformance/e2e), then
 * serves from the same port, pinned like the IMS core, without message traces (only errors are
 * written: a trace line per message would make sipp the bottleneck).
 */
import { fileURLToPath } from 'node:url';
import {
  createTempDir,
  isPortFree,
  type PortAllocator,
  requireBinary,
  startProcess,
} from '../../conformance/harness/index.ts';
import { runSipp } from '../../conformance/sipp/sipp.ts';
import { cpuSeconds, groupPids } from './proc-stats.ts';
import { pinnedCommand } from './system.ts';

const REGISTER = fileURLToPath(
  new URL('../../conformance/e2e/register-digest-expect-200.xml', import.meta.url),
);
const SCENARIO = fileURLToPath(new URL('../sipp/callee-answer-pcma.xml', import.meta.url));

/** The IMS subscriber sipp plays (a row of the core's subscriber table). */
export const CALLEE = { username: 'callee', password: 'callee-bench-secret' } as const;

export interface SippCallee {
  /** `sip:callee@DOMAIN`: what the clients call */
  readonly uri: string;
  readonly pgid: number;
  readonly description: string;
  cpuSeconds(): number;
  report(): string;
  stop(): Promise<void>;
}

export async function startSippCallee(o: {
  readonly ports: PortAllocator;
  readonly cpu: number | undefined;
  readonly core: { readonly host: string; readonly port: number; readonly domain: string };
}): Promise<SippCallee> {
  const sipp = requireBinary({ name: 'sipp', debianPackage: 'sip-tester' });
  const host = o.ports.host;
  const port = await o.ports.port('udp');
  const media = await o.ports.range(4, 'udp');
  const release = (): void => {
    o.ports.release(port);
    o.ports.release(media);
  };
  const registration = await runSipp({
    scenario: REGISTER,
    remote: { host: o.core.host, port: o.core.port },
    localPort: port,
    service: CALLEE.username,
    keys: { domain: o.core.domain, expires: '3600' },
    extraArgs: ['-au', CALLEE.username, '-ap', CALLEE.password],
  });
  if (registration.exitCode !== 0) {
    release();
    throw new Error(`sipp could not register the callee at the core:\n${registration.report()}`);
  }
  const dir = createTempDir('bench-sipp-callee');
  const cmd = pinnedCommand(o.cpu, sipp, [
    '-sf',
    SCENARIO,
    '-i',
    host,
    '-p',
    String(port),
    '-t',
    'u1',
    '-s',
    CALLEE.username,
    '-mi',
    host,
    '-mp',
    String(media.min),
    '-nostdin',
    // Answer in-dialog requests the scenario does not expect (OPTIONS, UPDATE, INFO, NOTIFY).
    '-aa',
    '-trace_err',
    '-error_file',
    `${dir.path}/errors.log`,
  ]);
  const peer = await startProcess({
    name: 'sipp-callee',
    command: cmd.command,
    args: cmd.args,
    cwd: dir.path,
    readiness: {
      kind: 'probe',
      describe: `sipp bound to UDP ${host}:${port}`,
      probe: async () => !(await isPortFree(port, 'udp', host)),
    },
    readyTimeoutMs: 10_000,
    outputCapacity: 16 * 1024,
    cleanup: () => {
      dir.remove();
      release();
    },
  });
  return {
    uri: `sip:${CALLEE.username}@${o.core.domain}`,
    pgid: peer.pid,
    description: `sipp as the IMS callee (registered at the core)${o.cpu === undefined ? '' : `, pinned to CPU ${o.cpu}`}`,
    cpuSeconds: () => cpuSeconds(groupPids(peer.pid)),
    report: () => peer.report(),
    async stop() {
      await peer.stop();
    },
  };
}
