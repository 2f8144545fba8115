/**
 * The whole web-credential path with real peers, on loopback:
 *
 *   subscriber directory (SQLite in memory, e2e-directory.ts)
 *     ├── the WAF (`startWaf`, waf/): logins with PKCE, JWT access tokens, introspection,
 *     │   revocation, sign-out, the guest grant — over HTTP on its own port
 *     └── the eP-CSCF (e2e-ep-cscf.ts): WAF_ISSUER = the WAF's issuer, the WAF's resource-server
 *         client for introspection, the same directory for pool leases
 *   Kamailio as the IMS core with Trusted Node Authentication (ims-core-tna.cfg): `auth-done`
 *   believed only from the eP-CSCF's Mw socket, digest for everything else.
 *
 * `stop()` stops what was started, in reverse order, also after a failed start.
 */
import pino from 'pino';
import type { SipMessage } from '../../sip/index.ts';
import type { SqliteDirectory } from '../../store/index.ts';
import { type RunningWaf, startWaf } from '../../waf/index.ts';
import { readLocation } from '../ep-cscf/location.ts';
import { OutputRing } from '../harness/output-ring.ts';
import type { PortAllocator } from '../harness/ports.ts';
import { type Kamailio, type Subscriber, startKamailio } from '../kamailio/kamailio.ts';
import { IMS_DOMAIN, kamailioSubscribers, seedE2eDirectory } from './e2e-directory.ts';
import { type E2eEpCscf, startE2eEpCscf } from './e2e-ep-cscf.ts';

export interface E2eBed {
  readonly directory: SqliteDirectory;
  readonly waf: RunningWaf;
  readonly core: Kamailio;
  readonly ep: E2eEpCscf;
  /** the AORs (user parts) Kamailio holds a binding for, sorted */
  registeredAtCore(): Promise<string[]>;
  /** the REGISTER requests the eP-CSCF sent the core, oldest first */
  registersAtCore(): SipMessage[];
  /** whether any message toward the core carried Bearer credentials (the token must never leave) */
  bearerLeaked(): boolean;
  /** the peers, for printPeerOutputOnFailure */
  peers(): Array<{ report(): string }>;
  stop(): Promise<void>;
}

export interface E2eBedOptions {
  readonly ports: PortAllocator;
  /** WAF_* settings (e.g. WAF_ACCESS_TOKEN_TTL) */
  readonly wafEnv?: Readonly<Record<string, string>>;
  /** eP-CSCF settings on top of IMS_DOMAIN, WAF_ISSUER and the introspection client */
  readonly epEnv?: Readonly<Record<string, string>>;
  /** further Kamailio subscribers (sipp callees, digest) */
  readonly callees?: readonly Subscriber[];
}

export async function startE2eBed(o: E2eBedOptions): Promise<E2eBed> {
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const peers: Array<{ report(): string }> = [];
  const stop = async (): Promise<void> => {
    for (const p of started.reverse()) await p.stop().catch(() => undefined);
  };
  try {
    const directory = await seedE2eDirectory();
    started.push({ stop: () => directory.close() });
    const wafLog = new OutputRing();
    const waf = await startWaf({
      directory,
      host: o.ports.host,
      env: { ...o.wafEnv },
      logger: pino({ level: 'debug' }, { write: (line: string) => wafLog.push(line) }),
    });
    started.push(waf);
    peers.push({ report: () => `--- WAF log (${waf.issuer()}) ---\n${wafLog.text()}` });
    // The Mw port is chosen first: the core trusts exactly that source.
    const mwPort = await o.ports.port('both');
    started.push({ stop: async () => o.ports.release(mwPort) });
    const core = await startKamailio({
      ports: o.ports,
      domain: IMS_DOMAIN,
      subscribers: kamailioSubscribers(o.callees),
      trustedNode: { host: o.ports.host, port: mwPort },
    });
    started.push(core);
    peers.push(core);
    const { id, secret } = waf.authority.resourceClient;
    const ep = await startE2eEpCscf({
      ports: o.ports,
      mwPort,
      coreUri: `sip:${core.host}:${core.sipPort}`,
      directory,
      env: {
        IMS_DOMAIN,
        WAF_ISSUER: waf.issuer(),
        INTROSPECTION_CLIENT_ID: id,
        INTROSPECTION_CLIENT_SECRET: secret,
        ...o.epEnv,
      },
    });
    started.push(ep);
    peers.push(ep);
    return {
      directory,
      waf,
      core,
      ep,
      registeredAtCore: async () => (await readLocation(core)).map((c) => c.aor).sort(),
      registersAtCore: () => ep.toCore.filter((m) => m.kind === 'request' && m.method === 'REGISTER'),
      bearerLeaked: () =>
        ep.toCore.some((m) =>
          [...m.headers.values('authorization'), ...m.headers.values('proxy-authorization')].some((v) =>
            /^\s*bearer/i.test(v),
          ),
        ),
      peers: () => peers,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
