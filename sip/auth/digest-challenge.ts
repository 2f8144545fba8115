/**
 * Digest challenges: the value of WWW-Authenticate (401) and Proxy-Authenticate (407),
 * RFC 3261 §20.27/§20.44 and §22.4, RFC 7616 §3.3, with the IMS additions of TS 24.229 §7.2A.
 */

import {
  type AuthHeaderValue,
  type AuthParam,
  type AuthResult,
  findParam,
  formatAuthHeader,
  parseAuthHeader,
  schemeIs,
} from './auth-header.ts';

export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque?: string | undefined;
  /** Space-separated URIs of the protection space (RFC 7616 §3.3). */
  readonly domain?: string | undefined;
  /** stale=true: the credentials were right but the nonce expired; retry without asking the user. */
  readonly stale: boolean;
  /** As written; absent means MD5. Resolve with `digestAlgorithm()`. */
  readonly algorithm?: string | undefined;
  /** The qop-options offered, e.g. ['auth', 'auth-int']; empty when the challenge has no qop. */
  readonly qop: readonly string[];
  /** RFC 7616 §3.3 userhash=true: the server accepts H(username:realm) in `username`. */
  readonly userhash: boolean;
  /** RFC 7616 §3.3 charset=UTF-8. */
  readonly charset?: string | undefined;
  /**
   * IMS AKA session keys the S-CSCF adds for the P-CSCF (TS 24.229 §5.4.1.2.1, §7.2A.1). A P-CSCF
   * MUST remove them before the 401 leaves toward the UE (TS 24.229 §5.2.2.1; see ims-auth.ts).
   */
  readonly ck?: string | undefined;
  readonly ik?: string | undefined;
  /** Parameters this library does not interpret, in order, kept for forwarding. */
  readonly extensions: readonly AuthParam[];
}

const KNOWN = new Set([
  'realm',
  'nonce',
  'opaque',
  'domain',
  'stale',
  'algorithm',
  'qop',
  'userhash',
  'charset',
  'ck',
  'ik',
]);

/** Splits a quoted qop-options list ("auth,auth-int") into its values (RFC 3261 §25.1). */
export function splitQopOptions(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const v = part.trim();
    if (v) out.push(v);
  }
  return out;
}

/** Parses a challenge header value; fails unless the scheme is Digest with realm and nonce. */
export function parseDigestChallenge(value: string): AuthResult<DigestChallenge> {
  const parsed = parseAuthHeader(value);
  if (!parsed.ok) return parsed;
  return digestChallengeFrom(parsed.value);
}

/** Types an already parsed challenge (e.g. one of several from `parseChallenges`). */
export function digestChallengeFrom(h: AuthHeaderValue): AuthResult<DigestChallenge> {
  if (!schemeIs(h, 'Digest')) {
    return {
      ok: false,
      error: { fault: 'bad-scheme', offset: 0, message: `scheme ${h.scheme} is not Digest` },
    };
  }
  const p = h.params;
  const realm = findParam(p, 'realm');
  const nonce = findParam(p, 'nonce');
  // realm and nonce are mandatory in a challenge (RFC 7616 §3.3, RFC 3261 §25.1 digest-cln).
  if (!realm || !nonce) {
    return {
      ok: false,
      error: { fault: 'bad-param', offset: 0, message: 'Digest challenge without realm or nonce' },
    };
  }
  const qop = findParam(p, 'qop');
  return {
    ok: true,
    value: {
      realm: realm.value,
      nonce: nonce.value,
      opaque: findParam(p, 'opaque')?.value,
      domain: findParam(p, 'domain')?.value,
      // stale = "stale" EQUAL ( "true" / "false" ), case-insensitive (RFC 3261 §25.1).
      stale: findParam(p, 'stale')?.value.toLowerCase() === 'true',
      algorithm: findParam(p, 'algorithm')?.value,
      qop: qop ? splitQopOptions(qop.value) : [],
      userhash: findParam(p, 'userhash')?.value.toLowerCase() === 'true',
      charset: findParam(p, 'charset')?.value,
      ck: findParam(p, 'ck')?.value,
      ik: findParam(p, 'ik')?.value,
      extensions: p.filter((x) => !KNOWN.has(x.name.toLowerCase())),
    },
  };
}

/** Writes a challenge with the quoting RFC 3261 §25.1 and RFC 7616 §3.3 give each parameter. */
export function formatDigestChallenge(c: DigestChallenge): string {
  const params: AuthParam[] = [{ name: 'realm', value: c.realm, quoted: true }];
  if (c.domain !== undefined) params.push({ name: 'domain', value: c.domain, quoted: true });
  params.push({ name: 'nonce', value: c.nonce, quoted: true });
  if (c.opaque !== undefined) params.push({ name: 'opaque', value: c.opaque, quoted: true });
  if (c.stale) params.push({ name: 'stale', value: 'TRUE', quoted: false });
  if (c.algorithm !== undefined) params.push({ name: 'algorithm', value: c.algorithm, quoted: false });
  if (c.qop.length) params.push({ name: 'qop', value: c.qop.join(','), quoted: true });
  if (c.charset !== undefined) params.push({ name: 'charset', value: c.charset, quoted: false });
  if (c.userhash) params.push({ name: 'userhash', value: 'true', quoted: false });
  if (c.ck !== undefined) params.push({ name: 'ck', value: c.ck, quoted: true });
  if (c.ik !== undefined) params.push({ name: 'ik', value: c.ik, quoted: true });
  params.push(...c.extensions);
  return formatAuthHeader({ scheme: 'Digest', params });
}
