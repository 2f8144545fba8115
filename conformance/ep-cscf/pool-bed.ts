/**
 * The peers of a pool-registration test (TS 33.203 Annex X.4): a token issuer playing the WAF
 * (token/test-issuer.ts: JWKS and introspection over HTTP), a subscriber directory (SQLite in
 * memory) holding a tenant domain and its pool of IMS identities, an IMS core that knows those
 * identities (the lab core with its own subscriber list, or Kamailio with its subscriber table,
 * started by the caller), a recording relay in front of it, and the eP-CSCF with bearer access
 * and the pool registrar attached. Everything on loopback; `stop()` stops what was started.
 */
import type { Registry } from 'prom-client';
import type { RunningEpCscf } from '../../ep-cscf/ep-cscf.ts';
import type { PoolRegistrar } from '../../ep-cscf/pool/pool-registrar.ts';
import { type ImsSecret, openSqliteDirectory, type SqliteDirectory } from '../../store/index.ts';
import { startTestIssuer, type TestIssuer } from '../../token/test-issuer.ts';
import type { PortAllocator } from '../harness/ports.ts';
import { type CoreTap, startCoreTap } from './core-tap.ts';
import { startEpCscfPeer } from './ep-cscf-peer.ts';

/** The tenant whose guests get pool identities (the token's `ims.domain`). */
export const TENANT = 'shop.example';

/** One pool identity: IMPU sip:USER@<ims domain>, IMPI USER@<ims domain>. */
export interface PoolIdentity {
  readonly user: string;
  readonly secret: ImsSecret;
  /** the tenant whose pool it is in; default TENANT */
  readonly tenant?: string;
}

export interface PoolEpCscf {
  readonly wsUrl: string;
  /** the Mw address it advertises in Path */
  readonly host: string;
  readonly mwPort: number;
  readonly running: RunningEpCscf;
  readonly registrar: PoolRegistrar;
  readonly registry: Registry;
  report(): string;
}

export interface PoolBed {
  readonly issuer: TestIssuer;
  readonly directory: SqliteDirectory;
  readonly tap: CoreTap;
  readonly ep: PoolEpCscf;
  /** a guest token of the tenant's pool (or of `domain`), `sub` a fresh guest unless given */
  token(o?: { sub?: string; expiresIn?: number; domain?: string }): Promise<string>;
  stop(): Promise<void>;
}

export interface PoolBedOptions {
  readonly ports: PortAllocator;
  /** the IMS core (already started) and its home domain */
  readonly core: { readonly host: string; readonly port: number; readonly domain: string };
  readonly pool: readonly PoolIdentity[];
  /** further tenants: with a pool when a PoolIdentity names them, else without (403) */
  readonly tenants?: readonly string[];
  /** how long a lease outlives its registration (ms) */
  readonly marginMs?: number;
  readonly onPeer?: (peer: { report(): string }) => void;
}

export async function startPoolBed(o: PoolBedOptions): Promise<PoolBed> {
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const stop = async (): Promise<void> => {
    for (const p of started.reverse()) await p.stop().catch(() => undefined);
  };
  try {
    const issuer = await startTestIssuer();
    started.push({ stop: () => issuer.close() });
    const directory = await openSqliteDirectory({ file: ':memory:' });
    started.push({ stop: () => directory.close() });
    for (const name of [TENANT, ...(o.tenants ?? [])])
      await directory.putDomain({
        name,
        parent: undefined,
        allowedOrigins: [],
        anonymous: { enabled: true, tokenTtl: 300, capabilities: [] },
        services: ['call', 'message'],
      });
    for (const p of o.pool)
      await directory.putImsCredential({
        id: `pool-${p.user}`,
        domain: p.tenant ?? TENANT,
        subscriberId: undefined,
        impu: `sip:${p.user}@${o.core.domain}`,
        impi: `${p.user}@${o.core.domain}`,
        secret: p.secret,
        wssServer: undefined,
      });
    const tap = await startCoreTap(o.ports, { host: o.core.host, port: o.core.port });
    started.push(tap);
    const ep = await startPoolEpCscf(o, issuer, directory, tap.uri);
    started.push(ep);
    o.onPeer?.(ep);
    let guests = 0;
    return {
      issuer,
      directory,
      tap,
      ep,
      token: (t = {}) =>
        issuer.token({
          pool: true,
          domain: t.domain ?? TENANT,
          sub: t.sub ?? `guest-${++guests}`,
          ...(t.expiresIn === undefined ? {} : { expiresIn: t.expiresIn }),
        }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The eP-CSCF, configured through its own schema as an operator would, plus the directory. */
async function startPoolEpCscf(
  o: PoolBedOptions,
  issuer: TestIssuer,
  directory: SqliteDirectory,
  coreUri: string,
): Promise<PoolEpCscf & { stop(): Promise<void> }> {
  const peer = await startEpCscfPeer({
    ports: o.ports,
    coreUri,
    env: {
      IMS_DOMAIN: o.core.domain,
      WAF_ISSUER: issuer.issuer,
      INTROSPECTION_CLIENT_ID: issuer.client.id,
      INTROSPECTION_CLIENT_SECRET: issuer.client.secret,
      // Revocation sweeps are run by the tests (checkNow), not by a timer.
      TOKEN_CHECK_INTERVAL: '0',
    },
    directory,
    ...(o.marginMs === undefined ? {} : { poolLeaseMarginMs: o.marginMs }),
  });
  const registrar = peer.running.context.pool;
  if (registrar === undefined) {
    await peer.stop();
    throw new Error('the eP-CSCF has no pool registrar');
  }
  return {
    wsUrl: peer.wsUrl,
    host: peer.host,
    mwPort: peer.mwPort,
    running: peer.running,
    registrar,
    registry: peer.registry,
    report: () => peer.report(),
    stop: () => peer.stop(),
  };
}
