/**
 * Test support for jwt-verify.test.ts: a JWK Set of several key types and a corpus of crafted
 * access tokens, each with the verdict it must get. Valid tokens are signed both by jose's SignJWT
 * and by hand (node:crypto), so that malformed headers, payloads and encodings can be built too.
 *
 *   accept    a conforming token: jose and ours must accept it;
 *   reject    jose and ours must refuse it;
 *   stricter  ours must refuse it; jose (on this runtime) may accept it: a deliberate strictness
 *             (padding or whitespace in base64url, stray bits, a BOM, `crit: ["b64"]`, an
 *             infinite exp, a token over 16 KiB).
 */
import {
  constants,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import { type JWK, SignJWT } from 'jose';
import { IMS_AUDIENCE } from './claims.ts';
import { JWS_ALGORITHMS } from './jwt-verify.ts';

export type Verdict = 'accept' | 'reject' | 'stricter';
export interface CorpusCase {
  readonly name: string;
  readonly token: string;
  readonly verdict: Verdict;
}

export const CORPUS_ISSUER = 'https://waf.test/oauth';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: JWK;
}

function key(
  kid: string,
  pair: { privateKey: KeyObject; publicKey: KeyObject },
  extra: JWK = {},
): SigningKey {
  const jwk = { ...(pair.publicKey.export({ format: 'jwk' }) as JWK), kid, use: 'sig', ...extra };
  return { kid, privateKey: pair.privateKey, jwk };
}

/** The issuer's keys: what the JWKS publishes, and one never published (`forger`). */
export function corpusKeys() {
  const rsa = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits });
  const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve });
  const keys = {
    rsa1: key('rsa-1', rsa(2048), { alg: 'RS256' }),
    rsa2: key('rsa-2', rsa(2048)),
    ec1: key('ec-1', ec('P-256'), { alg: 'ES256' }),
    ec384: key('ec-384', ec('P-384')),
    ed1: key('ed-1', generateKeyPairSync('ed25519')),
    rsaSmall: key('rsa-small', rsa(1024), { alg: 'RS256' }),
    ecEnc: key('ec-enc', ec('P-256'), { use: 'enc' }),
    forger: key('forger', rsa(2048)),
  };
  const { forger: _, ...published } = keys;
  return { keys, jwks: { keys: Object.values(published).map((k) => k.jwk) } };
}

type Keys = ReturnType<typeof corpusKeys>['keys'];

const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64url');
const seg = (value: unknown): string => b64(JSON.stringify(value));

/** A JWS signature by node:crypto (RFC 7518 §3): raw r||s for ECDSA unless `der`. */
function signature(alg: string, data: string, k: KeyObject, der = false): Buffer {
  const a = JWS_ALGORITHMS.get(alg);
  if (a === undefined) throw new Error(`no ${alg}`);
  const input = Buffer.from(data, 'latin1');
  if (a.ecdsaLength !== undefined)
    return sign(a.hash, input, { key: k, dsaEncoding: der ? 'der' : 'ieee-p1363' });
  if (a.pssSaltLength !== undefined)
    return sign(a.hash, input, {
      key: k,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: a.pssSaltLength,
    });
  return sign(a.hash, input, k);
}

/** header.payload as given (already encoded), signed as `alg` with `k`. */
function signed(h: string, p: string, alg: string, k: KeyObject): string {
  return `${h}.${p}.${b64(signature(alg, `${h}.${p}`, k))}`;
}

