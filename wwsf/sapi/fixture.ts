/**
 * Test fixture of the SAPI tests: an operator domain with two tenants (acme.com with a child
 * sales.acme.com, and globex.com), one subscriber in each tenant, and SAPI clients for an
 * operator admin, each tenant's admin and acme's user alice. Every SAPI suite runs once per
 * directory backend (`sapiBackends`): SQLite in memory, and PostgreSQL on a throwaway cluster
 * started for the test file (a fresh database per fixture). Not a product component.
 */
import type { SubscriberDirectory } from '../../store/directory.ts';
import { openPostgresDirectory } from '../../store/postgres-directory.ts';
import { usePostgresCluster } from '../../store/postgres-test-cluster.ts';
import { openSqliteDirectory } from '../../store/sqlite-directory.ts';
import { domain, sapiClient, startWwsf, type WwsfUnderTest } from '../test-support.ts';

export type Call = ReturnType<typeof sapiClient>;

export interface SapiFixture {
  readonly w: WwsfUnderTest;
  readonly operator: Call;
  readonly acmeAdmin: Call;
  readonly globexAdmin: Call;
  readonly alice: Call;
  readonly anonymous: Call;
  readonly ids: { readonly alice: string; readonly carol: string };
}

/** A directory backend the SAPI suites run on: `open` gives a fresh, empty directory. */
export interface SapiBackend {
  readonly name: string;
  readonly open: () => Promise<SubscriberDirectory>;
}

/**
 * The backends, for `describe.each(sapiBackends())('… ($name)', ({ open }) => …)`. Call it at the
 * top level of a test file: it starts one PostgreSQL cluster for the file.
 */
export function sapiBackends(): SapiBackend[] {
  const cluster = usePostgresCluster();
  return [
    { name: 'SQLite', open: () => openSqliteDirectory({ file: ':memory:' }) },
    { name: 'PostgreSQL', open: async () => openPostgresDirectory({ url: await cluster.freshDatabase() }) },
  ];
}

export async function startSapiFixture(open: () => Promise<SubscriberDirectory>): Promise<SapiFixture> {
  const w = await startWwsf({ WWSF_OPERATOR_DOMAIN: 'operator.net' }, await open());
  const d = w.directory;
  await d.putDomain(domain('operator.net'));
  await d.putDomain(domain('acme.com', { parent: 'operator.net', services: ['call', 'message', 'video'] }));
  await d.putDomain(domain('sales.acme.com', { parent: 'acme.com' }));
  await d.putDomain(domain('globex.com', { parent: 'operator.net' }));
  const base = { role: 'user' as const, capabilities: [], passwordHash: undefined, disabled: false };
  await d.putSubscriber({
    ...base,
    id: 'id-alice',
    username: 'alice',
    domain: 'acme.com',
    capabilities: ['-video'],
  });
  await d.putSubscriber({ ...base, id: 'id-carol', username: 'carol', domain: 'globex.com' });
  const client = async (sub: string, dom: string, role: 'admin' | 'user') =>
    sapiClient(w, await w.token({ sub, domain: dom, role }));
  return {
    w,
    operator: await client('id-op', 'operator.net', 'admin'),
    acmeAdmin: await client('id-acme-admin', 'acme.com', 'admin'),
    globexAdmin: await client('id-globex-admin', 'globex.com', 'admin'),
    alice: await client('id-alice', 'acme.com', 'user'),
    anonymous: sapiClient(w, undefined),
    ids: { alice: 'id-alice', carol: 'id-carol' },
  };
}
