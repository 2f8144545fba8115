/**
 * Capabilities: what a signed-in user may do (the `caps` claim of the IMS access token and
 * `GET /sapi/capabilities`). Computed the way Quobis Sippo's wac does it:
 *
 *   effective = ((services the domain enables) ∩ (what the signalling stack supports))
 *               ∪ forced  −  pruned
 *
 * Rules are strings: `+name` forces a capability, `-name` prunes one, and bare names list what
 * is allowed: a list with bare names first narrows the set to them (so an anonymous policy of
 * `["call", "message"]` gives guests at most those two), then adds its forced ones, then removes
 * its pruned ones (a prune wins over a force of the same name). Domain-level rules (e.g. the
 * anonymous policy's) apply first and the subscriber's after, so a subscriber's `+x` can give
 * back what the domain pruned. Forcing lets an operator grant client-side features no service
 * announces (the stack limit applies to services only, as in wac).
 */

/** What this product's stack offers today: SIP calls, video in calls, SIP MESSAGE. */
export const STACK_CAPABILITIES: readonly string[] = ['call', 'video', 'message'];

/** The names a service or capability may take. */
export const CAPABILITY_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
/** A rule: a capability name (allowed), or one prefixed by `+` (forced) or `-` (pruned). */
export const CAPABILITY_RULE = /^[+-]?[a-z][a-z0-9_.-]{0,63}$/;

export interface CapabilityInput {
  /** the services the domain enables */
  readonly services: readonly string[];
  /** rules applied first (e.g. the domain's anonymous policy) */
  readonly domainRules?: readonly string[];
  /** rules applied last (the subscriber's own) */
  readonly subscriberRules?: readonly string[];
  /** what the stack supports; default STACK_CAPABILITIES */
  readonly supported?: readonly string[];
}

function applyRules(set: Set<string>, rules: readonly string[]): void {
  const allowed: string[] = [];
  const forced: string[] = [];
  const pruned: string[] = [];
  for (const rule of rules) {
    if (!CAPABILITY_RULE.test(rule)) throw new Error(`not a capability rule: ${JSON.stringify(rule)}`);
    if (rule.startsWith('-')) pruned.push(rule.slice(1));
    else if (rule.startsWith('+')) forced.push(rule.slice(1));
    else allowed.push(rule);
  }
  if (allowed.length > 0) for (const name of set) if (!allowed.includes(name)) set.delete(name);
  for (const name of forced) set.add(name);
  for (const name of pruned) set.delete(name);
}

/** The effective capabilities, sorted. Malformed rules are programming mistakes (the SAPI validates them) and throw. */
export function effectiveCapabilities(input: CapabilityInput): string[] {
  const supported = new Set(input.supported ?? STACK_CAPABILITIES);
  const set = new Set(input.services.filter((service) => supported.has(service)));
  applyRules(set, input.domainRules ?? []);
  applyRules(set, input.subscriberRules ?? []);
  return [...set].sort();
}
