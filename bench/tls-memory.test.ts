import { describe, expect, it } from 'vitest';
import { formatTlsMemory, measureScheme } from './tls-memory.ts';

/**
 * Smoke test of the WS/WSS memory floor: a bare server is served and measured over both schemes
 * with a few clients. No test looks at the figures.
 */
describe('bench:tls-memory', () => {
  it('[DESIGN-speed-tls_memory_floor] serves a bare WebSocket server over WS and WSS, opens idle clients that each wrote and read a message, and reports memory per client for both', async () => {
    const rows = [await measureScheme('ws', 20), await measureScheme('wss', 20)];
    for (const r of rows) {
      expect(r.clients).toBe(20);
      expect(Number.isFinite(r.pssPerClient)).toBe(true);
      expect(Number.isFinite(r.heapPerClient)).toBe(true);
    }
    const text = formatTlsMemory(rows);
    expect(text).toMatch(/\| ws +\| +20 \|/);
    expect(text).toMatch(/\| wss +\| +20 \|/);
  }, 60_000);
});
