/**
 * The capabilities of a caller in a domain, from the directory: a subscriber's own rules, the
 * anonymous policy for guests, the bare domain otherwise. Used by the discovery document and
 * `GET /sapi/capabilities`; the WAF computes the `caps` claim with the same `effectiveCapabilities`.
 */
import type { Domain, SubscriberDirectory } from '../store/directory.ts';
import type { ImsAccessToken } from '../token/claims.ts';
import { effectiveCapabilities } from './capabilities.ts';

/** The capabilities every signed-in user of the domain starts from (services ∩ stack). */
export function domainCapabilities(domain: Domain): string[] {
  return effectiveCapabilities({ services: domain.services });
}

/** What a guest of the domain gets (the anonymous policy's rules over the domain's services). */
export function anonymousCapabilities(domain: Domain): string[] {
  return effectiveCapabilities({ services: domain.services, domainRules: domain.anonymous.capabilities });
}

export async function callerCapabilities(
  directory: SubscriberDirectory,
  domain: Domain,
  caller: ImsAccessToken,
): Promise<string[]> {
  const subscriber = await directory.getSubscriber(caller.subject);
  if (subscriber !== undefined && subscriber.domain === domain.name) {
    return effectiveCapabilities({
      services: domain.services,
      ...(subscriber.role === 'anonymous' ? { domainRules: domain.anonymous.capabilities } : {}),
      subscriberRules: subscriber.capabilities,
    });
  }
  return caller.role === 'anonymous' ? anonymousCapabilities(domain) : domainCapabilities(domain);
}
