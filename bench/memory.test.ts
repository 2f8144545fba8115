import { describe, expect, it } from 'vitest';
import { goneWithin, runBench, startedGroups } from './cli-run.ts';
import type { MemoryBenchResult } from './memory-bench.ts';
import { formatMemoryReport } from './memory-report.ts';

/**
 * `npm run bench -- --only memory --smoke`: the memory benchmark in its tiny mode (200 clients,
 * ours as the product with 2 eP-CSCF workers, the load generator in 2 processes), run as the CLI
 * runs it. No figure is judged here: every client must be registered as the client, the IMS core
 * and ours see it, and no process the benchmark started may outlive it.
 */

const STARTED_LOAD = /started load processes \(pids ([\d, ]+)\)/g;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function loadGoneWithin(pids: readonly number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    left = left.filter(alive);
  }
  return left;
}

describe('npm run bench -- --only memory --smoke', () => {
  let smoke: MemoryBenchResult | undefined;

  it('[DESIGN-speed-memory_workers] registers every client through ours with 2 eP-CSCF workers and through Kamailio, from 2 load processes, and reads the PSS of every process of the system', async () => {
    const out = await runBench(['--smoke', '--json', '--only', 'memory']);
    expect(out.code, out.stderr).toBe(0);
    const r = JSON.parse(out.stdout) as MemoryBenchResult;
    smoke = r;
    expect(r.mode).toBe('smoke');
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
    if (smoke === undefined) throw new Error('the smoke run above did not produce a result');
    for (const p of smoke.points) {
      const res = p.result!;
      expect(res, `${res.system} ${JSON.stringify(res.failures)}`).toMatchObject({
        registered: 200,
        failed: 0,
        coreContacts: 200,
        complete: true,
      });
      expect(res.systemRegistrations).toBe(res.system === 'ours' ? 200 : undefined);
    }
    const text = formatMemoryReport(smoke);
    expect(text).toMatch(/\| ours +\| WS +\| +200 \| +primary \+ 2 workers \| +2 \| +200 \| +200 \| +200 \|/);
    expect(text).toMatch(/\| kamailio +\| WS +\| +200 \| +\d+ \(Kamailio\) \| +2 \| +200 \| +200 \| +- \|/);
  });

  it('[DESIGN-speed-memory_cleanup] leaves no process behind: IMS cores, systems with their workers, load processes', async () => {
    if (smoke === undefined) throw new Error('the smoke run above did not produce a result');
    const names = smoke.processGroups.map((g) => g.name).sort();
    expect(names).toEqual(['ims-core', 'ims-core', 'ims-core', 'kamailio', 'ours', 'ours']);
    expect(
      await goneWithin(
        smoke.processGroups.map((g) => g.pgid),
        0,
      ),
    ).toEqual([]);
    expect(smoke.loadProcesses).toHaveLength(6);
    expect(await loadGoneWithin(smoke.loadProcesses, 0)).toEqual([]);
    // The workers are in the system's process group: none of the processes read is still there.
    const read = smoke.points.flatMap((p) => p.result?.processes.map((x) => x.pid) ?? []);
    expect(read.filter(alive)).toEqual([]);
  });

  it('[DESIGN-speed-memory_cleanup] stops every process it started when it is interrupted mid-run', async () => {
    let interrupted = false;
    const out = await runBench(['--smoke', '--only', 'memory'], (stderr, child) => {
      // Interrupt once ours and its load processes are up.
      if (!interrupted && STARTED_LOAD.test(stderr)) {
        interrupted = true;
        child.kill('SIGTERM');
      }
      STARTED_LOAD.lastIndex = 0;
    });
    expect(interrupted).toBe(true);
    expect(out.signal ?? out.code).not.toBe(0);
    const groups = startedGroups(out.stderr);
    expect(groups.map((g) => g.name)).toEqual(['ims-core', 'ours']);
    expect(
      await goneWithin(
        groups.map((g) => g.pgid),
        3000,
      ),
    ).toEqual([]);
    const load = [...out.stderr.matchAll(STARTED_LOAD)].flatMap((m) => (m[1] ?? '').split(', ').map(Number));
    expect(load).toHaveLength(2);
    expect(await loadGoneWithin(load, 5000)).toEqual([]);
  }, 240_000);
});
