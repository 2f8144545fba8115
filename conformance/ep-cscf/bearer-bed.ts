/**
 * The peers of a bearer-token conformance test (RFC 8898, TS 24.371 §6, TS 33.203 X.3): a test
 * authorization server playing the WAF (token/test-issuer.ts: its own keys, metadata, JWKS,
 * introspection), Kamailio as the IMS core with Trusted Node Authentication (ims-core-tna.cfg:
 * `auth-done` believed only from the eP-CSCF's Mw socket, digest for everything else), and the
 * eP-CSCF configured through its schema with WAF_ISSUER and the introspection client. Every
 * message the eP-CSCF sends on the Mw side is recorded, so a test can show what the core got.
 */
import type { SipMessage } from '../../sip/index.ts';
import { startTestIssuer, type TestIssuer } from '../../token/test-issuer.ts';
import type { PortAllocator } from '../harness/ports.ts';
import { type Kamailio, startKamailio } from '../kamailio/kamailio.ts';
import { type EpCscfPeer, startEpCscfPeer } from './ep-cscf-peer.ts';
import { readLocation } from './location.ts';
import { ALICE, BOB, DOMAIN } from './test-bed.ts';

export { ALICE, BOB, DOMAIN };

export interface BearerBed {
  readonly waf: TestIssuer;
  readonly core: Kamailio;
  readonly ep: EpCscfPeer;
  /** messages the eP-CSCF sent toward the core (Mw), oldest first */
  readonly toCore: SipMessage[];
  /** the AORs (user parts) Kamailio holds a binding for */
  registeredAtCore(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface BearerBedOptions {
  readonly ports: PortAllocator;
  /** eP-CSCF environment on top of IMS_CORE_URI, IMS_DOMAIN, WAF_ISSUER and the introspection client */
  readonly env?: Readonly<Record<string, string>>;
  readonly onPeer?: (peer: { report(): string }) => void;
}

export async function startBearerBed(o: BearerBedOptions): Promise<BearerBed> {
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const stopAll = async (): Promise<void> => {
    for (const p of started.reverse()) await p.stop().catch(() => undefined);
  };
  try {
    const waf = await startTestIssuer({ host: o.ports.host });
    started.push({ stop: () => waf.close() });
    // The eP-CSCF's Mw port is chosen first: the core trusts exactly that source.
    const mwPort = await o.ports.port('both');
    started.push({ stop: async () => o.ports.release(mwPort) });
    const core = await startKamailio({
      ports: o.ports,
      domain: DOMAIN,
      subscribers: [
        { username: ALICE.user, password: ALICE.password },
        { username: BOB.user, password: BOB.password },
      ],
      trustedNode: { host: o.ports.host, port: mwPort },
    });
    started.push(core);
    o.onPeer?.(core);
    const ep = await startEpCscfPeer({
      ports: o.ports,
      coreUri: `sip:${core.host}:${core.sipPort}`,
      env: {
        IMS_DOMAIN: DOMAIN,
        SIP_PORT: String(mwPort),
        WAF_ISSUER: waf.issuer,
        INTROSPECTION_CLIENT_ID: waf.client.id,
        INTROSPECTION_CLIENT_SECRET: waf.client.secret,
        REG_EVENT: 'false',
        ...o.env,
      },
    });
    started.push(ep);
    o.onPeer?.(ep);
    return {
      waf,
      core,
      ep,
      toCore: ep.toCore,
      registeredAtCore: async () => (await readLocation(core)).map((c) => c.aor),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The REGISTER requests the core received from the eP-CSCF. */
export function registersAtCore(bed: BearerBed): SipMessage[] {
  return bed.toCore.filter((m) => m.kind === 'request' && m.method === 'REGISTER');
}

/** Whether any message toward the core carried Bearer credentials (the token must never leave). */
export function bearerLeaked(bed: BearerBed): boolean {
  return bed.toCore.some((m) =>
    [...m.headers.values('authorization'), ...m.headers.values('proxy-authorization')].some((v) =>
      /^\s*bearer/i.test(v),
    ),
  );
}
