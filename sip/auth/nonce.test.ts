import { describe, expect, it } from 'vitest';
import { MemoryNonceCountStore } from './nonce-count-store.ts';
import { NonceFactory } from './nonce-factory.ts';

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef');

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('stateless nonces (RFC 7616 §3.3, §5.4)', () => {
  it('[RFC7616-5.4-nonce-integrity] accepts its own nonce while fresh, then calls it stale', () => {
    const c = clock();
    const f = new NonceFactory({ secret: SECRET, ttlMs: 30_000, now: c.now });
    const n = f.issue();
    expect(n).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(f.check(n)).toBe('valid');
    c.advance(29_999);
    expect(f.check(n)).toBe('valid');
    c.advance(1);
    expect(f.check(n)).toBe('stale');
    expect(f.expiresAt(n)).toBe(c.now());
  });

  it('[RFC7616-5.4-nonce-integrity] issues a different nonce each time', () => {
    const f = new NonceFactory({ secret: SECRET });
    const seen = new Set(Array.from({ length: 100 }, () => f.issue()));
    expect(seen.size).toBe(100);
  });

  it('[RFC7616-5.4-nonce-integrity] refuses forged, altered, foreign and future nonces', () => {
    const c = clock();
    const f = new NonceFactory({ secret: SECRET, now: c.now });
    const n = f.issue('flow-1');
    expect(f.check(n, 'flow-1')).toBe('valid');
    expect(f.check(n, 'flow-2')).toBe('invalid');
    expect(f.check(n)).toBe('invalid');
    for (const i of [0, 10, 20, 39]) {
      const altered = n.slice(0, i) + (n[i] === 'A' ? 'B' : 'A') + n.slice(i + 1);
      expect(f.check(altered, 'flow-1'), `char ${i}`).toBe('invalid');
    }
    expect(f.check('', 'flow-1')).toBe('invalid');
    expect(f.check('x'.repeat(40), 'flow-1')).toBe('invalid');
    const other = new NonceFactory({ secret: Buffer.alloc(32, 1), now: c.now });
    expect(other.check(n, 'flow-1')).toBe('invalid');
    const future = new NonceFactory({ secret: SECRET, now: () => c.now() + 60_000 }).issue();
    expect(f.check(future)).toBe('invalid');
  });

  it('refuses a short secret', () => {
    expect(() => new NonceFactory({ secret: Buffer.alloc(8) })).toThrow(RangeError);
  });
});

describe('nonce-count replay store (RFC 7616 §3.4, §5.4)', () => {
  it('[RFC7616-3.4-nc-replay] accepts a growing nc and refuses a repeated or lower one', () => {
    const c = clock();
    const s = new MemoryNonceCountStore({ now: c.now });
    const exp = c.now() + 1000;
    expect(s.accept('n', 1, exp)).toBe(true);
    expect(s.accept('n', 1, exp)).toBe(false);
    expect(s.accept('n', 3, exp)).toBe(true);
    expect(s.accept('n', 2, exp)).toBe(false);
    expect(s.accept('m', 1, exp)).toBe(true);
  });

  it('[RFC7616-3.4-nc-replay] forgets expired nonces and stays within its bound', () => {
    const c = clock();
    const s = new MemoryNonceCountStore({ now: c.now, maxEntries: 10 });
    for (let i = 0; i < 50; i++) s.accept(`n${i}`, 1, c.now() + 1000);
    expect(s.size).toBeLessThanOrEqual(10);
    c.advance(2000);
    s.accept('fresh', 1, c.now() + 1000);
    expect(s.size).toBe(1);
  });
});
