/**
 * A load-generator worker thread: owns a share of the simulated clients, their WebSocket
 * connections (or one UDP socket for the direct-to-core baseline), and drives their
 * registrations, and their calls (call-step.ts), on command (protocol.ts). Timing is
 * performance.now() in this thread.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { CallRunner } from './call-step.ts';
import { openWsSlot, type Slot } from './client-slot.ts';
import type { Command, ConnectResult, Reply, StepResult, WorkerSetup } from './protocol.ts';
import { type Outcome, RegisterClient } from './register-client.ts';
import { readResponse } from './sip-reader.ts';
import { Latencies, StepPacer } from './step-pacer.ts';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (port === null) throw new Error('load-worker.ts runs as a worker thread');
const slots: Slot[] = [];
const byCallId = new Map<string, Slot>();
const inFlight = new Set<Slot>();
let udp: Socket | undefined;
let udpSentBy = '';
const calls =
  setup.calls === undefined
    ? undefined
    : new CallRunner({ workerId: setup.workerId, ...setup.calls, timeoutMs: setup.timeoutMs });

/** Per-step counters; transactions are recorded here whatever started the registration. */
class Tally {
  readonly latencies = new Latencies(1 << 14);
  ok = 0;
  failed = 0;
  readonly failures: Record<string, number> = {};
  record(o: Outcome): void {
    if (o.kind === 'failed') {
      this.failed++;
      this.failures[o.reason] = (this.failures[o.reason] ?? 0) + 1;
      return;
    }
    this.ok++;
    this.latencies.push(o.latencyMs);
  }
  fail(reason: string): void {
    this.failed++;
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
  }
}
let tally = new Tally();

function onText(slot: Slot | undefined, text: string): void {
  if (slot !== undefined && calls?.claims(slot) && calls.receive(slot, text, performance.now())) return;
  const facts = readResponse(text);
  if (typeof facts === 'string') {
    tally.fail(`unreadable message: ${facts}`);
    return;
  }
  const s = slot ?? byCallId.get(facts.callId);
  if (s === undefined) return;
  const now = performance.now();
  const outcome = s.client.receive(facts, now);
  if (outcome === undefined) return;
  tally.record(outcome);
  if (outcome.kind === 'challenged') {
    s.send(outcome.next);
    return;
  }
  inFlight.delete(s);
  const settle = s.settle;
  s.settle = undefined;
  settle?.(outcome.kind === 'registered', outcome.kind === 'failed' ? outcome.reason : undefined);
}

function begin(slot: Slot, settle: (ok: boolean, reason?: string) => void): void {
  slot.settle = settle;
  inFlight.add(slot);
  slot.send(slot.client.begin(performance.now()));
}

function giveUp(slot: Slot, reason: string): void {
  if (!inFlight.delete(slot)) return;
  slot.client.abandon();
  tally.fail(reason);
  const settle = slot.settle;
  slot.settle = undefined;
  settle?.(false, reason);
}

const sweep = setInterval(() => {
  calls?.sweep(performance.now());
  const limit = performance.now() - setup.timeoutMs;
  for (const slot of inFlight)
    if (slot.client.sentAt < limit) giveUp(slot, `no final response within ${setup.timeoutMs} ms`);
}, 100);

