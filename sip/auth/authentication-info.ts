/**
 * Authentication-Info (RFC 3261 §20.6, RFC 2617 §3.2.3, RFC 7615): sent by a registrar or UAS in
 * the 2xx to an authenticated request to carry the next nonce and, with qop, mutual
 * authentication (`rspauth`). Its value is a bare auth-param list, no scheme.
 */

import {
  type AuthParam,
  type AuthResult,
  findParam,
  formatAuthParams,
  parseAuthParams,
} from './auth-header.ts';

export interface AuthenticationInfo {
  readonly nextnonce?: string | undefined;
  readonly qop?: string | undefined;
  readonly rspauth?: string | undefined;
  readonly cnonce?: string | undefined;
  readonly nc?: string | undefined;
}

export function parseAuthenticationInfo(value: string): AuthResult<AuthenticationInfo> {
  const parsed = parseAuthParams(value);
  if (!parsed.ok) return parsed;
  const p = parsed.value;
  return {
    ok: true,
    value: {
      nextnonce: findParam(p, 'nextnonce')?.value,
      qop: findParam(p, 'qop')?.value,
      rspauth: findParam(p, 'rspauth')?.value,
      cnonce: findParam(p, 'cnonce')?.value,
      nc: findParam(p, 'nc')?.value,
    },
  };
}

/** RFC 3261 §25.1: nextnonce, rspauth and cnonce are quoted; qop and nc are tokens. */
export function formatAuthenticationInfo(info: AuthenticationInfo): string {
  const params: AuthParam[] = [];
  if (info.nextnonce !== undefined) params.push({ name: 'nextnonce', value: info.nextnonce, quoted: true });
  if (info.qop !== undefined) params.push({ name: 'qop', value: info.qop, quoted: false });
  if (info.rspauth !== undefined) params.push({ name: 'rspauth', value: info.rspauth, quoted: true });
  if (info.cnonce !== undefined) params.push({ name: 'cnonce', value: info.cnonce, quoted: true });
  if (info.nc !== undefined) params.push({ name: 'nc', value: info.nc, quoted: false });
  return formatAuthParams(params);
}
