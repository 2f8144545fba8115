/**
 * The values of the Digest `algorithm` parameter this library understands.
 *
 * - MD5, MD5-sess: RFC 2617 §3.2.1 / RFC 3261 §22.4 (the default when `algorithm` is absent).
 * - SHA-256, SHA-512-256 and their -sess forms: RFC 7616 §3.2, brought to SIP by RFC 8760 §2.
 *   "SHA-512-256" is FIPS 180-4 SHA-512/256 (Node's `sha512-256`), as RFC 7616 §3.2 says and as
 *   interoperating peers implement it; the worked example in RFC 7616 §3.9.2 was computed with a
 *   truncated SHA-512 instead and does not reproduce (see the test and the catalogue).
 * - AKAv1-<hash>: RFC 3310 §3.1, the password is the raw RES octets.
 * - AKAv2-<hash>: RFC 4169 §3, the password is base64(PRF(RES||IK||CK, "http-digest-akav2-password")).
 *   RFC 3310/4169 define only the MD5 forms; the SHA-256 forms follow the same construction with
 *   the hash named after the dash (TS 24.229/33.203 name AKAv1-SHA-256 for some accesses — verify).
 */

export type DigestHash = 'md5' | 'sha256' | 'sha512-256';

export interface DigestAlgorithm {
  /** Canonical spelling, as written into headers. */
  readonly name: string;
  readonly hash: DigestHash;
  /** `-sess` variants: HA1 = H(H(username:realm:password):nonce:cnonce) (RFC 7616 §3.4.2). */
  readonly session: boolean;
  /** 0 for password digest, 1 for AKAv1 (RFC 3310), 2 for AKAv2 (RFC 4169). */
  readonly akaVersion: 0 | 1 | 2;
}

const HASH_NAMES: ReadonlyArray<readonly [string, DigestHash]> = [
  ['MD5', 'md5'],
  ['SHA-256', 'sha256'],
  ['SHA-512-256', 'sha512-256'],
];

const BY_NAME = new Map<string, DigestAlgorithm>();
for (const [hashName, hash] of HASH_NAMES) {
  const plain: DigestAlgorithm = { name: hashName, hash, session: false, akaVersion: 0 };
  const sess: DigestAlgorithm = { name: `${hashName}-sess`, hash, session: true, akaVersion: 0 };
  const aka1: DigestAlgorithm = { name: `AKAv1-${hashName}`, hash, session: false, akaVersion: 1 };
  const aka2: DigestAlgorithm = { name: `AKAv2-${hashName}`, hash, session: false, akaVersion: 2 };
  for (const a of [plain, sess, aka1, aka2]) BY_NAME.set(a.name.toLowerCase(), a);
}

export const MD5: DigestAlgorithm = BY_NAME.get('md5')!;
export const SHA_256: DigestAlgorithm = BY_NAME.get('sha-256')!;
export const SHA_512_256: DigestAlgorithm = BY_NAME.get('sha-512-256')!;
export const AKAV1_MD5: DigestAlgorithm = BY_NAME.get('akav1-md5')!;
export const AKAV2_MD5: DigestAlgorithm = BY_NAME.get('akav2-md5')!;

/**
 * Looks up an `algorithm` value, case-insensitively (RFC 7616 §3.3 compares it as a token).
 * An absent value means MD5 (RFC 2617 §3.2.1, RFC 3261 §22.4). Unknown values give undefined:
 * a UAC skips such a challenge, a server answers with its own challenge.
 */
export function digestAlgorithm(name: string | undefined): DigestAlgorithm | undefined {
  if (name === undefined) return MD5;
  return BY_NAME.get(name.toLowerCase());
}
