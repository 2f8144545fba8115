/**
 * Starts a peer as a child process in its own process group, captures its output, waits until it
 * is ready, and stops it (SIGTERM to the group, SIGKILL after a grace period, then waits).
 * Every started group is registered with the exit guard, so a worker that ends early does not
 * leave peers behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { formatOutput, PeerStartError } from './errors.ts';
import { guardProcessGroup, killGroup } from './exit-guard.ts';
import { OutputRing } from './output-ring.ts';
import { tcpConnect } from './probes.ts';

/** How to tell that a peer is ready to serve. */
export type Readiness =
  /** A line matching `pattern` appears on stdout or stderr. */
  | { readonly kind: 'log'; readonly pattern: RegExp }
  /** A TCP connection to host:port is accepted. */
  | { readonly kind: 'tcp'; readonly port: number; readonly host?: string }
  /** `probe()` resolves true (a protocol exchange: NG ping, SIP OPTIONS, STUN Binding, ...). */
  | { readonly kind: 'probe'; readonly describe: string; readonly probe: () => Promise<boolean> };

export interface StartProcessOptions {
  /** Short name used in errors and output banners, e.g. `rtpengine`. */
  readonly name: string;
  /** Absolute path of the executable (see requireBinary). */
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly readiness: Readiness;
  /** Default 10 s. */
  readonly readyTimeoutMs?: number;
  /** Interval between readiness attempts for `tcp` and `probe`; default 50 ms. */
  readonly pollIntervalMs?: number;
  /** Time between SIGTERM and SIGKILL on stop; default 3 s. */
  readonly stopGraceMs?: number;
  /** Bytes of output kept for error reports; default 64 KiB. */
  readonly outputCapacity?: number;
  /** Runs once after the process has exited on stop (or on a failed start): remove temp dirs, release ports. */
  readonly cleanup?: () => void | Promise<void>;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface PeerProcess {
  readonly name: string;
  readonly pid: number;
  /** The command line, for reports. */
  readonly commandLine: string;
  /** The captured output so far (bounded, most recent last). */
  output(): string;
  /** The output framed with a banner, ready to print. */
  report(): string;
  hasExited(): boolean;
  /** Resolves when the process has exited, however that happened. */
  readonly exited: Promise<ExitStatus>;
  /** SIGTERM, then SIGKILL after the grace period; resolves once it has exited and cleanup ran. */
  stop(): Promise<ExitStatus>;
}

/** Starts the process and resolves once it is ready; on failure rejects with a PeerStartError. */
export async function startProcess(options: StartProcessOptions): Promise<PeerProcess> {
  const ring = new OutputRing(options.outputCapacity);
  const commandLine = [options.command, ...options.args].join(' ');
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (err) => resolve(err));
  });
  if (spawned !== undefined || child.pid === undefined) {
    await options.cleanup?.();
    throw new PeerStartError(options.name, `cannot spawn ${commandLine}: ${spawned?.message}`, '');
  }
  const peer = new ChildPeer(options, child, child.pid, ring, commandLine);
  try {
    await peer.waitReady();
  } catch (err) {
    await peer.kill();
    throw err;
  }
  return peer;
}

class ChildPeer implements PeerProcess {
  readonly name: string;
  readonly exited: Promise<ExitStatus>;
  #status: ExitStatus | undefined;
  #stopping: Promise<ExitStatus> | undefined;
  readonly #unguard: () => void;
  readonly #listeners = new Set<() => void>();

  constructor(
    readonly options: StartProcessOptions,
    readonly child: ChildProcess,
    readonly pid: number,
    readonly ring: OutputRing,
    readonly commandLine: string,
  ) {
    this.name = options.name;
    this.#unguard = guardProcessGroup(pid);
    const onData = (chunk: Buffer): void => {
      ring.push(chunk.toString('utf8'));
      for (const listener of this.#listeners) listener();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    // A later 'error' (e.g. a failed kill) must not become an uncaught exception.
    child.on('error', (err) => ring.push(`[harness] ${options.name}: ${err.message}\n`));
    this.exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        this.#status = { code, signal };
        for (const listener of this.#listeners) listener();
        resolve(this.#status);
      });
    });
  }

  output(): string {
    return this.ring.text();
  }

  report(): string {
    return `${this.commandLine}\n${formatOutput(this.name, this.output())}`;
  }

  hasExited(): boolean {
    return this.#status !== undefined;
  }

  stop(): Promise<ExitStatus> {
    this.#stopping ??= this.#terminate(this.options.stopGraceMs ?? 3_000);
    return this.#stopping;
  }

  /** Immediate SIGKILL, used when start-up fails. */
  kill(): Promise<ExitStatus> {
    this.#stopping ??= this.#terminate(0);
    return this.#stopping;
  }

  async waitReady(): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 10_000;
    const readiness = this.options.readiness;
    const deadline = Date.now() + timeoutMs;
    const fail = (reason: string): PeerStartError => new PeerStartError(this.name, reason, this.report());
    if (readiness.kind === 'log') {
      await this.#waitForLog(readiness.pattern, timeoutMs, fail);
      return;
    }
    const attempt =
      readiness.kind === 'tcp'
        ? () => tcpConnect(readiness.host ?? '127.0.0.1', readiness.port, 500)
        : readiness.probe;
    const what = readiness.kind === 'tcp' ? `TCP connect to port ${readiness.port}` : readiness.describe;
    const interval = this.options.pollIntervalMs ?? 50;
    while (true) {
      if (this.#status !== undefined)
        throw fail(`exited (${describeExit(this.#status)}) before ${what} succeeded`);
      if (await attempt().catch(() => false)) return;
      if (Date.now() >= deadline) throw fail(`${what} did not succeed within ${timeoutMs} ms`);
      await delay(interval);
    }
  }

  #waitForLog(pattern: RegExp, timeoutMs: number, fail: (reason: string) => PeerStartError): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(this.output())) finish();
        else if (this.#status !== undefined)
          finish(fail(`exited (${describeExit(this.#status)}) before logging ${pattern}`));
      };
      const timer = setTimeout(
        () => finish(fail(`no output matching ${pattern} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        if (err === undefined) resolve();
        else reject(err);
      };
      this.#listeners.add(check);
      check();
    });
  }

  async #terminate(graceMs: number): Promise<ExitStatus> {
    if (this.#status === undefined) {
      killGroup(this.pid, graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
      if (graceMs > 0) {
        const timer = setTimeout(() => killGroup(this.pid, 'SIGKILL'), graceMs);
        await this.exited;
        clearTimeout(timer);
      }
    }
    const status = await this.exited;
    // Children the leader left behind (e.g. Kamailio's workers) go with it.
    killGroup(this.pid, 'SIGKILL');
    await waitGroupGone(this.pid, 2_000);
    this.#unguard();
    await this.options.cleanup?.();
    return status;
  }
}

export function describeExit(status: ExitStatus): string {
  return status.signal !== null ? `signal ${status.signal}` : `code ${status.code}`;
}

/**
 * True while a live (not zombie) process of the group exists. Zombies are ignored: a peer's
 * orphaned helpers are reparented to PID 1, which on some machines reaps them only lazily, and a
 * zombie holds no port or file. Reads /proc on Linux; elsewhere falls back to kill(-pgid, 0).
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid) && Date.now() < deadline) await delay(20);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
