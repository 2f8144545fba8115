import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeSipPhoneLink, encodeSipPhoneLink } from './sipphone.ts';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f';
const IV_HEX = 'f0e0d0c0b0a090807060504030201000';
const secret = { key: Buffer.from(KEY_HEX, 'hex'), iv: Buffer.from(IV_HEX, 'hex') };

/** OpenSSL's own AES-128-CBC (PKCS#7 padding is its default), Base64 on one line. */
function openssl(direction: 'encrypt' | 'decrypt', input: string): string {
  const args = ['enc', '-aes-128-cbc', '-K', KEY_HEX, '-iv', IV_HEX, '-base64', '-A'];
  if (direction === 'decrypt') args.splice(1, 0, '-d');
  return execFileSync('openssl', args, { input }).toString('utf8').trim();
}

describe('sip:phone provisioning link (format 1)', () => {
  it('[SIPPHONE-link-aes128cbc] MUST be sipphone:// + Base64 of AES-128-CBC/PKCS#7 over username=…&server=…&password=…, as OpenSSL computes it', () => {
    const link = encodeSipPhoneLink(
      { username: 'alice', server: 'ims.lab', password: 'p@ss wörd&x=1' },
      secret,
    );
    // The form encoding, written out by hand: @ → %40, space → +, ö → %C3%B6, & → %26, = → %3D.
    const expected = openssl('encrypt', 'username=alice&server=ims.lab&password=p%40ss+w%C3%B6rd%26x%3D1');
    expect(link).toBe(`sipphone://${expected}`);
    expect(openssl('decrypt', link.slice('sipphone://'.length))).toBe(
      'username=alice&server=ims.lab&password=p%40ss+w%C3%B6rd%26x%3D1',
    );
  });

  it('[SIPPHONE-link-aes128cbc] MUST read back a link OpenSSL made, and refuse links not made under the key', () => {
    // 48 bytes of plain text: a whole block of padding follows it.
    const text = 'username=bob&server=pbx.example.com&password=xyz';
    expect(text.length % 16).toBe(0);
    const link = `sipphone://${openssl('encrypt', text)}`;
    expect(decodeSipPhoneLink(link, secret)).toEqual({
      username: 'bob',
      server: 'pbx.example.com',
      password: 'xyz',
    });
    const otherKey = { key: Buffer.alloc(16, 7), iv: secret.iv };
    expect(decodeSipPhoneLink(link, otherKey)).toBeUndefined();
    expect(decodeSipPhoneLink(link.replace('sipphone://', 'https://'), secret)).toBeUndefined();
    expect(decodeSipPhoneLink(`${link.slice(0, -6)}AAAA==`, secret)).toBeUndefined();
    expect(decodeSipPhoneLink('sipphone://not base64!', secret)).toBeUndefined();
    // Valid ciphertext of something that is not the three fields.
    expect(
      decodeSipPhoneLink(`sipphone://${openssl('encrypt', 'username=a&server=b')}`, secret),
    ).toBeUndefined();
  });

  it('[SIPPHONE-link-aes128cbc] MUST refuse a key or IV that is not 16 bytes', () => {
    const account = { username: 'a', server: 'b', password: 'c' };
    expect(() => encodeSipPhoneLink(account, { key: Buffer.alloc(32), iv: secret.iv })).toThrow(RangeError);
    expect(() => encodeSipPhoneLink(account, { key: secret.key, iv: Buffer.alloc(12) })).toThrow(RangeError);
  });
});
