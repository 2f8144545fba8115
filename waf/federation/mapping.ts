/**
 * From the upstream's ID token claims to a subscriber (as Sippo wac's createOAuthUser,
 * OAuthUserForcedDomain and newUserCaps):
 *
 * - with a forced domain: the user name is `preferred_username` (when it has no @) or the local
 *   part of `email`, in the forced domain;
 * - without: `email` (else an @-bearing `preferred_username`) read as user@domain.
 * An email the upstream marks `email_verified: false` is not used. An unknown user is created
 * (role user, no password, the configured capability rules) only when creation is enabled and
 * the domain exists; a disabled subscriber is refused.
 */
import { randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { Subscriber, SubscriberDirectory } from '../../store/directory.ts';

export interface MappingOptions {
  readonly directory: SubscriberDirectory;
  readonly createUsers: boolean;
  readonly forcedDomain: string | undefined;
  readonly newUserCaps: readonly string[];
}

export type MappingResult =
  | { readonly ok: true; readonly subscriber: Subscriber; readonly created: boolean }
  | { readonly ok: false; readonly reason: string };

const USER = /^[a-z0-9][a-z0-9._+-]{0,63}$/;

export function upstreamName(
  claims: JWTPayload,
  forcedDomain: string | undefined,
): { user: string; domain: string } | undefined {
  const email =
    typeof claims.email === 'string' && claims.email_verified !== false
      ? claims.email.toLowerCase()
      : undefined;
  const preferred =
    typeof claims.preferred_username === 'string' ? claims.preferred_username.toLowerCase() : undefined;
  if (forcedDomain !== undefined) {
    const user =
      preferred !== undefined && !preferred.includes('@')
        ? preferred
        : email?.slice(0, email.lastIndexOf('@'));
    return user !== undefined && USER.test(user) ? { user, domain: forcedDomain } : undefined;
  }
  const full = email ?? (preferred?.includes('@') === true ? preferred : undefined);
  if (full === undefined) return undefined;
  const at = full.lastIndexOf('@');
  const user = full.slice(0, at);
  const domain = full.slice(at + 1);
  return USER.test(user) && domain !== '' ? { user, domain } : undefined;
}

export async function mapUpstreamUser(claims: JWTPayload, o: MappingOptions): Promise<MappingResult> {
  const name = upstreamName(claims, o.forcedDomain);
  if (name === undefined)
    return { ok: false, reason: 'the upstream identity has no usable (verified) email or user name' };
  const existing = await o.directory.findSubscriber(name.user, name.domain);
  if (existing !== undefined) {
    return existing.disabled
      ? { ok: false, reason: `the account ${name.user}@${name.domain} is disabled` }
      : { ok: true, subscriber: existing, created: false };
  }
  if (!o.createUsers) return { ok: false, reason: `no account ${name.user}@${name.domain} here` };
  if ((await o.directory.getDomain(name.domain)) === undefined)
    return { ok: false, reason: `the domain ${name.domain} is not served here` };
  const subscriber: Subscriber = {
    id: randomUUID(),
    username: name.user,
    domain: name.domain,
    role: 'user',
    capabilities: [...o.newUserCaps],
    passwordHash: undefined,
    disabled: false,
  };
  await o.directory.putSubscriber(subscriber);
  return { ok: true, subscriber, created: true };
}
