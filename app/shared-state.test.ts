import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortAllocator } from '../conformance/harness/ports.ts';
import { type Postgres, startPostgres } from '../conformance/postgres/postgres.ts';
import { type Redis, startRedis } from '../conformance/redis/redis.ts';
import { openRedisRegistrationStore } from '../store/redis-registration-store.ts';
import { type RunningApp, startApp } from './app.ts';
import { type Config, loadConfig } from './config.ts';
import type { RoleContext, RoleDescriptor } from './roles.ts';
import { memoryLogger } from './test-log.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'webrtc-ims-app-state-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function config(env: Record<string, string>): Config {
  const result = loadConfig({ HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', ROLES: 'waf', ...env });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

/** A role that keeps the context it was started with. */
function probeRole(seen: RoleContext[]): RoleDescriptor {
  return {
    name: 'waf',
    title: 'probe',
    async start(context) {
      seen.push(context);
      return { state: 'up', stop: async () => {} };
    },
  };
}

async function run(env: Record<string, string>) {
  const seen: RoleContext[] = [];
  const log = memoryLogger();
  const app: RunningApp = await startApp({
    config: config(env),
    logger: log.logger,
    roles: [probeRole(seen)],
  });
  const context = seen[0];
  if (context === undefined) throw new Error('role not started');
  return { app, context, lines: log.lines };
}

describe('shared state at npm start', () => {
  it('[STORE-wiring-directory] MUST open the directory before the roles, seed it once with the lab seed, and close it after they stop', async () => {
    const file = path.join(scratch, 'nested', 'dir', 'webrtc-ims.sqlite');
    const first = await run({ DATABASE_FILE: file });
    const alice = await first.context.directory.findSubscriber('alice', 'ims.lab');
    expect(alice?.role).toBe('user');
    expect(first.context.registrations).toBeUndefined();
    expect(first.lines).toContainEqual(
      expect.objectContaining({ module: 'app', file, msg: 'subscriber directory opened and seeded' }),
    );
    expect(JSON.stringify(first.lines)).not.toMatch(/web-password|lab-password/);
    // A change made while running survives the restart; the seed is not applied again.
    await first.context.directory.deleteSubscriber(alice?.id ?? '');
    await first.app.stop();
    await expect(first.context.directory.listDomains()).rejects.toThrow();
    expect(existsSync(file)).toBe(true);

    const second = await run({ DATABASE_FILE: file });
    expect(await second.context.directory.findSubscriber('alice', 'ims.lab')).toBeUndefined();
    expect((await second.context.directory.findSubscriber('bob', 'ims.lab'))?.role).toBe('user');
    expect(second.lines).toContainEqual(
      expect.objectContaining({ seeded: false, reason: 'already provisioned' }),
    );
    await second.app.stop();
  });

  it('[STORE-wiring-directory] MUST start with an empty directory when DIRECTORY_SEED is empty', async () => {
    const { app, context, lines } = await run({ DATABASE_FILE: ':memory:', DIRECTORY_SEED: '' });
    expect(await context.directory.listDomains()).toEqual([]);
    expect(lines).toContainEqual(expect.objectContaining({ seeded: false, reason: 'no seed configured' }));
    await app.stop();
  });

  describe('with DATABASE_URL', () => {
    let ports: PortAllocator;
    let postgres: Postgres;
    beforeAll(async () => {
      ports = await PortAllocator.open();
      postgres = await startPostgres({ ports });
    });
    afterAll(async () => {
      await postgres?.stop();
      await ports?.close();
    });

    it('[STORE-wiring-postgres] MUST keep the directory in PostgreSQL, seeded once and shared by instances, without logging the URL credentials', async () => {
      // Trust authentication on the test cluster: any password is accepted, and none may show.
      const url = `postgres://postgres:hunter2@${postgres.host}:${postgres.port}/postgres`;
      const file = path.join(scratch, 'unused', 'webrtc-ims.sqlite');
      const first = await run({ DATABASE_URL: url, DATABASE_FILE: file });
      const second = await run({ DATABASE_URL: url, DATABASE_FILE: file });
      expect(first.lines).toContainEqual(
        expect.objectContaining({
          database: `postgres://${postgres.host}:${postgres.port}/postgres`,
          msg: 'subscriber directory opened and seeded',
        }),
      );
      expect(second.lines).toContainEqual(
        expect.objectContaining({ seeded: false, reason: 'already provisioned' }),
      );
      const alice = await first.context.directory.findSubscriber('alice', 'ims.lab');
      expect(alice?.role).toBe('user');
      await second.context.directory.deleteSubscriber(alice?.id ?? '');
      expect(await first.context.directory.findSubscriber('alice', 'ims.lab')).toBeUndefined();
      expect(JSON.stringify([...first.lines, ...second.lines])).not.toMatch(/hunter2|lab-password/);
      expect(existsSync(file)).toBe(false);
      await first.app.stop();
      await second.app.stop();
      await expect(first.context.directory.listDomains()).rejects.toThrow();

      const refused = await run({ DATABASE_URL: `${url.replace('/postgres', '/no_such_db')}` }).catch(
        (e: unknown) => e,
      );
      expect(String(refused)).toMatch(/cannot open the subscriber directory .*no_such_db/);
      expect(String(refused)).not.toContain('hunter2');
    });
  });

  describe('with REDIS_URL', () => {
    let ports: PortAllocator;
    let redis: Redis;
    beforeAll(async () => {
      ports = await PortAllocator.open();
      redis = await startRedis({ ports });
    });
    afterAll(async () => {
      await redis?.stop();
      await ports?.close();
    });

    it('[STORE-wiring-redis] MUST hand the roles a registration store kept in Redis, shared with other instances', async () => {
      const url = `redis://:hunter2@${redis.host}:${redis.port}`;
      // A refused first connection fails the start (no endless retries) and never shows the password.
      const refused = await run({ DATABASE_FILE: ':memory:', DIRECTORY_SEED: '', REDIS_URL: url }).catch(
        (e: unknown) => e,
      );
      expect(String(refused)).toMatch(/cannot connect to redis/);
      expect(String(refused)).not.toContain('hunter2');
      const { app, context, lines } = await run({
        DATABASE_FILE: ':memory:',
        DIRECTORY_SEED: '',
        REDIS_URL: redis.url,
      });
      const store = context.registrations;
      expect(store).toBeDefined();
      await store?.put({
        aor: 'sip:alice@ims.lab',
        contact: 'sip:a@x.invalid;transport=ws',
        instanceId: undefined,
        regId: undefined,
        connectionId: 'ws-1',
        expiresAt: Date.now() + 60_000,
        serviceRoute: [],
        associatedUris: ['<sip:alice@ims.lab>'],
        impi: 'alice@ims.lab',
        callId: 'c1',
      });
      const other = await openRedisRegistrationStore(redis.url);
      expect((await other.store.forAor('sip:alice@ims.lab')).map((b) => b.connectionId)).toEqual(['ws-1']);
      await other.close();
      expect(lines).toContainEqual(expect.objectContaining({ redis: `redis://${redis.host}:${redis.port}` }));
      await app.stop();
      await expect(store?.size()).rejects.toThrow();
    });
  });
});
