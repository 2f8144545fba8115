/**
 * The RegistrationStore on Redis (node-redis 5), for several eP-CSCF instances sharing their
 * registrations. Layout, all under one prefix whose `{...}` hash tag keeps every key in one
 * Redis Cluster slot (so the scripts below may touch keys they compute):
 *   <prefix>aor:<AOR>          hash: contact → binding (JSON)
 *   <prefix>conn:<connection>  set: members `["<AOR>","<contact>"]` registered over it
 *   <prefix>expiry             sorted set: the same members, scored by expiresAt (ms)
 * Each write is one Lua script, so Redis runs it alone: an expired binding is removed and
 * returned by exactly one `expire()` caller, whichever instance it runs in.
 */

import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import type { ContactBinding, RegistrationStore } from './registration-store.ts';

/** The part of a node-redis client this store uses (so tests may hand in any connected client). */
export interface RedisScripting {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

export interface RedisRegistrationStoreOptions {
  /** key prefix; default `webrtc-ims:{reg}:` */
  readonly prefix?: string;
  /** bindings removed per script run by expire(), so one run never blocks Redis for long */
  readonly expireBatch?: number;
}

export interface RedisConnectOptions extends RedisRegistrationStoreOptions {
  /** connection faults (the client reconnects by itself; commands meanwhile reject) */
  readonly onError?: (error: unknown) => void;
}

interface Script {
  readonly source: string;
  readonly sha1: string;
}

function script(source: string): Script {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

// KEYS: aor hash, expiry zset, new connection set. ARGV: contact, binding, expiresAt, member, conn prefix.
const PUT = script(`
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then redis.call('SREM', ARGV[5] .. cjson.decode(old).connectionId, ARGV[4]) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return 1`);

// KEYS: aor hash, expiry zset. ARGV: contact, member, conn prefix.
const REMOVE = script(`
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', ARGV[3] .. cjson.decode(old).connectionId, ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1`);

// KEYS: connection set. ARGV: aor prefix.
const FOR_CONNECTION = script(`
local out = {}
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local k = cjson.decode(m)
  local v = redis.call('HGET', ARGV[1] .. k[1], k[2])
  if v then out[#out + 1] = v end
end
return out`);

// KEYS: expiry zset. ARGV: now, aor prefix, conn prefix, batch size.
const EXPIRE = script(`
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[4]))) do
  local k = cjson.decode(m)
  local key = ARGV[2] .. k[1]
  local v = redis.call('HGET', key, k[2])
  redis.call('ZREM', KEYS[1], m)
  if v then
    redis.call('HDEL', key, k[2])
    redis.call('SREM', ARGV[3] .. cjson.decode(v).connectionId, m)
    out[#out + 1] = v
  end
end
return out`);

const HVALS = script(`return redis.call('HVALS', KEYS[1])`);
const ZCARD = script(`return redis.call('ZCARD', KEYS[1])`);

function optionalString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Error(`stored binding has a bad ${key}`);
  return v;
}

/** Parses a stored binding back into its type (the store is shared: do not trust its bytes blindly). */
export function parseBinding(json: string): ContactBinding {
  const o: unknown = JSON.parse(json);
  if (typeof o !== 'object' || o === null) throw new Error('stored binding is not an object');
  const r = o as Record<string, unknown>;
  const str = (key: string): string => {
    const v = optionalString(r, key);
    if (v === undefined) throw new Error(`stored binding lacks ${key}`);
    return v;
  };
  const list = (key: string): string[] => {
    const v = r[key];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      throw new Error(`stored binding has a bad ${key}`);
    return v;
  };
  const regId = r['regId'];
  const expiresAt = r['expiresAt'];
  if (regId !== undefined && regId !== null && typeof regId !== 'number')
    throw new Error('stored binding has a bad regId');
  if (typeof expiresAt !== 'number') throw new Error('stored binding has a bad expiresAt');
  return {
    aor: str('aor'),
    contact: str('contact'),
    instanceId: optionalString(r, 'instanceId'),
    regId: typeof regId === 'number' ? regId : undefined,
    connectionId: str('connectionId'),
    expiresAt,
    serviceRoute: list('serviceRoute'),
    associatedUris: list('associatedUris'),
    impi: optionalString(r, 'impi'),
    callId: str('callId'),
  };
}

function replies(reply: unknown): string[] {
  if (!Array.isArray(reply) || !reply.every((x) => typeof x === 'string'))
    throw new Error('unexpected Redis reply');
  return reply;
}

export class RedisRegistrationStore implements RegistrationStore {
  private readonly prefix: string;
  private readonly batch: number;

