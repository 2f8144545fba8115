import { formatBearerChallenge } from '../../sip/auth/index.ts';
import {
  formatNameAddr,
  formatUri,
  type NameAddr,
  parseExpires,
  parseNameAddr,
  type SipResponse,
} from '../../sip/index.ts';

/**
 * What the client (the WIC) hears about its pool registration. The core answered the eP-CSCF,
 * which registered as the UA; the client gets its own answer built from it.
 */

/** A local answer: status, reason phrase, and the header fields that status requires. */
export interface PoolAnswer {
  readonly status: number;
  readonly reason: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** Per client contact, the expiry the core granted (seconds; 0 = not registered). */
export function grantedExpires(
  res: SipResponse,
  contacts: readonly NameAddr[],
): Array<{ contact: NameAddr; expires: number }> {
  const granted = res.contacts();
  const list = Array.isArray(granted) ? granted : [];
  const header = parseExpires(res.headers.get('expires') ?? '');
  const fallback = typeof header === 'string' ? 0 : header;
  return contacts.map((contact) => {
    const key = formatUri(contact.uri);
    const g = list.find((x) => formatUri(x.uri) === key);
    if (g === undefined) return { contact, expires: 0 };
    const e = g.params.value('expires');
    const seconds = e === undefined ? fallback : parseExpires(e);
    return { contact, expires: typeof seconds === 'string' ? 0 : seconds };
  });
}

/**
 * The P-Associated-URI values for the client (RFC 7315 §4.1), the leased IMPU first: that is
 * how the client learns the identity it was lent. The core's list is kept otherwise in order;
 * when the core sent none, the leased IMPU alone.
 */
export function associatedUrisFor(res: SipResponse, impu: string): string[] {
  const values = res.headers.values('p-associated-uri');
  const key = bareUri(impu);
  const leased = values.filter((v) => bareUri(v) === key);
  const others = values.filter((v) => bareUri(v) !== key);
  return [leased[0] ?? `<${impu}>`, ...others];
}

/**
 * The 200 to the client's REGISTER (RFC 3261 §10.3 step 8): its contacts with the expiry the
 * core granted, the associated identities with the leased one first, the Service-Route (the
 * eP-CSCF uses its own copy, the client may show it), and for an outbound registration
 * Flow-Timer (RFC 5626 §4.4.1) and the core's `Require: outbound`.
 */
export function poolSuccessAnswer(o: {
  coreResponse: SipResponse;
  impu: string;
  granted: ReadonlyArray<{ contact: NameAddr; expires: number }>;
  outbound: boolean;
  flowTimer: number;
}): PoolAnswer {
  const headers: Array<[string, string]> = [];
  for (const g of o.granted) {
    if (g.expires === 0) continue;
    const params = g.contact.params.clone();
    params.set('expires', String(g.expires));
    headers.push(['Contact', formatNameAddr({ ...g.contact, params })]);
  }
  for (const v of associatedUrisFor(o.coreResponse, o.impu)) headers.push(['P-Associated-URI', v]);
  for (const v of o.coreResponse.headers.values('service-route')) headers.push(['Service-Route', v]);
  if (o.outbound) {
    if (o.coreResponse.headers.values('require').some((t) => t.toLowerCase() === 'outbound'))
      headers.push(['Require', 'outbound']);
    headers.push(['Flow-Timer', String(o.flowTimer)]);
  }
  return { status: 200, reason: 'OK', headers };
}

/** The 200 to a query or a partial removal: the contacts held, the seconds left, the identities. */
export function bindingsListing(
  contacts: readonly NameAddr[],
  associatedUris: readonly string[],
  secondsLeft: number,
): Array<[string, string]> {
  const left = Math.max(0, Math.floor(secondsLeft));
  return [
    ...contacts.map((c): [string, string] => ['Contact', `<${formatUri(c.uri)}>;expires=${left}`]),
    ...associatedUris.map((u): [string, string] => ['P-Associated-URI', u]),
  ];
}

/**
 * The client's answer when the core refused the eP-CSCF's registration of the pool identity.
 * The client authenticated with its token, not with the pool credential, so a digest challenge
 * never reaches it; what went wrong between the eP-CSCF and the core is a server error:
 *
 * - 408 (no answer in time, RFC 3261 §8.1.3.1) → 504 Server Time-out;
 * - 5xx from the core (or 503 for a transport failure) → that status, with its Retry-After;
 * - anything else (401/403 after our answer: a wrong pool credential; 404: an identity the core
 *   does not know; 400/420: a request the core cannot take) → 500, the core's status in the
 *   reason phrase so that the operator can tell a misprovisioned pool.
 */
export function coreFailureAnswer(res: SipResponse): PoolAnswer {
  if (res.status === 408)
    return { status: 504, reason: 'Server Time-out (no answer from the IMS core)', headers: [] };
  if (res.status >= 500 && res.status < 600) {
    const retry = res.headers.get('retry-after');
    return {
      status: res.status,
      reason: `${res.reason} (IMS core)`,
      headers: retry === undefined ? [] : [['Retry-After', retry]],
    };
  }
  return {
    status: 500,
    reason: `Server Internal Error (the IMS core answered ${res.status} to the pool registration)`,
    headers: [],
  };
}

/**
 * The core asked for a longer registration (423, RFC 3261 §10.3 step 7). When the client asked
 * for less than Min-Expires it gets the 423 to retry with more; when its token expires first, no
 * registration it asks for can be long enough: 401 with a Bearer `invalid_token` challenge
 * (RFC 6750 §3.1, RFC 8898) tells it to come back with a fresh token.
 */
export function intervalTooBriefAnswer(
  res: SipResponse,
  o: { requested: number; tokenSecondsLeft: number; realm: string },
): PoolAnswer {
  const minText = res.headers.get('min-expires') ?? '';
  const min = parseExpires(minText);
  if (typeof min !== 'string' && min > o.tokenSecondsLeft)
    return {
      status: 401,
      reason: 'Unauthorized (token expires before the shortest registration the IMS core grants)',
      headers: [
        [
          'WWW-Authenticate',
          formatBearerChallenge({
            realm: o.realm,
            error: 'invalid_token',
            errorDescription: 'token expires before the shortest registration the IMS core grants',
          }),
        ],
      ],
    };
  return {
    status: 423,
    reason: 'Interval Too Brief',
    headers: typeof min === 'string' ? [] : [['Min-Expires', String(min)]],
  };
}

function bareUri(v: string): string {
  const a = parseNameAddr(v.trim());
  if (typeof a === 'string') return v.trim().toLowerCase();
  return formatUri(a.uri).toLowerCase();
}
