/**
 * A subscriber directory for the WAF's tests (SQLite in memory): domain `example.com` with a
 * pool, alice (an IMS identity of her own, capability rule `+video`), bob (no IMS identity: he
 * registers from the pool), carol (disabled); domain `closed.example` without guests or pool.
 */
import type { Domain, SubscriberDirectory } from '../../store/directory.ts';
import { openSqliteDirectory } from '../../store/index.ts';
import { hashPassword } from '../../store/password.ts';

export const PASSWORD = 'correct horse battery staple';
/** the lowest cost store/password.ts accepts: tests hash quickly */
const FAST = { ln: 10, r: 8, p: 1 };

export function exampleDomain(over: Partial<Domain> = {}): Domain {
  return {
    name: 'example.com',
    parent: undefined,
    allowedOrigins: ['https://shop.example.com'],
    anonymous: { enabled: true, tokenTtl: 120, capabilities: ['call', '-video'] },
    services: ['call', 'message', 'video'],
    ...over,
  };
}

export async function seededDirectory(): Promise<SubscriberDirectory> {
  const directory = await openSqliteDirectory({ file: ':memory:' });
  const hash = await hashPassword(PASSWORD, FAST);
  await directory.putDomain(exampleDomain());
  await directory.putDomain({
    name: 'closed.example',
    parent: undefined,
    allowedOrigins: [],
    anonymous: { enabled: false, tokenTtl: 60, capabilities: [] },
    services: ['call'],
  });
  const user = { domain: 'example.com', role: 'user' as const, passwordHash: hash, disabled: false };
  await directory.putSubscriber({
    ...user,
    id: 'sub-alice',
    username: 'alice',
    capabilities: ['-video', '+chat'],
  });
  await directory.putSubscriber({ ...user, id: 'sub-bob', username: 'bob', capabilities: [] });
  await directory.putSubscriber({
    ...user,
    id: 'sub-carol',
    username: 'carol',
    capabilities: [],
    disabled: true,
  });
  await directory.putImsCredential({
    id: 'cred-alice',
    domain: 'example.com',
    subscriberId: 'sub-alice',
    impu: 'sip:alice@ims.example.com',
    impi: 'alice@ims.example.com',
    secret: { kind: 'digest', password: 'ims-secret' },
    wssServer: undefined,
  });
  await directory.putImsCredential({
    id: 'cred-pool-1',
    domain: 'example.com',
    subscriberId: undefined,
    impu: 'sip:guest1@ims.example.com',
    impi: 'guest1@ims.example.com',
    secret: { kind: 'digest', password: 'pool-secret' },
    wssServer: undefined,
  });
  return directory;
}
