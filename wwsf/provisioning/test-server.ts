/**
 * Test support for the provisioning tests: the routes on a real HTTP server (hono's node server
 * on 127.0.0.1, a free port), over a directory holding ims.lab and other.lab, with a fake clock
 * and a toy `authorize` (`Bearer admin:<domain>` administers that domain). Not a product component.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { memoryLogger } from '../../app/test-log.ts';
import type { SubscriberDirectory } from '../../store/directory.ts';
import { credential, domain, subscriber } from '../../store/directory-fixtures.ts';
import { openSqliteDirectory } from '../../store/sqlite-directory.ts';
import { ProblemError } from '../problem.ts';
import type { ProvisioningConfig } from './config.ts';
import { provisioningRoutes } from './provisioning-routes.ts';

export const KEY_HEX = '2b7e151628aed2a6abf7158809cf4f3c';
export const IV_HEX = '000102030405060708090a0b0c0d0e0f';
export const LINK_SECRET = 'provisioning-link-secret-for-the-tests-0123456789';

export interface TestServer {
  readonly origin: string;
  readonly directory: SubscriberDirectory;
  readonly logLines: Record<string, unknown>[];
  /** the fake clock, ms */
  now: number;
  close(): Promise<void>;
}

/** alice (digest IMS identity), carol (AKA only), dave (disabled) in ims.lab; eve in other.lab. */
async function fill(directory: SubscriberDirectory): Promise<void> {
  await directory.putDomain(domain('ims.lab'));
  await directory.putDomain(domain('other.lab'));
  await directory.putSubscriber(subscriber('sub-alice', 'alice'));
  await directory.putSubscriber(subscriber('sub-carol', 'carol'));
  await directory.putSubscriber(subscriber('sub-dave', 'dave', { disabled: true }));
  await directory.putSubscriber(subscriber('sub-eve', 'eve', { domain: 'other.lab' }));
  await directory.putImsCredential(credential('c-alice', 'alice', { subscriberId: 'sub-alice' }));
  await directory.putImsCredential(
    credential('c-carol', 'carol', {
      subscriberId: 'sub-carol',
      secret: { kind: 'aka', k: '465b5ce8b199b49faa5f0a2ee238a6bc', opc: 'cd63cb71954a9f4e48a5994e37a02baf' },
    }),
  );
  await directory.putImsCredential(credential('c-dave', 'dave', { subscriberId: 'sub-dave' }));
  await directory.putImsCredential(
    credential('c-eve', 'eve', { subscriberId: 'sub-eve', domain: 'other.lab', impu: 'sip:eve@other.lab' }),
  );
}

export async function startProvisioningServer(
  overrides: Partial<ProvisioningConfig> = {},
): Promise<TestServer> {
  const directory = await openSqliteDirectory({ file: ':memory:' });
  await fill(directory);
  const log = memoryLogger();
  const config: ProvisioningConfig = {
    sipPhoneKey: Buffer.from(KEY_HEX, 'hex'),
    sipPhoneIv: Buffer.from(IV_HEX, 'hex'),
    linkSecret: LINK_SECRET,
    baseUrl: undefined,
    ...overrides,
  };
  const state = { now: 1_700_000_000_000 };
  const app = provisioningRoutes({
    config,
    directory,
    now: () => state.now,
    logger: log.logger,
    authorize: async (request) => {
      const m = /^Bearer admin:(\S+)$/.exec(request.headers.get('authorization') ?? '');
      if (m === null) throw new ProblemError(401, 'this resource needs an access token');
      return { mayProvision: (s) => s.domain === m[1] };
    },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    origin: `http://127.0.0.1:${port}`,
    directory,
    logLines: log.lines,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await directory.close();
    },
  });
}
