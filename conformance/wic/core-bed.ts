/**
 * The web client's bed with a real IMS core and real media: the product started with `startApp`
 * as an operator would (wic-bed.ts: WAF at /oauth, WWSF serving the page, eIMS-AGW with
 * RTPENGINES, eP-CSCF with IMS_CORE_URI), in front of
 *
 * - Kamailio as the IMS core with Trusted Node Authentication (conformance/kamailio/
 *   ims-core-tna.cfg): a REGISTER marked `integrity-protected="auth-done"` is believed only from
 *   the eP-CSCF's Mw socket (SIP_PORT, chosen before the core starts), which is how a web sign-in
 *   through the WAF registers (TS 33.203 Annex X.3); everyone else answers a digest challenge
 *   (IMS-credential sign-in, sipp);
 * - rtpengine (conformance/rtpengine: user space, `--delete-delay=0`), read back over NG by
 *   `rtp` (conformance/media/rtpengine-view.ts).
 *
 * The home domain is the product's lab domain `ims.lab` (its directory seed: alice and bob with
 * web passwords and IMS identities), so the WAF's tokens name identities the core knows.
 */
import { NgClient } from '../../eims-agw/index.ts';
import { eventually } from '../ep-cscf/eventually.ts';
import { type LocationContact, readLocation } from '../ep-cscf/location.ts';
import type { PortAllocator } from '../harness/ports.ts';
import type { HasReport } from '../harness/vitest-hooks.ts';
import { type Kamailio, startKamailio } from '../kamailio/kamailio.ts';
import { RtpengineView } from '../media/rtpengine-view.ts';
import { type Rtpengine, startRtpengine } from '../rtpengine/rtpengine.ts';
import { ALICE, BOB, DOMAIN, startWicBed, type WicBed } from './wic-bed.ts';

/** IMS users sipp plays at the core (digest subscribers of Kamailio). */
export const SIPP_USERS = {
  carol: { username: 'carol', password: 'carol-ims-secret' },
  dave: { username: 'dave', password: 'dave-ims-secret' },
  erin: { username: 'erin', password: 'erin-ims-secret' },
} as const;

export interface CoreBed {
  readonly wic: WicBed;
  readonly core: Kamailio;
  readonly rtpengine: Rtpengine;
  readonly rtp: RtpengineView;
  /** the eP-CSCF's Mw port (the trusted node) */
  readonly mwPort: number;
  /** Kamailio's bindings of sip:USER@ims.lab (ul.dump) */
  bindings(user: string): Promise<LocationContact[]>;
  /** waits until rtpengine holds no call (the BYE's delete may land a moment after the 200) */
  noMediaLeft(): Promise<readonly string[]>;
  peers(): HasReport[];
  stop(): Promise<void>;
}

export async function startCoreBed(o: {
  ports: PortAllocator;
  env?: Readonly<Record<string, string>>;
}): Promise<CoreBed> {
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const peers: HasReport[] = [];
  const stop = async (): Promise<void> => {
    for (const p of started.reverse()) await p.stop().catch(() => undefined);
  };
  try {
    // The Mw port first: the core trusts exactly that source.
    const mwPort = await o.ports.port('both');
    started.push({ stop: async () => o.ports.release(mwPort) });
    const [core, rtpengine] = await Promise.all([
      startKamailio({
        ports: o.ports,
        domain: DOMAIN,
        trustedNode: { host: o.ports.host, port: mwPort },
        subscribers: [
          // alice signs in with web credentials only: the core holds a password the product does
          // not know, so only Trusted Node Authentication can register her
          { username: ALICE.impi.split('@')[0] ?? '', password: 'unknown-to-the-product' },
          // bob signs in with IMS credentials: his digest answer to Kamailio's challenge
          { username: BOB.impi.split('@')[0] ?? '', password: BOB.password },
          ...Object.values(SIPP_USERS),
        ],
      }).then((k) => {
        started.push(k);
        peers.push(k);
        return k;
      }),
      startRtpengine({ ports: o.ports }).then((r) => {
        started.push(r);
        peers.push(r);
        return r;
      }),
    ]);
    const wic = await startWicBed({
      ports: o.ports,
      waf: true,
      media: true,
      env: {
        IMS_CORE_URI: `sip:${core.host}:${core.sipPort}`,
        SIP_PORT: String(mwPort),
        RTPENGINES: `${rtpengine.host}:${rtpengine.ngPort}`,
        IMS_DOMAIN: DOMAIN,
        // Kamailio here has no reg-event package (it answers 489).
        REG_EVENT: 'false',
        ...o.env,
      },
    });
    started.push(wic);
    peers.push(wic);
    const ng = new NgClient({ host: rtpengine.host, port: rtpengine.ngPort });
    started.push({ stop: () => ng.close() });
    const rtp = new RtpengineView(ng);
    return {
      wic,
      core,
      rtpengine,
      rtp,
      mwPort,
      bindings: async (user) =>
        (await readLocation(core)).filter((c) => c.aor === user || c.aor === `${user}@${DOMAIN}`),
      noMediaLeft: () =>
        eventually(
          () => rtp.calls(),
          (calls) => calls.length === 0,
          3_000,
        ),
      peers: () => peers,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
