import { describe, expect, it } from 'vitest';
import { runTransactionMemory } from './transaction-memory.ts';

/**
 * Smoke test of the transaction memory benchmark: a tiny run completes with every server
 * transaction in Completed when measured (UDP; the client side keeps only keys) or already gone
 * (TCP). No test looks at the figures.
 */
describe('bench:transaction-memory', () => {
  it('[DESIGN-speed-txn_memory_bench] drives non-INVITE transactions to Completed over the loopback transport and measures the heap they retain', async () => {
    const r = await runTransactionMemory({ smoke: true, count: 100 });
    expect(r.count).toBe(100);
    // A completed NICT leaves only its key with the layer (Timer K), not a filed transaction.
    expect(r.clientLayerSize).toBe(0);
    expect(r.serverLayerSize).toBe(100);
    expect(Number.isFinite(r.bytesPerPair)).toBe(true);
    const tcp = await runTransactionMemory({ smoke: true, count: 50, protocol: 'tcp' });
    expect(tcp.clientLayerSize).toBe(0);
    expect(tcp.serverLayerSize).toBe(0);
  });
});
