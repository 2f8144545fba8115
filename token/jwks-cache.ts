/**
 * The issuer's JWK Set (RFC 7517 §5), fetched from its `jwks_uri` and kept as node:crypto
 * KeyObjects, so that verifying a token (jwt-verify.ts) imports nothing. One JwksCache per URL.
 *
 *   - keys are imported once per fetch; keys we would never use are left out: `use` other than
 *     `sig` (RFC 7517 §4.2), `key_ops` without `verify` (§4.3), an unknown `kty` or curve, an
 *     `alg` outside the allow-list or of another key type, private key material, RSA keys under
 *     2048 bits (RFC 7518 §3.3);
 *   - a token naming an unknown `kid` may cause a fetch (`refresh`), at most once per `cooldownMs`
 *     (default 10 s), so a burst of forged kids costs the WAF nothing (OIDC Core §10.1.1);
 *   - a set older than `maxAgeMs` (default 10 min) is fetched again in the background while the
 *     old keys go on being used;
 *   - concurrent callers share one fetch; a fetch times out after `timeoutMs` (default 5 s); a
 *     failed fetch (network, HTTP status, not a JWK Set) leaves the keys held (if any) in place,
 *     is reported as `unavailable`, and is not tried again before `cooldownMs` has passed.
 */
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { Logger } from 'pino';
import { JWS_ALGORITHMS, type KeyType, type VerificationKey, type VerificationKeys } from './jwt-verify.ts';

export interface JwksCacheOptions {
  readonly url: string;
  /** the algorithms tokens may use: keys good for none of them are not kept */
  readonly algorithms: readonly string[];
  readonly cooldownMs?: number;
  readonly maxAgeMs?: number;
  readonly timeoutMs?: number;
  /** ms; default Date.now */
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
  readonly logger?: Pick<Logger, 'debug' | 'warn'>;
}

export type KeysResult =
  | { readonly ok: true; readonly keys: VerificationKeys }
  | { readonly ok: false; readonly reason: string };

export class JwksCache {
  private held: VerificationKeys | undefined;
  /** when the keys held were fetched */
  private fetchedAt = Number.NEGATIVE_INFINITY;
  /** when a fetch was last started (successful or not): the cooldown runs from here */
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<KeysResult> | undefined;
  /** why the last fetch failed; undefined once one succeeds */
  private lastFailure: string | undefined;
  private count = 0;
  private readonly o: JwksCacheOptions;
  private readonly now: () => number;

  constructor(o: JwksCacheOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
  }

  /** how many fetches were started */
  get fetches(): number {
    return this.count;
  }

  /**
   * The keys held now, without waiting; undefined before the first successful fetch. A set older
   * than maxAgeMs is returned all the same and fetched again in the background.
   */
  current(): VerificationKeys | undefined {
    if (this.held !== undefined && this.now() - this.fetchedAt >= (this.o.maxAgeMs ?? 600_000))
      if (this.inFlight === undefined && !this.coolingDown()) void this.load();
    return this.held;
  }

  /**
   * The keys held, or the first fetch of them (shared by concurrent callers). After a failed
   * fetch, the next is started no sooner than cooldownMs later; until then: unavailable.
   */
  keys(): Promise<KeysResult> {
    const held = this.current();
    if (held !== undefined) return Promise.resolve({ ok: true, keys: held });
    if (this.inFlight !== undefined) return this.inFlight;
    if (this.lastFailure !== undefined && this.coolingDown())
      return Promise.resolve({ ok: false, reason: `${this.lastFailure} (not tried again yet)` });
    return this.load();
  }

  /**
   * For a token naming a key we do not hold: the set fetched again, unless a fetch was started
   * less than cooldownMs ago (then 'cooling', and the caller refuses the token).
   */
  refresh(): Promise<KeysResult | 'cooling'> {
    if (this.inFlight !== undefined) return this.inFlight;
    if (this.coolingDown()) return Promise.resolve('cooling');
    return this.load();
  }

