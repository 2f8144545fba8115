import { createLocalJWKSet, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMS_AUDIENCE } from './claims.ts';
import { verificationKeys } from './jwks-cache.ts';
import { type JwtVerifyOptions, type VerificationKeys, verifyJws } from './jwt-verify.ts';
import { CORPUS_ISSUER, type CorpusCase, corpus, corpusKeys } from './jwt-verify-corpus.ts';
import { DEFAULT_ALGORITHMS } from './validator.ts';

const NOW = Date.now();
const TOLERANCE = 5;

/** The options the validator gives each verifier. */
const OURS: JwtVerifyOptions = {
  algorithms: new Set(DEFAULT_ALGORITHMS),
  issuer: CORPUS_ISSUER,
  audience: IMS_AUDIENCE,
  clockToleranceSec: TOLERANCE,
  nowMs: NOW,
};
const JOSE = {
  issuer: CORPUS_ISSUER,
  audience: IMS_AUDIENCE,
  algorithms: [...DEFAULT_ALGORITHMS],
  typ: 'at+jwt',
  clockTolerance: TOLERANCE,
  currentDate: new Date(NOW),
  requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
};

describe('verifyJws against jose jwtVerify: the same verdict on a corpus of crafted access tokens', () => {
  let keys: VerificationKeys;
  let joseKeys: ReturnType<typeof createLocalJWKSet>;
  let cases: CorpusCase[];
  let built: ReturnType<typeof corpusKeys>;

  beforeAll(async () => {
    built = corpusKeys();
    const k = verificationKeys(built.jwks, DEFAULT_ALGORITHMS);
    if (k === undefined) throw new Error('the corpus JWKS did not load');
    keys = k;
    joseKeys = createLocalJWKSet(built.jwks);
    cases = await corpus(built.keys, NOW);
  });

  const ours = (token: string): boolean => verifyJws(token, keys, OURS).ok;
  const jose = (token: string): Promise<boolean> =>
    jwtVerify(token, joseKeys, JOSE).then(
      () => true,
      () => false,
    );

  it('[RFC8725-3.1-jose-differential] MUST accept exactly the tokens jose accepts (same keys, same options), and refuse those it is deliberately stricter about', async () => {
    expect(cases.length).toBeGreaterThan(70);
    const disagreements: string[] = [];
    for (const c of cases) {
      const mine = ours(c.token);
      const theirs = await jose(c.token);
      if (c.verdict === 'stricter') {
        if (mine) disagreements.push(`${c.name}: accepted, must be refused`);
        continue;
      }
      const want = c.verdict === 'accept';
      if (mine !== want) disagreements.push(`${c.name}: ours ${mine ? 'accepted' : 'refused'}`);
      if (theirs !== want) disagreements.push(`${c.name}: jose ${theirs ? 'accepted' : 'refused'}`);
    }
    expect(disagreements).toEqual([]);
    // Both sides of the corpus are exercised.
    expect(cases.filter((c) => c.verdict === 'accept').length).toBeGreaterThan(10);
    expect(cases.filter((c) => c.verdict === 'reject').length).toBeGreaterThan(40);
  });

  it('[RFC8725-3.1-jose-differential] MUST keep the verdict when the clock moves past exp (plus tolerance) for every token both accepted', async () => {
    const later = NOW + (300 + TOLERANCE + 1) * 1000;
    for (const c of cases.filter((x) => x.verdict === 'accept')) {
      expect(verifyJws(c.token, keys, { ...OURS, nowMs: later }).ok, c.name).toBe(false);
      const theirs = await jwtVerify(c.token, joseKeys, { ...JOSE, currentDate: new Date(later) }).then(
        () => true,
        () => false,
      );
      expect(theirs, c.name).toBe(false);
    }
  });
});

