/**
 * Test helper: a worker module for app/workers.test.ts that speaks the worker protocol without
 * running any role. Ready on its first facts (unless they say `fail`), metrics
 * `test_worker_requests_total` = index + 1 and `test_worker_shared` = 7 (declared `max`), exits
 * 0 on `stop`, and ignores SIGTERM as the real workers do.
 */

import { CHANNEL, parsePrimaryMessage, type WorkerMessage } from './worker-protocol.ts';

const send = (message: WorkerMessage): void => void process.send?.(message);
let index = -1;

process.on('SIGTERM', () => undefined);
process.on('message', (raw: unknown) => {
  const message = parsePrimaryMessage(raw);
  if (message === undefined) return;
  if (message.kind === 'facts') {
    const failing = typeof message.facts === 'object' && message.facts !== null && 'fail' in message.facts;
    if (failing) {
      send({ channel: CHANNEL, kind: 'failed', reason: 'told to fail' });
      setTimeout(() => process.exit(3), 10);
      return;
    }
    if (index >= 0) return;
    index = message.index;
    send({ channel: CHANNEL, kind: 'ready', detail: { index, pid: process.pid } });
  } else if (message.kind === 'metrics-request') {
    send({
      channel: CHANNEL,
      kind: 'metrics',
      id: message.id,
      metrics: [
        {
          name: 'test_worker_requests_total',
          help: 'requests',
          type: 'counter',
          aggregator: 'sum',
          values: [{ value: index + 1, labels: {} }],
        },
        {
          name: 'test_worker_shared',
          help: 'same everywhere',
          type: 'gauge',
          aggregator: 'max',
          values: [{ value: 7, labels: {} }],
        },
      ],
    });
  } else {
    process.exit(0);
  }
});
send({ channel: CHANNEL, kind: 'hello' });
