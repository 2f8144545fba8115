/**
 * The subscriber directory of the end-to-end tests (SQLite in memory), shared by the WAF (logins,
 * token claims, guest grant) and the eP-CSCF (pool leases), as one product instance shares it:
 *
 * - `web.example`: alice and bob log in with web passwords; each has an IMS credential of the
 *   Kamailio home domain (`sip:alice@ims.test` / `alice@ims.test`, ...), so their tokens carry
 *   that identity (TS 33.203 X.3, scenario 2);
 * - `other.example`: mallory, a subscriber of another tenant with an IMS identity of her own;
 * - `shop.example`: a click-to-call tenant whose guests (anonymous policy on, page origin
 *   SHOP_ORIGIN) get identities from its pool `guest1`, `guest2` (X.4, scenario 3), which are
 *   digest subscribers at Kamailio;
 * - `brief.example`: guests of SHOP_ORIGIN get tokens that live BRIEF_GUEST_TTL seconds.
 */

import { openSqliteDirectory, type SqliteDirectory } from '../../store/index.ts';
import { hashPassword } from '../../store/password.ts';
import type { Subscriber as KamailioSubscriber } from '../kamailio/kamailio.ts';

/** Kamailio's home domain: the realm of every IMS identity here. */
export const IMS_DOMAIN = 'ims.test';
export const WEB_DOMAIN = 'web.example';
export const OTHER_DOMAIN = 'other.example';
export const SHOP_DOMAIN = 'shop.example';
export const SHOP_ORIGIN = 'https://shop.example';
/** a click-to-call tenant whose guest tokens live 2 s (expiry tests; WAF_ACCESS_TOKEN_TTL is 30 s at least) */
export const BRIEF_DOMAIN = 'brief.example';
export const BRIEF_GUEST_TTL = 2;
/** the web password of every subscriber (the WAF login) */
export const WEB_PASSWORD = 'e2e web password, not an IMS one';
/** the lowest scrypt cost store/password.ts accepts: logins stay fast */
const FAST = { ln: 10, r: 8, p: 1 };

export interface WebUser {
  /** login name at the WAF: user@domain */
  readonly login: string;
  readonly subscriberId: string;
  readonly impu: string;
  readonly impi: string;
}

const user = (name: string, domain: string): WebUser => ({
  login: `${name}@${domain}`,
  subscriberId: `sub-${name}`,
  impu: `sip:${name}@${IMS_DOMAIN}`,
  impi: `${name}@${IMS_DOMAIN}`,
});

export const ALICE = user('alice', WEB_DOMAIN);
export const BOB = user('bob', WEB_DOMAIN);
export const MALLORY = user('mallory', OTHER_DOMAIN);

/** The shop's pool identities; Kamailio knows them with these digest passwords. */
export const POOL = [
  { user: 'guest1', password: 'guest1-ims-secret' },
  { user: 'guest2', password: 'guest2-ims-secret' },
] as const;

/**
 * What Kamailio (ims-core-tna.cfg) holds: the web users (registered by Trusted Node
 * Authentication, their passwords never used), the pool identities (digest, answered by the
 * eP-CSCF) and `callees` (sipp, digest).
 */
export function kamailioSubscribers(callees: readonly KamailioSubscriber[] = []): KamailioSubscriber[] {
  return [
    ...[ALICE, BOB, MALLORY].map((u) => ({
      username: u.impi.split('@')[0] ?? '',
      password: 'unused-by-tna',
    })),
    ...POOL.map((p) => ({ username: p.user, password: p.password })),
    ...callees,
  ];
}

export async function seedE2eDirectory(): Promise<SqliteDirectory> {
  const directory = await openSqliteDirectory({ file: ':memory:' });
  const passwordHash = await hashPassword(WEB_PASSWORD, FAST);
  for (const name of [WEB_DOMAIN, OTHER_DOMAIN])
    await directory.putDomain({
      name,
      parent: undefined,
      allowedOrigins: [],
      anonymous: { enabled: false, tokenTtl: 60, capabilities: [] },
      services: ['call', 'message'],
    });
  await directory.putDomain({
    name: SHOP_DOMAIN,
    parent: undefined,
    allowedOrigins: [SHOP_ORIGIN],
    anonymous: { enabled: true, tokenTtl: 300, capabilities: [] },
    services: ['call', 'message'],
  });
  await directory.putDomain({
    name: BRIEF_DOMAIN,
    parent: undefined,
    allowedOrigins: [SHOP_ORIGIN],
    anonymous: { enabled: true, tokenTtl: BRIEF_GUEST_TTL, capabilities: [] },
    services: ['call', 'message'],
  });
  for (const u of [ALICE, BOB, MALLORY]) {
    const domain = u.login.split('@')[1] ?? '';
    await directory.putSubscriber({
      id: u.subscriberId,
      username: u.login.split('@')[0] ?? '',
      domain,
      role: 'user',
      capabilities: [],
      passwordHash,
      disabled: false,
    });
    await directory.putImsCredential({
      id: `cred-${u.subscriberId}`,
      domain,
      subscriberId: u.subscriberId,
      impu: u.impu,
      impi: u.impi,
      secret: { kind: 'digest', password: 'unused-by-tna' },
      wssServer: undefined,
    });
  }
  for (const p of POOL)
    await directory.putImsCredential({
      id: `pool-${p.user}`,
      domain: SHOP_DOMAIN,
      subscriberId: undefined,
      impu: `sip:${p.user}@${IMS_DOMAIN}`,
      impi: `${p.user}@${IMS_DOMAIN}`,
      secret: { kind: 'digest', password: p.password },
      wssServer: undefined,
    });
  return directory;
}
