/**
 * The network side of AKA (TS 33.102 §6.3.2, §6.3.5) as an HSS/AuC and the S-CSCF of a lab IMS
 * core need it, plus the Digest AKA encodings of RFC 3310 / RFC 4169:
 *
 *   AUTN  = SQN ⊕ AK ‖ AMF ‖ MAC-A                       (TS 33.102 §6.3.2)
 *   nonce = base64(RAND ‖ AUTN ‖ server-data)              (RFC 3310 §3.2)
 *   AUTS  = SQN_MS ⊕ AK* ‖ MAC-S, MAC-S with AMF = 0x0000  (TS 33.102 §6.3.3, §6.3.5)
 *   password (AKAv1) = RES octets                          (RFC 3310 §3.3)
 *   password (AKAv2) = base64(HMAC-H(RES ‖ IK ‖ CK, "http-digest-akav2-password"))  (RFC 4169 §3)
 */

import { createHmac, randomBytes } from 'node:crypto';
import type { AkaAlgorithm } from './aka-algorithm.ts';
import type { DigestAlgorithm } from './digest-algorithm.ts';
import { Milenage } from './milenage.ts';

/**
 * A subscriber's long-term secret: K and OPc for MILENAGE (what operators provision), or any
 * algorithm bound to its key (e.g. the TS 34.108 test algorithm of test USIMs).
 */
export type AkaKey =
  | { readonly k: Uint8Array; readonly opc: Uint8Array }
  | { readonly algorithm: AkaAlgorithm };

function algorithmOf(key: AkaKey): AkaAlgorithm {
  return 'algorithm' in key ? key.algorithm : new Milenage({ k: key.k, opc: key.opc });
}

/** One authentication vector (quintet without KSI) as the HSS hands it to the S-CSCF. */
export interface AuthVector {
  readonly rand: Uint8Array;
  readonly autn: Uint8Array;
  readonly xres: Uint8Array;
  readonly ck: Uint8Array;
  readonly ik: Uint8Array;
  /** base64(RAND ‖ AUTN [‖ server data]), the Digest AKA nonce (RFC 3310 §3.2). */
  readonly nonce: string;
}

export const SQN_MAX = (1n << 48n) - 1n;
/** TS 33.102 §6.3.3: the AMF assumed when computing MAC-S for resynchronisation. */
const RESYNC_AMF = new Uint8Array(2);

