import { describe, expect, it } from 'vitest';
import { OAuthError, type TokenSet } from './oauth.ts';
import { refreshDelay, type Timers, TokenKeeper } from './token-keeper.ts';

/** A fake clock: `advance(ms)` runs what falls due, in order. */
function fakeTimers() {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      due.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => {
      due.delete(h as number);
    },
  };
  const advance = async (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined || next[1].at > end) break;
      due.delete(next[0]);
      now = next[1].at;
      next[1].fn();
      // let the refresh promise settle
      for (let i = 0; i < 5; i++) await Promise.resolve();
    }
    now = end;
  };
  return { timers, advance };
}

const set = (accessToken: string, expiresAt: number, refreshToken?: string): TokenSet => ({
  accessToken,
  expiresAt,
  refreshToken,
  idToken: undefined,
});

describe('TokenKeeper', () => {
  it('[WIC-token-refresh] MUST refresh the access token before it expires and hand the new one to the phone', async () => {
    const { timers, advance } = fakeTimers();
    const handed: string[] = [];
    const asked: string[] = [];
    let n = 0;
    const keeper = new TokenKeeper({
      timers,
      refresh: async (rt) => {
        asked.push(rt);
        n += 1;
        return set(`at${n}`, timers.now() + 600_000, `rt${n}`);
      },
      onToken: (s) => handed.push(s.accessToken),
      onExpired: () => handed.push('expired'),
    });
    keeper.keep(set('at0', 600_000, 'rt0'));
    await advance(539_999);
    expect(handed).toEqual([]);
    await advance(1);
    expect(handed).toEqual(['at1']);
    expect(asked).toEqual(['rt0']);
    await advance(540_000);
    expect(handed).toEqual(['at1', 'at2']);
    expect(asked).toEqual(['rt0', 'rt1']);
    expect(keeper.current?.accessToken).toBe('at2');
    keeper.stop();
    await advance(10_000_000);
    expect(handed).toEqual(['at1', 'at2']);
  });

  it('[WIC-token-expired] MUST ask for a new sign-in when the WAF refuses the refresh', async () => {
    const { timers, advance } = fakeTimers();
    const events: string[] = [];
    const keeper = new TokenKeeper({
      timers,
      refresh: async () => {
        throw new OAuthError('invalid_grant', 'grant request is invalid', 400);
      },
      onToken: () => events.push('token'),
      onExpired: (reason) => events.push(`expired: ${reason}`),
    });
    keeper.keep(set('at0', 100_000, 'rt0'));
    await advance(100_000);
    expect(events).toEqual(['expired: invalid_grant: grant request is invalid']);
  });

  it('[WIC-token-expired] MUST retry a refresh that failed for the network, and give up at expiry', async () => {
    const { timers, advance } = fakeTimers();
    const events: string[] = [];
    let calls = 0;
    const keeper = new TokenKeeper({
      timers,
      retryMs: 1_000,
      refresh: async () => {
        calls += 1;
        throw new OAuthError('network', 'Failed to fetch', undefined);
      },
      onToken: () => events.push('token'),
      onExpired: () => events.push('expired'),
    });
    keeper.keep(set('at0', 100_000, 'rt0'));
    await advance(95_000);
    expect(calls).toBeGreaterThan(1);
    expect(events).toEqual([]);
    await advance(5_000);
    expect(events).toEqual(['expired']);
  });

  it('[WIC-token-expired] MUST end a token without a refresh token at its expiry', async () => {
    const { timers, advance } = fakeTimers();
    const events: string[] = [];
    const keeper = new TokenKeeper({
      timers,
      refresh: async () => set('never', 0),
      onToken: () => events.push('token'),
      onExpired: () => events.push('expired'),
    });
    keeper.keep(set('guest', 30_000));
    await advance(29_999);
    expect(events).toEqual([]);
    await advance(1);
    expect(events).toEqual(['expired']);
  });

  it('refreshes a tenth of the lifetime early, within 10 s and 5 min', () => {
    expect(refreshDelay(set('a', 600_000), 0, 600_000)).toBe(540_000);
    expect(refreshDelay(set('a', 30_000), 0, 30_000)).toBe(20_000);
    expect(refreshDelay(set('a', 86_400_000), 0, 86_400_000)).toBe(86_100_000);
  });
});
