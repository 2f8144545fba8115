/**
 * WafStorage on Redis (node-redis), so that several WAF instances share grants, sessions, codes,
 * token records and signing keys. Layout under the prefix `P` (WAF_REDIS_PREFIX):
 *
 *   P<Model>:<id>            hash {payload: JSON, consumed?: epoch s}, TTL = the model's expiry
 *   P grant:<grantId>        set of record keys issued under the grant (revokeByGrantId)
 *   P uid:<Model>:<uid>      record key (findByUid), same TTL as the record
 *   P userCode:<Model>:<c>   record key (findByUserCode)
 *   P account:<accountId>    sorted set of `<Model>:<id>` (Grant, Session) by first-stored time
 *   P signing-keys           hash kid → StoredSigningKey JSON
 *   P secret:<name>          shared secrets (SET NX)
 *
 * Index keys live as long as the longest record they point at (EXPIRE NX, then GT).
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { createClient } from 'redis';
import { ModelAdapters } from './model-adapters.ts';
import { type AccountEntry, isAccountModel, type StoredSigningKey, type WafStorage } from './storage.ts';

type Client = ReturnType<typeof createClient>;
type Multi = ReturnType<Client['multi']>;

export interface RedisStorageOptions {
  readonly url: string;
  readonly prefix: string;
  /** ms since the epoch, for the account index order; default Date.now */
  readonly now?: () => number;
  /** connection errors (node-redis reconnects by itself); default: ignored */
  readonly onError?: (error: Error) => void;
}

function isSigningKey(v: unknown): v is StoredSigningKey {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.kid === 'string' && typeof r.createdAt === 'number' && typeof r.jwk === 'object';
}

export class RedisStorage extends ModelAdapters implements WafStorage {
  private constructor(
    private readonly client: Client,
    private readonly prefix: string,
    private readonly now: () => number,
  ) {
    super();
  }

  static async open(options: RedisStorageOptions): Promise<RedisStorage> {
    const client = createClient({ url: options.url });
    // node-redis reconnects by itself; without a listener an 'error' event would crash the process.
    client.on('error', (error: Error) => options.onError?.(error));
    await client.connect();
    return new RedisStorage(client, options.prefix, options.now ?? Date.now);
  }

  async accountEntries(accountId: string): Promise<AccountEntry[]> {
    const indexKey = `${this.prefix}account:${accountId}`;
    const members = await this.client.zRangeWithScores(indexKey, 0, -1);
    if (members.length === 0) return [];
    const payloads = await Promise.all(
      members.map((m) => this.client.hGet(`${this.prefix}${m.value}`, 'payload')),
    );
    const entries: AccountEntry[] = [];
    const stale: string[] = [];
    members.forEach((m, i) => {
      const colon = m.value.indexOf(':');
      const model = m.value.slice(0, colon);
      const json = payloads[i];
      const payload = typeof json === 'string' ? (JSON.parse(json) as AdapterPayload) : undefined;
      if (payload?.accountId !== accountId || !isAccountModel(model)) stale.push(m.value);
      else entries.push({ model, id: m.value.slice(colon + 1), since: m.score });
    });
    if (stale.length > 0) await this.client.zRem(indexKey, stale);
    return entries;
  }

  async putSigningKey(key: StoredSigningKey): Promise<void> {
    await this.client.hSet(`${this.prefix}signing-keys`, key.kid, JSON.stringify(key));
  }

  async signingKeys(): Promise<StoredSigningKey[]> {
    const all = await this.client.hGetAll(`${this.prefix}signing-keys`);
    return Object.values(all)
      .map((json) => JSON.parse(json) as unknown)
      .filter(isSigningKey);
  }

  async deleteSigningKey(kid: string): Promise<void> {
    await this.client.hDel(`${this.prefix}signing-keys`, kid);
  }

  async sharedSecret(name: string, candidate: string): Promise<string> {
    const key = `${this.prefix}secret:${name}`;
    await this.client.set(key, candidate, { condition: 'NX' });
    const stored = await this.client.get(key);
    if (stored === null) throw new Error(`shared secret ${name} vanished from Redis`);
    return stored;
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
  }

  protected makeAdapter(model: string): Adapter {
    const p = this.prefix;
    const recordKey = (id: string) => `${p}${model}:${id}`;
    return {
      upsert: async (id, payload, expiresIn) => {
        const key = recordKey(id);
        const multi = this.client.multi().del(key).hSet(key, 'payload', JSON.stringify(payload));
        if (expiresIn !== undefined) multi.expire(key, expiresIn);
        const index = (indexKey: string) => expireLike(multi, indexKey, expiresIn);
        if (typeof payload.grantId === 'string') {
          multi.sAdd(`${p}grant:${payload.grantId}`, key);
          index(`${p}grant:${payload.grantId}`);
        }
        if (typeof payload.uid === 'string') {
          multi.set(`${p}uid:${model}:${payload.uid}`, key);
          index(`${p}uid:${model}:${payload.uid}`);
        }
        if (typeof payload.userCode === 'string') {
          multi.set(`${p}userCode:${model}:${payload.userCode}`, key);
          index(`${p}userCode:${model}:${payload.userCode}`);
        }
        if (isAccountModel(model) && typeof payload.accountId === 'string') {
          const accountKey = `${p}account:${payload.accountId}`;
          multi.zAdd(accountKey, { score: this.now(), value: `${model}:${id}` }, { condition: 'NX' });
          index(accountKey);
        }
        await multi.exec();
      },
      find: async (id) => this.read(recordKey(id)),
      findByUid: async (uid) => this.readVia(`${p}uid:${model}:${uid}`),
      findByUserCode: async (code) => this.readVia(`${p}userCode:${model}:${code}`),
      consume: async (id) => {
        // HSET on a missing key would create it without a TTL: only when it exists.
        const key = recordKey(id);
        if ((await this.client.exists(key)) === 1)
          await this.client.hSet(key, 'consumed', Math.floor(this.now() / 1000));
      },
      destroy: async (id) => {
        await this.client.del(recordKey(id));
      },
      revokeByGrantId: async (grantId) => {
        const indexKey = `${p}grant:${grantId}`;
        const keys = await this.client.sMembers(indexKey);
        await this.client.del([...keys, indexKey]);
      },
    };
  }

  private async read(key: string): Promise<AdapterPayload | undefined> {
    const hash = await this.client.hGetAll(key);
    const json = hash.payload;
    if (json === undefined) return undefined;
    const payload = JSON.parse(json) as AdapterPayload;
    if (hash.consumed !== undefined) payload.consumed = Number(hash.consumed);
    return payload;
  }

  private async readVia(lookupKey: string): Promise<AdapterPayload | undefined> {
    const key = await this.client.get(lookupKey);
    return key === null ? undefined : this.read(key);
  }
}

/** Gives an index key at least the record's lifetime: set when it has none, extend when longer. */
function expireLike(multi: Multi, key: string, expiresIn: number | undefined): void {
  if (expiresIn === undefined) {
    multi.persist(key);
    return;
  }
  multi.expire(key, expiresIn, 'NX');
  multi.expire(key, expiresIn, 'GT');
}
