/**
 * Test-only: loads the project's shared test vectors from shared/vectors beside the repository
 * (../shared/vectors from the repository root), where the lead keeps them. They are not copied
 * into the repository; a missing file fails the tests that need it, loudly.
 */
import { readFileSync } from 'node:fs';

export interface DigestVector {
  readonly id: string;
  readonly algorithm: string;
  readonly username: string;
  readonly realm: string;
  readonly password?: string;
  readonly method: string;
  readonly uri: string;
  readonly nonce: string;
  readonly opaque?: string;
  readonly nc?: string;
  readonly cnonce?: string;
  readonly qop: string | null;
  readonly body?: string;
  readonly response?: string;
  readonly ha1?: string;
  readonly ha2?: string;
  readonly k?: string;
  readonly rand?: string;
  readonly sqn?: string;
  readonly amf?: string;
  readonly derived_res_hex?: string;
  readonly derived_autn_hex?: string;
  readonly userhash?: boolean;
  readonly rfc_published_username_hash?: string;
  readonly rfc_published_response?: string;
  readonly fips_sha512_256_username_hash?: string;
  readonly fips_sha512_256_response?: string;
}

export interface MilenageVector {
  readonly test_set: number;
  readonly k: string;
  readonly rand: string;
  readonly sqn: string;
  readonly amf: string;
  readonly op: string;
  readonly opc: string;
  readonly f1_mac_a: string;
  readonly f1star_mac_s: string;
  readonly f2_res: string;
  readonly f5_ak: string;
  readonly f3_ck: string;
  readonly f4_ik: string;
  readonly f5star_ak_star: string;
  readonly derived: { readonly autn: string; readonly rand_autn_b64_nonce: string };
}

const VECTORS = new URL('../../../shared/vectors/', import.meta.url);

export function readVectorFile(name: string): string {
  return readFileSync(new URL(name, VECTORS), 'latin1');
}

function load<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, VECTORS), 'utf8')) as T;
}

export const digestVectors: readonly DigestVector[] = load<{ vectors: DigestVector[] }>(
  'digest.json',
).vectors;

const milenage = load<{ ts35208_conformance: MilenageVector[]; ts35207_implementors: MilenageVector[] }>(
  'milenage.json',
);
/** TS 35.208 §4.3 test sets 1–20 and the six TS 35.207 implementors' sets. */
export const milenageVectors: readonly MilenageVector[] = [
  ...milenage.ts35208_conformance,
  ...milenage.ts35207_implementors,
];

export function hex(s: string): Buffer {
  return Buffer.from(s, 'hex');
}
