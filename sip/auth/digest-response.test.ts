import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { akaPassword } from './aka.ts';
import { XorTestAlgorithm } from './aka-algorithm.ts';
import { digestAlgorithm, MD5 } from './digest-algorithm.ts';
import {
  computeDigestResponse,
  computeHa1,
  computeRspauth,
  computeUserhash,
  type DigestInput,
  formatNonceCount,
  hexEqual,
  parseNonceCount,
  type Qop,
} from './digest-response.ts';
import { digestVectors, hex } from './test-vectors.ts';

function inputOf(v: (typeof digestVectors)[number]): DigestInput {
  const algorithm = digestAlgorithm(v.algorithm);
  if (!algorithm) throw new Error(`unknown algorithm ${v.algorithm}`);
  return {
    algorithm,
    username: v.username,
    realm: v.realm,
    nonce: v.nonce,
    method: v.method,
    uri: v.uri,
    qop: (v.qop ?? undefined) as Qop | undefined,
    nc: v.nc,
    cnonce: v.cnonce,
    body: v.body,
  };
}

const passwordVectors = digestVectors.filter((v) => v.password !== undefined && v.response !== undefined);
const akaVectors = digestVectors.filter((v) => v.algorithm.startsWith('AKA'));

describe('Digest response (RFC 2617 §3.2.2, RFC 7616 §3.4.1, RFC 3261 §22.4)', () => {
  it('has the vectors it claims to check', () => {
    expect(passwordVectors.length).toBe(8);
    expect(akaVectors.length).toBe(2);
  });

  it.each(passwordVectors.filter((v) => v.qop !== null).map((v) => [v.id, v] as const))(
    '[RFC7616-3.4.1-response] response = H(HA1:nonce:nc:cnonce:qop:HA2) reproduces %s',
    (_id, v) => {
      expect(computeDigestResponse(inputOf(v), { password: v.password! })).toBe(v.response);
    },
  );

  it.each(passwordVectors.filter((v) => v.qop === null).map((v) => [v.id, v] as const))(
    '[RFC2617-3.2.2-rfc2069-compat] without qop, response = H(HA1:nonce:HA2) reproduces %s',
    (_id, v) => {
      expect(computeDigestResponse(inputOf(v), { password: v.password! })).toBe(v.response);
    },
  );

  it('[RFC7616-3.4.2-ha1] gives the same response from a stored HA1 as from the password', () => {
    const v = passwordVectors.find((x) => x.id === 'rfc2617-3.5')!;
    const ha1 = computeHa1('md5', v.username, v.realm, v.password!);
    expect(ha1).toBe(v.ha1);
    expect(computeDigestResponse(inputOf(v), { ha1: ha1.toUpperCase() })).toBe(v.response);
  });

  it('[RFC2617-3.2.2-auth-int] hashes the body for auth-int, an empty body when there is none', () => {
    const v = passwordVectors.find((x) => x.id === 'jssip-sip-register-auth-int-empty-body')!;
    const { body: _ignored, ...withoutBody } = inputOf(v);
    expect(computeDigestResponse(withoutBody, { password: v.password! })).toBe(v.response);
    const withBody = passwordVectors.find((x) => x.id === 'jssip-sip-register-auth-int-body')!;
    expect(computeDigestResponse(inputOf(withBody), { password: withBody.password! })).toBe(
      withBody.response,
    );
    expect(
      computeDigestResponse(
        { ...inputOf(withBody), body: Buffer.from('TEST BODY') },
        { password: withBody.password! },
      ),
    ).toBe(withBody.response);
  });

  it('[RFC7616-3.2-sha256] SHA-256 HA1 matches RFC 7616 §3.9.1', () => {
    const v = passwordVectors.find((x) => x.id === 'rfc7616-3.9.1-sha256')!;
    expect(computeHa1('sha256', v.username, v.realm, v.password!)).toBe(v.ha1);
  });

  it('[RFC7616-3.2-sha512-256] [RFC7616-3.4.4-userhash] SHA-512-256 is FIPS 180-4 SHA-512/256, not the truncated SHA-512 of the RFC 7616 §3.9.2 example', () => {
    const v = digestVectors.find((x) => x.id === 'rfc7616-3.9.2-sha512-256-userhash')!;
    const input = inputOf(v);
    expect(computeUserhash('sha512-256', v.username, v.realm)).toBe(v.fips_sha512_256_username_hash);
    expect(computeDigestResponse(input, { password: v.password! })).toBe(v.fips_sha512_256_response);
    expect(computeDigestResponse(input, { password: v.password! })).not.toBe(v.rfc_published_response);
  });

  it('[RFC7616-3.4.2-sess] -sess hashes HA1 with nonce and cnonce (RFC 7616 §3.4.2)', () => {
    const base = inputOf(passwordVectors.find((x) => x.id === 'rfc2617-3.5')!);
    const sess = { ...base, algorithm: digestAlgorithm('MD5-sess')! };
    const ha1 = computeHa1('md5', base.username, base.realm, 'Circle Of Life');
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const sessHa1 = md5(`${ha1}:${base.nonce}:${base.cnonce}`);
    const expected = md5(
      `${sessHa1}:${base.nonce}:${base.nc}:${base.cnonce}:auth:${md5(`${base.method}:${base.uri}`)}`,
    );
    expect(computeDigestResponse(sess, { password: 'Circle Of Life' })).toBe(expected);
    expect(() => computeDigestResponse({ ...sess, cnonce: undefined }, { password: 'x' })).toThrow(TypeError);
  });

  it('[RFC3261-22.4-default-md5] an absent algorithm means MD5; names compare case-insensitively', () => {
    expect(digestAlgorithm(undefined)).toBe(MD5);
    expect(digestAlgorithm('md5')).toBe(MD5);
    expect(digestAlgorithm('sha-256')?.name).toBe('SHA-256');
    expect(digestAlgorithm('akav2-md5')).toMatchObject({ hash: 'md5', akaVersion: 2 });
    expect(digestAlgorithm('SHA-1')).toBeUndefined();
  });

  it('[RFC2617-3.2.3-rspauth] rspauth is the response with an empty method (RFC 2617 §3.2.3)', () => {
    const v = passwordVectors.find((x) => x.id === 'rfc2617-3.5')!;
    const input = inputOf(v);
    expect(computeRspauth(input, { password: v.password! })).toBe(
      computeDigestResponse({ ...input, method: '' }, { password: v.password! }),
    );
    expect(computeRspauth(input, { password: v.password! })).not.toBe(v.response);
  });

  it('[RFC7616-3.4-nc-format] nc is exactly 8 hex digits', () => {
    expect(formatNonceCount(1)).toBe('00000001');
    expect(formatNonceCount(0xffffffff)).toBe('ffffffff');
    expect(() => formatNonceCount(0)).toThrow(RangeError);
    expect(parseNonceCount('0000000A')).toBe(10);
    expect(parseNonceCount('00000001')).toBe(1);
    expect(parseNonceCount('1')).toBeUndefined();
    expect(parseNonceCount('0000000g')).toBeUndefined();
  });

  it('compares digests in constant time and case-insensitively', () => {
    expect(hexEqual('abcdef', 'ABCDEF')).toBe(true);
    expect(hexEqual('abcdef', 'abcdee')).toBe(false);
    expect(hexEqual('abcdef', 'abcde')).toBe(false);
  });
});