describe('verifyJws reasons and the key-selection rules', () => {
  let keys: VerificationKeys;
  let cases: Map<string, string>;

  beforeAll(async () => {
    const built = corpusKeys();
    keys = verificationKeys(built.jwks, DEFAULT_ALGORITHMS) ?? { all: [], byKid: new Map() };
    cases = new Map((await corpus(built.keys, NOW)).map((c) => [c.name, c.token]));
  });
  const reason = (name: string, o: Partial<JwtVerifyOptions> = {}) => {
    const token = cases.get(name);
    if (token === undefined) throw new Error(`no corpus case ${name}`);
    const r = verifyJws(token, keys, { ...OURS, ...o });
    return r.ok ? 'accepted' : r.reason;
  };

  it('[RFC7515-7.1-compact-strict] MUST refuse anything but three non-empty segments of canonical base64url without padding or whitespace, and tokens over 16 KiB', () => {
    for (const name of [
      'a fourth segment',
      'a trailing dot',
      'two segments',
      'alg none, empty signature',
      'padding on the signature',
      'padding on the header, signed as such',
      'whitespace inside the signature',
      'stray bits in the last signature character',
      'signature in the base64 alphabet (+ /)',
    ])
      expect(reason(name), name).toBe('malformed token');
    expect(reason('token over 16 KiB')).toBe('token is empty or too long');
    expect(reason('token over 16 KiB', { maxLength: 32_768 })).toBe('accepted');
  });

  it('[RFC7515-4.1.11-crit] MUST refuse a token whose header carries crit, whatever it names', () => {
    expect(reason('crit b64 with b64 true')).toBe('critical header extension not supported');
    expect(reason('crit naming an unknown extension')).toBe('critical header extension not supported');
  });

  it('[RFC7518-3.4-ecdsa-raw] MUST take an ECDSA signature only as raw R||S of the curve length: a DER signature does not verify', () => {
    expect(reason('ES256 signed by hand')).toBe('accepted');
    expect(reason('ES256 with a DER signature')).toBe('signature does not verify');
    expect(reason('ES256 signature one byte short')).toBe('signature does not verify');
  });

  it('[RFC8725-3.1-key-binding] MUST use only the key the kid names, of the algorithm type and curve and of the same alg if the key names one; without kid only a single fitting key', () => {
    expect(reason('RS256 header naming an EC key')).toBe('no key of the issuer matches the token');
    expect(reason('ES256 header naming an RSA key')).toBe('no key of the issuer matches the token');
    expect(reason('ES256 header naming a P-384 key')).toBe('no key of the issuer matches the token');
    expect(reason('PS256 with a key whose alg is RS256')).toBe('no key of the issuer matches the token');
    expect(reason('no kid, two RSA keys fit')).toBe('more than one key matches the token');
    expect(reason('no kid, one key fits ES256')).toBe('accepted');
    expect(reason('signed by another key under a published kid')).toBe('signature does not verify');
    expect(reason('HS256 MACed with the public key PEM')).toBe('signing algorithm not accepted');
    expect(reason('RS256 signed by hand', { algorithms: new Set(['ES256']) })).toBe(
      'signing algorithm not accepted',
    );
  });

  it('[RFC8725-3.1-key-binding] MUST flag a token no held key fits (a fresher JWKS may hold its key) but not a bad signature or a refused algorithm', () => {
    const flag = (name: string) => {
      const r = verifyJws(cases.get(name) ?? '', keys, OURS);
      return r.ok ? undefined : r.unknownKey;
    };
    expect(flag('unknown kid')).toBe(true);
    expect(flag('RSA key under 2048 bits')).toBe(true);
    expect(flag('RS256 signature with a flipped bit')).toBe(false);
    expect(flag('alg none with a signature')).toBe(false);
  });

  it('[RFC9068-4-claims-order] MUST name the first failing check as jose does: typ, then presence, iss, aud, iat, nbf, exp', () => {
    expect(reason('typ JWT')).toBe('token type is not at+jwt');
    expect(reason('iss missing')).toBe('issuer does not match');
    expect(reason('aud missing')).toBe('audience does not match');
    expect(reason('sub missing')).toBe('claim sub is not acceptable');
    expect(reason('iat a string')).toBe('claim iat is not acceptable');
    expect(reason('nbf ahead')).toBe('token not yet valid');
    expect(reason('exp passed')).toBe('token expired');
    expect(reason('exp infinite (1e400)')).toBe('claim exp is not acceptable');
    expect(reason('payload an array')).toBe('malformed token');
    expect(reason('payload with a UTF-8 BOM')).toBe('malformed token');
  });
});
