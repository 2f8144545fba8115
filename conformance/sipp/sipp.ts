/**
 * sipp runner. `runSipp` plays a client scenario to completion (exit code 0 = every call
 * succeeded); `startSippServer` starts a server scenario in the background (e.g. the PCMA UAS
 * with RTP echo) and is ready once its SIP port is bound. Scenario files live next to this
 * module; the message and error traces go to a temp dir and come back in the result.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBinary } from '../harness/binary.ts';
import { formatOutput, PeerStartError } from '../harness/errors.ts';
import { guardProcessGroup, killGroup } from '../harness/exit-guard.ts';
import { OutputRing } from '../harness/output-ring.ts';
import { isPortFree } from '../harness/ports.ts';
import { tcpConnect } from '../harness/probes.ts';
import { delay } from '../harness/process.ts';
import { createTempDir } from '../harness/temp-dir.ts';

export interface SippOptions {
  /** A scenario file name in conformance/sipp/ (e.g. `uas-answer-pcma.xml`) or an absolute path. */
  readonly scenario: string;
  /** Where to send the first request; omitted for a server scenario. */
  readonly remote?: { readonly host: string; readonly port: number };
  readonly localPort: number;
  /** Local SIP and media address; default 127.0.0.1. */
  readonly host?: string;
  /** `u1` (UDP, one socket) or `t1` (TCP, one connection); default `u1`. */
  readonly transport?: 'u1' | 't1';
  /** The `[service]` of the scenario (the user part); default `sipp`. */
  readonly service?: string;
  /** `-key name value` pairs, the `[name]` keywords of the scenario. */
  readonly keys?: Readonly<Record<string, string>>;
  /** Calls to place or answer before exiting; default 1. */
  readonly calls?: number;
  /** Media port for `[media_port]`; with `rtpEcho`, RTP received there is echoed. */
  readonly mediaPort?: number;
  readonly rtpEcho?: boolean;
  readonly extraArgs?: readonly string[];
  /** Overall limit; sipp is told the same (`-timeout`) and is killed a little after. Default 10 s. */
  readonly timeoutMs?: number;
}

export interface SippResult {
  /** 0: all calls succeeded; 1: at least one failed; 97/99/255: see sipp's manual. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The SIP messages sipp sent and received (`-trace_msg`). */
  readonly messages: string;
  /** Unexpected messages and failures (`-trace_err`). */
  readonly errors: string;
  readonly commandLine: string;
  /** Everything above framed for a failure report. */
  report(): string;
}

export interface SippServer {
  readonly pid: number;
  readonly localPort: number;
  /** Waits for sipp to finish its calls (or the timeout) and returns the result. */
  finished(): Promise<SippResult>;
  report(): string;
  /** Stops it (SIGTERM, SIGKILL after 2 s) and returns the result. */
  stop(): Promise<SippResult>;
}

/** Plays a client scenario to the end. */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  return spawnSipp(options).finished();
}

/** Starts a server scenario and resolves once its SIP port is bound. */
export async function startSippServer(options: SippOptions): Promise<SippServer> {
  const run = spawnSipp(options);
  const host = options.host ?? '127.0.0.1';
  const bound = (): Promise<boolean> =>
    options.transport === 't1'
      ? tcpConnect(host, options.localPort, 300)
      : isPortFree(options.localPort, 'udp', host).then((free) => !free);
  const deadline = Date.now() + 5_000;
  while (!(await bound())) {
    if (run.exitedEarly() || Date.now() > deadline) {
      const result = await run.stop();
      throw new PeerStartError('sipp', `SIP port ${options.localPort} never bound`, result.report());
    }
    await delay(30);
  }
  return {
    pid: run.pid,
    localPort: options.localPort,
    finished: () => run.finished(),
    report: () => run.report(),
    stop: () => run.stop(),
  };
}

interface SippRun {
  readonly pid: number;
  exitedEarly(): boolean;
  finished(): Promise<SippResult>;
  stop(): Promise<SippResult>;
  report(): string;
}

function spawnSipp(options: SippOptions): SippRun {
  const command = requireBinary({ name: 'sipp', debianPackage: 'sip-tester' });
  const scenario = resolveScenario(options.scenario);
  const dir = createTempDir('sipp');
  const messageFile = join(dir.path, 'messages.log');
  const errorFile = join(dir.path, 'errors.log');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const host = options.host ?? '127.0.0.1';
  const args = [
    ...(options.remote ? [`${options.remote.host}:${options.remote.port}`] : []),
    '-sf',
    scenario,
    '-i',
    host,
    '-p',
    String(options.localPort),
    '-t',
    options.transport ?? 'u1',
    '-s',
    options.service ?? 'sipp',
    '-m',
    String(options.calls ?? 1),
    '-nostdin',
    '-trace_msg',
    '-message_file',
    messageFile,
    '-trace_err',
    '-error_file',
    errorFile,
    '-timeout',
    `${Math.ceil(timeoutMs / 1000)}s`,
    '-timeout_error',
    ...Object.entries(options.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
    ...(options.mediaPort !== undefined ? ['-mi', host, '-mp', String(options.mediaPort)] : []),
    ...(options.rtpEcho ? ['-rtp_echo'] : []),
    ...(options.extraArgs ?? []),
  ];
  const commandLine = [command, ...args].join(' ');
  const stdout = new OutputRing();
  const stderr = new OutputRing();
  const child: ChildProcess = spawn(command, args, {
    cwd: dir.path,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const pid = child.pid ?? 0;
  const unguard = pid > 0 ? guardProcessGroup(pid) : () => {};
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (err) => {
      stderr.push(`cannot spawn ${command}: ${err.message}\n`);
      exited = true;
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  // sipp's own -timeout should end it first; this is the backstop.
  const backstop = setTimeout(() => killGroup(pid, 'SIGKILL'), timeoutMs + 2_000);
  const report = (): string =>
    `${commandLine}\n${formatOutput('sipp stdout', stdout.text())}\n${formatOutput('sipp stderr', stderr.text())}\n` +
    `${formatOutput('sipp messages', readIfExists(messageFile))}\n${formatOutput('sipp errors', readIfExists(errorFile))}`;
  let result: Promise<SippResult> | undefined;
  const finished = (): Promise<SippResult> => {
    result ??= exit.then(async (status) => {
      clearTimeout(backstop);
      if (pid > 0) killGroup(pid, 'SIGKILL');
      unguard();
      const done: SippResult = {
        exitCode: status.code,
        signal: status.signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        messages: readIfExists(messageFile),
        errors: readIfExists(errorFile),
        commandLine,
        report: () => '',
      };
      const text = report();
      dir.remove();
      return { ...done, report: () => text };
    });
    return result;
  };
  const stop = async (): Promise<SippResult> => {
    if (!exited && pid > 0) {
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 2_000);
      await exit;
      clearTimeout(timer);
    }
    return finished();
  };
  return { pid, exitedEarly: () => exited, finished, stop, report };
}

function resolveScenario(scenario: string): string {
  const path = isAbsolute(scenario) ? scenario : fileURLToPath(new URL(`./${scenario}`, import.meta.url));
  if (!existsSync(path)) throw new Error(`sipp scenario not found: ${path}`);
  return path;
}

/** A trace file's content, the last 256 KiB at most. */
function readIfExists(path: string): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.length > 256 * 1024 ? text.slice(text.length - 256 * 1024) : text;
  } catch {
    return '';
  }
}
