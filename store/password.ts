/**
 * Web passwords, stored only as scrypt hashes (RFC 7914) in PHC string form:
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (salt and hash in unpadded standard Base64).
 * The cost is read back from each string, so it can be raised later: `needsRehash` says which
 * stored hashes are below the current cost, to be re-hashed at the subscriber's next login.
 * Passwords are normalised to Unicode NFC first (RFC 8265 OpaqueString), so the same password
 * typed on two keyboards matches.
 */

import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptCost {
  /** log2 of the CPU/memory cost N */
  readonly ln: number;
  /** block size */
  readonly r: number;
  /** parallelism */
  readonly p: number;
}

/** The cost new hashes get: N = 2^15, r = 8, p = 1 (32 MiB, the OWASP floor for scrypt). */
export const DEFAULT_SCRYPT_COST: ScryptCost = { ln: 15, r: 8, p: 1 };

/** Bounds on costs read from a stored string, so a forged hash cannot exhaust the machine. */
const LIMITS = { ln: [10, 22], r: [1, 32], p: [1, 16] } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const PHC =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{16,88})$/;

interface ParsedHash {
  readonly cost: ScryptCost;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function inLimits(cost: ScryptCost): boolean {
  return (['ln', 'r', 'p'] as const).every(
    (name) => Number.isInteger(cost[name]) && cost[name] >= LIMITS[name][0] && cost[name] <= LIMITS[name][1],
  );
}

/** Reads a PHC scrypt string; undefined when it is not one this module wrote (or is out of bounds). */
function parseHash(phc: string): ParsedHash | undefined {
  const m = PHC.exec(phc);
  if (m === null) return undefined;
  const cost = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (!inLimits(cost)) return undefined;
  return { cost, salt: Buffer.from(m[4] ?? '', 'base64'), hash: Buffer.from(m[5] ?? '', 'base64') };
}

function derive(password: string, salt: Buffer, length: number, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.ln;
  // Node refuses scrypt above maxmem (32 MiB by default), which N = 2^15, r = 8 just reaches.
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(password.normalize('NFC'), 'utf8'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

/** Hashes a password for storage. Empty passwords are refused (RangeError). */
export async function hashPassword(
  password: string,
  cost: ScryptCost = DEFAULT_SCRYPT_COST,
): Promise<string> {
  if (typeof password !== 'string' || password === '') throw new RangeError('a password must not be empty');
  if (!inLimits(cost)) throw new RangeError('scrypt cost out of bounds');
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, cost);
  return `$scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(hash)}`;
}

/**
 * True when `password` matches the stored hash; the comparison takes the same time wherever the
 * first differing byte is. An empty password never matches. A string that is not a scrypt PHC
 * hash is a fault of the stored data and throws (its text is not echoed).
 */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const parsed = parseHash(phc);
  if (parsed === undefined)
    throw new TypeError('the stored password hash is not a supported scrypt PHC string');
  if (typeof password !== 'string' || password === '') return false;
  const candidate = await derive(password, parsed.salt, parsed.hash.length, parsed.cost);
  return timingSafeEqual(candidate, parsed.hash);
}

/** True when the stored hash is below `cost` (or not one of ours): hash the password again on login. */
export function needsRehash(phc: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): boolean {
  const parsed = parseHash(phc);
  if (parsed === undefined) return true;
  return (
    parsed.cost.ln < cost.ln ||
    parsed.cost.r < cost.r ||
    parsed.cost.p < cost.p ||
    parsed.salt.length < SALT_BYTES ||
    parsed.hash.length < HASH_BYTES
  );
}
