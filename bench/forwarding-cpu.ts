/**
 * `npx tsx bench/forwarding-cpu.ts [--smoke] [--rounds N] [--clients N] [--pairs N] [--calls N]
 * [--register-rate R] [--call-rate R] [--media] [--profile] [--heap] [--count-calls] [--top N] [--no-floor] [--json]`:
 * CPU and heap allocation per operation on the eP-CSCF's forwarding path (issue #7, BENCHMARKS.md
 * "Forwarding-path CPU").
 *
 * The eP-CSCF runs alone in a child process (`forwarding-cpu-sut.ts`: `startEpCscf`, the SIP
 * WebSocket on an HTTP server, Mw over UDP); this process holds the clients (WebSocket, `ws`)
 * and a tiny IMS core on UDP (`forwarding-cpu-peers.ts`), both written with plain strings so
 * that their cost does not depend on the SIP library under test, and none of it counts: the
 * child measures its own CPU time (process.cpuUsage) and heap allocations (V8's GC profiler)
 * between two IPC messages. Each round offers, at a fixed rate, `pairs` registrations
 * (REGISTER, 401, REGISTER with credentials, 200: two transactions) and then `calls` calls
 * (INVITE / 100 / 180 / 200, ACK, BYE / 200) from registered clients; the figure kept is the
 * median round. `--media`: every call's media is anchored in a real rtpengine (started here; its
 * CPU is not counted), so a call's figure includes the eIMS-AGW and its NG exchanges. `--profile` samples the child's JavaScript in every measured window (V8
 * profiler, 200 µs) and prints the top functions by self time; `--heap` samples its allocations
 * and prints the allocating functions; `--count-calls` counts calls per function of ours.
 *
 * The floor (unless `--no-floor`): the same rounds, first, through a relay that does the same
 * WebSocket and UDP I/O with no SIP work (`forwarding-relay.ts`), in the same kind of child
 * process; what the eP-CSCF costs above it is its SIP work.
 */
import { parseArgs } from 'node:util';
import { PortAllocator } from '../conformance/harness/index.ts';
import { isMain, runMain } from './cli-main.ts';
import { TinyCore } from './forwarding-cpu-peers.ts';
import {
  allocationSites,
  callsPerOp,
  type ForwardingCpuOptions,
  type ForwardingCpuResult,
  figures,
  formatForwardingCpu,
  median,
  mergedSummary,
} from './forwarding-cpu-report.ts';
import { Crowd, Sut } from './forwarding-cpu-rig.ts';
import type { Sample, SutKind } from './forwarding-cpu-sut.ts';
import { startBenchRtpengine } from './sut/rtpengine.ts';

export type { ForwardingCpuOptions, ForwardingCpuResult } from './forwarding-cpu-report.ts';
export { formatForwardingCpu } from './forwarding-cpu-report.ts';

export const FULL: ForwardingCpuOptions = {
  rounds: 5,
  clients: 200,
  pairs: 4000,
  registerRate: 800,
  calls: 1000,
  callRate: 200,
  warmup: 2000,
  floor: true,
  profile: false,
  heap: false,
  countCalls: false,
  media: false,
};

export const SMOKE: ForwardingCpuOptions = {
  rounds: 1,
  clients: 10,
  pairs: 60,
  registerRate: 300,
  calls: 20,
  callRate: 100,
  warmup: 20,
  floor: true,
  profile: false,
  heap: false,
  countCalls: false,
  media: false,
};

export async function runForwardingCpu(
  options: ForwardingCpuOptions,
  nodeArgs: readonly string[] = [],
): Promise<ForwardingCpuResult> {
  // The floor first, on its own core and clients, without the profilers: only its CPU counts.
  const floor = options.floor
    ? await measureSystem('relay', { ...options, profile: false, heap: false, countCalls: false }, nodeArgs)
    : undefined;
  const media = options.media ? await startMedia() : undefined;
  let ours: Awaited<ReturnType<typeof measureSystem>>;
  try {
    ours = await measureSystem('ep-cscf', options, nodeArgs, media?.address);
  } finally {
    await media?.stop();
  }
  const { samples } = ours;
  const profile = options.profile ? mergedSummary(samples.map((s) => s.profile)) : undefined;
  const allocations = options.heap ? allocationSites(samples.map((s) => s.heap)) : undefined;
  const calls = options.countCalls
    ? callsPerOp(
        samples.filter((_, i) => i % 2 === 0),
        options.rounds * options.pairs,
        samples.filter((_, i) => i % 2 === 1),
        options.rounds * options.calls,
      )
    : undefined;
  return {
    node: process.version,
    options,
    register: median(ours.rounds.map((r) => r.register)),
    call: median(ours.rounds.map((r) => r.call)),
    rounds: ours.rounds,
    ...(media === undefined ? {} : { media: media.description }),
    failures: [...(floor?.failures ?? []), ...ours.failures],
    coreReceived: ours.coreReceived,
    ...(floor === undefined
      ? {}
      : {
          floor: {
            register: median(floor.rounds.map((r) => r.register)),
            call: median(floor.rounds.map((r) => r.call)),
            rounds: floor.rounds,
          },
        }),
    ...(profile === undefined ? {} : { profile }),
    ...(allocations === undefined ? {} : { allocations }),
    ...(calls === undefined ? {} : { callsPerOp: calls }),
  };
}

