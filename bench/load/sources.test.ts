import { describe, expect, it } from 'vitest';
import { FIRST_SOURCE_PORT, SOURCE_PORTS, sourceOf } from './sources.ts';

describe('fixed client sources', () => {
  it('[DESIGN-speed-load_wsclient] gives 100,000 clients distinct loopback (address, port) pairs outside the ephemeral range', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const s = sourceOf(i);
      expect(s.port >= FIRST_SOURCE_PORT && s.port < FIRST_SOURCE_PORT + SOURCE_PORTS).toBe(true);
      seen.add(`${s.address}:${s.port}`);
    }
    expect(seen.size).toBe(100_000);
    expect(FIRST_SOURCE_PORT).toBeGreaterThan(60_999);
    expect(FIRST_SOURCE_PORT + SOURCE_PORTS - 1).toBeLessThanOrEqual(65_535);
    expect(sourceOf(0).address).toBe('127.1.0.1');
    expect(sourceOf(99_999).address).toMatch(/^127\.1\.\d+\.\d+$/);
  });
});
