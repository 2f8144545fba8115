/**
 * The eP-CSCF of the forwarding-CPU benchmark, alone in a child process (started by
 * bench/forwarding-cpu.ts with an IPC channel): `startEpCscf` with the SIP WebSocket on a node:http server, the
 * Mw side on UDP toward the driver's core, configured through the role's environment variables.
 * With RTPENGINES set, the eIMS-AGW anchors call media in that rtpengine (`--media`).
 * With `SUT_KIND=relay` the process runs the floor instead (`forwarding-relay.ts`: the same
 * WebSocket and UDP I/O with no SIP work), measured the same way.
 * It measures itself between two IPC messages:
 *   { kind: 'begin', profile, heap, calls } → 'begun'; CPU time (process.cpuUsage), V8's GC profiler,
 *                                  with `profile` V8's sampling CPU profiler and with `heap` its
 *                                  sampling heap profiler (every allocation site, also of
 *                                  objects already collected), with `calls` V8's precise
 *                                  coverage (calls per function), all through node:inspector
 *   { kind: 'end' }             → a `Sample`: CPU µs, bytes allocated, GC count and time, the profile
 *   { kind: 'stop' }            → stops the eP-CSCF and exits
 * and says `{ kind: 'ready', wsPort, mwPort }` once serving.
 */
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { GCProfiler } from 'node:v8';
import pino from 'pino';
import { Registry } from 'prom-client';
import { formatConfigIssues, readEnvironment } from '../app/config.ts';
import { startMediaControl } from '../eims-agw/index.ts';
import { eimsAgwMedia } from '../ep-cscf/calls/eims-agw-media.ts';
import { EPCSCF_SCHEMA } from '../ep-cscf/config.ts';
import { startEpCscf } from '../ep-cscf/ep-cscf.ts';
import type { CpuProfile } from './cpu-profile.ts';
import { startRelay } from './forwarding-relay.ts';

/** What the child runs: the eP-CSCF, or the floor it is compared with (`forwarding-relay.ts`). */
export type SutKind = 'ep-cscf' | 'relay';

export type SutCommand =
  | { kind: 'begin'; profile: boolean; heap: boolean; calls: boolean }
  | { kind: 'end' }
  | { kind: 'stop' };

/** V8's sampling heap profile (HeapProfiler.stopSampling): allocations by call tree. */
export interface HeapProfileNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: HeapProfileNode[];
}

export interface Sample {
  /** user + system CPU time of the process in the window, µs */
  readonly cpuUs: number;
  /** bytes allocated on the V8 heap in the window (from the heap before and after each GC) */
  readonly allocatedBytes: number;
  readonly gcs: number;
  /** time V8 reports for those GCs, µs */
  readonly gcUs: number;
  readonly profile?: CpuProfile;
  readonly heap?: HeapProfileNode;
  /** with `calls`: how often each function of ours ran in the window (V8 precise coverage) */
  readonly calls?: Record<string, number>;
}

export type SutMessage =
  | { kind: 'ready'; wsPort: number; mwPort: number }
  | { kind: 'begun' }
  | { kind: 'sample'; sample: Sample }
  | { kind: 'error'; message: string };

function tell(m: SutMessage): void {
  process.send?.(m);
}

/** Heap bytes allocated in a GC profiler's window: growth between collections plus the tail. */
function allocated(startUsed: number, endUsed: number, stats: GcStat[]): number {
  let total = 0;
  let last = startUsed;
  for (const s of stats) {
    total += Math.max(0, s.beforeGC.heapStatistics.usedHeapSize - last);
    last = s.afterGC.heapStatistics.usedHeapSize;
  }
  return total + Math.max(0, endUsed - last);
}

