/**
 * The WAF's signing keys (ES256, EC P-256), kept in the WafStorage so every instance signs with
 * the same newest key and publishes the same JWKS.
 *
 * - The newest key signs (access tokens, ID tokens).
 * - An older key stays published in the JWKS until `retentionMs` after the key that replaced it
 *   was made: long enough for every token it signed to expire (the longest token lifetime, plus
 *   the time other instances take to notice the new key, plus clock skew). Then it is deleted.
 * - Keys are immutable records: two instances rotating at once both add a key and both keys
 *   stay published; the newer one signs. Nothing is read-modified-written.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { StoredSigningKey, WafStorage } from '../storage/storage.ts';

export const SIGNING_ALG = 'ES256' as const;

export interface PublicJwk {
  readonly kty: string;
  readonly crv: string;
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: string;
  readonly use: 'sig';
}

export interface KeyRingOptions {
  readonly storage: WafStorage;
  /** ms since the epoch */
  readonly now: () => number;
  /** how long a replaced key stays published, ms */
  readonly retentionMs: number;
}

/** A new ES256 private JWK with its RFC 7638 thumbprint as kid. */
export async function generateSigningKey(now: number): Promise<StoredSigningKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const fields: Record<string, string> = { kid, alg: SIGNING_ALG, use: 'sig' };
  for (const [k, v] of Object.entries(jwk)) if (typeof v === 'string') fields[k] = v;
  return { kid, jwk: fields, createdAt: now };
}

function publicPart(key: StoredSigningKey): PublicJwk {
  const { kty = '', crv = '', x = '', y = '' } = key.jwk;
  return { kty, crv, x, y, kid: key.kid, alg: SIGNING_ALG, use: 'sig' };
}

export class KeyRing {
  /** newest first */
  private keys: StoredSigningKey[] = [];

  private constructor(private readonly options: KeyRingOptions) {}

  /** Loads the ring from storage, making the first key when there is none. */
  static async open(options: KeyRingOptions): Promise<KeyRing> {
    const ring = new KeyRing(options);
    await ring.refresh();
    if (ring.keys.length === 0) await ring.rotate();
    return ring;
  }

  /** The key that signs now. */
  active(): StoredSigningKey {
    const key = this.keys[0];
    if (key === undefined) throw new Error('the key ring is empty (open() makes the first key)');
    return key;
  }

  /** The keys still published at `now`, newest (the active one) first. */
  published(): StoredSigningKey[] {
    const now = this.options.now();
    return this.keys.filter((_key, i) => {
      const successor = this.keys[i - 1];
      return successor === undefined || successor.createdAt + this.options.retentionMs > now;
    });
  }

  /** The JWKS document (RFC 7517 §5): public parts only. */
  jwks(): { keys: PublicJwk[] } {
    return { keys: this.published().map(publicPart) };
  }

  /** True when the active key is at least `intervalMs` old. */
  rotationDue(intervalMs: number): boolean {
    return this.options.now() - this.active().createdAt >= intervalMs;
  }

  /** Adds a new signing key (it signs from now on) and deletes keys no longer published. */
  async rotate(): Promise<StoredSigningKey> {
    const key = await generateSigningKey(this.options.now());
    await this.options.storage.putSigningKey(key);
    await this.refresh();
    await this.prune();
    return key;
  }

  /** Re-reads the keys other instances may have added; true when the signing key changed. */
  async refresh(): Promise<boolean> {
    const before = this.keys[0]?.kid;
    const stored = await this.options.storage.signingKeys();
    this.keys = stored.sort((a, b) => b.createdAt - a.createdAt || (a.kid < b.kid ? 1 : -1));
    return this.keys[0]?.kid !== before;
  }

  /** Deletes the keys no longer published. */
  async prune(): Promise<void> {
    const keep = new Set(this.published().map((k) => k.kid));
    for (const key of this.keys.filter((k) => !keep.has(k.kid)))
      await this.options.storage.deleteSigningKey(key.kid);
    this.keys = this.keys.filter((k) => keep.has(k.kid));
  }
}
