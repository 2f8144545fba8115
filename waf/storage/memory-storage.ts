/**
 * The embedded WafStorage: maps in this process, with expiry read from an injected clock.
 * Records are kept as JSON text, as in Redis, so a caller never shares an object with the
 * store. Expired records are dropped when read, and all of them every `SWEEP_EVERY` writes.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { ModelAdapters } from './model-adapters.ts';
import { type AccountEntry, isAccountModel, type StoredSigningKey, type WafStorage } from './storage.ts';

interface Entry {
  readonly json: string;
  /** ms since the epoch; undefined: never */
  readonly expiresAt: number | undefined;
  consumed?: number;
}

const SWEEP_EVERY = 1000;

export interface MemoryStorageOptions {
  /** ms since the epoch; default Date.now */
  readonly now?: () => number;
}

export class MemoryStorage extends ModelAdapters implements WafStorage {
  private readonly now: () => number;
  private readonly records = new Map<string, Entry>();
  /** grantId → keys of the records issued under it (any model) */
  private readonly byGrant = new Map<string, Set<string>>();
  /** `${model}:uid:${uid}` or `${model}:userCode:${code}` → record key */
  private readonly lookups = new Map<string, string>();
  /** accountId → record key → first stored at */
  private readonly byAccount = new Map<string, Map<string, number>>();
  private readonly keys = new Map<string, StoredSigningKey>();
  private readonly secrets = new Map<string, string>();
  private writes = 0;

  constructor(options: MemoryStorageOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
  }

  async accountEntries(accountId: string): Promise<AccountEntry[]> {
    const index = this.byAccount.get(accountId);
    if (index === undefined) return [];
    const entries: AccountEntry[] = [];
    for (const [key, since] of index) {
      const payload = this.read(key);
      const [model = '', id = ''] = splitKey(key);
      if (payload === undefined || payload.accountId !== accountId || !isAccountModel(model)) {
        index.delete(key);
        continue;
      }
      entries.push({ model, id, since });
    }
    if (index.size === 0) this.byAccount.delete(accountId);
    return entries.sort((a, b) => a.since - b.since);
  }

  async putSigningKey(key: StoredSigningKey): Promise<void> {
    this.keys.set(key.kid, structuredClone(key));
  }

  async signingKeys(): Promise<StoredSigningKey[]> {
    return [...this.keys.values()].map((k) => structuredClone(k));
  }

  async deleteSigningKey(kid: string): Promise<void> {
    this.keys.delete(kid);
  }

  async sharedSecret(name: string, candidate: string): Promise<string> {
    const stored = this.secrets.get(name);
    if (stored !== undefined) return stored;
    this.secrets.set(name, candidate);
    return candidate;
  }

  async close(): Promise<void> {
    this.records.clear();
    this.byGrant.clear();
    this.lookups.clear();
    this.byAccount.clear();
  }

  protected makeAdapter(model: string): Adapter {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      upsert: async (id, payload, expiresIn) => this.upsert(model, keyOf(id), payload, expiresIn),
      find: async (id) => this.read(keyOf(id)),
      findByUid: async (uid) => this.readVia(`${model}:uid:${uid}`),
      findByUserCode: async (code) => this.readVia(`${model}:userCode:${code}`),
      consume: async (id) => {
        const entry = this.live(keyOf(id));
        if (entry !== undefined) entry.consumed = Math.floor(this.now() / 1000);
      },
      destroy: async (id) => {
        this.records.delete(keyOf(id));
      },
      revokeByGrantId: async (grantId) => {
        for (const key of this.byGrant.get(grantId) ?? []) this.records.delete(key);
        this.byGrant.delete(grantId);
      },
    };
  }

  private upsert(model: string, key: string, payload: AdapterPayload, expiresIn: number | undefined): void {
    const expiresAt = expiresIn === undefined ? undefined : this.now() + expiresIn * 1000;
    this.records.set(key, { json: JSON.stringify(payload), expiresAt });
    if (typeof payload.grantId === 'string') {
      const set = this.byGrant.get(payload.grantId) ?? new Set<string>();
      this.byGrant.set(payload.grantId, set);
      set.add(key);
    }
    if (typeof payload.uid === 'string') this.lookups.set(`${model}:uid:${payload.uid}`, key);
    if (typeof payload.userCode === 'string') this.lookups.set(`${model}:userCode:${payload.userCode}`, key);
    if (isAccountModel(model) && typeof payload.accountId === 'string') {
      const index = this.byAccount.get(payload.accountId) ?? new Map<string, number>();
      this.byAccount.set(payload.accountId, index);
      if (!index.has(key)) index.set(key, this.now());
    }
    if (++this.writes % SWEEP_EVERY === 0) this.sweep();
  }

  private live(key: string): Entry | undefined {
    const entry = this.records.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.records.delete(key);
      return undefined;
    }
    return entry;
  }

  private read(key: string): AdapterPayload | undefined {
    const entry = this.live(key);
    if (entry === undefined) return undefined;
    const payload = JSON.parse(entry.json) as AdapterPayload;
    if (entry.consumed !== undefined) payload.consumed = entry.consumed;
    return payload;
  }

  private readVia(lookup: string): AdapterPayload | undefined {
    const key = this.lookups.get(lookup);
    if (key === undefined) return undefined;
    const payload = this.read(key);
    if (payload === undefined) this.lookups.delete(lookup);
    return payload;
  }

  /** Drops every expired record and the index entries pointing only at dropped records. */
  private sweep(): void {
    for (const key of [...this.records.keys()]) this.live(key);
    for (const [grantId, keys] of this.byGrant) {
      for (const key of keys) if (!this.records.has(key)) keys.delete(key);
      if (keys.size === 0) this.byGrant.delete(grantId);
    }
    for (const [lookup, key] of this.lookups) if (!this.records.has(key)) this.lookups.delete(lookup);
  }
}

function splitKey(key: string): [string, string] {
  const colon = key.indexOf(':');
  return [key.slice(0, colon), key.slice(colon + 1)];
}
