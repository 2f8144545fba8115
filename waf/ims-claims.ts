/**
 * The IMS claims the WAF puts in its access tokens (token/claims.ts is the contract):
 *
 * - a subscriber: `ims: {domain, impu, impi}` (TS 33.203 X.3, scenario 2) from its first SIP
 *   mapping (an identity bound without a secret, for cores that trust the eP-CSCF), else from its
 *   first IMS credential (first by id); without either, `ims: {domain, pool: true}` when the
 *   domain has a pool (X.4); without one, no `ims` claim (such a token serves the SAPI, not SIP
 *   registration);
 * - a guest: `ims: {domain, pool: true}` and the domain's anonymous capability rules;
 * - a confidential client (client_credentials): `role` and `ims: {domain, pool: true}` only when
 *   its entry in WAF_CLIENTS_FILE names them.
 * `caps` are the effective capabilities (the WWSF's rule, wwsf/capabilities.ts); `role` the
 * subscriber's role.
 */
import type { Domain, Subscriber, SubscriberDirectory } from '../store/directory.ts';
import type { TokenRole } from '../token/claims.ts';
import { effectiveCapabilities } from '../wwsf/index.ts';

export type ImsClaim =
  | { readonly domain: string; readonly impu: string; readonly impi: string }
  | { readonly domain: string; readonly pool: true };

export interface ImsClaims {
  readonly ims?: ImsClaim;
  readonly caps: readonly string[];
  readonly role?: TokenRole;
}

export async function subscriberClaims(
  directory: SubscriberDirectory,
  subscriber: Subscriber,
): Promise<ImsClaims> {
  const domain = await directory.getDomain(subscriber.domain);
  const caps = effectiveCapabilities({
    services: domain?.services ?? [],
    subscriberRules: subscriber.capabilities,
  });
  const [mapping] = await directory.sipMappingsOf(subscriber.id);
  const [credential] = mapping === undefined ? await directory.imsCredentialsOf(subscriber.id) : [];
  const identity = mapping ?? credential;
  let ims: ImsClaim | undefined;
  if (identity !== undefined) ims = { domain: subscriber.domain, impu: identity.impu, impi: identity.impi };
  else if ((await directory.poolOf(subscriber.domain)).length > 0)
    ims = { domain: subscriber.domain, pool: true };
  return { ...(ims === undefined ? {} : { ims }), caps, role: subscriber.role };
}

export function guestClaims(domain: Domain): ImsClaims {
  return {
    ims: { domain: domain.name, pool: true },
    caps: effectiveCapabilities({ services: domain.services, domainRules: domain.anonymous.capabilities }),
    role: 'anonymous',
  };
}

export async function clientClaims(
  directory: SubscriberDirectory,
  client: { readonly role: TokenRole | undefined; readonly domain: string | undefined },
): Promise<ImsClaims> {
  const domain = client.domain === undefined ? undefined : await directory.getDomain(client.domain);
  return {
    ...(domain === undefined ? {} : { ims: { domain: domain.name, pool: true as const } }),
    caps: domain === undefined ? [] : effectiveCapabilities({ services: domain.services }),
    ...(client.role === undefined ? {} : { role: client.role }),
  };
}
