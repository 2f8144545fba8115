/**
 * IMS-specific handling of the authentication headers that a P-CSCF and a UE need
 * (TS 24.229 §5.1.1.2, §5.2.2, §7.2A.1–§7.2A.2; TS 24.371 §6 for the eP-CSCF):
 *
 * - the initial REGISTER carries an Authorization with the IMPI and empty nonce/response;
 * - the P-CSCF marks the Authorization it forwards with `integrity-protected`;
 * - the P-CSCF takes the `ck`/`ik` parameters out of the S-CSCF's 401 before it reaches the UE.
 *
 * These edit header values in place, keeping every other parameter as it was (order, quoting),
 * because a proxy must not change what it does not own.
 */

import {
  type AuthParam,
  type AuthResult,
  formatAuthHeader,
  parseAuthHeader,
  schemeIs,
} from './auth-header.ts';
import {
  type DigestCredentials,
  formatDigestCredentials,
  type IntegrityProtected,
} from './digest-credentials.ts';

/**
 * The Authorization of an initial REGISTER (TS 24.229 §5.1.1.2.1): username = IMPI,
 * realm = home domain, uri = the Request-URI, nonce and response empty.
 */
export function formatInitialImsAuthorization(opts: { impi: string; realm: string; uri: string }): string {
  const c: DigestCredentials = {
    username: opts.impi,
    realm: opts.realm,
    nonce: '',
    uri: opts.uri,
    response: '',
    userhash: false,
    extensions: [],
  };
  return formatDigestCredentials(c);
}

/** True for credentials that carry no answer yet (the initial REGISTER form). */
export function isInitialImsAuthorization(c: DigestCredentials): boolean {
  return c.nonce === '' && c.response === '' && c.auts === undefined;
}

function same(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

/**
 * Sets (or replaces) the `integrity-protected` parameter of a Digest Authorization value, as the
 * P-CSCF does before forwarding a REGISTER (TS 24.229 §5.2.2.1, §5.2.2.2). Non-Digest values
 * come back unchanged.
 */
export function withIntegrityProtected(value: string, flag: IntegrityProtected): AuthResult<string> {
  const parsed = parseAuthHeader(value);
  if (!parsed.ok) return parsed;
  const h = parsed.value;
  if (!schemeIs(h, 'Digest')) return { ok: true, value };
  const params: AuthParam[] = h.params.filter((p) => !same(p.name, 'integrity-protected'));
  params.push({ name: 'integrity-protected', value: flag, quoted: true });
  return { ok: true, value: formatAuthHeader({ scheme: h.scheme, params }) };
}

/**
 * Removes `ck` and `ik` from a WWW-Authenticate value of the S-CSCF (TS 24.229 §5.2.2.1: the
 * P-CSCF shall remove them before forwarding the 401 to the UE, and may use them itself), and
 * returns them. Values without them come back unchanged.
 */
export function removeAkaKeys(value: string): AuthResult<{ value: string; ck?: string; ik?: string }> {
  const parsed = parseAuthHeader(value);
  if (!parsed.ok) return parsed;
  const h = parsed.value;
  let ck: string | undefined;
  let ik: string | undefined;
  const params: AuthParam[] = [];
  for (const p of h.params) {
    if (same(p.name, 'ck')) ck = p.value;
    else if (same(p.name, 'ik')) ik = p.value;
    else params.push(p);
  }
  if (ck === undefined && ik === undefined) return { ok: true, value: { value } };
  const out: { value: string; ck?: string; ik?: string } = {
    value: formatAuthHeader({ scheme: h.scheme, params }),
  };
  if (ck !== undefined) out.ck = ck;
  if (ik !== undefined) out.ik = ik;
  return { ok: true, value: out };
}
