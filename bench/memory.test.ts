import { describe, expect, it } from 'vitest';
import {
  alive,
  earlier,
  expectAllStopped,
  interruptedSmoke,
  pidsGoneWithin,
  smokeResult,
} from './cli-run.ts';
import type { MemoryBenchResult } from './memory-bench.ts';
import { formatMemoryReport } from './memory-report.ts';

/**
 * `npm run bench -- --only memory --smoke`: the memory benchmark in its tiny mode (200 clients,
 * ours as the product with 2 eP-CSCF workers, the load generator in 2 processes), run as the CLI
 * runs it. No figure is judged here: every client must be registered as the client, the IMS core
 * and ours see it, and no process the benchmark started may outlive it.
 */

const STARTED_LOAD = /started load processes \(pids ([\d, ]+)\)/g;

describe('npm run bench -- --only memory --smoke', () => {
  let smoke: MemoryBenchResult | undefined;

  it('[DESIGN-speed-memory_workers] registers every client through ours with 2 eP-CSCF workers and through Kamailio, from 2 load processes, and reads the PSS of every process of the system', async () => {
    const r = await smokeResult<MemoryBenchResult>('memory');
    smoke = r;
    expect(r.points.map((p) => `${p.spec.system} ${p.spec.secure ? 'WSS' : 'WS'}`)).toEqual([
      'ours WS',
      'ours WSS',
      'kamailio WS',
    ]);
    for (const p of r.points) {
      const res = p.result;
      if (res === undefined) throw new Error(`${p.spec.system}: ${p.skipped ?? p.error}`);
      expect(res.loadProcesses).toBe(2);
      if (res.system === 'ours') {
        expect(res.epcscfWorkers).toBe(2);
        // The primary and its two workers (tsx may add its esbuild helper to the group).
        expect(res.processes.length).toBeGreaterThanOrEqual(3);
        // Both workers hold some of the 200 connections.
        expect(res.processes.filter((x) => x.fds > 90).length, JSON.stringify(res.processes)).toBe(2);
      }
      expect(res.pssBytes).toBeGreaterThan(0);
      expect(res.basePssBytes).toBeGreaterThan(0);
      expect(Number.isFinite(res.bytesPerClient)).toBe(true);
    }
  }, 240_000);

  it('[DESIGN-speed-memory_verified] counts a client only once its REGISTER got a 200 OK, and checks the count against the IMS core and against epcscf_registrations', () => {
    const r = earlier(smoke);
    for (const p of r.points) {
      const res = p.result!;
      expect(res, `${res.system} ${JSON.stringify(res.failures)}`).toMatchObject({
        registered: 200,
        failed: 0,
        coreContacts: 200,
        complete: true,
      });
      expect(res.systemRegistrations).toBe(res.system === 'ours' ? 200 : undefined);
    }
    const text = formatMemoryReport(r);
    expect(text).toMatch(/\| ours +\| WS +\| +200 \| +primary \+ 2 workers \| +2 \| +200 \| +200 \| +200 \|/);
    expect(text).toMatch(/\| kamailio +\| WS +\| +200 \| +\d+ \(Kamailio\) \| +2 \| +200 \| +200 \| +- \|/);
  });

  it('[DESIGN-speed-memory_cleanup] leaves no process behind: IMS cores, systems with their workers, load processes', async () => {
    const r = earlier(smoke);
    await expectAllStopped(r.processGroups, ['ims-core', 'ims-core', 'ims-core', 'kamailio', 'ours', 'ours']);
    expect(r.loadProcesses).toHaveLength(6);
    expect(await pidsGoneWithin(r.loadProcesses, 0)).toEqual([]);
    // The workers are in the system's process group: none of the processes read is still there.
    const read = r.points.flatMap((p) => p.result?.processes.map((x) => x.pid) ?? []);
    expect(read.filter(alive)).toEqual([]);
  });

  it('[DESIGN-speed-memory_cleanup] stops every process it started when it is interrupted mid-run', async () => {
    // Interrupted once ours and its load processes are up.
    const run = await interruptedSmoke('memory', STARTED_LOAD, 3000);
    expect(run.groups).toEqual(['ims-core', 'ours']);
    expect(run.left).toEqual([]);
    const load = [...run.stderr.matchAll(STARTED_LOAD)].flatMap((m) => (m[1] ?? '').split(', ').map(Number));
    expect(load).toHaveLength(2);
    expect(await pidsGoneWithin(load, 5000)).toEqual([]);
  }, 240_000);
});
