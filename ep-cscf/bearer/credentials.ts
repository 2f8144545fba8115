import { parseBearerCredentials } from '../../sip/auth/index.ts';
import type { SipRequest } from '../../sip/index.ts';

/** Where a client put its Bearer credentials: Authorization (toward a registrar/UAS) or Proxy-Authorization. */
export type CredentialHeader = 'authorization' | 'proxy-authorization';

export type BearerRead =
  /** no Bearer credentials (there may be Digest ones) */
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly token: string; readonly header: CredentialHeader }
  /** a Bearer credential without a usable token (RFC 6750 §3.1 invalid_request) */
  | { readonly kind: 'malformed'; readonly header: CredentialHeader; readonly reason: string };

const HEADERS: readonly CredentialHeader[] = ['authorization', 'proxy-authorization'];

function isBearer(value: string): boolean {
  return /^\s*bearer(\s|$)/i.test(value);
}

/**
 * The Bearer credentials of a request (RFC 8898 §2.1 `Bearer <token>`, or TS 24.371 A.3.2
 * `Bearer access_token="<token>"`), Authorization first. More than one Bearer credential is
 * refused: RFC 6750 §2 allows one method and one token per request.
 */
export function readBearer(req: SipRequest): BearerRead {
  let found: BearerRead = { kind: 'none' };
  for (const header of HEADERS) {
    for (const value of req.headers.values(header)) {
      if (!isBearer(value)) continue;
      if (found.kind !== 'none')
        return { kind: 'malformed', header, reason: 'more than one Bearer credential' };
      const parsed = parseBearerCredentials(value);
      found = parsed.ok
        ? { kind: 'bearer', token: parsed.value.token, header }
        : { kind: 'malformed', header, reason: 'Bearer credentials without a token' };
    }
  }
  return found;
}

/** Removes every Bearer credential (the token never leaves the eP-CSCF toward the core). */
export function stripBearer(req: SipRequest): void {
  for (const header of HEADERS) {
    const values = req.headers.values(header);
    const kept = values.filter((v) => !isBearer(v));
    if (kept.length === values.length) continue;
    req.headers.remove(header);
    for (const v of kept) req.headers.append(header, v);
  }
}
