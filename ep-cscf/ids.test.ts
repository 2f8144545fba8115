import { describe, expect, it } from 'vitest';
import { IdGenerator } from './ids.ts';

describe('IdGenerator', () => {
  it('[RFC7315-4.6-icid-unique] MUST mint a different icid-value for every request, also across generators (processes)', () => {
    const a = new IdGenerator();
    const b = new IdGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      seen.add(a.icid());
      seen.add(b.icid());
    }
    expect(seen.size).toBe(10_000);
    // a token (RFC 3261 §25.1), as the gen-value of icid-value allows
    for (const v of [...seen].slice(0, 10)) expect(v).toMatch(/^[0-9a-f]{32}\.[0-9a-z]+$/);
  });

  it('[RFC3261-19.3-tag-random] MUST give To tags at least 32 random bits: 48 bits as 12 hex digits, all different, also after the random pool is refilled', () => {
    const g = new IdGenerator();
    const tags = new Set<string>();
    // 4096 / 6 = 682 tags per pool fill: this crosses several refills
    for (let i = 0; i < 3000; i++) {
      const t = g.tag();
      expect(t).toMatch(/^[0-9a-f]{12}$/);
      tags.add(t);
    }
    expect(tags.size).toBe(3000);
    // not a counter: consecutive tags differ in more than their last digits
    const [x, y] = [g.tag(), g.tag()];
    expect(x.slice(0, 8)).not.toBe(y.slice(0, 8));
  });
});
