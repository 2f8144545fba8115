/**
 * Entry point of an eP-CSCF worker process, forked by the primary (`npm start` with
 * EP_CSCF_WORKERS > 1, app/workers.ts). It waits for its facts, starts its eP-CSCF
 * (worker-runtime.ts), says `ready`, answers metrics requests, and stops gracefully on the
 * primary's `stop` — or when the primary is gone (the IPC channel closes). Signals are the
 * primary's business: a terminal's Ctrl-C or a service manager's SIGTERM reaches every process
 * of the group at once, and the primary then stops the workers in order; a worker ignores them.
 */

import cluster from 'node:cluster';
import { loadConfig } from '../app/config.ts';
import { createLogger } from '../app/logger.ts';
import { CHANNEL, parsePrimaryMessage, type WorkerMessage } from '../app/worker-protocol.ts';
import { parseWorkerFacts, type WorkerFacts } from './worker-facts.ts';
import { type RunningEpCscfWorker, startEpCscfWorker } from './worker-runtime.ts';

/** Facts must come this soon after start, or the worker gives up. */
const FACTS_TIMEOUT_MS = 30_000;

if (!cluster.isWorker || process.send === undefined) {
  process.stderr.write('ep-cscf/worker.ts is started by `npm start` with EP_CSCF_WORKERS > 1, not alone\n');
  process.exit(1);
}

const loaded = loadConfig(process.env);
const logger = createLogger({ level: loaded.ok ? loaded.config.logLevel : 'info' });
/** carries `worker: index` once the primary has said which worker this is */
let log = logger;
let facts: WorkerFacts | undefined;
let started: Promise<RunningEpCscfWorker | undefined> | undefined;
let stopping = false;

const factsTimer = setTimeout(() => {
  log.fatal({ timeoutMs: FACTS_TIMEOUT_MS }, 'no facts from the primary: exiting');
  process.exit(1);
}, FACTS_TIMEOUT_MS);

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  void (async () => {
    const running = await started;
    try {
      await running?.stop();
      if (running !== undefined) log.info('worker stopped');
    } catch (err) {
      log.error({ err }, 'worker failed to stop cleanly');
      code = 1;
    }
    process.exit(code);
  })();
}

function start(index: number): void {
  log = logger.child({ worker: index });
  started = startEpCscfWorker({
    index,
    facts: () => {
      if (facts === undefined) throw new Error('unreachable: started before the first facts');
      return facts;
    },
    env: process.env,
    logger: log,
  }).then(
    (running) => {
      clearTimeout(factsTimer);
      send({ channel: CHANNEL, kind: 'ready', detail: running.detail });
      return running;
    },
    (err: unknown) => {
      log.fatal({ err }, 'eP-CSCF worker failed to start');
      send({ channel: CHANNEL, kind: 'failed', reason: err instanceof Error ? err.message : String(err) });
      stop(1);
      return undefined;
    },
  );
}

process.on('message', (raw: unknown) => {
  const message = parsePrimaryMessage(raw);
  if (message === undefined) return;
  switch (message.kind) {
    case 'facts': {
      const parsed = parseWorkerFacts(message.facts);
      if (parsed === undefined) {
        log.error('malformed facts from the primary: ignored');
        return;
      }
      facts = parsed;
      if (started === undefined) start(message.index);
      return;
    }
    case 'stop':
      stop(0);
      return;
    case 'metrics-request':
      void started
        ?.then((running) => running?.metrics())
        .then((metrics) => {
          if (metrics !== undefined) send({ channel: CHANNEL, kind: 'metrics', id: message.id, metrics });
        })
        .catch((err: unknown) => log.warn({ err }, 'metrics not collected'));
      return;
  }
});
process.on('disconnect', () => {
  log.warn('the primary is gone: stopping');
  stop(0);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => log.info({ signal }, 'signal ignored: the primary stops the workers'));
send({ channel: CHANNEL, kind: 'hello' });
