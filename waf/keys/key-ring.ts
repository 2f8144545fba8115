/**
 * The WAF's signing keys, kept in the WafStorage so every instance signs with the same newest
 * key and publishes the same JWKS. The algorithm is WAF_SIGNING_ALG: RS256 by default (RFC 9068
 * §2.1 makes it the one every resource server supports, and an RSA signature is the cheapest to
 * verify: the eP-CSCF checks a token per request), ES256 or EdDSA on request. Each key records
 * its own algorithm: when the setting changes, a new key is made at start while tokens signed
 * with the old one keep verifying.
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

export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** The public members of a signing key (RFC 7517 / RFC 7518 §6 / RFC 8037). */
export type PublicJwk = Readonly<Record<string, string>> & {
  readonly kid: string;
  readonly alg: string;
  readonly use: 'sig';
};

/** The algorithm a stored key signs with (keys stored before the setting existed were ES256). */
export function algOf(key: StoredSigningKey): SigningAlg {
  const alg = key.jwk.alg;
  return (SIGNING_ALGS as readonly string[]).includes(alg ?? '') ? (alg as SigningAlg) : 'ES256';
}

export interface KeyRingOptions {
  readonly storage: WafStorage;
  /** ms since the epoch */
  readonly now: () => number;
  /** how long a replaced key stays published, ms */
  readonly retentionMs: number;
  /** the algorithm of the keys it makes (default RS256) */
  readonly alg?: SigningAlg;
}

/** A new private JWK (RSA 2048, P-256 or Ed25519) with its RFC 7638 thumbprint as kid. */
export async function generateSigningKey(now: number, alg: SigningAlg = 'RS256'): Promise<StoredSigningKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const fields: Record<string, string> = { kid, alg, use: 'sig' };
  for (const [k, v] of Object.entries(jwk)) if (typeof v === 'string') fields[k] = v;
  return { kid, jwk: fields, createdAt: now };
}

const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
};

function publicPart(key: StoredSigningKey): PublicJwk {
  const out: Record<string, string> = {};
  for (const m of PUBLIC_MEMBERS[key.jwk.kty ?? ''] ?? []) {
    const v = key.jwk[m];
    if (v !== undefined) out[m] = v;
  }
  return { ...out, kid: key.kid, alg: algOf(key), use: 'sig' };
}

export class KeyRing {
  /** newest first */
  private keys: StoredSigningKey[] = [];

  private constructor(private readonly options: KeyRingOptions) {}

  /** Loads the ring from storage, making the first key when there is none. */
  static async open(options: KeyRingOptions): Promise<KeyRing> {
    const ring = new KeyRing(options);
    await ring.refresh();
    // No key yet, or WAF_SIGNING_ALG changed: a new key signs from now on; the old one stays
    // published until its tokens have expired.
    if (ring.keys.length === 0 || algOf(ring.active()) !== (options.alg ?? 'RS256')) await ring.rotate();
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
    // Strictly newer than the key it replaces, so it signs even within the same millisecond.
    const newest = this.keys[0]?.createdAt ?? Number.NEGATIVE_INFINITY;
    const key = await generateSigningKey(Math.max(this.options.now(), newest + 1), this.options.alg);
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
