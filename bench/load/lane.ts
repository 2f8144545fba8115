/**
 * A lane of the load generator: one load worker thread (load-worker.ts) and the way commands
 * reach it. The thread runs either in this process (`startThreadHost`) or in a child process
 * (process-host.ts, load-process.ts); the generator sees the same channel either way. A host
 * owns a group of lanes and ends them together.
 */
import { Worker } from 'node:worker_threads';
import type { Command, Reply, WorkerSetup } from './protocol.ts';

/** Commands to one worker thread, its replies, and the news that it is gone. */
export interface LaneChannel {
  post(cmd: Command): void;
  /** `onReply` for every reply; `onLost` once, when the thread (or its process) ended or failed */
  listen(onReply: (r: Reply) => void, onLost: (err: Error) => void): void;
}

/** Where a group of lanes runs: this process's threads, or a child process's. */
export interface LaneHost {
  readonly lanes: readonly LaneChannel[];
  /** the child process's pid (undefined: the threads run in this process) */
  readonly pid: number | undefined;
  /** ends every thread (and the child process); safe to call twice */
  stop(): Promise<void>;
}

/**
 * The worker is TypeScript: it registers tsx's loader first, then imports load-worker.ts (Node 20
 * neither hands a parent's module hooks to a worker nor applies `--import` before its entry).
 */
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./load-worker.ts', import.meta.url).href)}); })
  .catch((err) => { console.error(err); process.exit(1); });`;

/** One load worker thread in this process. */
export function startThreadLane(setup: WorkerSetup): { lane: LaneChannel; terminate(): Promise<void> } {
  const worker = new Worker(WORKER_BOOT, { eval: true, workerData: setup });
  let ended = false;
  const lane: LaneChannel = {
    post: (cmd) => worker.postMessage(cmd),
    listen(onReply, onLost) {
      worker.on('message', onReply);
      const lost = (err: Error): void => {
        if (ended) return;
        ended = true;
        onLost(err);
      };
      worker.on('error', lost);
      worker.on('exit', (code) => lost(new Error(`load worker ${setup.workerId} exited (code ${code})`)));
    },
  };
  return {
    lane,
    async terminate() {
      await worker.terminate();
    },
  };
}

/** Worker threads in this process, one per setup. */
export function startThreadHost(setups: readonly WorkerSetup[]): LaneHost {
  const threads = setups.map(startThreadLane);
  let stopped: Promise<void> | undefined;
  return {
    lanes: threads.map((t) => t.lane),
    pid: undefined,
    stop() {
      stopped ??= Promise.all(threads.map((t) => t.terminate())).then(() => undefined);
      return stopped;
    },
  };
}