/** Calls per function of the repository's own code (not node_modules, not node internals). */
function callCounts(
  scripts: { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of scripts) {
    const m = /^file:\/\/.*?\/((?:sip|ep-cscf|store|token)\/.*)$/.exec(s.url);
    if (m === null) continue;
    for (const f of s.functions) {
      const count = f.ranges[0]?.count ?? 0;
      if (count === 0 || f.functionName === '') continue;
      const key = `${f.functionName} ${m[1]}`;
      out[key] = (out[key] ?? 0) + count;
    }
  }
  return out;
}

type GcStat =
  ReturnType<GCProfiler['stop']> extends infer R
    ? R extends { statistics: (infer S)[] }
      ? S
      : never
    : never;

async function main(): Promise<void> {
  const read = readEnvironment(EPCSCF_SCHEMA, process.env);
  if (!read.ok) throw new Error(formatConfigIssues(read.issues));
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination({ dest: 2, sync: false }));
  const server = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const httpPort = typeof address === 'object' && address !== null ? address.port : 0;
  const core = read.config.imsCoreUri;
  const relay = process.env.SUT_KIND === 'relay' && core !== undefined;
  const registry = new Registry();
  // With RTPENGINES (--media): the eIMS-AGW anchors every call's media there.
  const media =
    relay || (process.env.RTPENGINES ?? '') === ''
      ? undefined
      : await startMediaControl({ env: process.env, logger, registry });
  const ep = relay
    ? await startRelay(server, core.host, core.port ?? 5060)
    : await startEpCscf({
        config: read.config,
        logger,
        httpServer: server,
        registry,
        defaultOrigins: () => [],
        ...(media === undefined ? {} : { media: eimsAgwMedia(media.gateway) }),
      });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('HeapProfiler.enable');
  let window:
    | {
        cpu: NodeJS.CpuUsage;
        used: number;
        gc: GCProfiler;
        profiling: boolean;
        heap: boolean;
        calls: boolean;
      }
    | undefined;

  process.on('message', (m: SutCommand) => {
    void (async () => {
      if (m.kind === 'begin') {
        if (m.profile) await session.post('Profiler.start');
        if (m.calls)
          await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
        if (m.heap)
          await session.post('HeapProfiler.startSampling', {
            samplingInterval: 256,
            includeObjectsCollectedByMajorGC: true,
            includeObjectsCollectedByMinorGC: true,
          });
        const gc = new GCProfiler();
        gc.start();
        const used = process.memoryUsage().heapUsed;
        window = { cpu: process.cpuUsage(), used, gc, profiling: m.profile, heap: m.heap, calls: m.calls };
        tell({ kind: 'begun' });
      } else if (m.kind === 'end' && window !== undefined) {
        const cpu = process.cpuUsage(window.cpu);
        const used = process.memoryUsage().heapUsed;
        const stats = window.gc.stop()?.statistics ?? [];
        const profile = window.profiling ? (await session.post('Profiler.stop')).profile : undefined;
        const heap = window.heap ? (await session.post('HeapProfiler.stopSampling')).profile.head : undefined;
        const calls = window.calls
          ? callCounts((await session.post('Profiler.takePreciseCoverage')).result)
          : undefined;
        if (window.calls) await session.post('Profiler.stopPreciseCoverage');
        const sample: Sample = {
          cpuUs: cpu.user + cpu.system,
          allocatedBytes: allocated(window.used, used, stats),
          gcs: stats.length,
          gcUs: stats.reduce((t, s) => t + s.cost, 0),
          ...(profile === undefined ? {} : { profile: profile as unknown as CpuProfile }),
          ...(heap === undefined ? {} : { heap: heap as unknown as HeapProfileNode }),
          ...(calls === undefined ? {} : { calls }),
        };
        window = undefined;
        tell({ kind: 'sample', sample });
      } else if (m.kind === 'stop') {
        session.disconnect();
        server.closeAllConnections();
        await ep.stop();
        await media?.stop();
        server.close();
        process.exit(0);
      }
    })().catch((err: unknown) => tell({ kind: 'error', message: String(err) }));
  });
  tell({ kind: 'ready', wsPort: httpPort, mwPort: ep.mwPort });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `forwarding-cpu-sut: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
