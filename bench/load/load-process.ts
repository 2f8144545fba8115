/**
 * A load-generator child process (forked by process-host.ts): runs the worker threads it is told
 * to start (lane.ts, load-worker.ts) and relays commands and replies between them and the
 * generator in the parent. It exists for the open-files limit: every client socket is a file
 * descriptor of the process that holds it, so 100,000 clients need several processes.
 * It exits when told to, and by itself when the parent is gone (the IPC channel closes).
 */
import type { LaneChannel } from './lane.ts';
import { startThreadLane } from './lane.ts';
import { type ProcessReply, parseParentMessage } from './process-protocol.ts';

const send = process.send?.bind(process);
if (send === undefined) {
  process.stderr.write('bench/load/load-process.ts is forked by the load generator, not run alone\n');
  process.exit(1);
}

const threads: { lane: LaneChannel; terminate(): Promise<void> }[] = [];
let exiting = false;

function reply(message: ProcessReply): void {
  if (process.connected) send?.(message);
}

async function exit(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  await Promise.all(threads.map((t) => t.terminate().catch(() => undefined)));
  process.exit(code);
}

process.on('message', (raw: unknown) => {
  const m = parseParentMessage(raw);
  if (m === undefined) {
    process.stderr.write('load process: malformed message from the generator ignored\n');
    return;
  }
  if (m.kind === 'setup') {
    if (threads.length > 0) return;
    for (const [i, setup] of m.setups.entries()) {
      const t = startThreadLane(setup);
      threads.push(t);
      t.lane.listen(
        (r) => reply({ kind: 'reply', lane: i, reply: r }),
        (err) => reply({ kind: 'lost', lane: i, message: err.message }),
      );
    }
    reply({ kind: 'started', lanes: threads.length });
    return;
  }
  if (m.kind === 'command') {
    const t = threads[m.lane];
    if (t === undefined)
      reply({ kind: 'reply', lane: m.lane, reply: { op: 'error', message: 'no such lane' } });
    else t.lane.post(m.command);
    return;
  }
  void exit(0);
});
process.on('disconnect', () => void exit(0));
