/**
 * Which SIP identities an admin may map to a subscriber without a secret (`sip-mapping`).
 *
 * A SIP mapping carries no secret: with Trusted Node Authentication (TS 33.203 Annex X.3, scenario
 * 2) the eP-CSCF asserts the mapped IMPI to the IMS core as authenticated, and the core believes it.
 * An `ims` credential is different: the core challenges it and only its secret answers, so its
 * IMPU/IMPI may be anything (the SAPI does not check their hosts). A mapping must therefore stay
 * inside the realm its tenant owns:
 *
 * - an admin of WWSF_OPERATOR_DOMAIN may map any identity: the operator runs the core and knows
 *   whose realms are whose (the explicit allowance, e.g. web `shop.com` → IMS `ims.shop-operator.net`);
 * - any other admin may map identities whose IMPU host (sip:/sips:; a tel: URI has none) and IMPI
 *   realm are its own domain or a subdomain of it: the admin of `example.com` maps
 *   `sip:alice@ims.example.com` / `alice@ims.example.com`.
 *
 * The anchor is the admin's own domain, not the subscriber's: an admin names the domains it
 * creates below its own, and could otherwise create one called after another tenant's IMS realm.
 */
import type { FieldError } from '../problem.ts';
import type { Access } from './access.ts';

/** The host of a sip:/sips: IMPU, lower case; undefined for a tel: URI. */
export function impuHost(impu: string): string | undefined {
  const match = /^sips?:[^@]+@(.+)$/i.exec(impu);
  const hostport = match?.[1]?.split(/[;?]/, 1)[0];
  if (hostport === undefined) return undefined;
  const host = hostport.startsWith('[')
    ? hostport.slice(0, hostport.indexOf(']') + 1)
    : hostport.split(':', 1)[0];
  return host?.toLowerCase();
}

/** The realm of an IMPI (the part after its @), lower case. */
export function impiRealm(impi: string): string {
  return impi.slice(impi.lastIndexOf('@') + 1).toLowerCase();
}

/** True when `host` is `domain` or a subdomain of it. */
export function withinDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** The fields at fault when the caller may not map this IMPU and IMPI; empty when it may. */
export function realmFaults(access: Access, impu: string, impi: string): FieldError[] {
  if (access.isOperator) return [];
  const own = access.domain;
  const detail = (what: string) =>
    `${what} must be ${own} or a subdomain of it: only an operator admin maps identities of other realms`;
  const faults: FieldError[] = [];
  const host = impuHost(impu);
  if (host !== undefined && !withinDomain(host, own))
    faults.push({ pointer: '/impu', detail: detail('the host') });
  if (!withinDomain(impiRealm(impi), own)) faults.push({ pointer: '/impi', detail: detail('the realm') });
  return faults;
}