/** A real rtpengine on loopback for `--media` (its own CPU is not measured), and how to stop it. */
async function startMedia(): Promise<{ address: string; description: string; stop(): Promise<void> }> {
  const ports = await PortAllocator.open();
  try {
    const rtpengine = await startBenchRtpengine({ ports, cpu: undefined });
    return {
      address: `${rtpengine.host}:${rtpengine.ngPort}`,
      description: rtpengine.description,
      async stop() {
        await rtpengine.stop();
        await ports.close();
      },
    };
  } catch (err) {
    await ports.close();
    throw err;
  }
}

/** Warm-up, then `rounds` measured rounds of registrations and calls through one system. */
async function measureSystem(
  kind: SutKind,
  options: ForwardingCpuOptions,
  nodeArgs: readonly string[],
  rtpengine?: string,
): Promise<{
  rounds: ForwardingCpuResult['rounds'];
  samples: Sample[];
  failures: string[];
  coreReceived: Record<string, number>;
}> {
  const core = new TinyCore();
  const corePort = await core.start('127.0.0.1');
  const { sut, wsPort } = await Sut.start(corePort, nodeArgs, kind, rtpengine);
  let crowd: Crowd | undefined;
  try {
    const clients = await Crowd.connect(wsPort, options.clients);
    crowd = clients;
    const failures: string[] = [];
    failures.push(...(await clients.run('register', options.clients, options.registerRate)));
    failures.push(...(await clients.run('register', options.warmup, options.registerRate)));
    failures.push(...(await clients.run('call', Math.ceil(options.warmup / 4), options.callRate)));
    const rounds: ForwardingCpuResult['rounds'] = [];
    const samples: Sample[] = [];
    const measure = async (op: 'register' | 'call', count: number, rate: number) => {
      await sut.ask({
        kind: 'begin',
        profile: options.profile,
        heap: options.heap,
        calls: options.countCalls,
      });
      const failed = await clients.run(op, count, rate);
      const answer = await sut.ask({ kind: 'end' });
      if (answer.kind !== 'sample') throw new Error(`no sample: ${JSON.stringify(answer)}`);
      failures.push(...failed.map((f) => `${kind}: ${f}`));
      samples.push(answer.sample);
      return figures(count, failed.length, answer.sample);
    };
    for (let r = 0; r < options.rounds; r++) {
      const register = await measure('register', options.pairs, options.registerRate);
      const call = await measure('call', options.calls, options.callRate);
      rounds.push({ register, call });
    }
    return { rounds, samples, failures, coreReceived: Object.fromEntries(core.received) };
  } finally {
    crowd?.close();
    await sut.stop();
    core.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      smoke: { type: 'boolean', default: false },
      'no-floor': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      heap: { type: 'boolean', default: false },
      'count-calls': { type: 'boolean', default: false },
      media: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      clients: { type: 'string' },
      pairs: { type: 'string' },
      calls: { type: 'string' },
      'register-rate': { type: 'string' },
      'call-rate': { type: 'string' },
      top: { type: 'string' },
      'node-arg': { type: 'string', multiple: true },
    },
  });
  const o: ForwardingCpuOptions = {
    ...(values.smoke ? SMOKE : FULL),
    floor: !values['no-floor'],
    profile: values.profile,
    heap: values.heap,
    countCalls: values['count-calls'],
    media: values.media,
  };
  const numbers = {
    rounds: values.rounds,
    clients: values.clients,
    pairs: values.pairs,
    calls: values.calls,
    registerRate: values['register-rate'],
    callRate: values['call-rate'],
  } as const;
  for (const [key, text] of Object.entries(numbers)) {
    if (text === undefined) continue;
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) {
      process.stderr.write(`--${key} must be a positive integer\n`);
      return 2;
    }
    o[key as keyof typeof numbers] = n;
  }
  const r = await runForwardingCpu(o, values['node-arg'] ?? []);
  const top = Number(values.top ?? 25);
  process.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatForwardingCpu(r, top)}\n`);
  return r.failures.length === 0 ? 0 : 1;
}

if (isMain(import.meta.url)) runMain('forwarding-cpu', main);
