/**
 * The Bearer scheme in SIP (RFC 8898, on RFC 6750): how a WIC with web credentials carries the
 * WAF's access token in every request (TS 24.371 §7.2.1, TS 33.203 Annex X.3) and how the
 * eP-CSCF asks for one. Validating the token itself (JWT signature, introspection) is the
 * eP-CSCF's and WAF's business; this module only reads and writes the headers.
 *
 * Two credential spellings exist and both are accepted (shared/STANDARDS.md):
 *   Authorization: Bearer mF_9.B5f-4.1JqM                  RFC 8898 §2.1 / RFC 6750 §2.1 (token68)
 *   Authorization: Bearer access_token="mF_9.B5f-4.1JqM"   TS 24.371 Annex A.3.2 example
 */

import {
  type AuthParam,
  type AuthResult,
  findParam,
  formatAuthHeader,
  parseSchemeValue,
} from './auth-header.ts';

export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export interface BearerCredentials {
  readonly token: string;
  /** Which spelling the client used, to answer in kind and for logs. */
  readonly form: 'token68' | 'access_token';
}

export interface BearerChallenge {
  readonly realm?: string | undefined;
  /** Space-separated scopes the resource needs (RFC 6750 §3). */
  readonly scope?: string | undefined;
  /** Where the client gets a token: the WAF's issuer URL (RFC 8898 §2.3). */
  readonly authzServer?: string | undefined;
  readonly error?: BearerError | string | undefined;
  readonly errorDescription?: string | undefined;
  readonly extensions: readonly AuthParam[];
}

function bad<T>(message: string): AuthResult<T> {
  return { ok: false, error: { fault: 'bad-param', offset: 0, message } };
}

/** Reads `Bearer <token>` or `Bearer access_token="<token>"`. */
export function parseBearerCredentials(value: string): AuthResult<BearerCredentials> {
  const parsed = parseSchemeValue(value, 'Bearer');
  if (!parsed.ok) return parsed;
  const h = parsed.value;
  if (h.token68 !== undefined) return { ok: true, value: { token: h.token68, form: 'token68' } };
  const p = findParam(h.params, 'access_token');
  if (!p || p.value.length === 0) return bad('Bearer credentials without a token');
  return { ok: true, value: { token: p.value, form: 'access_token' } };
}

/** Writes RFC 8898 credentials (`access_token` only when talking to a peer that needs it). */
export function formatBearerCredentials(token: string, form: BearerCredentials['form'] = 'token68'): string {
  if (form === 'access_token') {
    return formatAuthHeader({
      scheme: 'Bearer',
      params: [{ name: 'access_token', value: token, quoted: true }],
    });
  }
  return `Bearer ${token}`;
}

const KNOWN = new Set(['realm', 'scope', 'authz_server', 'error', 'error_description']);

export function parseBearerChallenge(value: string): AuthResult<BearerChallenge> {
  const parsed = parseSchemeValue(value, 'Bearer');
  if (!parsed.ok) return parsed;
  const h = parsed.value;
  const p = h.params;
  return {
    ok: true,
    value: {
      realm: findParam(p, 'realm')?.value,
      scope: findParam(p, 'scope')?.value,
      authzServer: findParam(p, 'authz_server')?.value,
      error: findParam(p, 'error')?.value,
      errorDescription: findParam(p, 'error_description')?.value,
      extensions: p.filter((x) => !KNOWN.has(x.name.toLowerCase())),
    },
  };
}

/** Writes a Bearer challenge; all its parameters are quoted-strings (RFC 6750 §3, RFC 8898 §2.3). */
export function formatBearerChallenge(
  c: Omit<BearerChallenge, 'extensions'> & { extensions?: readonly AuthParam[] },
): string {
  const params: AuthParam[] = [];
  if (c.realm !== undefined) params.push({ name: 'realm', value: c.realm, quoted: true });
  if (c.scope !== undefined) params.push({ name: 'scope', value: c.scope, quoted: true });
  if (c.authzServer !== undefined) params.push({ name: 'authz_server', value: c.authzServer, quoted: true });
  if (c.error !== undefined) params.push({ name: 'error', value: c.error, quoted: true });
  if (c.errorDescription !== undefined) {
    params.push({ name: 'error_description', value: c.errorDescription, quoted: true });
  }
  if (c.extensions) params.push(...c.extensions);
  return formatAuthHeader({ scheme: 'Bearer', params });
}

/** RFC 6750 §3.1: the status each error code goes with. */
export function bearerErrorStatus(error: BearerError): 400 | 401 | 403 {
  switch (error) {
    case 'invalid_request':
      return 400;
    case 'invalid_token':
      return 401;
    case 'insufficient_scope':
      return 403;
  }
}