export function sqnToBytes(sqn: bigint): Uint8Array {
  if (sqn < 0n || sqn > SQN_MAX) throw new RangeError(`SQN out of 48-bit range: ${sqn}`);
  const out = new Uint8Array(6);
  let v = sqn;
  for (let i = 5; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function sqnFromBytes(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < 6; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

function xor6(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/** Timing-safe equality of two short byte strings. */
function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

export type VectorOptions = AkaKey & {
  readonly sqn: bigint;
  /** 2 bytes; 0x8000 sets the E-UTRAN separation bit, IMS commonly uses 0x0000 or 0x8000. */
  readonly amf: Uint8Array;
  /** 16 bytes; random when absent (tests pass one to be reproducible). */
  readonly rand?: Uint8Array | undefined;
  /** Appended to the nonce after RAND ‖ AUTN (RFC 3310 §3.2 allows server-specific data). */
  readonly serverData?: Uint8Array | undefined;
};

/** The HSS/AuC side: computes one authentication vector (TS 33.102 §6.3.2). */
export function generateAuthVector(opts: VectorOptions): AuthVector {
  if (opts.amf.length !== 2) throw new RangeError('AMF must be 2 bytes');
  const alg = algorithmOf(opts);
  const rand = opts.rand ?? randomBytes(16);
  const sqn = sqnToBytes(opts.sqn);
  const { macA } = alg.f1(rand, sqn, opts.amf);
  const { res, ck, ik, ak } = alg.keys(rand);
  const autn = concat(xor6(sqn, ak), opts.amf, macA);
  return { rand, autn, xres: res, ck, ik, nonce: formatAkaNonce(rand, autn, opts.serverData) };
}

export type AkaAnswer =
  /** The network is authentic and SQN fresh: RES for the digest, CK/IK, and the SQN accepted. */
  | {
      readonly kind: 'ok';
      readonly res: Uint8Array;
      readonly ck: Uint8Array;
      readonly ik: Uint8Array;
      readonly sqn: bigint;
    }
  /** SQN not fresh: answer with AUTS (RFC 3310 §3.4, TS 33.102 §6.3.3). */
  | { readonly kind: 'sync-failure'; readonly auts: Uint8Array }
  /** MAC-A wrong (or the nonce is not RAND ‖ AUTN): the network failed to authenticate. */
  | { readonly kind: 'mac-failure' };

export type AnswerOptions = AkaKey & {
  /** The highest SQN the subscriber has accepted (SQN_MS). */
  readonly sqnMs: bigint;
  /** Largest accepted jump beyond SQN_MS (TS 33.102 Annex C.2.2 Δ); default 2^28. */
  readonly delta?: bigint | undefined;
};

/**
 * The subscriber side (USIM/ISIM, TS 33.102 §6.3.3): checks MAC-A, then the freshness of SQN
 * (SQN_MS < SQN ≤ SQN_MS + Δ, the Annex C scheme without IND slots), and answers.
 */
export function answerAkaChallenge(
  nonce: string | { rand: Uint8Array; autn: Uint8Array },
  opts: AnswerOptions,
): AkaAnswer {
  const n = typeof nonce === 'string' ? parseAkaNonce(nonce) : nonce;
  if (n === undefined || n.rand.length !== 16 || n.autn.length !== 16) return { kind: 'mac-failure' };
  const alg = algorithmOf(opts);
  const keys = alg.keys(n.rand);
  const sqnBytes = xor6(n.autn.subarray(0, 6), keys.ak);
  const { macA } = alg.f1(n.rand, sqnBytes, n.autn.subarray(6, 8));
  // MAC before SQN, so that a forged AUTN never reveals or moves SQN_MS.
  if (!bytesEqual(macA, n.autn.subarray(8, 16))) return { kind: 'mac-failure' };
  const sqn = sqnFromBytes(sqnBytes);
  const delta = opts.delta ?? 1n << 28n;
  if (sqn <= opts.sqnMs || sqn - opts.sqnMs > delta) {
    return { kind: 'sync-failure', auts: computeAuts(opts, n.rand, opts.sqnMs) };
  }
  return { kind: 'ok', res: keys.res, ck: keys.ck, ik: keys.ik, sqn };
}

/** The Digest AKA nonce: base64(RAND ‖ AUTN ‖ server-data) (RFC 3310 §3.2). */
export function formatAkaNonce(rand: Uint8Array, autn: Uint8Array, serverData?: Uint8Array): string {
  return Buffer.from(concat(rand, autn, serverData ?? new Uint8Array(0))).toString('base64');
}

/** Splits a Digest AKA nonce; undefined when it is not base64 of at least 32 octets. */
export function parseAkaNonce(
  nonce: string,
): { rand: Uint8Array; autn: Uint8Array; serverData: Uint8Array } | undefined {
  const raw = Buffer.from(nonce, 'base64');
  if (raw.length < 32) return undefined;
  // Buffer.from ignores characters outside the alphabet; re-encode to reject such nonces.
  if (raw.toString('base64').replace(/=+$/, '') !== nonce.replace(/=+$/, '')) return undefined;
  return { rand: raw.subarray(0, 16), autn: raw.subarray(16, 32), serverData: raw.subarray(32) };
}

/**
 * The HSS side of resynchronisation (TS 33.102 §6.3.5): recovers SQN_MS from AUTS and checks
 * MAC-S. The HSS then continues from SQN_MS (the next vector uses a higher SQN).
 */
export function resynchronise(
  opts: AkaKey & { readonly rand: Uint8Array; readonly auts: Uint8Array },
): { sqnMs: bigint } | { error: 'mac-s-mismatch' } {
  if (opts.auts.length !== 14 || opts.rand.length !== 16) return { error: 'mac-s-mismatch' };
  const alg = algorithmOf(opts);
  const { akStar } = alg.keys(opts.rand);
  const sqnMs = xor6(opts.auts.subarray(0, 6), akStar);
  const { macS } = alg.f1(opts.rand, sqnMs, RESYNC_AMF);
  if (!bytesEqual(macS, opts.auts.subarray(6, 14))) return { error: 'mac-s-mismatch' };
  return { sqnMs: sqnFromBytes(sqnMs) };
}

/** AUTS = SQN_MS ⊕ AK* ‖ MAC-S, MAC-S = f1*(SQN_MS, RAND, AMF = 0000) (TS 33.102 §6.3.3). */
export function computeAuts(key: AkaKey, rand: Uint8Array, sqnMs: bigint): Uint8Array {
  const alg = algorithmOf(key);
  const sqn = sqnToBytes(sqnMs);
  const { akStar } = alg.keys(rand);
  const { macS } = alg.f1(rand, sqn, RESYNC_AMF);
  return concat(xor6(sqn, akStar), macS);
}

const AKAV2_LABEL = 'http-digest-akav2-password';

/**
 * The Digest password derived from an AKA run: RES itself for AKAv1 (RFC 3310 §3.3), and for
 * AKAv2 the base64 text of PRF(RES ‖ IK ‖ CK, "http-digest-akav2-password") where PRF is HMAC
 * with the algorithm's hash (RFC 4169 §3; HMAC-MD5 for AKAv2-MD5).
 */
export function akaPassword(
  algorithm: DigestAlgorithm,
  run: { res: Uint8Array; ck: Uint8Array; ik: Uint8Array },
): Uint8Array | string {
  if (algorithm.akaVersion === 1) return run.res;
  if (algorithm.akaVersion === 2) {
    return createHmac(algorithm.hash, concat(run.res, run.ik, run.ck))
      .update(AKAV2_LABEL)
      .digest('base64');
  }
  throw new TypeError(`${algorithm.name} is not an AKA algorithm`);
}
