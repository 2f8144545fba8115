import { describe, expect, it } from 'vitest';
import {
  coreExpires,
  LEASE_MARGIN_MS,
  leaseExpiresAt,
  leaseHolder,
  retryAfterSeconds,
} from './lease-terms.ts';

const NOW = 1_700_000_000_000;

describe('pool lease terms (TS 33.203 Annex X.4)', () => {
  it('[TS33203-X.4-lease-holder] MUST key a lease by eP-CSCF instance, flow and token subject: a refresh with a new token of the same subject on the same flow is the same holder, another flow or subject is not', () => {
    const base = { instance: '192.0.2.4:5060', connectionId: 'ws-1', subject: 'guest-7' };
    const h = leaseHolder(base);
    expect(leaseHolder({ ...base })).toBe(h);
    expect(leaseHolder({ ...base, connectionId: 'ws-2' })).not.toBe(h);
    expect(leaseHolder({ ...base, subject: 'guest-8' })).not.toBe(h);
    expect(leaseHolder({ ...base, instance: '192.0.2.5:5060' })).not.toBe(h);
    // The separator cannot be forged by a subject that contains the flow id.
    expect(leaseHolder({ instance: 'a', connectionId: 'ws-1 x', subject: 'y' })).not.toBe(
      leaseHolder({ instance: 'a', connectionId: 'ws-1', subject: 'x y' }),
    );
  });

  it('[TS33203-X.4-lease-bounded-by-token] MUST end a lease at the registration expiry plus the margin, never after the token expires', () => {
    expect(leaseExpiresAt(NOW, 600, NOW + 3_600_000)).toBe(NOW + 600_000 + LEASE_MARGIN_MS);
    expect(leaseExpiresAt(NOW, 600, NOW + 300_000)).toBe(NOW + 300_000);
    expect(leaseExpiresAt(NOW, 10, NOW + 3_600_000, 500)).toBe(NOW + 10_500);
  });

  it('[TS33203-X.4-lease-bounded-by-token] MUST ask the core for no longer than the token has left, and for at least one second', () => {
    expect(coreExpires(600, NOW, NOW + 3_600_000)).toBe(600);
    expect(coreExpires(600, NOW, NOW + 299_900)).toBe(299);
    expect(coreExpires(600, NOW, NOW + 200)).toBe(1);
  });

  it('[RFC3261-21.5.4-pool-exhausted-503] MUST say in Retry-After when the first lease in force ends, within 1 s to 1 h', () => {
    expect(retryAfterSeconds([NOW + 90_500, NOW + 30_200], NOW)).toBe(31);
    expect(retryAfterSeconds([NOW - 5], NOW)).toBe(1);
    expect(retryAfterSeconds([NOW + 10 * 3_600_000], NOW)).toBe(3600);
    expect(retryAfterSeconds([], NOW)).toBe(60);
  });
});
