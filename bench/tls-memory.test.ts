import { describe, expect, it } from 'vitest';
import { formatTlsMemory, jemallocMissing, measureScheme } from './tls-memory.ts';

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
    expect(rows[0]).toMatchObject({ malloc: 'glibc' });
    expect(rows[0]?.tls).toBeUndefined();
    // Node's default: TLS 1.3, whose server sends two session tickets (OpenSSL's default)
    expect(rows[1]).toMatchObject({ tls: 'TLSv1.3', tickets: 2, malloc: 'glibc' });
    const text = formatTlsMemory(rows);
    expect(text).toMatch(/\| ws +\| - +\| +- \| glibc +\| +20 \|/);
    expect(text).toMatch(/\| wss +\| TLSv1\.3 \| +2 \| glibc +\| +20 \|/);
  }, 60_000);

  it("[DESIGN-speed-tls_memory_floor] serves the WSS variants with what they change: TLS 1.2 at most, and jemalloc as the serving process's malloc", async () => {
    expect(await measureScheme('wss', 20, 'tls1.2')).toMatchObject({
      variant: 'tls1.2',
      tls: 'TLSv1.2',
      malloc: 'glibc',
    });
    expect(jemallocMissing()).toBeUndefined(); // scripts/install-peers.sh installs libjemalloc2
    expect(await measureScheme('wss', 20, 'jemalloc')).toMatchObject({
      variant: 'jemalloc',
      tls: 'TLSv1.3',
      malloc: 'jemalloc',
    });
  }, 60_000);
});
