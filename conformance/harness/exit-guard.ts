/**
 * Last-resort cleanup when a test worker ends without stopping its peers: on process `exit`,
 * SIGINT, SIGTERM and SIGHUP, every registered process group is SIGKILLed and every registered
 * temp dir removed, synchronously.
 *
 * This is the harness's one piece of process-wide state, on purpose: process exit is itself
 * process-wide. Everything else is created per test. A worker killed with SIGKILL cannot run
 * any handler; its peers then outlive it (they hold ports only inside that worker's port
 * block, which the next run skips, see ports.ts).
 */
import { rmSync } from 'node:fs';

const groups = new Set<number>();
const dirs = new Set<string>();
let installed = false;

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Registers a process group (its leader's pid) to kill on exit; returns the unregister function. */
export function guardProcessGroup(pgid: number): () => void {
  install();
  groups.add(pgid);
  return () => {
    groups.delete(pgid);
  };
}

/** Registers a directory to remove on exit; returns the unregister function. */
export function guardDirectory(path: string): () => void {
  install();
  dirs.add(path);
  return () => {
    dirs.delete(path);
  };
}

/** Kills a whole process group, ignoring a group that is already gone. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function cleanupNow(): void {
  for (const pgid of groups) killGroup(pgid, 'SIGKILL');
  groups.clear();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }
  dirs.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupNow);
  for (const signal of SIGNALS) {
    const onSignal = (): void => {
      cleanupNow();
      process.removeListener(signal, onSignal);
      // Keep the signal's usual meaning: if nobody else handles it, die of it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
