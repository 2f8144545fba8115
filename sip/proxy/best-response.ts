import { reasonPhrase } from '../error/sip-error.ts';
import type { SipResponse } from '../message/message.ts';

/**
 * The response a stateful proxy sends upstream when every branch has ended without a 2xx
 * (RFC 3261 §16.7 steps 6 and 7).
 */

/** 4xx responses a proxy prefers within the 4xx class: the UAC can act on them (§16.7 step 6). */
const PREFERRED_4XX: ReadonlySet<number> = new Set([401, 407, 415, 420, 484]);

/**
 * Lower is better: any 6xx first, then the lowest class; within 4xx the preferred codes; then
 * the lowest code, except that a 503 comes after the other 5xx (it would go upstream as a
 * bare 500, so another 5xx says more).
 */
function rank(status: number): number {
  if (status >= 600) return status - 600;
  const cls = Math.floor(status / 100);
  const preferred = cls === 4 && PREFERRED_4XX.has(status);
  return cls * 1000 + (preferred ? 0 : 100) + (status === 503 ? 99 : status % 100);
}

/**
 * §16.7 step 6: the best of the final (non-2xx) responses of a response context: a 6xx if
 * there is one, else one of the lowest class, with 401, 407, 415, 420 and 484 preferred when
 * that class is 4xx (the RFC leaves the choice within a class open; see `rank`); ties go to the
 * earlier response in `responses`.
 */
export function bestResponse(responses: readonly SipResponse[]): SipResponse | undefined {
  let best: SipResponse | undefined;
  for (const r of responses) if (best === undefined || rank(r.status) < rank(best.status)) best = r;
  return best;
}

/**
 * Turns the chosen response into the one sent upstream:
 * - §16.7 step 6: a 503 (Service Unavailable) becomes 500 (Server Internal Error), so that the
 *   upstream element does not take this proxy for unavailable;
 * - §16.7 step 7: a 401 or 407 gets the WWW-Authenticate and Proxy-Authenticate values of every
 *   other 401 and 407 of the context, unmodified, so the UAC can answer every challenge.
 */
export function upstreamResponse(best: SipResponse, responses: readonly SipResponse[]): SipResponse {
  if (best.status === 503) {
    best.status = 500;
    best.reason = reasonPhrase(500);
  }
  if (best.status === 401 || best.status === 407) {
    for (const r of responses) {
      if (r === best || (r.status !== 401 && r.status !== 407)) continue;
      for (const f of r.headers.fields)
        if (f.key === 'www-authenticate' || f.key === 'proxy-authenticate')
          best.headers.append(f.name, f.value);
    }
  }
  return best;
}
