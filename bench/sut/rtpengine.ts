/**
 * The rtpengine both systems under test drive in the call benchmark: one daemon in user space
 * (no kernel forwarding), NG control on loopback, deleted calls forgotten at once
 * (`--delete-delay=0`, so `list` shows what a system left behind), warnings and errors only in
 * its log (a line per call would cost it CPU), every thread pinned to the load side's CPU like
 * the IMS core. Its media ports come from 61001-65534, above Linux's ephemeral range
 * (32768-60999) and away from the harness's port blocks: each call takes four (RTP and RTCP on
 * each side), so about 1,100 calls can be open at once.
 */
import { spawnSync } from 'node:child_process';
import {
  PortAllocator,
  type PortRange,
  requireBinary,
  startProcess,
} from '../../conformance/harness/index.ts';
import { ngPing, ngRequest } from '../../conformance/rtpengine/ng-request.ts';
import { cpuSeconds, groupPids } from './proc-stats.ts';
import { pinnedCommand } from './system.ts';

const MEDIA_BLOCK = { firstPort: 61_000, blockSize: 4_535, blockCount: 1 } as const;

export interface BenchRtpengine {
  readonly host: string;
  readonly ngPort: number;
  readonly mediaPorts: PortRange;
  readonly pgid: number;
  /** e.g. "rtpengine 10.5.3.5, user space, --num-threads=2, pinned to CPU 0" */
  readonly description: string;
  /** CPU seconds its threads have used so far */
  cpuSeconds(): number;
  /** calls it holds now (NG `list`); undefined when it does not answer */
  openCalls(): Promise<number | undefined>;
  report(): string;
  stop(): Promise<void>;
}

export async function startBenchRtpengine(o: {
  readonly ports: PortAllocator;
  readonly cpu: number | undefined;
}): Promise<BenchRtpengine> {
  const binary = requireBinary({ name: 'rtpengine', debianPackage: 'rtpengine-daemon' });
  const host = o.ports.host;
  const ngPort = await o.ports.udp();
  const media = await PortAllocator.open({ host, ...MEDIA_BLOCK });
  const mediaPorts = { min: media.block.min, max: media.block.max };
  // Its worker threads follow the CPUs it may use; pinned, they share CPU 0 anyway.
  const threads = 2;
  const cmd = pinnedCommand(o.cpu, binary, [
    '--config-file=none',
    '--table=-1',
    `--interface=${host}`,
    `--listen-ng=${host}:${ngPort}`,
    `--port-min=${mediaPorts.min}`,
    `--port-max=${mediaPorts.max}`,
    '--delete-delay=0',
    `--num-threads=${threads}`,
    '--log-level=4',
    '--foreground',
    '--log-stderr',
  ]);
  let peer: Awaited<ReturnType<typeof startProcess>>;
  try {
    peer = await startProcess({
      name: 'rtpengine',
      command: cmd.command,
      args: cmd.args,
      readiness: {
        kind: 'probe',
        describe: `NG ping on ${host}:${ngPort}`,
        probe: () => ngPing(host, ngPort),
      },
      readyTimeoutMs: 15_000,
      cleanup: async () => {
        o.ports.release(ngPort);
        await media.close();
      },
    });
  } catch (err) {
    await media.close();
    throw err;
  }
  const pgid = peer.pid;
  return {
    host,
    ngPort,
    mediaPorts,
    pgid,
    description:
      `${rtpengineVersion(binary)}, user space, --num-threads=${threads}, --delete-delay=0` +
      (o.cpu === undefined ? '' : `, pinned to CPU ${o.cpu}`),
    cpuSeconds: () => cpuSeconds(groupPids(pgid)),
    async openCalls() {
      const reply = await ngRequest(host, ngPort, { command: 'list', limit: 100_000 }, 2_000);
      const calls = reply?.calls;
      return Array.isArray(calls) ? calls.length : undefined;
    },
    report: () => peer.report(),
    async stop() {
      await peer.stop();
    },
  };
}

function rtpengineVersion(binary: string): string {
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return `rtpengine ${/Version:\s*(\S+)/.exec(`${run.stdout}${run.stderr}`)?.[1] ?? '(unknown version)'}`;
}
