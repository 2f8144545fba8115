/**
 * The state the roles share, opened before they start and closed after they stop: the
 * subscriber directory (SQLite file, or PostgreSQL when DATABASE_URL is set; seeded on first
 * use) and, when REDIS_URL is set, the Redis registration store. Passwords and the URLs (which
 * may hold one) are never logged.
 */

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { SubscriberDirectory } from '../store/directory.ts';
import { openPostgresDirectory } from '../store/postgres-directory.ts';
import { openRedisRegistrationStore } from '../store/redis-registration-store.ts';
import type { RegistrationStore } from '../store/registration-store.ts';
import { seedDirectory } from '../store/seed.ts';
import { openSqliteDirectory } from '../store/sqlite-directory.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';

export interface SharedState {
  readonly directory: SubscriberDirectory;
  /** undefined: each role keeps its registrations in memory */
  readonly registrations: RegistrationStore | undefined;
  close(): Promise<void>;
}

/** Host and port of a Redis or PostgreSQL URL, for logs (never its user or password). */
function endpoint(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
}

export async function openSharedState(
  config: Pick<Config, 'databaseFile' | 'databaseUrl' | 'directorySeed' | 'redisUrl'>,
  logger: Logger,
): Promise<SharedState> {
  const { directory, where } = await openDirectory(config, logger);
  try {
    const empty = (await directory.listDomains()).length === 0;
    if (empty && config.directorySeed !== undefined) {
      const report = await seedDirectory(directory, config.directorySeed);
      logger.info(
        { ...where, seed: config.directorySeed, ...report },
        'subscriber directory opened and seeded',
      );
    } else {
      const reason = empty ? 'no seed configured' : 'already provisioned';
      logger.info({ ...where, seeded: false, reason }, `subscriber directory opened (${reason})`);
    }
    if (config.redisUrl === undefined)
      return { directory, registrations: undefined, close: () => directory.close() };
    const redisAt = endpoint(config.redisUrl);
    // The client retries by itself; say so at most every 10 s, with how many faults were not logged.
    let lastLog = 0;
    let unlogged = 0;
    const redis = await openRedisRegistrationStore(config.redisUrl, {
      onError: (error) => {
        if (Date.now() - lastLog < 10_000) return void unlogged++;
        logger.warn({ err: error, redis: redisAt, unlogged }, 'redis connection fault; reconnecting');
        lastLog = Date.now();
        unlogged = 0;
      },
    });
    logger.info({ redis: redisAt }, 'registrations are kept in redis');
    return {
      directory,
      registrations: redis.store,
      close: async () => {
        await redis.close();
        await directory.close();
      },
    };
  } catch (error) {
    await directory.close();
    throw error;
  }
}

/** The SQLite file, or PostgreSQL when DATABASE_URL is set; `where` names it for logs. */
async function openDirectory(
  config: Pick<Config, 'databaseFile' | 'databaseUrl'>,
  logger: Logger,
): Promise<{ directory: SubscriberDirectory; where: Record<string, string> }> {
  if (config.databaseUrl !== undefined) {
    const database = endpoint(config.databaseUrl);
    const directory = await openPostgresDirectory({
      url: config.databaseUrl,
      onError: (error) => logger.warn({ err: error, database }, 'postgres connection fault; reconnecting'),
    }).catch((error: unknown) => {
      // node-postgres errors name the host, database or role, never the password.
      throw new Error(`cannot open the subscriber directory at ${database}: ${String(error)}`);
    });
    return { directory, where: { database } };
  }
  const file = config.databaseFile;
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return { directory: await openSqliteDirectory({ file }), where: { file } };
}
