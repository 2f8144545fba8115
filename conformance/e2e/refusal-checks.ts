/**
 * Shared steps of the refusal tests: one JsSIP REGISTER with a given token through the
 * eP-CSCF, and what the core saw meanwhile, so a test can show a refusal left nothing behind.
 */
import { expect } from 'vitest';
import { type BearerChallenge, parseBearerChallenge } from '../../sip/auth/index.ts';
import type { SipResponse } from '../../sip/index.ts';
import { createBearerJsSip } from '../ep-cscf/bearer-clients.ts';
import type { WireTap } from '../ep-cscf/wire-tap.ts';
import type { E2eBed } from './e2e-bed.ts';
import { IMS_DOMAIN } from './e2e-directory.ts';

export interface RegisterAttempt {
  readonly response: SipResponse;
  /** REGISTERs the eP-CSCF sent the core during the attempt */
  readonly forwarded: number;
}

/** JsSIP as `user`@IMS_DOMAIN with `token` as its authorization_jwt: connect, REGISTER, stop. */
export async function registerOnce(
  bed: E2eBed,
  wire: WireTap,
  user: string,
  token: string,
): Promise<RegisterAttempt> {
  const before = bed.registersAtCore().length;
  const client = createBearerJsSip({ wsUrl: bed.ep.wsUrl, user, domain: IMS_DOMAIN, token, wire });
  try {
    const response = await client.start();
    return { response, forwarded: bed.registersAtCore().length - before };
  } finally {
    await client.stop();
  }
}

/** The Bearer challenge of a response's WWW-Authenticate, undefined when there is none. */
export function bearerChallengeOf(res: SipResponse): BearerChallenge | undefined {
  const value = res.headers.get('www-authenticate');
  const parsed = value === undefined ? undefined : parseBearerChallenge(value);
  return parsed?.ok ? parsed.value : undefined;
}

/**
 * RFC 6750 §3.1 through RFC 8898: 401 with a Bearer challenge naming the WAF and
 * error="invalid_token"; nothing went to the core and Kamailio holds no binding for `aor`.
 */
export async function expectInvalidToken(bed: E2eBed, attempt: RegisterAttempt, aor: string): Promise<void> {
  expect(attempt.response.status).toBe(401);
  expect(bearerChallengeOf(attempt.response)).toMatchObject({
    realm: IMS_DOMAIN,
    authzServer: bed.waf.issuer(),
    error: 'invalid_token',
  });
  expect(attempt.forwarded).toBe(0);
  expect(await bed.registeredAtCore()).not.toContain(aor);
}
