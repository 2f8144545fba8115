/**
 * Load worker threads in a child process (load-process.ts), seen from the generator as lanes
 * like its own threads. The child is forked with tsx's loader and an IPC channel (advanced
 * serialisation), inherits this process's CPU affinity and priority, and ends when stopped, when
 * this process exits (killed here on `exit`), or by itself when the channel closes.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LaneChannel, LaneHost } from './lane.ts';
import { type ParentMessage, parseProcessReply } from './process-protocol.ts';
import type { Reply, WorkerSetup } from './protocol.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = fileURLToPath(new URL('./load-process.ts', import.meta.url));
/** a child that does not exit this long after `exit` is killed */
const STOP_GRACE_MS = 5000;
const START_TIMEOUT_MS = 30_000;

interface LaneListeners {
  onReply: ((r: Reply) => void) | undefined;
  onLost: ((err: Error) => void) | undefined;
  lost: Error | undefined;
}

/** Forks a load process running one worker thread per setup; resolves once they are started. */
export async function forkLoadProcess(setups: readonly WorkerSetup[]): Promise<LaneHost> {
  const child: ChildProcess = fork(ENTRY, [], {
    cwd: REPO,
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('load process: fork failed');
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listeners: LaneListeners[] = setups.map(() => ({
    onReply: undefined,
    onLost: undefined,
    lost: undefined,
  }));
  const lose = (l: LaneListeners, err: Error): void => {
    if (l.lost !== undefined) return;
    l.lost = err;
    l.onLost?.(err);
  };
  let started: ((lanes: number) => void) | undefined;
  child.on('message', (raw: unknown) => {
    const m = parseProcessReply(raw);
    if (m === undefined) return;
    if (m.kind === 'started') started?.(m.lanes);
    else if (m.kind === 'reply') listeners[m.lane]?.onReply?.(m.reply);
    else {
      const l = listeners[m.lane];
      if (l !== undefined) lose(l, new Error(`load process ${pid}, thread ${m.lane}: ${m.message}`));
    }
  });
  child.once('exit', (code, signal) => {
    process.removeListener('exit', killOnExit);
    for (const l of listeners) lose(l, new Error(`load process ${pid} exited (${signal ?? `code ${code}`})`));
  });
  const send = (m: ParentMessage): void => {
    if (child.connected) child.send(m);
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        send({ kind: 'exit' });
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
    })();
    return stopping;
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('load process did not start its threads')),
        START_TIMEOUT_MS,
      );
      started = (lanes) => {
        clearTimeout(timer);
        if (lanes === setups.length) resolve();
        else reject(new Error(`load process started ${lanes} threads of ${setups.length}`));
      };
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`load process ${pid} exited while starting`));
      });
      send({ kind: 'setup', setups });
    });
  } catch (err) {
    await stop();
    throw err;
  }

  const lanes: LaneChannel[] = listeners.map((l, lane) => ({
    post: (command) => send({ kind: 'command', lane, command }),
    listen(onReply, onLost) {
      l.onReply = onReply;
      l.onLost = onLost;
      if (l.lost !== undefined) onLost(l.lost);
    },
  }));
  return { lanes, pid, stop };
}
