import type { TimerHandle } from '../../sip/clock/clock.ts';
import type { NameAddr } from '../../sip/index.ts';
import type { SubscriberDirectory } from '../../store/directory.ts';
import type { ImsAccessToken } from '../../token/claims.ts';
import { type EpCscfContext, mwUri, viaFor } from '../context.ts';
import { CoreRegistration } from './core-registration.ts';
import { retryAfterSeconds } from './lease-terms.ts';
import type { PoolMetrics } from './pool-metrics.ts';
import type { PoolAnswer } from './pool-reply.ts';
import { canonicalImpu, homeDomainOf } from './pool-request.ts';

/** A client asking for a pool identity: who holds the lease, for which domain, over which flow. */
export interface PoolClient {
  readonly holder: string;
  /** the token's domain, lower case */
  readonly domain: string;
  readonly connectionId: string;
  readonly token: ImsAccessToken;
  /** the token as sent (for the bearer module's revocation checks); never logged */
  readonly raw: string | undefined;
}

/** One leased identity registered (or being registered) at the core for one client. */
export interface Held {
  readonly holder: string;
  readonly domain: string;
  readonly connectionId: string;
  readonly subject: string;
  /** the eP-CSCF as the identity's UA toward the core */
  readonly core: CoreRegistration;
  /** the leased IMPU as the registration store keys it */
  readonly aor: string;
  tokenId: string;
  /** ms since the epoch, as every time below */
  tokenExpiresAt: number;
  leaseExpiresAt: number;
  /** when the core's registration of the contacts ends */
  registeredUntil: number;
  /** the client's contacts registered at the core */
  contacts: NameAddr[];
  associatedUris: string[];
  timer: TimerHandle | undefined;
}

/**
 * Leases an identity of the client's domain until `until` (TS 33.203 Annex X.4). When none can
 * be had, the answer says why, precisely:
 * - the domain has no pool at all: 403 — nothing to wait for;
 * - every identity is leased: 503 with Retry-After (RFC 3261 §21.5.4, "temporarily unable"; a
 *   lease ends at the latest when its registration does), the seconds until the first lease in
 *   force ends.
 */
export async function leaseIdentity(
  ctx: EpCscfContext,
  deps: { directory: SubscriberDirectory; metrics: PoolMetrics },
  c: PoolClient,
  o: { now: number; until: number; outbound: boolean },
): Promise<Held | PoolAnswer> {
  const { directory, metrics } = deps;
  const lease = await directory.leasePoolIdentity(c.domain, c.holder, o.until, o.now);
  if (lease === undefined) {
    if ((await directory.poolOf(c.domain)).length === 0) {
      metrics.leaseFailures.inc({ domain: c.domain, reason: 'empty' });
      return { status: 403, reason: `Forbidden (the domain ${c.domain} has no identity pool)`, headers: [] };
    }
    metrics.leaseFailures.inc({ domain: c.domain, reason: 'exhausted' });
    const ends = (await directory.activeLeases(c.domain, o.now)).map((l) => l.expiresAt);
    return {
      status: 503,
      reason: `Service Unavailable (no identity free in the pool of ${c.domain})`,
      headers: [['Retry-After', String(retryAfterSeconds(ends, o.now))]],
    };
  }
  const credential = lease.credential;
  const homeDomain = homeDomainOf(credential.impu, credential.impi);
  if (homeDomain === undefined) {
    await directory.releaseLease(credential.id, c.holder);
    return {
      status: 500,
      reason: `Server Internal Error (pool identity ${credential.impu} is not a SIP URI)`,
      headers: [],
    };
  }
  const s = ctx.settings;
  const core = new CoreRegistration(
    {
      layer: ctx.layer,
      core: s.core,
      via: viaFor(ctx, s.core.protocol),
      visitedNetworkId: s.visitedNetworkId,
      icidGeneratedAt: s.mwHost,
    },
    { credential, homeDomain, pathUri: mwUri(ctx, ctx.tokens.encode(c.connectionId)), outbound: o.outbound },
  );
  ctx.logger.info({ impu: credential.impu, domain: c.domain, flow: c.connectionId }, 'pool identity leased');
  return {
    holder: c.holder,
    domain: c.domain,
    connectionId: c.connectionId,
    subject: c.token.subject,
    core,
    aor: canonicalImpu(credential.impu),
    tokenId: c.token.tokenId,
    tokenExpiresAt: c.token.expiresAt * 1000,
    leaseExpiresAt: o.until,
    registeredUntil: o.now,
    contacts: [],
    associatedUris: [],
    timer: undefined,
  };
}
