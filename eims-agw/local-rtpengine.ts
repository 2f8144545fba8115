/**
 * An rtpengine started by the product itself (for `npm start` without RTPENGINES): user space
 * (`--table=-1`, no kernel module), one interface, NG on loopback, logs to stderr, never reading
 * the packaged service's /etc/rtpengine/rtpengine.conf. Ready when it answers `ping`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';
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
  const child = spawn(options.binary, localRtpengineArgs(options), { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > 40) lines.shift();
      options.logger?.debug({ line }, 'rtpengine');
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`exited (${signal ?? `code ${code}`})`));
    child.once('error', (err) => resolve(`could not start: ${err.message}`));
  });
  // Never leave it behind if this process exits without stop().
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const output = (): string => lines.join('\n');
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    await stopChild(child, exited);
  };

  const probe = new NgClient({ host: options.ngHost, port: options.ngPort, timeoutMs: 200, retries: 0 });
  const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
  let failure: string | undefined;
  try {
    for (;;) {
      const outcome = await Promise.race([
        probe.ping().then(
          () => 'ready' as const,
          () => 'retry' as const,
        ),
        exited,
      ]);
      if (outcome === 'ready') break;
      if (outcome !== 'retry') {
        failure = `rtpengine ${outcome}`;
        break;
      }
      if (Date.now() > deadline) {
        failure = `rtpengine did not answer ping on ${options.ngHost}:${options.ngPort} in time`;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await probe.close();
  }
  if (failure !== undefined) {
    await stop();
    throw new Error(`${failure}\n${output()}`);
  }
  return { pid: child.pid ?? -1, ngHost: options.ngHost, ngPort: options.ngPort, output, stop };
}

async function stopChild(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
