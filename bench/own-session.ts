/**
 * Scheduling priority for a benchmark run on a shared Linux machine. With autogroups
 * (/proc/sys/kernel/sched_autogroup_enabled = 1, the default) the CPU is shared between
 * sessions first, so a nice value only ranks processes inside their own session. The run
 * therefore re-executes itself in a session of its own (`setsid`) and gives that session's
 * autogroup the priority: the caller's shell session is left as it was.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { findBinary } from '../conformance/harness/index.ts';

const MARK = 'BENCH_OWN_SESSION';

/** True in the re-executed child. */
export function inOwnSession(): boolean {
  return process.env[MARK] === '1';
}

/**
 * Runs this same command again under setsid and resolves with its exit code, forwarding
 * SIGINT/SIGTERM to it (it stops its own peers). Undefined when setsid is not available.
 */
export function rerunInOwnSession(): Promise<number> | undefined {
  const setsid = findBinary('setsid');
  const script = process.argv[1];
  if (setsid === undefined || script === undefined || process.platform !== 'linux') return undefined;
  const child = spawn(
    setsid,
    ['--wait', process.execPath, ...process.execArgv, script, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, [MARK]: '1' },
    },
  );
  const forward = (signal: NodeJS.Signals) => (): void => {
    child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal === null ? 1 : 128 + (os.constants.signals[signal] ?? 0)));
    });
  });
}

/**
 * Gives this process (and what it starts afterwards) the nice value, and its autogroup too when
 * it runs in a session of its own. Returns what was done, for the report.
 */
export function prioritise(nice: number): string {
  const done: string[] = [];
  try {
    os.setPriority(nice);
    done.push(`nice ${nice}`);
  } catch (err) {
    done.push(`nice refused (${err instanceof Error ? err.message : String(err)})`);
  }
  if (inOwnSession()) {
    try {
      writeFileSync('/proc/self/autogroup', String(nice));
      done.push(`own session, ${readFileSync('/proc/self/autogroup', 'utf8').trim()}`);
    } catch {
      done.push('own session, autogroup priority refused');
    }
  }
  return done.join('; ');
}
