/**
 * Format 2 of the provisioning link, and the one-time code the launch handler gives the web
 * client: a sealed token (AES-256-GCM) carrying the subscriber id, its domain, the link format,
 * the expiry and a random nonce. No password is in it; its integrity and secrecy rest on
 * PROVISIONING_LINK_SECRET, from which one key per purpose is derived (HKDF-SHA256, RFC 5869),
 * so a code can never be presented as a link or the other way round.
 *
 * Token: base64url(version 0x01 | 12-byte IV | ciphertext | 16-byte tag), the purpose as
 * additional authenticated data. Single use is not the token's business: the caller remembers
 * used nonces until the expiry (used-nonces.ts).
 */

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export type LinkFormat = 'sipphone' | 'web';
/** `link`: the https link handed out by the SAPI; `code`: the one-time code for the web client */
export type SealPurpose = 'link' | 'code';

export interface LinkClaims {
  readonly subscriberId: string;
  readonly domain: string;
  readonly format: LinkFormat;
  /** ms since the epoch */
  readonly expiresAt: number;
  /** random, base64url; what single use is tracked by */
  readonly nonce: string;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Longer tokens are refused before any decoding (claims are a few hundred bytes at most). */
const MAX_TOKEN_CHARS = 2048;
export const MIN_SECRET_CHARS = 32;

/** A fresh nonce for a token. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

function parseClaims(json: string): LinkClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { s, d, f, e, n } = value as Record<string, unknown>;
  if (typeof s !== 'string' || s === '' || typeof d !== 'string' || d === '') return undefined;
  if (f !== 'sipphone' && f !== 'web') return undefined;
  if (typeof e !== 'number' || !Number.isSafeInteger(e) || typeof n !== 'string' || n === '')
    return undefined;
  return { subscriberId: s, domain: d, format: f, expiresAt: e, nonce: n };
}

export class LinkSealer {
  private readonly keys: Readonly<Record<SealPurpose, Buffer>>;

  constructor(secret: string) {
    if (secret.length < MIN_SECRET_CHARS)
      throw new RangeError(`the link secret must have at least ${MIN_SECRET_CHARS} characters`);
    const derive = (purpose: SealPurpose): Buffer =>
      Buffer.from(hkdfSync('sha256', secret, 'webrtc-ims provisioning', `v${VERSION} ${purpose}`, 32));
    this.keys = { link: derive('link'), code: derive('code') };
  }

  seal(purpose: SealPurpose, claims: LinkClaims): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys[purpose], iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(purpose));
    const json = JSON.stringify({
      s: claims.subscriberId,
      d: claims.domain,
      f: claims.format,
      e: claims.expiresAt,
      n: claims.nonce,
    });
    const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The claims of a token sealed for `purpose` under this secret; undefined for anything else. */
  open(purpose: SealPurpose, token: string): LinkClaims | undefined {
    if (token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length < 1 + IV_BYTES + TAG_BYTES + 1 || bytes[0] !== VERSION) return undefined;
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const body = bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.keys[purpose], iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(tag);
      return parseClaims(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8'));
    } catch {
      return undefined;
    }
  }
}
