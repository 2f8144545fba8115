/**
 * rtpengine in user space (no kernel module) on loopback: NG control on a free UDP port, media
 * on a private port range, deleted calls forgotten at once (`--delete-delay=0`) so tests can
 * assert that no session is left. Ready when it answers an NG `ping` with `pong`.
 */
import { requireBinary } from '../harness/binary.ts';
import type { PortAllocator, PortRange } from '../harness/ports.ts';
import { type ExitStatus, type PeerProcess, startProcess } from '../harness/process.ts';
import { createTempDir } from '../harness/temp-dir.ts';
import { ngPing } from './ng-request.ts';

export interface RtpengineOptions {
  readonly ports: PortAllocator;
  /** Number of media ports (RTP and RTCP each take one); default 100. */
  readonly mediaPortCount?: number;
  /** Extra command-line options, e.g. `--log-level=7`. */
  readonly extraArgs?: readonly string[];
  readonly readyTimeoutMs?: number;
}

export interface Rtpengine {
  readonly host: string;
  readonly ngPort: number;
  readonly mediaPorts: PortRange;
  readonly process: PeerProcess;
  report(): string;
  stop(): Promise<ExitStatus>;
}

export async function startRtpengine(options: RtpengineOptions): Promise<Rtpengine> {
  const command = requireBinary({ name: 'rtpengine', debianPackage: 'rtpengine-daemon' });
  const { ports } = options;
  const host = ports.host;
  const ngPort = await ports.udp();
  const mediaPorts = await ports.range(options.mediaPortCount ?? 100, 'udp');
  const dir = createTempDir('rtpengine');
  const peer = await startProcess({
    name: 'rtpengine',
    command,
    args: [
      // Never pick up /etc/rtpengine/rtpengine.conf from the packaged service.
      '--config-file=none',
      '--table=-1',
      `--interface=${host}`,
      `--listen-ng=${host}:${ngPort}`,
      `--port-min=${mediaPorts.min}`,
      `--port-max=${mediaPorts.max}`,
      '--delete-delay=0',
      `--pidfile=${dir.path}/rtpengine.pid`,
      '--foreground',
      '--log-stderr',
      ...(options.extraArgs ?? []),
    ],
    cwd: dir.path,
    readiness: { kind: 'probe', describe: `NG ping on ${host}:${ngPort}`, probe: () => ngPing(host, ngPort) },
    readyTimeoutMs: options.readyTimeoutMs,
    cleanup: () => {
      dir.remove();
      ports.release(ngPort);
      ports.release(mediaPorts);
    },
  });
  return { host, ngPort, mediaPorts, process: peer, report: () => peer.report(), stop: () => peer.stop() };
}