export async function corpus(keys: Keys, nowMs: number): Promise<CorpusCase[]> {
  const now = Math.floor(nowMs / 1000);
  const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    iss: CORPUS_ISSUER,
    aud: [IMS_AUDIENCE],
    sub: 'subscriber-alice',
    client_id: 'wic',
    jti: 'jti-1',
    iat: now,
    exp: now + 300,
    scope: 'openid ims',
    ims: { domain: 'ims.test', impu: 'sip:alice@ims.test', impi: 'alice@ims.test' },
    ...extra,
  });
  const without = (name: string) => {
    const c = claims();
    delete c[name];
    return c;
  };
  const hdr = (alg: string, kid: string | undefined, extra: Record<string, unknown> = {}) =>
    seg({ alg, typ: 'at+jwt', ...(kid === undefined ? {} : { kid }), ...extra });
  /** a token from JSON values, signed by `k` */
  const tok = (k: SigningKey, alg: string, payload: unknown = claims(), header?: Record<string, unknown>) =>
    signed(header === undefined ? hdr(alg, k.kid) : seg(header), seg(payload), alg, k.privateKey);
  const rs = tok(keys.rsa1, 'RS256');
  const es = tok(keys.ec1, 'ES256');
  const ed = tok(keys.ed1, 'EdDSA');
  const [rh, rp, rsig] = rs.split('.') as [string, string, string];
  const [eh, ep] = es.split('.') as [string, string, string];
  /** rsa-1's payload under another (encoded) header, or rsa-1's header over another payload */
  const rsHeader = (h: string) => signed(h, rp, 'RS256', keys.rsa1.privateKey);
  const rsPayload = (p: string) => signed(rh, p, 'RS256', keys.rsa1.privateKey);
  /** an RS256 token by rsa-1 with these claims; one with a header of these members */
  const rsClaims = (c: Record<string, unknown>) => tok(keys.rsa1, 'RS256', c);
  const rsWith = (h: Record<string, unknown>) =>
    tok(keys.rsa1, 'RS256', claims(), { alg: 'RS256', typ: 'at+jwt', kid: 'rsa-1', ...h });
  const flip = (t: string) => {
    const [h, p, s] = t.split('.') as [string, string, string];
    const bytes = Buffer.from(s, 'base64url');
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x01;
    return `${h}.${p}.${b64(bytes)}`;
  };
  const pem = createPublicKey(keys.rsa1.privateKey).export({ type: 'spki', format: 'pem' });
  const hs256 = (() => {
    const h = hdr('HS256', keys.rsa1.kid);
    const p = seg(claims());
    return `${h}.${p}.${b64(createHmac('sha256', pem).update(`${h}.${p}`).digest())}`;
  })();
  // An RS256 signature whose base64url text holds - or _ (to be rewritten in the base64 alphabet).
  let urlSafe = rs;
  for (let i = 0; !/[-_]/.test(urlSafe.split('.')[2] ?? ''); i++)
    urlSafe = rsClaims(claims({ jti: `jti-${i}` }));
  // A header whose encoding needs padding, signed over the padded text.
  let padHeader = { alg: 'RS256', typ: 'at+jwt', kid: keys.rsa1.kid, x: '' };
  while (seg(padHeader).length % 4 === 0) padHeader = { ...padHeader, x: `${padHeader.x}x` };
  const padded = (s: string) => s + '='.repeat((4 - (s.length % 4)) % 4);
  const bom = (s: string) => b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]));
  // RS256 signatures are 256 bytes: 342 characters, the last carrying 4 unused bits.
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const strayBits = rsig.slice(0, -1) + B64.charAt(B64.indexOf(rsig.slice(-1)) + 1);

  const cases: [string, string, Verdict][] = [
    // Conforming tokens.
    ['RS256 signed by jose', await joseSigned(keys.rsa1, 'RS256', now), 'accept'],
    ['ES256 signed by jose', await joseSigned(keys.ec1, 'ES256', now), 'accept'],
    ['EdDSA signed by jose', await joseSigned(keys.ed1, 'EdDSA', now), 'accept'],
    ['RS256 signed by hand', rs, 'accept'],
    ['PS256 with a key that names no alg', tok(keys.rsa2, 'PS256'), 'accept'],
    ['ES256 signed by hand', es, 'accept'],
    ['ES384 with a P-384 key', tok(keys.ec384, 'ES384'), 'accept'],
    ['EdDSA', ed, 'accept'],
    ['Ed25519 (the fully specified name)', tok(keys.ed1, 'Ed25519'), 'accept'],
    ['typ application/at+jwt', rsHeader(hdr('RS256', 'rsa-1', { typ: 'application/at+jwt' })), 'accept'],
    ['typ AT+JWT', rsHeader(hdr('RS256', 'rsa-1', { typ: 'AT+JWT' })), 'accept'],
    [
      'no kid, one key fits ES256',
      signed(hdr('ES256', undefined), ep, 'ES256', keys.ec1.privateKey),
      'accept',
    ],
    ['aud a string', rsClaims(claims({ aud: IMS_AUDIENCE })), 'accept'],
    ['aud an array containing ours', rsClaims(claims({ aud: ['urn:x', IMS_AUDIENCE] })), 'accept'],
    ['exp passed, within the tolerance', rsClaims(claims({ exp: now - 3 })), 'accept'],
    ['nbf ahead, within the tolerance', rsClaims(claims({ nbf: now + 3 })), 'accept'],
    ['non-ASCII claim values', tok(keys.ec1, 'ES256', claims({ sub: 'zoë-ünïcødé-😀' })), 'accept'],
    // Signatures and keys.
    ['RS256 signature with a flipped bit', flip(rs), 'reject'],
    ['ES256 signature with a flipped bit', flip(es), 'reject'],
    ['EdDSA signature with a flipped bit', flip(ed), 'reject'],
    ['payload changed after signing', `${rh}.${seg(claims({ sub: 'mallory' }))}.${rsig}`, 'reject'],
    [
      'signed by another key under a published kid',
      tok(keys.forger, 'RS256', claims(), { alg: 'RS256', typ: 'at+jwt', kid: 'rsa-1' }),
      'reject',
    ],
    ['alg none, empty signature', `${seg({ alg: 'none', typ: 'at+jwt' })}.${rp}.`, 'reject'],
    [
      'alg none with a signature',
      `${seg({ alg: 'none', typ: 'at+jwt', kid: 'rsa-1' })}.${rp}.${rsig}`,
      'reject',
    ],
    ['alg empty', `${seg({ alg: '', typ: 'at+jwt', kid: 'rsa-1' })}.${rp}.${rsig}`, 'reject'],
    ['alg missing', `${seg({ typ: 'at+jwt', kid: 'rsa-1' })}.${rp}.${rsig}`, 'reject'],
    ['HS256 MACed with the public key PEM', hs256, 'reject'],
    [
      'RS256 header naming an EC key',
      tok(keys.rsa1, 'RS256', claims(), { alg: 'RS256', typ: 'at+jwt', kid: 'ec-1' }),
      'reject',
    ],
    [
      'ES256 header naming an RSA key',
      tok(keys.ec1, 'ES256', claims(), { alg: 'ES256', typ: 'at+jwt', kid: 'rsa-1' }),
      'reject',
    ],
    [
      'ES256 header naming a P-384 key',
      tok(keys.ec384, 'ES256', claims(), { alg: 'ES256', typ: 'at+jwt', kid: 'ec-384' }),
      'reject',
    ],
    ['PS256 with a key whose alg is RS256', tok(keys.rsa1, 'PS256'), 'reject'],
    [
      'ES256 with a DER signature',
      `${eh}.${ep}.${b64(signature('ES256', `${eh}.${ep}`, keys.ec1.privateKey, true))}`,
      'reject',
    ],
    [
      'ES256 signature one byte short',
      `${eh}.${ep}.${b64(signature('ES256', `${eh}.${ep}`, keys.ec1.privateKey).subarray(1))}`,
      'reject',
    ],
    ['no kid, two RSA keys fit', rsHeader(hdr('RS256', undefined)), 'reject'],
    ['unknown kid', tok(keys.forger, 'RS256'), 'reject'],
    ['kid a number', rsHeader(hdr('RS256', undefined, { kid: 1 })), 'reject'],
    ['RSA key under 2048 bits', tok(keys.rsaSmall, 'RS256'), 'reject'],
    ['key published for encryption', tok(keys.ecEnc, 'ES256'), 'reject'],
    // Header.
    ['crit naming an unknown extension', rsWith({ crit: ['x'], x: 1 }), 'reject'],
    ['crit empty', rsWith({ crit: [] }), 'reject'],
    ['crit b64 with b64 true', rsWith({ crit: ['b64'], b64: true }), 'stricter'],
    ['typ JWT', rsHeader(hdr('RS256', 'rsa-1', { typ: 'JWT' })), 'reject'],
    ['typ application/jwt', rsHeader(hdr('RS256', 'rsa-1', { typ: 'application/jwt' })), 'reject'],
    ['typ missing', rsHeader(seg({ alg: 'RS256', kid: 'rsa-1' })), 'reject'],
    ['header not JSON', rsHeader(b64('{"alg":"RS256",')), 'reject'],
    ['header an array', rsHeader(seg(['RS256'])), 'reject'],
    [
      'header with a UTF-8 BOM',
      rsHeader(bom(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: 'rsa-1' }))),
      'stricter',
    ],
    // Compact serialisation and base64url.
    ['empty string', '', 'reject'],
    ['a fourth segment', `${rs}.${rsig}`, 'reject'],
    ['a trailing dot', `${rs}.`, 'reject'],
    ['two segments', `${rh}.${rp}`, 'reject'],
    ['five segments (a JWE)', `${rh}..${rp}.${rp}.${rsig}`, 'reject'],
    [
      'signature in the base64 alphabet (+ /)',
      urlSafe.replace(/[^.]*$/, (s) => s.replaceAll('-', '+').replaceAll('_', '/')),
      'reject',
    ],
    ['padding on the signature', padded(rs), 'stricter'],
    ['padding on the header, signed as such', rsHeader(padded(seg(padHeader))), 'stricter'],
    ['whitespace inside the signature', `${rh}.${rp}.${rsig.slice(0, 100)} ${rsig.slice(100)}`, 'stricter'],
    ['stray bits in the last signature character', `${rh}.${rp}.${strayBits}`, 'stricter'],
    ['token over 16 KiB', rsClaims(claims({ filler: 'x'.repeat(13_000) })), 'stricter'],
    // Payload.
    ['payload not JSON', rsPayload(b64('{"iss":')), 'reject'],
    ['payload an array', rsPayload(seg([claims()])), 'reject'],
    ['payload null', rsPayload(seg(null)), 'reject'],
    ['payload not UTF-8', rsPayload(b64(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))), 'reject'],
    ['payload with a UTF-8 BOM', rsPayload(bom(JSON.stringify(claims()))), 'stricter'],
    // Claims.
    ['exp passed', rsClaims(claims({ exp: now - 60 })), 'reject'],
    ['exp missing', rsClaims(without('exp')), 'reject'],
    ['exp a string', rsClaims(claims({ exp: String(now + 300) })), 'reject'],
    [
      'exp infinite (1e400)',
      rsPayload(b64(JSON.stringify(claims({ exp: 0 })).replace('"exp":0', '"exp":1e400'))),
      'stricter',
    ],
    ['nbf ahead', rsClaims(claims({ nbf: now + 120 })), 'reject'],
    ['nbf a string', rsClaims(claims({ nbf: 'now' })), 'reject'],
    ['iat missing', rsClaims(without('iat')), 'reject'],
    ['iat a string', rsClaims(claims({ iat: 'today' })), 'reject'],
    ['iss another issuer', rsClaims(claims({ iss: 'https://evil.test/oauth' })), 'reject'],
    ['iss missing', rsClaims(without('iss')), 'reject'],
    ['iss an array holding ours', rsClaims(claims({ iss: [CORPUS_ISSUER] })), 'reject'],
    ['aud another resource', rsClaims(claims({ aud: 'urn:example:other' })), 'reject'],
    ['aud an array without ours', rsClaims(claims({ aud: ['urn:a', 'urn:b'] })), 'reject'],
    ['aud missing', rsClaims(without('aud')), 'reject'],
    ['sub missing', rsClaims(without('sub')), 'reject'],
    ['client_id missing', rsClaims(without('client_id')), 'reject'],
    ['jti missing', rsClaims(without('jti')), 'reject'],
  ];
  return cases.map(([name, token, verdict]) => ({ name, token, verdict }));
}

/** A valid token signed by jose's SignJWT: a signature made by another implementation than ours. */
function joseSigned(k: SigningKey, alg: string, now: number): Promise<string> {
  return new SignJWT({
    client_id: 'wic',
    scope: 'openid ims',
    ims: { domain: 'ims.test', impu: 'sip:alice@ims.test', impi: 'alice@ims.test' },
  })
    .setProtectedHeader({ alg, typ: 'at+jwt', kid: k.kid })
    .setIssuer(CORPUS_ISSUER)
    .setAudience(IMS_AUDIENCE)
    .setSubject('subscriber-alice')
    .setJti(`jti-jose-${alg}`)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(k.privateKey);
}