  private coolingDown(): boolean {
    return this.now() - this.attemptedAt < (this.o.cooldownMs ?? 10_000);
  }

  private load(): Promise<KeysResult> {
    this.count++;
    this.attemptedAt = this.now();
    const p = this.fetchSet().then((r) => {
      this.inFlight = undefined;
      if (r.ok) {
        this.held = r.keys;
        this.fetchedAt = this.now();
        this.lastFailure = undefined;
        this.o.logger?.debug({ url: this.o.url, keys: r.keys.all.length }, 'JWKS fetched');
      } else {
        this.lastFailure = r.reason;
        this.o.logger?.warn({ url: this.o.url, reason: r.reason }, 'JWKS fetch failed');
      }
      return r;
    });
    this.inFlight = p;
    return p;
  }

  private async fetchSet(): Promise<KeysResult> {
    let body: unknown;
    try {
      const res = await (this.o.fetch ?? fetch)(this.o.url, {
        headers: { accept: 'application/json, application/jwk-set+json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000),
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        return { ok: false, reason: `JWKS answered HTTP ${res.status}` };
      }
      const text = await res.text();
      try {
        body = JSON.parse(text);
      } catch {
        return { ok: false, reason: 'JWKS is malformed' };
      }
    } catch (err) {
      const timeout = err instanceof Error && err.name === 'TimeoutError';
      return {
        ok: false,
        reason: timeout
          ? 'JWKS fetch timed out'
          : `JWKS unavailable: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    const keys = verificationKeys(body, this.o.algorithms);
    return keys === undefined ? { ok: false, reason: 'JWKS is malformed' } : { ok: true, keys };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const CURVES: Record<KeyType, readonly string[]> = {
  RSA: [],
  EC: ['P-256', 'P-384', 'P-521'],
  OKP: ['Ed25519'],
};

/**
 * A JWK Set document read into imported keys; undefined unless it is `{ "keys": [ ... ] }`.
 * Members that cannot be used with `algorithms` are left out (see the module comment).
 */
export function verificationKeys(jwks: unknown, algorithms: readonly string[]): VerificationKeys | undefined {
  if (!isRecord(jwks) || !Array.isArray(jwks.keys)) return undefined;
  const all: VerificationKey[] = [];
  const byKid = new Map<string, VerificationKey[]>();
  for (const jwk of jwks.keys as unknown[]) {
    const k = verificationKey(jwk, algorithms);
    if (k === undefined) continue;
    all.push(k);
    if (k.kid === undefined) continue;
    const same = byKid.get(k.kid);
    if (same === undefined) byKid.set(k.kid, [k]);
    else same.push(k);
  }
  return { all, byKid };
}

/** One JWK imported, or undefined when it is not a public signature key usable with `algorithms`. */
export function verificationKey(jwk: unknown, algorithms: readonly string[]): VerificationKey | undefined {
  if (!isRecord(jwk)) return undefined;
  const { kty, crv, kid, alg, use, key_ops: ops, ext } = jwk;
  if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') return undefined;
  if (use !== undefined && use !== 'sig') return undefined;
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) return undefined;
  if (ext !== undefined && typeof ext !== 'boolean') return undefined;
  if (kid !== undefined && typeof kid !== 'string') return undefined;
  if (alg !== undefined && (typeof alg !== 'string' || !algorithms.includes(alg))) return undefined;
  if (jwk.d !== undefined) return undefined; // private key material has no place in a JWKS
  const curve = typeof crv === 'string' ? crv : undefined;
  if (kty !== 'RSA' && (curve === undefined || !CURVES[kty].includes(curve))) return undefined;
  // Good for at least one allowed algorithm (its own, if it names one).
  const usable = (alg === undefined ? algorithms : [alg]).some((name) => {
    const a = JWS_ALGORITHMS.get(name);
    return a !== undefined && a.kty === kty && (a.crv === undefined || a.crv === curve);
  });
  if (!usable) return undefined;
  try {
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    if (kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return undefined;
    return { kid, kty, crv: curve, alg, key };
  } catch {
    return undefined;
  }
}
