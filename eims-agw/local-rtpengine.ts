/**
 * An rtpengine started by the product itself (for `npm start` without RTPENGINES): user space
 * (`--table=-1`, no kernel module), one interface, NG on loopback, logs to stderr, never reading
 * the packaged service's /etc/rtpengine/rtpengine.conf. Ready when it answers `ping`.
 */
import type { Logger } from 'pino';
import { spawnLocalProcess } from './local-process.ts';
import { NgClient } from './ng/ng-client.ts';

export interface LocalRtpengineOptions {
  readonly binary: string;
  readonly interface: string;
  readonly ngHost: string;
  readonly ngPort: number;
  readonly portMin: number;
  readonly portMax: number;
  readonly extraArgs?: readonly string[];
  readonly readyTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface LocalRtpengine {
  readonly pid: number;
  readonly ngHost: string;
  readonly ngPort: number;
  /** The last lines it wrote, for error reports. */
  output(): string;
  stop(): Promise<void>;
}

export function localRtpengineArgs(options: LocalRtpengineOptions): string[] {
  return [
    '--config-file=none',
    '--table=-1',
    `--interface=${options.interface}`,
    `--listen-ng=${options.ngHost.includes(':') ? `[${options.ngHost}]` : options.ngHost}:${options.ngPort}`,
    `--port-min=${options.portMin}`,
    `--port-max=${options.portMax}`,
    '--foreground',
    '--log-stderr',
    ...(options.extraArgs ?? []),
  ];
}

/** Spawns rtpengine and waits until it answers `ping`; rejects with its output if it cannot. */
export async function startLocalRtpengine(options: LocalRtpengineOptions): Promise<LocalRtpengine> {
  const rtpengine = spawnLocalProcess({
    name: 'rtpengine',
    binary: options.binary,
    args: localRtpengineArgs(options),
    logger: options.logger,
  });
  const ng = new NgClient({ host: options.ngHost, port: options.ngPort, timeoutMs: 200, retries: 0 });
  try {
    await rtpengine.waitReady(() => ng.ping().then(() => true), {
      timeoutMs: options.readyTimeoutMs ?? 10_000,
      notReady: `did not answer ping on ${options.ngHost}:${options.ngPort} in time`,
      pauseMs: 100,
    });
  } finally {
    await ng.close();
  }
  const { child, output, stop } = rtpengine;
  return { pid: child.pid ?? -1, ngHost: options.ngHost, ngPort: options.ngPort, output, stop };
}
