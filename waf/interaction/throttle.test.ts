import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './throttle.ts';

function throttle(maxFailures = 3, maxAddressFailures = 5, windowS = 60, alarmFailures = 4) {
  let now = 1_000_000;
  const t = new LoginThrottle({
    maxFailures,
    maxAddressFailures,
    windowMs: windowS * 1000,
    alarmFailures,
    now: () => now,
  });
  return { t, advance: (s: number) => (now += s * 1000) };
}

describe('failed-login throttle', () => {
  it('[WAF-login-throttle-account] MUST block an account after the configured failures in the window and say when to retry', () => {
    const { t, advance } = throttle();
    t.fail('alice@example.com', '192.0.2.1');
    advance(10);
    t.fail('alice@example.com', '192.0.2.2');
    expect(t.check('alice@example.com', '192.0.2.3')).toEqual({ blocked: false });
    t.fail('alice@example.com', '192.0.2.4');
    expect(t.check('alice@example.com', '198.51.100.7')).toEqual({ blocked: true, retryAfterS: 50 });
    expect(t.check('bob@example.com', '192.0.2.1')).toEqual({ blocked: false });
    advance(50);
    expect(t.check('alice@example.com', '198.51.100.7')).toEqual({ blocked: false });
  });

  it('[WAF-login-throttle-address] MUST block a source address failing on many accounts, at its own limit', () => {
    const { t } = throttle();
    for (const user of ['a', 'b', 'c', 'd']) t.fail(`${user}@example.com`, '192.0.2.9');
    expect(t.check('e@example.com', '192.0.2.9')).toEqual({ blocked: false });
    t.fail('e@example.com', '192.0.2.9');
    expect(t.check('f@example.com', '192.0.2.9')).toMatchObject({ blocked: true });
    expect(t.check('f@example.com', '192.0.2.10')).toEqual({ blocked: false });
  });

  it('[WAF-login-throttle-success] MUST clear the account failures on a successful login but keep the address ones', () => {
    const { t } = throttle(3, 3);
    t.fail('alice@example.com', '192.0.2.1');
    t.fail('alice@example.com', '192.0.2.1');
    t.succeed('alice@example.com');
    t.fail('alice@example.com', '192.0.2.1');
    expect(t.check('alice@example.com', '192.0.2.2')).toEqual({ blocked: false });
    expect(t.check('bob@example.com', '192.0.2.1')).toMatchObject({ blocked: true });
  });

  it('[WAF-login-alarm] MUST raise the alarm while failures of all accounts in the window exceed the alarm count, and clear it after', () => {
    const { t, advance } = throttle(100, 100, 60, 4);
    for (let i = 0; i < 4; i++) t.fail(`u${i}@example.com`, '192.0.2.1');
    expect(t.alarm()).toBe(false);
    t.fail('u9@example.com', '192.0.2.1');
    expect(t.alarm()).toBe(true);
    advance(61);
    expect(t.alarm()).toBe(false);
  });
});
