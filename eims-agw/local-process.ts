/**
 * A helper daemon the product starts itself (rtpengine, coturn) for `npm start` on one machine:
 * spawned with its output piped (the last lines kept for error reports, each line logged at
 * debug), killed if this process exits without stopping it, stopped with SIGTERM then SIGKILL
 * after a grace period, and ready when a probe succeeds before it exits or a deadline passes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from 'pino';

/** How many of its last output lines are kept. */
const KEPT_LINES = 40;
/** How long stop() waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 3_000;

export interface LocalProcessOptions {
  /** the daemon's name, in log lines and errors */
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly logger?: Logger;
  /** runs at the end of stop(), once the child is gone (e.g. removing its data directory) */
  readonly afterStop?: () => void;
}

export interface ReadyOptions {
  readonly timeoutMs: number;
  /** why it failed when the deadline passes, after the name: `did not answer STUN in time` */
  readonly notReady: string;
  /** pause after a failed probe before the next one; default 0 */
  readonly pauseMs?: number;
}

export interface LocalProcess {
  readonly child: ChildProcess;
  /** The last lines it wrote, for error reports. */
  output(): string;
  /** Ends it (SIGTERM, SIGKILL after a grace period) and waits until it is gone. */
  stop(): Promise<void>;
  /**
   * Probes until `probe` resolves true (a rejection counts as not yet); if the child exits first or the deadline passes, stops
   * it and rejects with the reason and its output.
   */
  waitReady(probe: () => Promise<boolean>, options: ReadyOptions): Promise<void>;
}

export function spawnLocalProcess(o: LocalProcessOptions): LocalProcess {
  const child = spawn(o.binary, o.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.shift();
      o.logger?.debug({ line }, o.name);
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
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    o.afterStop?.();
  };

  const waitReady = async (probe: () => Promise<boolean>, r: ReadyOptions): Promise<void> => {
    const deadline = Date.now() + r.timeoutMs;
    let failure: string | undefined;
    for (;;) {
      const outcome = await Promise.race([probe().catch(() => false), exited]);
      if (outcome === true) break;
      if (typeof outcome === 'string') {
        failure = outcome;
        break;
      }
      if (Date.now() > deadline) {
        failure = r.notReady;
        break;
      }
      if (r.pauseMs !== undefined && r.pauseMs > 0)
        await new Promise((resolve) => setTimeout(resolve, r.pauseMs));
    }
    if (failure === undefined) return;
    await stop();
    throw new Error(`${o.name} ${failure}\n${output()}`);
  };

  return { child, output, stop, waitReady };
}
