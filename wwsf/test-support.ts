/**
 * Test support for the WWSF's tests: the product started with the WWSF role over real HTTP
 * (startApp on a free loopback port), a directory the test fills, and access tokens signed by
 * token/test-issuer.ts's keys with the claims a test needs (role, domain, identity). Not a
 * product component.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { SignJWT } from 'jose';
import { type RunningApp, startApp } from '../app/app.ts';
import { loadConfig } from '../app/config.ts';
import type { RoleContext, RoleDescriptor } from '../app/roles.ts';
import { memoryLogger } from '../app/test-log.ts';
import type { Domain, SubscriberDirectory } from '../store/directory.ts';
import { openSqliteDirectory } from '../store/sqlite-directory.ts';
import { IMS_AUDIENCE } from '../token/claims.ts';
import { startTestIssuer, type TestIssuer } from '../token/test-issuer.ts';
import { wwsfRole } from './role.ts';

export interface TokenClaims {
  readonly sub: string;
  readonly domain: string;
  readonly role?: 'admin' | 'user' | 'anonymous';
  /** default: pool when neither impu nor impi is given */
  readonly impu?: string;
  readonly impi?: string;
  readonly caps?: readonly string[];
  /** seconds from now; negative: expired */
  readonly expiresIn?: number;
  readonly audience?: string;
}

/** An RFC 9068 access token with the IMS claims, signed by the test issuer's current key. */
export async function signAccessToken(issuer: TestIssuer, claims: TokenClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const ims =
    claims.impu !== undefined && claims.impi !== undefined
      ? { domain: claims.domain, impu: claims.impu, impi: claims.impi }
      : { domain: claims.domain, pool: true };
  return new SignJWT({
    client_id: 'wic',
    scope: 'openid ims',
    ims,
    caps: [...(claims.caps ?? ['call'])],
    role: claims.role ?? 'user',
  })
    .setProtectedHeader({ alg: 'ES256', kid: issuer.currentKey.kid, typ: 'at+jwt' })
    .setIssuer(issuer.issuer)
    .setSubject(claims.sub)
    .setAudience(claims.audience ?? IMS_AUDIENCE)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.expiresIn ?? 300))
    .sign(issuer.currentKey.privateKey);
}

export function domain(name: string, overrides: Partial<Domain> = {}): Domain {
  return {
    name,
    parent: undefined,
    allowedOrigins: [],
    anonymous: { enabled: false, tokenTtl: 300, capabilities: [] },
    services: ['call', 'message'],
    ...overrides,
  };
}

export interface WwsfUnderTest {
  readonly app: RunningApp;
  readonly url: string;
  readonly directory: SubscriberDirectory;
  readonly issuer: TestIssuer;
  token(claims: TokenClaims): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The product with only the WWSF role, on a free port, with a test WAF and `directory` (SQLite in
 * memory when not given; closed by `stop`).
 */
export async function startWwsf(
  env: Record<string, string> = {},
  given?: SubscriberDirectory,
): Promise<WwsfUnderTest> {
  const directory = given ?? (await openSqliteDirectory({ file: ':memory:' }));
  const issuer = await startTestIssuer();
  const read = loadConfig({
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    ROLES: 'wwsf',
    DATABASE_FILE: ':memory:',
    DIRECTORY_SEED: '',
  });
  if (!read.ok) throw new Error(JSON.stringify(read.issues));
  // The role gets this test's directory in place of the app's own.
  const role: RoleDescriptor = {
    ...wwsfRole,
    start: (context: RoleContext) => wwsfRole.start({ ...context, directory }),
  };
  const app = await startApp({
    config: read.config,
    logger: memoryLogger().logger,
    roles: [role],
    env: { WAF_ISSUER: issuer.issuer, TURNSERVER_BINARY: '', ...env },
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

/** A GET with headers fetch may not set (Host). */
export function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** the parsed JSON body, or undefined for an empty one */
  readonly body: unknown;
}

/** A SAPI client for one caller: `call('POST', '/subscribers', {...})`. */
export function sapiClient(w: WwsfUnderTest, token: string | undefined) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<ApiAnswer> => {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = contentType;
    const response = await fetch(`${w.url}/sapi${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
  };
}
