/**
 * Test fixture of the SAPI tests: an operator domain with two tenants (acme.com with a child
 * sales.acme.com, and globex.com), one subscriber in each tenant, and SAPI clients for an
 * operator admin, each tenant's admin and acme's user alice. Every SAPI suite runs once per
 * directory backend (`sapiBackends`): SQLite in memory, and PostgreSQL on a throwaway cluster
 * started for the test file (a fresh database per fixture). Not a product component.
 */
import { startApp } from '../../app/app.ts';
import { loadConfig } from '../../app/config.ts';
import type { RoleContext, RoleDescriptor } from '../../app/roles.ts';
import { memoryLogger } from '../../app/test-log.ts';
import type { SubscriberDirectory } from '../../store/directory.ts';
import { openPostgresDirectory } from '../../store/postgres-directory.ts';
import { usePostgresCluster } from '../../store/postgres-test-cluster.ts';
import { openSqliteDirectory } from '../../store/sqlite-directory.ts';
import { startTestIssuer } from '../../token/test-issuer.ts';
import { wwsfRole } from '../role.ts';
import { domain, sapiClient, signAccessToken, type WwsfUnderTest } from '../test-support.ts';

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

/**
 * The product with only the WWSF role on a free port, on `directory` (closed by `stop`).
 * Like test-support.ts's startWwsf, which always uses SQLite in memory.
 */
async function startWwsfOn(directory: SubscriberDirectory): Promise<WwsfUnderTest> {
  const issuer = await startTestIssuer();
  const read = loadConfig({
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    ROLES: 'wwsf',
    DATABASE_FILE: ':memory:',
    DIRECTORY_SEED: '',
  });
  if (!read.ok) throw new Error(JSON.stringify(read.issues));
  const role: RoleDescriptor = {
    ...wwsfRole,
    start: (context: RoleContext) => wwsfRole.start({ ...context, directory }),
  };
  const app = await startApp({
    config: read.config,
    logger: memoryLogger().logger,
    roles: [role],
    env: { WAF_ISSUER: issuer.issuer, TURNSERVER_BINARY: '', WWSF_OPERATOR_DOMAIN: 'operator.net' },
  });
  return {
    app,
    url: app.url,
    directory,
    issuer,
    token: (claims) => signAccessToken(issuer, claims),
    async stop() {
      await app.stop();
      await issuer.close();
      await directory.close();
    },
  };
}

export async function startSapiFixture(open: () => Promise<SubscriberDirectory>): Promise<SapiFixture> {
  const w = await startWwsfOn(await open());
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
