import { describe, expect, it } from 'vitest';
import { base64Url, createPkce, randomToken, s256Challenge } from './pkce.ts';

describe('PKCE helper (RFC 7636)', () => {
  it('[RFC7636-4.2-s256] MUST derive the S256 challenge as BASE64URL(SHA-256(verifier)), as in Appendix B', async () => {
    // RFC 7636 Appendix B: the verifier and challenge of the worked example.
    expect(await s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('[RFC7636-4.1-verifier] MUST create a verifier of 43+ unreserved characters from 32 random octets', async () => {
    // The octets of Appendix B give its verifier.
    const octets = [
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214,
      191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    const pair = await createPkce((b) => {
      b.set(octets);
      return b;
    });
    expect(pair).toEqual({
      verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
      challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      method: 'S256',
    });
    const random = await createPkce();
    expect(random.verifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
    expect(random.verifier).not.toBe((await createPkce()).verifier);
  });

  it('[RFC7636-4.1-verifier] MUST refuse a verifier outside 43..128 unreserved characters', async () => {
    await expect(s256Challenge('short')).rejects.toThrow(RangeError);
    await expect(s256Challenge('a'.repeat(129))).rejects.toThrow(RangeError);
    await expect(s256Challenge(`${'a'.repeat(42)}+`)).rejects.toThrow(RangeError);
  });

  it('encodes base64url without padding and state values of the asked length', () => {
    expect(base64Url(new Uint8Array([251, 255]))).toBe('-_8');
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
