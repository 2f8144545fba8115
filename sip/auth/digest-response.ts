/**
 * The Digest computations themselves (RFC 7616 §3.4, RFC 2617 §3.2.2, RFC 3261 §22.4):
 *
 *   HA1      = H(username ":" realm ":" password)
 *   HA1-sess = H(HA1 ":" nonce ":" cnonce)
 *   HA2      = H(method ":" digest-uri)                    qop absent or "auth"
 *   HA2      = H(method ":" digest-uri ":" H(body))        qop "auth-int"
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)     with qop
 *   response = H(HA1 ":" nonce ":" HA2)                               without qop (RFC 2069)
 *
 * rspauth (Authentication-Info, RFC 2617 §3.2.3) is the same with an empty method in HA2.
 * Passwords may be raw octets: AKAv1 uses RES as the password (RFC 3310 §3.3).
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import type { DigestAlgorithm, DigestHash } from './digest-algorithm.ts';

export type Qop = 'auth' | 'auth-int';

/** How the shared secret is known: the password itself, or HA1 as a registrar usually stores it. */
export type DigestSecret =
  | { readonly password: string | Uint8Array }
  /** H(username:realm:password), lowercase hex, of the algorithm's hash (not the -sess HA1). */
  | { readonly ha1: string };

export interface DigestInput {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly method: string;
  /** The digest-uri (the `uri` parameter), normally the Request-URI as sent. */
  readonly uri: string;
  readonly qop?: Qop | undefined;
  /** 8 lowercase hex digits, required with qop. */
  readonly nc?: string | undefined;
  /** Required with qop and with -sess algorithms. */
  readonly cnonce?: string | undefined;
  /** Message body for auth-int; absent means empty (RFC 3261 §22.4). */
  readonly body?: string | Uint8Array | undefined;
}

export function digestHex(hash: DigestHash, ...parts: ReadonlyArray<string | Uint8Array>): string {
  const h = createHash(hash);
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** H(username:realm:password), the value a registrar stores instead of the password. */
export function computeHa1(
  hash: DigestHash,
  username: string,
  realm: string,
  password: string | Uint8Array,
): string {
  return digestHex(hash, `${username}:${realm}:`, password);
}

function sessionHa1(input: DigestInput, secret: DigestSecret): string {
  const base =
    'ha1' in secret
      ? secret.ha1.toLowerCase()
      : computeHa1(input.algorithm.hash, input.username, input.realm, secret.password);
  if (!input.algorithm.session) return base;
  if (input.cnonce === undefined) throw new TypeError(`${input.algorithm.name} needs a cnonce`);
  return digestHex(input.algorithm.hash, `${base}:${input.nonce}:${input.cnonce}`);
}

function ha2(input: DigestInput, method: string): string {
  const hash = input.algorithm.hash;
  if (input.qop === 'auth-int') {
    const bodyHash = digestHex(hash, input.body ?? '');
    return digestHex(hash, `${method}:${input.uri}:${bodyHash}`);
  }
  return digestHex(hash, `${method}:${input.uri}`);
}

function finish(input: DigestInput, ha1: string, ha2Value: string): string {
  const hash = input.algorithm.hash;
  if (input.qop === undefined) return digestHex(hash, `${ha1}:${input.nonce}:${ha2Value}`);
  if (input.nc === undefined || input.cnonce === undefined) {
    throw new TypeError('qop needs nc and cnonce');
  }
  return digestHex(hash, `${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2Value}`);
}

/** The `response` parameter of Authorization / Proxy-Authorization. */
export function computeDigestResponse(input: DigestInput, secret: DigestSecret): string {
  return finish(input, sessionHa1(input, secret), ha2(input, input.method));
}

/** The `rspauth` parameter of Authentication-Info: HA2 without the method (RFC 2617 §3.2.3). */
export function computeRspauth(input: DigestInput, secret: DigestSecret): string {
  return finish(input, sessionHa1(input, secret), ha2(input, ''));
}

/** H(username ":" realm), the `userhash` form of the username (RFC 7616 §3.4.4). */
export function computeUserhash(hash: DigestHash, username: string, realm: string): string {
  return digestHex(hash, `${username}:${realm}`);
}

/** Formats a nonce count as the 8 lowercase hex digits of `nc` (RFC 7616 §3.4). */
export function formatNonceCount(count: number): string {
  if (!Number.isInteger(count) || count < 1 || count > 0xffffffff)
    throw new RangeError(`bad nonce count ${count}`);
  return count.toString(16).padStart(8, '0');
}

/** Parses `nc`; undefined unless exactly 8 hex digits (RFC 7616 §3.4: nc-value = 8LHEX). */
export function parseNonceCount(nc: string): number | undefined {
  if (nc.length !== 8) return undefined;
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const c = nc.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return undefined;
    v = v * 16 + d;
  }
  return v;
}
/** Constant-time comparison of two hex digests, case-insensitive. */
export function hexEqual(expected: string, received: string): boolean {
  if (expected.length !== received.length) return false;
  return timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(received.toLowerCase(), 'latin1'));
}
