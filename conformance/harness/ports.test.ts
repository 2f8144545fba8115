import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortFree, PortAllocator, type PortRange } from './ports.ts';

const FIXTURE = new URL('./fixtures/hold-ports.ts', import.meta.url).pathname;

/** Runs hold-ports.ts in another process; resolves with its block and ports while it holds them. */
async function portsOfAnotherProcess(count: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`hold-ports exited with ${code}`)));
  });
  const held = JSON.parse(line) as { block: PortRange; ports: number[] };
  const release = (): Promise<void> =>
    new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.stdin.end();
    });
  return { ...held, release };
}

describe('PortAllocator', () => {
  let ports: PortAllocator;
  beforeAll(async () => {
    ports = await PortAllocator.open();
  });
  afterAll(async () => {
    await ports.close();
  });

  it('[HARNESS-ports-parallel] MUST hand out ports that are free, unique, and disjoint from those of another process allocating at the same time', async () => {
    const other = await portsOfAnotherProcess(30);
    try {
      const mine: number[] = [];
      for (let i = 0; i < 30; i++) mine.push(await ports.port('both'));
      expect(new Set(mine).size).toBe(mine.length);
      expect(other.block.min > ports.block.max || other.block.max < ports.block.min).toBe(true);
      expect(mine.filter((p) => other.ports.includes(p))).toEqual([]);
      for (const p of mine) {
        expect(p).toBeGreaterThanOrEqual(ports.block.min);
        expect(p).toBeLessThanOrEqual(ports.block.max);
        expect(await isPortFree(p, 'both')).toBe(true);
      }
      for (const p of mine) ports.release(p);
    } finally {
      await other.release();
    }
  });

  it('[HARNESS-ports-parallel] MUST hand out distinct ports to concurrent callers of one allocator', async () => {
    const got = await Promise.all([ports.port(), ports.udp(), ports.tcp(), ports.range(3), ports.port()]);
    const all = got.flatMap((g) => (typeof g === 'number' ? [g] : [g.min, g.min + 1, g.max]));
    expect(new Set(all).size).toBe(all.length);
    for (const g of got) ports.release(g);
  });

  it('[HARNESS-ports-parallel] MUST give a second allocator in the same process a different block', async () => {
    const second = await PortAllocator.open();
    try {
      expect(second.block.min > ports.block.max || second.block.max < ports.block.min).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('[HARNESS-ports-parallel] MUST skip a port that something else already holds', async () => {
    const probe = await ports.udp();
    ports.release(probe);
    // Occupy `probe` from outside the allocator: a whole cycle of the block must not return it.
    const size = ports.block.max - ports.block.min + 1;
    const held = createSocket('udp4');
    await new Promise<void>((resolve) => held.bind({ address: '127.0.0.1', port: probe }, () => resolve()));
    try {
      const seen: number[] = [];
      for (let i = 0; i < size - 1; i++) {
        const p = await ports.udp();
        seen.push(p);
        ports.release(p);
      }
      expect(seen).not.toContain(probe);
    } finally {
      held.close();
    }
  });

  it('[HARNESS-ports-parallel] MUST give a contiguous range of free ports, not reused until released and the block has cycled', async () => {
    const range = await ports.range(100, 'udp');
    expect(range.max - range.min).toBe(99);
    for (let p = range.min; p <= range.max; p++) expect(await isPortFree(p, 'udp')).toBe(true);
    const next = await ports.port('udp');
    expect(next < range.min || next > range.max).toBe(true);
    ports.release(next);
    ports.release(range);
    const after = await ports.port('udp');
    expect(after < range.min || after > range.max).toBe(true);
    ports.release(after);
  });
});
