/**
 * Failed-login throttling shared by two WAF instances on one Redis (REDIS_URL), as behind a load
 * balancer: guesses spread over the instances count once, so the account is blocked at both.
 * Driven over real HTTP through the login form.
 */
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriberDirectory } from '../../store/directory.ts';
import { type RunningWaf, startWaf } from '../../waf/index.ts';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type Redis, startRedis } from '../redis/redis.ts';
import { Browser, form, formAction, pkcePair } from './browser.ts';
import { PASSWORD, seededDirectory } from './fixtures.ts';

let ports: PortAllocator;
let redis: Redis | undefined;
let directory: SubscriberDirectory;
let a: RunningWaf;
let b: RunningWaf;
const registryA = new Registry();
printPeerOutputOnFailure(() => [redis]);

beforeAll(async () => {
  ports = await PortAllocator.open();
  redis = await startRedis({ ports });
  directory = await seededDirectory();
  const env = {
    REDIS_URL: redis.url,
    WAF_REDIS_PREFIX: `waf-${randomUUID()}:`,
    WAF_LOGIN_MAX_FAILURES: '3',
    WAF_LOGIN_WINDOW: '60',
    WAF_LOGIN_ALARM_FAILURES: '4',
  };
  a = await startWaf({ directory, env, registry: registryA });
  b = await startWaf({ directory, env });
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await directory?.close();
  await redis?.stop();
  await ports?.close();
});

/** Opens the wic's login page at `w` and posts the form. */
async function attempt(w: RunningWaf, username: string, password: string) {
  const browser = new Browser();
  const issuer = w.issuer();
  const query = new URLSearchParams({
    client_id: 'wic',
    response_type: 'code',
    redirect_uri: `${w.origin}/callback`,
    scope: 'openid ims',
    code_challenge: pkcePair().challenge,
    code_challenge_method: 'S256',
  });
  const { response: page } = await browser.follow(`${issuer}/auth?${query}`, issuer);
  const action = new URL(formAction(await page.text(), '/login'), w.origin).href;
  const response = await browser.request(action, form({ username, password }));
  return { response, html: response.status === 303 ? '' : await response.text() };
}

async function alarmMetric(registry: Registry): Promise<number | undefined> {
  const line = (await registry.metrics())
    .split('\n')
    .find((l) => l.startsWith('webrtc_ims_waf_login_alarm '));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('failed-login throttle shared by two WAF instances on one Redis', () => {
  it('[WAF-login-throttle-shared] MUST answer 429 with Retry-After at one instance once an account failed too often at the instances together', async () => {
    expect((await attempt(a, 'alice@example.com', 'guess-1')).response.status).toBe(401);
    expect((await attempt(a, 'alice@example.com', 'guess-2')).response.status).toBe(401);
    expect((await attempt(b, 'alice@example.com', 'guess-3')).response.status).toBe(401);
    for (const w of [a, b]) {
      const blocked = await attempt(w, 'alice@example.com', PASSWORD);
      expect(blocked.response.status).toBe(429);
      const retryAfter = Number(blocked.response.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(blocked.html).toContain('Too many failed sign-ins');
    }
    expect((await attempt(b, 'bob@example.com', PASSWORD)).response.status).toBe(303);
  });

  it('[WAF-login-alarm-shared] MUST raise webrtc_ims_waf_login_alarm at an instance from failures seen by the other', async () => {
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5']) await attempt(b, `${user}@example.com`, 'bad');
    // The scrape answers from the last read and starts a re-read; the next one sees Redis.
    await alarmMetric(registryA);
    await expect.poll(() => alarmMetric(registryA)).toBe(1);
  });
});
