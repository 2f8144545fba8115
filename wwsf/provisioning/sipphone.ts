/**
 * Format 1 of the provisioning link: the one the sip:phone app reads (sipwise's sip:carrier
 * zero-config flow). The account is the form-encoded text `username=…&server=…&password=…`,
 * encrypted with AES-128-CBC and PKCS#7 padding under a key and IV shared with the app, Base64
 * (standard alphabet, padded), carried as `sipphone://<base64>`.
 *
 * Deviation, imposed by the app: the IV is fixed by configuration, so the same account always
 * gives the same link (CBC with a fixed IV is deterministic), and the ciphertext is not
 * authenticated. That is why our own links (format 2, link-seal.ts) never carry this URL: the
 * product hands it out only through the launch handler, behind an expiring single-use link.
 */

import { createCipheriv, createDecipheriv } from 'node:crypto';

export const SIPPHONE_SCHEME = 'sipphone:';

export interface SipPhoneAccount {
  /** the SIP user name (the user part of the IMPU) */
  readonly username: string;
  /** the SIP domain or proxy host the app registers to */
  readonly server: string;
  readonly password: string;
}

export interface SipPhoneKey {
  /** 16 bytes */
  readonly key: Buffer;
  /** 16 bytes */
  readonly iv: Buffer;
}

const FIELDS = ['username', 'server', 'password'] as const;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function checkKey({ key, iv }: SipPhoneKey): void {
  if (key.length !== 16) throw new RangeError('the sip:phone key must be 16 bytes (AES-128)');
  if (iv.length !== 16) throw new RangeError('the sip:phone IV must be 16 bytes');
}

/** The `sipphone://…` URL for an account. */
export function encodeSipPhoneLink(account: SipPhoneAccount, secret: SipPhoneKey): string {
  checkKey(secret);
  const text = new URLSearchParams(
    FIELDS.map((field): [string, string] => [field, account[field]]),
  ).toString();
  const cipher = createCipheriv('aes-128-cbc', secret.key, secret.iv);
  const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return `${SIPPHONE_SCHEME}//${sealed.toString('base64')}`;
}

/**
 * The account in a `sipphone://…` URL; undefined when it is not one made under this key (bad
 * Base64, bad padding, or not exactly the three fields). Without authentication a wrong key can
 * occasionally decrypt to valid padding: the field check catches that.
 */
export function decodeSipPhoneLink(link: string, secret: SipPhoneKey): SipPhoneAccount | undefined {
  checkKey(secret);
  const prefix = `${SIPPHONE_SCHEME}//`;
  if (!link.startsWith(prefix)) return undefined;
  const body = link.slice(prefix.length);
  if (!BASE64.test(body) || body.length % 4 !== 0) return undefined;
  let text: string;
  try {
    const decipher = createDecipheriv('aes-128-cbc', secret.key, secret.iv);
    text = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
  const form = new URLSearchParams(text);
  const keys = [...form.keys()];
  if (keys.length !== FIELDS.length || !FIELDS.every((field) => form.getAll(field).length === 1))
    return undefined;
  const [username = '', server = '', password = ''] = FIELDS.map((field) => form.get(field) ?? '');
  return { username, server, password };
}
