/**
 * One contract for both throttles: in memory, and on a real redis-server (started by the
 * conformance harness; each test gets its own key prefix). Time is a fake clock for both: the
 * Redis throttle scores failures by the injected clock.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PortAllocator } from '../../conformance/harness/ports.ts';
import { type Redis, startRedis } from '../../conformance/redis/redis.ts';
import {
  type LoginThrottle,
  MemoryLoginThrottle,
  RedisLoginThrottle,
  type ThrottleOptions,
} from './throttle.ts';

let ports: PortAllocator | undefined;
let redis: Redis | undefined;
const opened: LoginThrottle[] = [];

beforeAll(async () => {
  ports = await PortAllocator.open();
  redis = await startRedis({ ports });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});
afterAll(async () => {
  await redis?.stop();
  await ports?.close();
});

async function redisClient() {
  if (redis === undefined) throw new Error('redis did not start');
  const client = createClient({ url: redis.url });
  await client.connect();
  return client;
}

type Open = (options: ThrottleOptions, prefix: string) => Promise<LoginThrottle>;

const implementations: [string, Open][] = [
  ['MemoryLoginThrottle', async (options) => new MemoryLoginThrottle(options)],
  [
    'RedisLoginThrottle (real redis-server)',
    async (options, prefix) => new RedisLoginThrottle({ ...options, client: await redisClient(), prefix }),
  ],
];

describe.each(implementations)('failed-login throttle contract: %s', (_name, open) => {
  async function throttle(maxFailures = 3, maxAddressFailures = 5, windowS = 60, alarmFailures = 4) {
    let now = 1_000_000;
    const t = await open(
      { maxFailures, maxAddressFailures, windowMs: windowS * 1000, alarmFailures, now: () => now },
      `test:${randomUUID()}:`,
    );
    opened.push(t);
    return { t, advance: (s: number) => (now += s * 1000) };
  }

  it('[WAF-login-throttle-account] MUST block an account after the configured failures in the window and say when to retry', async () => {
    const { t, advance } = await throttle();
    await t.fail('alice@example.com', '192.0.2.1');
    advance(10);
    await t.fail('alice@example.com', '192.0.2.2');
    expect(await t.check('alice@example.com', '192.0.2.3')).toEqual({ blocked: false });
    await t.fail('alice@example.com', '192.0.2.4');
    expect(await t.check('alice@example.com', '198.51.100.7')).toEqual({ blocked: true, retryAfterS: 50 });
    expect(await t.check('bob@example.com', '192.0.2.1')).toEqual({ blocked: false });
    advance(50);
    expect(await t.check('alice@example.com', '198.51.100.7')).toEqual({ blocked: false });
  });

  it('[WAF-login-throttle-account] MUST count failures of the same millisecond each', async () => {
    const { t } = await throttle();
    for (let i = 0; i < 3; i++) await t.fail('alice@example.com', '192.0.2.1');
    expect(await t.check('alice@example.com', '192.0.2.2')).toEqual({ blocked: true, retryAfterS: 60 });
  });

  it('[WAF-login-throttle-address] MUST block a source address failing on many accounts, at its own limit', async () => {
    const { t } = await throttle();
    for (const user of ['a', 'b', 'c', 'd']) await t.fail(`${user}@example.com`, '192.0.2.9');
    expect(await t.check('e@example.com', '192.0.2.9')).toEqual({ blocked: false });
    await t.fail('e@example.com', '192.0.2.9');
    expect(await t.check('f@example.com', '192.0.2.9')).toMatchObject({ blocked: true });
    expect(await t.check('f@example.com', '192.0.2.10')).toEqual({ blocked: false });
  });

  it('[WAF-login-throttle-success] MUST clear the account failures on a successful login but keep the address ones', async () => {
    const { t } = await throttle(3, 3);
    await t.fail('alice@example.com', '192.0.2.1');
    await t.fail('alice@example.com', '192.0.2.1');
    await t.succeed('alice@example.com');
    await t.fail('alice@example.com', '192.0.2.1');
    expect(await t.check('alice@example.com', '192.0.2.2')).toEqual({ blocked: false });
    expect(await t.check('bob@example.com', '192.0.2.1')).toMatchObject({ blocked: true });
  });

  it('[WAF-login-alarm] MUST raise the alarm while failures of all accounts in the window exceed the alarm count, and clear it after', async () => {
    const { t, advance } = await throttle(100, 100, 60, 4);
    for (let i = 0; i < 4; i++) await t.fail(`u${i}@example.com`, '192.0.2.1');
    expect(await t.alarm()).toBe(false);
    expect(t.alarmNow()).toBe(false);
    await t.fail('u9@example.com', '192.0.2.1');
    expect(await t.alarm()).toBe(true);
    expect(t.alarmNow()).toBe(true);
    advance(61);
    expect(t.alarmNow()).toBe(false);
    expect(await t.alarm()).toBe(false);
  });
});

describe('failed-login throttle shared on Redis', () => {
  async function pair(options: Partial<ThrottleOptions> = {}) {
    let now = 1_000_000;
    const prefix = `test:${randomUUID()}:`;
    const all: ThrottleOptions = {
      maxFailures: 3,
      maxAddressFailures: 100,
      windowMs: 60_000,
      alarmFailures: 4,
      now: () => now,
      ...options,
    };
    const a = new RedisLoginThrottle({ ...all, client: await redisClient(), prefix });
    const b = new RedisLoginThrottle({ ...all, client: await redisClient(), prefix });
    opened.push(a, b);
    return { a, b, prefix, advance: (s: number) => (now += s * 1000) };
  }

  it('[WAF-login-throttle-shared] MUST block an account at every instance once its failures spread over the instances reach the limit', async () => {
    const { a, b } = await pair();
    await a.fail('alice@example.com', '192.0.2.1');
    await b.fail('alice@example.com', '192.0.2.2');
    expect(await a.check('alice@example.com', '192.0.2.3')).toEqual({ blocked: false });
    await a.fail('alice@example.com', '192.0.2.3');
    expect(await b.check('alice@example.com', '192.0.2.4')).toEqual({ blocked: true, retryAfterS: 60 });
    await b.succeed('alice@example.com');
    expect(await a.check('alice@example.com', '192.0.2.4')).toEqual({ blocked: false });
  });

  it('[WAF-login-alarm-shared] MUST raise the alarm of every instance from the failures of all instances', async () => {
    const { a, b, advance } = await pair();
    for (let i = 0; i < 3; i++) await a.fail(`u${i}@example.com`, '192.0.2.1');
    await b.fail('u8@example.com', '192.0.2.2');
    expect(await a.alarm()).toBe(false);
    await b.fail('u9@example.com', '192.0.2.2');
    expect(await a.alarm()).toBe(true);
    expect(a.alarmNow()).toBe(true);
    advance(61);
    expect(await b.alarm()).toBe(false);
  });

  it('[WAF-login-throttle-shared] MUST NOT write user names, addresses or anything but failure times into Redis, and let the keys expire with the window', async () => {
    const { a, prefix } = await pair();
    await a.fail('alice@example.com', '192.0.2.1');
    const client = await redisClient();
    try {
      const keys = await client.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(key).not.toMatch(/alice|192\.0\.2\.1/);
        const ttl = await client.pTTL(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
        const members = await client.zRange(key, 0, -1);
        for (const m of members) expect(m).not.toMatch(/alice|192\.0\.2\.1/);
      }
    } finally {
      await client.close();
    }
  });
});
