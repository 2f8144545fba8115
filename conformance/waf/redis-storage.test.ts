import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { RedisStorage } from '../../waf/storage/redis-storage.ts';
import { storageContract } from '../../waf/storage/storage-contract.ts';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type Redis, startRedis } from '../redis/redis.ts';

let ports: PortAllocator;
let redis: Redis | undefined;
printPeerOutputOnFailure(() => [redis]);

beforeAll(async () => {
  ports = await PortAllocator.open();
  redis = await startRedis({ ports });
});
afterAll(async () => {
  await redis?.stop();
  await ports?.close();
});

// Each test gets its own key prefix on the one server, so tests never see each other's keys.
storageContract('RedisStorage (real redis-server)', async () => {
  if (redis === undefined) throw new Error('redis did not start');
  return {
    storage: await RedisStorage.open({ url: redis.url, prefix: `test:${randomUUID()}:` }),
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
});
