/**
 * Server nonces that need no per-nonce state: each one carries its issue time and a MAC.
 *
 *   nonce = base64url( issued-at (6 octets, ms) ‖ random (8 octets) ‖ HMAC-SHA-256(secret, issued-at ‖ random ‖ binding)[0..16] )
 *
 * RFC 7616 §3.3 leaves the nonce format to the server and suggests exactly this shape (a time
 * stamp and a private key hash) so that it can tell a nonce it issued from a forged one, and a
 * valid but expired one (answer stale=true) from an invalid one. `binding` ties a nonce to
 * something the server knows about the client (the flow, or the source address, as RFC 7616
 * suggests with the client IP) so that a nonce leaked from one connection is useless on another.
 *
 * Any eP-CSCF instance sharing the secret can check any other's nonces, so no store is needed;
 * replay of a (nonce, nc) pair is stopped by a NonceCountStore.
 */

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type NonceCheck = 'valid' | 'stale' | 'invalid';

export interface NonceFactoryOptions {
  /** At least 16 octets, from configuration (never defaulted, STYLE.md). Shared by the cluster. */
  readonly secret: Uint8Array;
  /** How long a nonce stays valid; 300 s like Kamailio's auth module by default. */
  readonly ttlMs?: number | undefined;
  /** A nonce dated this far in the future is still taken (clock skew between instances). */
  readonly skewMs?: number | undefined;
  /** Injected clock (ms since epoch). */
  readonly now?: (() => number) | undefined;
}

const TS_LEN = 6;
const RND_LEN = 8;
const MAC_LEN = 16;
const RAW_LEN = TS_LEN + RND_LEN + MAC_LEN;
const B64_LEN = 40; // base64url of 30 octets, no padding

export class NonceFactory {
  private readonly secret: Buffer;
  readonly ttlMs: number;
  private readonly skewMs: number;
  /** The injected clock, shared with users of the factory. */
  readonly now: () => number;

  constructor(opts: NonceFactoryOptions) {
    if (opts.secret.length < 16) throw new RangeError('nonce secret must be at least 16 octets');
    this.secret = Buffer.from(opts.secret);
    this.ttlMs = opts.ttlMs ?? 300_000;
    this.skewMs = opts.skewMs ?? 5_000;
    this.now = opts.now ?? Date.now;
  }

  private mac(head: Uint8Array, binding: string): Buffer {
    return createHmac('sha256', this.secret).update(head).update(binding).digest().subarray(0, MAC_LEN);
  }

  /** A fresh nonce, optionally bound to a client fact (flow id, address). */
  issue(binding = ''): string {
    const raw = Buffer.allocUnsafe(RAW_LEN);
    raw.writeUIntBE(this.now(), 0, TS_LEN);
    randomBytes(RND_LEN).copy(raw, TS_LEN);
    this.mac(raw.subarray(0, TS_LEN + RND_LEN), binding).copy(raw, TS_LEN + RND_LEN);
    return raw.toString('base64url');
  }

  /** When the nonce stops being valid (ms since epoch), or undefined if it is not ours. */
  expiresAt(nonce: string, binding = ''): number | undefined {
    if (nonce.length !== B64_LEN) return undefined;
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== RAW_LEN || raw.toString('base64url') !== nonce) return undefined;
    const expected = this.mac(raw.subarray(0, TS_LEN + RND_LEN), binding);
    if (!timingSafeEqual(expected, raw.subarray(TS_LEN + RND_LEN))) return undefined;
    return raw.readUIntBE(0, TS_LEN) + this.ttlMs;
  }

  /** valid, stale (ours but expired: challenge again with stale=true), or invalid. */
  check(nonce: string, binding = ''): NonceCheck {
    const expires = this.expiresAt(nonce, binding);
    if (expires === undefined) return 'invalid';
    const now = this.now();
    if (expires - this.ttlMs > now + this.skewMs) return 'invalid';
    return now < expires ? 'valid' : 'stale';
  }
}