async function openUdp(): Promise<void> {
  if (udp !== undefined || setup.target.kind !== 'udp') return;
  const socket = createSocket('udp4');
  socket.on('message', (buf) => onText(undefined, buf.toString('latin1')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  udp = socket;
  udpSentBy = `127.0.0.1:${socket.address().port}`;
}

function newSlot(index: number): Promise<Slot> {
  const target = setup.target;
  if (target.kind === 'udp') {
    const client = new RegisterClient({ index, domain: setup.domain, transport: 'UDP', udpSentBy });
    const { host, port: corePort } = target;
    const slot: Slot = {
      client,
      localAddress: '127.0.0.1',
      call: undefined,
      ws: undefined,
      alive: true,
      settle: undefined,
      send: (text) => udp?.send(Buffer.from(text, 'latin1'), corePort, host),
    };
    byCallId.set(client.callId, slot);
    return Promise.resolve(slot);
  }
  const secure = target.url.startsWith('wss:');
  const client = new RegisterClient({ index, domain: setup.domain, transport: secure ? 'WSS' : 'WS' });
  const localAddress = target.localAddresses[index % target.localAddresses.length];
  return openWsSlot(target, client, localAddress, setup.timeoutMs, { onText, closedByServer });
}

/** The server closed a connection that was open (not one we terminated). */
function closedByServer(slot: Slot): void {
  const wasAlive = slot.alive;
  slot.alive = false;
  if (!wasAlive) return;
  if (calls?.busy(slot)) calls.lost(slot, 'WebSocket closed by the server during a call');
  else if (inFlight.has(slot)) giveUp(slot, 'WebSocket closed by the server');
  else tally.fail('WebSocket closed by the server while the client was idle');
}

async function connect(first: number, count: number, concurrency: number): Promise<ConnectResult> {
  await openUdp();
  tally = new Tally();
  let next = first;
  let registered = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  const note = (reason: string): void => {
    failed++;
    failures[reason] = (failures[reason] ?? 0) + 1;
  };
  const one = async (index: number): Promise<void> => {
    let slot: Slot;
    try {
      slot = await newSlot(index);
    } catch (err) {
      note(`connect: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    slots.push(slot);
    const ok = await new Promise<string | undefined>((resolve) =>
      begin(slot, (success, reason) => resolve(success ? undefined : (reason ?? 'failed'))),
    );
    if (ok === undefined) registered++;
    else note(ok);
  };
  const lane = async (): Promise<void> => {
    while (next < first + count) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  return { op: 'connected', registered, failed, failures };
}

function step(registrationsPerSec: number, durationMs: number): Promise<StepResult> {
  tally = new Tally();
  const idle: Slot[] = slots.filter((s) => s.alive && s.client.registered && s.client.phase === 'idle');
  let okRegs = 0;
  let failedRegs = 0;
  const pacer: StepPacer<Slot> = new StepPacer(idle, registrationsPerSec, durationMs, (slot) =>
    begin(slot, (ok) => {
      if (ok) okRegs++;
      else failedRegs++;
      pacer.ended(slot);
    }),
  );
  return pacer.run().then(({ starved, elapsedMs }) => {
    const t = tally;
    return {
      op: 'step-done',
      latencies: t.latencies.take(),
      transactionsOk: t.ok,
      transactionsFailed: t.failed,
      registrationsOk: okRegs,
      registrationsFailed: failedRegs,
      starved,
      failures: t.failures,
      elapsedMs,
    };
  });
}

async function close(): Promise<void> {
  clearInterval(sweep);
  for (const s of slots) {
    s.alive = false;
    s.ws?.terminate();
  }
  udp?.close();
}

port.on('message', (cmd: Command) => {
  const reply = (r: Reply): void => {
    if (r.op === 'step-done') port.postMessage(r, [r.latencies.buffer as ArrayBuffer]);
    else if (r.op === 'calls-done')
      port.postMessage(r, [
        r.setupLatencies.buffer as ArrayBuffer,
        r.teardownLatencies.buffer as ArrayBuffer,
      ]);
    else port.postMessage(r);
  };
  const run = async (): Promise<Reply> => {
    if (cmd.op === 'connect') return connect(cmd.first, cmd.count, cmd.concurrency);
    if (cmd.op === 'step') return step(cmd.registrationsPerSec, cmd.durationMs);
    if (cmd.op === 'calls') {
      if (calls === undefined) throw new Error('this load generator was started without calls');
      return calls.step(slots, cmd.callsPerSec, cmd.durationMs, cmd.holdMs);
    }
    await close();
    return { op: 'closed' };
  };
  run().then(reply, (err: unknown) =>
    reply({ op: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
