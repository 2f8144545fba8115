/**
 * Digest credentials: the value of Authorization and Proxy-Authorization,
 * RFC 3261 §20.7/§20.28 and §22.4, RFC 7616 §3.4, RFC 3310 §3.4 (auts) and TS 24.229 §7.2A.2
 * (integrity-protected).
 */

import {
  type AuthParam,
  type AuthResult,
  findParam,
  formatAuthHeader,
  parseSchemeValue,
} from './auth-header.ts';

/** Values of the TS 24.229 §7.2A.2 `integrity-protected` parameter that a P-CSCF inserts. */
export type IntegrityProtected =
  | 'yes'
  | 'no'
  | 'tls-pending'
  | 'tls-yes'
  /** IMS AKA over a TLS connection, as a WebRTC client over WSS uses it (TS 24.229 §5.4.1.2.2) */
  | 'tls-connected'
  | 'ip-assoc-pending'
  | 'ip-assoc-yes'
  | 'auth-done';

export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  /** Empty in the initial IMS REGISTER, which carries no answer yet (TS 24.229 §5.1.1.2.1). */
  readonly nonce: string;
  readonly uri: string;
  /** Empty in the initial IMS REGISTER and after an AKA MAC failure (TS 24.229 §5.1.1.5.3). */
  readonly response: string;
  readonly algorithm?: string | undefined;
  readonly cnonce?: string | undefined;
  readonly opaque?: string | undefined;
  /** The single qop the client chose (a token; some clients quote it, which is accepted). */
  readonly qop?: string | undefined;
  readonly nc?: string | undefined;
  /** RFC 7616 §3.4.4: `username` holds H(username:realm). */
  readonly userhash: boolean;
  /** Base64 AUTS after an AKA synchronisation failure (RFC 3310 §3.4). */
  readonly auts?: string | undefined;
  /** As received; not narrowed to IntegrityProtected so that unknown values can be forwarded. */
  readonly integrityProtected?: string | undefined;
  readonly extensions: readonly AuthParam[];
}

const KNOWN = new Set([
  'username',
  'realm',
  'nonce',
  'uri',
  'response',
  'algorithm',
  'cnonce',
  'opaque',
  'qop',
  'nc',
  'userhash',
  'auts',
  'integrity-protected',
]);

function missing(name: string): AuthResult<DigestCredentials> {
  return {
    ok: false,
    error: { fault: 'bad-param', offset: 0, message: `Digest credentials without ${name}` },
  };
}

/** Parses a credentials header value; fails unless it is Digest with the five mandatory parameters. */
export function parseDigestCredentials(value: string): AuthResult<DigestCredentials> {
  const parsed = parseSchemeValue(value, 'Digest');
  if (!parsed.ok) return parsed;
  const h = parsed.value;
  const p = h.params;
  // RFC 3261 §22.4 / RFC 7616 §3.4: username, realm, nonce, uri and response are required.
  const username = findParam(p, 'username');
  if (!username) return missing('username');
  const realm = findParam(p, 'realm');
  if (!realm) return missing('realm');
  const nonce = findParam(p, 'nonce');
  if (!nonce) return missing('nonce');
  const uri = findParam(p, 'uri');
  if (!uri) return missing('uri');
  const response = findParam(p, 'response');
  if (!response) return missing('response');
  return {
    ok: true,
    value: {
      username: username.value,
      realm: realm.value,
      nonce: nonce.value,
      uri: uri.value,
      response: response.value,
      algorithm: findParam(p, 'algorithm')?.value,
      cnonce: findParam(p, 'cnonce')?.value,
      opaque: findParam(p, 'opaque')?.value,
      qop: findParam(p, 'qop')?.value,
      nc: findParam(p, 'nc')?.value,
      userhash: findParam(p, 'userhash')?.value.toLowerCase() === 'true',
      auts: findParam(p, 'auts')?.value,
      integrityProtected: findParam(p, 'integrity-protected')?.value,
      extensions: p.filter((x) => !KNOWN.has(x.name.toLowerCase())),
    },
  };
}

/** Writes credentials with the quoting of RFC 3261 §25.1 (qop, nc and algorithm are tokens). */
export function formatDigestCredentials(c: DigestCredentials): string {
  const params: AuthParam[] = [
    { name: 'username', value: c.username, quoted: true },
    { name: 'realm', value: c.realm, quoted: true },
    { name: 'nonce', value: c.nonce, quoted: true },
    { name: 'uri', value: c.uri, quoted: true },
    { name: 'response', value: c.response, quoted: true },
  ];
  if (c.algorithm !== undefined) params.push({ name: 'algorithm', value: c.algorithm, quoted: false });
  if (c.cnonce !== undefined) params.push({ name: 'cnonce', value: c.cnonce, quoted: true });
  if (c.opaque !== undefined) params.push({ name: 'opaque', value: c.opaque, quoted: true });
  if (c.qop !== undefined) params.push({ name: 'qop', value: c.qop, quoted: false });
  if (c.nc !== undefined) params.push({ name: 'nc', value: c.nc, quoted: false });
  if (c.userhash) params.push({ name: 'userhash', value: 'true', quoted: false });
  if (c.auts !== undefined) params.push({ name: 'auts', value: c.auts, quoted: true });
  // TS 24.229 §7.2A.2. Peers write it both bare and quoted; the parser takes either. We write the
  // quoted form of the TS 24.228/24.229 example flows (integrity-protected="yes") — verify.
  if (c.integrityProtected !== undefined) {
    params.push({ name: 'integrity-protected', value: c.integrityProtected, quoted: true });
  }
  params.push(...c.extensions);
  return formatAuthHeader({ scheme: 'Digest', params });
}