describe('Digest AKA passwords (RFC 3310 §3.3, RFC 4169 §3)', () => {
  it.each(akaVectors.map((v) => [v.id, v] as const))(
    '[RFC3310-3.3-akav1-password] AKAv1: RES octets as password reproduce %s',
    (_id, v) => {
      const alg = new XorTestAlgorithm(hex(v.k!));
      const run = alg.keys(hex(v.rand!));
      expect(Buffer.from(run.res).toString('hex')).toBe(v.derived_res_hex);
      const password = akaPassword(digestAlgorithm(v.algorithm)!, run);
      expect(computeDigestResponse(inputOf(v), { password })).toBe(v.response);
    },
  );

  it('[RFC4169-3-akav2-password] AKAv2: password is base64(HMAC-MD5(RES‖IK‖CK, "http-digest-akav2-password"))', () => {
    const run = { res: Buffer.alloc(8, 1), ik: Buffer.alloc(16, 2), ck: Buffer.alloc(16, 3) };
    const expected = createHmac('md5', Buffer.concat([run.res, run.ik, run.ck]))
      .update('http-digest-akav2-password')
      .digest('base64');
    expect(akaPassword(digestAlgorithm('AKAv2-MD5')!, run)).toBe(expected);
    expect(akaPassword(digestAlgorithm('AKAv2-SHA-256')!, run)).toHaveLength(44);
    expect(() => akaPassword(MD5, run)).toThrow(TypeError);
  });
});
