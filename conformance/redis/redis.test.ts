import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortFree, PortAllocator } from '../harness/ports.ts';
import { groupAlive } from '../harness/process.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type Redis, redisCommands, redisPing, startRedis } from './redis.ts';

describe('redis peer', () => {
  let ports: PortAllocator;
  let redis: Redis | undefined;
  printPeerOutputOnFailure(() => [redis]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
  });
  afterAll(async () => {
    await redis?.stop();
    await ports.close();
  });

  it('[HARNESS-redis-lifecycle] MUST start without persistence on a free port, answer PING and a SET/GET round trip, and leave no process or port behind on stop', async () => {
    const peer = await startRedis({ ports });
    redis = peer;
    expect(await redisPing(peer.host, peer.port)).toBe(true);

    const replies = await redisCommands(peer.host, peer.port, [
      ['SET', 'harness:key', 'värde'],
      ['GET', 'harness:key'],
      ['CONFIG', 'GET', 'appendonly'],
    ]);
    expect(replies?.[0]).toBe('+OK');
    expect(replies?.[1]).toBe(`$${Buffer.byteLength('värde')}\r\nvärde`);
    expect(replies?.[2]).toBe('*2\r\n$10\r\nappendonly\r\n$2\r\nno');

    await peer.stop();
    expect(groupAlive(peer.process.pid)).toBe(false);
    expect(await isPortFree(peer.port, 'tcp')).toBe(true);
  });
});
