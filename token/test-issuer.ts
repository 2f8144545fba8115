/**
 * Test support: a small authorization server on 127.0.0.1 that plays the WAF toward a resource
 * server under test. It makes its own signing keys (jose generateKeyPair), serves its metadata
 * (`/.well-known/openid-configuration`), its JWKS and an RFC 7662 introspection endpoint (HTTP
 * Basic client authentication), signs RFC 9068 access tokens with the IMS claims, rotates keys
 * and revokes tokens on request. Not a product component: the WAF (waf/) is.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, jwtVerify, SignJWT } from 'jose';
import { IMS_AUDIENCE } from './claims.ts';
import { basicCredentials } from './introspection.ts';

export interface TestIssuerKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface ImsTokenRequest {
  readonly impu?: string;
  readonly impi?: string;
  readonly domain?: string;
  /** scenario 3: a pool identity instead of impu/impi */
  readonly pool?: boolean;
  readonly caps?: readonly string[];
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  readonly iss?: string;
  readonly scope?: string;
  /** seconds from now; negative for an expired token */
  readonly expiresIn?: number;
  /** seconds from now */
  readonly notBefore?: number;
  readonly typ?: string;
  /** the `ims` claim as given, replacing the one built from impu/impi/pool (null: none) */
  readonly ims?: Record<string, unknown> | null;
}

export interface TestIssuer {
  /** e.g. http://127.0.0.1:PORT/oauth */
  readonly issuer: string;
  readonly jwksUri: string;
  readonly introspectionEndpoint: string;
  readonly client: { readonly id: string; readonly secret: string };
  /** the key tokens are signed with now (the last of the published ones) */
  readonly currentKey: TestIssuerKey;
  /** how many times the JWKS, the metadata and the introspection endpoint were fetched */
  readonly fetches: { jwks: number; metadata: number; introspection: number };
  /** an access token with the IMS claims (alice@ims.test by default, caps call and message) */
  token(r?: ImsTokenRequest): Promise<string>;
  /** a new signing key, published beside the old ones (`retireOld`: the old ones leave the JWKS) */
  rotate(retireOld?: boolean): Promise<TestIssuerKey>;
  /** a key that is never published (its tokens name an unknown kid) */
  unpublishedKey(): Promise<TestIssuerKey>;
  /** signs with a given key */
  tokenWith(key: TestIssuerKey, r?: ImsTokenRequest): Promise<string>;
  /** introspection answers `active: false` for this token from now on */
  revoke(token: string): void;
  close(): Promise<void>;
}

export async function startTestIssuer(o: { host?: string; path?: string } = {}): Promise<TestIssuer> {
  const host = o.host ?? '127.0.0.1';
  const path = o.path ?? '/oauth';
  const keys: TestIssuerKey[] = [await makeKey()];
  const revoked = new Set<string>();
  const fetches = { jwks: 0, metadata: 0, introspection: 0 };
  const client = { id: 'ep-cscf-test', secret: `s-${randomUUID()}` };
  let issuer = '';

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === `${path}/.well-known/openid-configuration`) {
      fetches.metadata++;
      return json(res, 200, {
        issuer,
        jwks_uri: `${issuer}/jwks`,
        introspection_endpoint: `${issuer}/token/introspection`,
      });
    }
    if (req.method === 'GET' && url === `${path}/jwks`) {
      fetches.jwks++;
      return json(res, 200, { keys: keys.map((k) => k.publicJwk) });
    }
    if (req.method === 'POST' && url === `${path}/token/introspection`) {
      fetches.introspection++;
      if (req.headers.authorization !== basicCredentials(client.id, client.secret))
        return json(res, 401, { error: 'invalid_client' });
      const form = new URLSearchParams(await readBody(req));
      const token = form.get('token') ?? '';
      return json(res, 200, await introspection(token));
    }
    res.writeHead(404).end();
  };

  const introspection = async (token: string): Promise<Record<string, unknown>> => {
    if (revoked.has(token)) return { active: false };
    for (const k of keys) {
      try {
        const { payload } = await jwtVerify(token, k.publicJwk, { issuer });
        return { active: true, token_type: 'Bearer', ...payload };
      } catch {
        // next key
      }
    }
    return { active: false };
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  issuer = `http://${host}:${port}${path}`;

  const tokenWith = async (key: TestIssuerKey, r: ImsTokenRequest = {}): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const ims =
      r.ims === null
        ? undefined
        : (r.ims ??
          (r.pool === true
            ? { domain: r.domain ?? 'ims.test', pool: true }
            : {
                domain: r.domain ?? 'ims.test',
                impu: r.impu ?? 'sip:alice@ims.test',
                impi: r.impi ?? 'alice@ims.test',
              }));
    const payload: Record<string, unknown> = {
      client_id: 'wic',
      scope: r.scope ?? 'openid ims',
      caps: [...(r.caps ?? ['call', 'message'])],
      role: 'user',
    };
    if (ims !== undefined) payload.ims = ims;
    const jwt = new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: r.typ ?? 'at+jwt' })
      .setIssuer(r.iss ?? issuer)
      .setSubject(r.sub ?? 'subscriber-alice')
      .setAudience(typeof r.aud === 'string' ? r.aud : [...(r.aud ?? [IMS_AUDIENCE])])
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + (r.expiresIn ?? 300));
    if (r.notBefore !== undefined) jwt.setNotBefore(now + r.notBefore);
    return jwt.sign(key.privateKey);
  };

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    introspectionEndpoint: `${issuer}/token/introspection`,
    client,
    get currentKey() {
      return keys.at(-1)!;
    },
    fetches,
    token: (r) => tokenWith(keys.at(-1)!, r),
    tokenWith,
    async rotate(retireOld = false) {
      const k = await makeKey();
      if (retireOld) keys.splice(0, keys.length);
      keys.push(k);
      return k;
    },
    unpublishedKey: makeKey,
    revoke: (t) => {
      revoked.add(t);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function makeKey(): Promise<TestIssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
