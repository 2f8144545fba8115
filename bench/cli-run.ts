/**
 * For the benchmark's own tests: `npm run bench` run as a child process the way the CLI runs
 * it, the process groups it says it started, whether they are gone, and the checks every smoke
 * run of a system benchmark shares (its result, each system's step, an interrupted run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { groupAlive } from '../conformance/harness/index.ts';
import type { ConnectSummary } from './load/load-generator.ts';
import type { StepRecord } from './register-phases.ts';

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
export function goneWithin(pgids: readonly number[], ms: number): Promise<number[]> {
  return leftAfter(pgids, ms, groupAlive);
}

/** The processes still alive after waiting up to `ms` for them to go. */
export function pidsGoneWithin(pids: readonly number[], ms: number): Promise<number[]> {
  return leftAfter(pids, ms, alive);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function leftAfter(
  ids: readonly number[],
  ms: number,
  isAlive: (id: number) => boolean,
): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = ids.filter(isAlive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = left.filter(isAlive);
  }
  return left;
}

/** The run announced exactly these process groups (in any order), and none of them is left. */
export async function expectAllStopped(
  groups: readonly { readonly name: string; readonly pgid: number }[],
  names: readonly string[],
): Promise<void> {
  expect(groups.map((g) => g.name).sort()).toEqual([...names].sort());
  expect(
    await goneWithin(
      groups.map((g) => g.pgid),
      0,
    ),
  ).toEqual([]);
}

/** `npm run bench -- --smoke --json --only NAME`: its result object, once it exited with 0. */
export async function smokeResult<T extends { readonly mode: string }>(only: string): Promise<T> {
  const out = await runBench(['--smoke', '--json', '--only', only]);
  expect(out.code, out.stderr).toBe(0);
  const r = JSON.parse(out.stdout) as T;
  expect(r.mode).toBe('smoke');
  return r;
}

/** The result of the smoke run of an earlier test in the file (which must have produced one). */
export function earlier<T>(r: T | undefined): T {
  if (r === undefined) throw new Error('the smoke run above did not produce a result');
  return r;
}

/** A system benchmark's report of the earlier smoke run, starting with the machine it ran on. */
export function smokeReport<T>(r: T | undefined, format: (r: T) => string): string {
  const text = format(earlier(r));
  expect(text).toMatch(/^machine: .+ \(\d+ cores, \d+ GiB\), node v\d+/);
  return text;
}

/** What a smoke run's system result has that every smoke test checks. */
export interface SmokeSystem {
  readonly name: string;
  readonly connect: ConnectSummary;
  readonly smoke?: StepRecord | undefined;
}

/** A system benchmark's result: its systems. */
export interface SmokeSystems<S extends SmokeSystem> {
  readonly mode: string;
  readonly systems: readonly S[];
}

/**
 * A system benchmark's smoke result: ours then Kamailio, each with `clients(result)` clients
 * registered and a step with no failure; and each system with its step, for the benchmark's own
 * checks.
 */
export async function smokeSystems<S extends SmokeSystem, T extends SmokeSystems<S>>(
  only: string,
  clients: (r: T) => number,
): Promise<{ readonly result: T; readonly steps: (readonly [S, StepRecord])[] }> {
  const result = await smokeResult<T>(only);
  expect(result.systems.map((s) => s.name)).toEqual(['ours', 'kamailio']);
  const steps = result.systems.map((s) => {
    expect(s.connect, s.name).toMatchObject({ registered: clients(result), failed: 0 });
    const step = s.smoke;
    if (step === undefined) throw new Error(`${s.name}: no step`);
    // Every operation started completed (a failed one would be counted here).
    expect(step.failed, `${s.name} ${JSON.stringify(step.failures)}`).toBe(0);
    expect(step.transactions, s.name).toBeGreaterThan(0);
    return [s, step] as const;
  });
  return { result, steps };
}

/**
 * `npm run bench -- --smoke --only NAME` interrupted with SIGTERM once its progress matches
 * `when`: the process groups it announced, and those of them still alive after `graceMs`.
 */
export async function interruptedSmoke(
  only: string,
  when: RegExp,
  graceMs: number,
): Promise<{ readonly groups: readonly string[]; readonly left: number[]; readonly stderr: string }> {
  let interrupted = false;
  const out = await runBench(['--smoke', '--only', only], (stderr, child) => {
    if (!interrupted && when.test(stderr)) {
      interrupted = true;
      child.kill('SIGTERM');
    }
    when.lastIndex = 0;
  });
  expect(interrupted).toBe(true);
  expect(out.signal ?? out.code).not.toBe(0);
  const groups = startedGroups(out.stderr);
  const left = await goneWithin(
    groups.map((g) => g.pgid),
    graceMs,
  );
  return { groups: groups.map((g) => g.name), left, stderr: out.stderr };
}
