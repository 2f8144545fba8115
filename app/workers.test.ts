import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from './test-log.ts';
import { aggregatedMetrics } from './worker-metrics.ts';
import { restartDelay, WorkerSupervisor, type WorkerSupervisorOptions } from './workers.ts';

const ENTRY = fileURLToPath(new URL('./test-worker.ts', import.meta.url));

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('worker processes of the primary (node:cluster)', () => {
  const running: WorkerSupervisor[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });

  async function start(o: Partial<WorkerSupervisorOptions> = {}) {
    const log = memoryLogger();
    const supervisor = await WorkerSupervisor.start({
      count: 2,
      entry: ENTRY,
      facts: () => ({}),
      logger: log.logger,
      ...o,
    });
    running.push(supervisor);
    return { supervisor, lines: log.lines };
  }

  it('[DESIGN-workers-health] MUST fork every worker, report each up with its own pid, and leave no process after stop()', async () => {
    const { supervisor } = await start();
    const up = supervisor.status();
    expect(up.map((w) => [w.index, w.state, w.detail?.['index']])).toEqual([
      [0, 'up', 0],
      [1, 'up', 1],
    ]);
    expect(new Set(up.map((w) => w.pid)).size).toBe(2);
    expect(up.every((w) => alive(w.pid))).toBe(true);
    expect(supervisor.allUp).toBe(true);
    await supervisor.stop();
    expect(supervisor.status().map((w) => [w.state, w.lastExit?.code])).toEqual([
      ['stopped', 0],
      ['stopped', 0],
    ]);
    expect(up.some((w) => alive(w.pid))).toBe(false);
  });

  it('[DESIGN-workers-restart] MUST log a dead worker with its exit status and restart it, waiting longer while restarts keep failing', async () => {
    const { supervisor, lines } = await start({
      backoff: { initialMs: 200, maxMs: 1_000, stableMs: 60_000 },
    });
    const first = supervisor.status()[1]?.pid;
    process.kill(first ?? 0, 'SIGKILL');
    await until(() => supervisor.status()[1]?.state === 'restarting');
    expect(supervisor.allUp).toBe(false);
    await until(() => supervisor.status()[1]?.state === 'up');
    const second = supervisor.status()[1];
    expect(second?.pid).not.toBe(first);
    expect(second?.restarts).toBe(1);
    expect(second?.lastExit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(supervisor.status()[0]?.restarts).toBe(0);

    process.kill(second?.pid ?? 0, 'SIGKILL');
    await until(() => supervisor.status()[1]?.restarts === 2 && supervisor.status()[1]?.state === 'up');
    const exits = lines.filter((l) => l.module === 'app.workers' && typeof l['restartInMs'] === 'number');
    expect(exits.map((l) => [l['worker'], l['signal'], l['restartInMs']])).toEqual([
      [1, 'SIGKILL', 200],
      [1, 'SIGKILL', 400],
    ]);
    expect(exits[0]?.level).toBe(50);
  });

  it('[DESIGN-workers-restart] MUST double the restart delay per early exit up to its maximum', () => {
    const policy = { initialMs: 500, maxMs: 30_000, stableMs: 30_000 };
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => restartDelay(policy, n))).toEqual([
      500, 1_000, 2_000, 4_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('[DESIGN-workers-metrics] MUST merge the workers metrics into the primary registry: counters summed, `max` families not', async () => {
    const { supervisor } = await start();
    const own = new Registry();
    new Counter({ name: 'test_primary_total', help: 'primary only', registers: [own] }).inc(5);
    const text = await aggregatedMetrics(own, () => supervisor.collectMetrics()).metrics();
    expect(text).toMatch(/^test_worker_requests_total 3$/m);
    expect(text).toMatch(/^test_worker_shared 7$/m);
    expect(text).toMatch(/^test_primary_total 5$/m);
  });

  it('[DESIGN-workers-health] MUST fail the start when a worker cannot start, and stop the others', async () => {
    const log = memoryLogger();
    await expect(
      WorkerSupervisor.start({
        count: 2,
        entry: ENTRY,
        facts: (index) => (index === 1 ? { fail: true } : {}),
        logger: log.logger,
      }),
    ).rejects.toThrow(/worker 1 exited during start \(code 3/);
    expect(log.lines.some((l) => l.msg === 'worker failed to start' && l['reason'] === 'told to fail')).toBe(
      true,
    );
    await until(() => Object.keys(cluster.workers ?? {}).length === 0);
  });
});