  constructor(
    private readonly redis: RedisScripting,
    options: RedisRegistrationStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'webrtc-ims:{reg}:';
    this.batch = options.expireBatch ?? 500;
  }

  private aorKey(aor: string): string {
    return `${this.prefix}aor:${aor}`;
  }
  private connKey(connectionId: string): string {
    return `${this.prefix}conn:${connectionId}`;
  }
  private get expiryKey(): string {
    return `${this.prefix}expiry`;
  }

  /** EVALSHA, loading the script with EVAL the first time a server has not seen it. */
  private async run(s: Script, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalSha(s.sha1, { keys, arguments: args });
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.redis.eval(s.source, { keys, arguments: args });
    }
  }

  async put(b: ContactBinding): Promise<void> {
    const member = JSON.stringify([b.aor, b.contact]);
    await this.run(
      PUT,
      [this.aorKey(b.aor), this.expiryKey, this.connKey(b.connectionId)],
      [b.contact, JSON.stringify(b), String(b.expiresAt), member, this.connKey('')],
    );
  }

  async remove(aor: string, contact: string): Promise<boolean> {
    const member = JSON.stringify([aor, contact]);
    const removed = await this.run(
      REMOVE,
      [this.aorKey(aor), this.expiryKey],
      [contact, member, this.connKey('')],
    );
    return removed === 1;
  }

  async forAor(aor: string): Promise<ContactBinding[]> {
    const values = await this.run(HVALS, [this.aorKey(aor)], []);
    return replies(values).map(parseBinding);
  }

  async forConnection(connectionId: string): Promise<ContactBinding[]> {
    const values = await this.run(FOR_CONNECTION, [this.connKey(connectionId)], [this.aorKey('')]);
    return replies(values).map(parseBinding);
  }

  async expire(now: number): Promise<ContactBinding[]> {
    const gone: ContactBinding[] = [];
    for (;;) {
      const values = replies(
        await this.run(
          EXPIRE,
          [this.expiryKey],
          [String(now), this.aorKey(''), this.connKey(''), String(this.batch)],
        ),
      );
      gone.push(...values.map(parseBinding));
      if (values.length < this.batch) return gone;
    }
  }

  async size(): Promise<number> {
    const count = await this.run(ZCARD, [this.expiryKey], []);
    if (typeof count !== 'number') throw new Error('unexpected Redis reply');
    return count;
  }
}

export interface OpenedRedisRegistrationStore {
  readonly store: RedisRegistrationStore;
  /** Closes the connection (pending commands finish first). */
  close(): Promise<void>;
}

/** Connects to `url` and returns the store over that connection. */
export async function openRedisRegistrationStore(
  url: string,
  options: RedisConnectOptions = {},
): Promise<OpenedRedisRegistrationStore> {
  // The first connection must succeed (a wrong URL or password fails the start instead of
  // hanging in retries); once connected, the client reconnects by itself, backing off to 5 s.
  let connected = false;
  const client = createClient({
    url,
    socket: {
      connectTimeout: 5_000,
      reconnectStrategy: (retries: number, cause: Error) =>
        connected
          ? Math.min(100 * 2 ** retries, 5_000)
          : new Error(`cannot connect to redis: ${cause.message}`),
    },
  });
  // Without a listener node-redis rethrows connection faults as process-level exceptions.
  client.on('error', (error: unknown) => options.onError?.(error));
  await client.connect();
  connected = true;
  return {
    store: new RedisRegistrationStore(client, options),
    close: async () => {
      if (client.isOpen) await client.close();
    },
  };
}
