import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatUdpSend, measureUdpSend } from './udp-send.ts';

const hasCc = ((): boolean => {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Smoke test of the UDP send benchmark: both lookups and C, both bursts, a few datagrams. No test looks at the figures. */
describe('bench:udp-send', () => {
  it('[DESIGN-speed-udp_send] sends and receives datagrams with both lookups, and in C where cc exists, in bursts of 1 and 16 and reports CPU per datagram', async () => {
    const rows = await measureUdpSend({ count: 64, rounds: 1 });
    const c = (burst: number): string[] => (hasCc ? [`c ${burst}`] : []);
    expect(rows.map((r) => `${r.lookup} ${r.burst}`)).toEqual([
      'node-default 1',
      'literal-first 1',
      ...c(1),
      'node-default 16',
      'literal-first 16',
      ...c(16),
    ]);
    for (const r of rows) expect(Number.isFinite(r.cpuUs)).toBe(true);
    expect(formatUdpSend(rows)).toMatch(/\| literal-first +\| +16 \|/);
  }, 30_000);
});
