/**
 * For the benchmark's own tests: `npm run bench` run as a child process the way the CLI runs
 * it, the process groups it says it started, and whether they are gone.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { groupAlive } from '../conformance/harness/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUN = fileURLToPath(new URL('./run.ts', import.meta.url));
const STARTED = /started (\S+) \(process group (\d+)\)/g;

export interface CliOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs bench/run.ts with `args`; `onStderr` sees the progress so far (and may kill the child). */
export function runBench(
  args: string[],
  onStderr?: (text: string, child: ChildProcess) => void,
): Promise<CliOutcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr, child);
  });
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/** The process groups a run announced on stderr (`started NAME (process group N)`). */
export function startedGroups(stderr: string): { name: string; pgid: number }[] {
  return [...stderr.matchAll(STARTED)].map((m) => ({ name: m[1] ?? '', pgid: Number(m[2]) }));
}

/** The groups still alive after waiting up to `ms` for them to go. */
export async function goneWithin(pgids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let alive = pgids.filter(groupAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    alive = alive.filter(groupAlive);
  }
  return alive;
}
