/**
 * The peers of an eP-CSCF conformance test: Kamailio as the IMS core (registrar with digest
 * authentication), a recording relay in front of it (core-tap.ts), and the eP-CSCF pointing at
 * that relay. Everything on free loopback ports; `stop()` stops what was started, also after
 * a failed start.
 */
import { type Kamailio, type Subscriber, startKamailio } from '../kamailio/kamailio.ts';
import { type CoreTap, startCoreTap } from './core-tap.ts';
import { type EpCscfPeer, startEpCscfPeer } from './ep-cscf-peer.ts';
import { type BedOptions, startPeerGroup } from './peer-group.ts';

export const DOMAIN = 'ims.test';

export const ALICE = { user: 'alice', password: 'alice-secret' } as const;
export const BOB = { user: 'bob', password: 'bob-secret' } as const;

export interface TestBed {
  readonly core: Kamailio;
  readonly tap: CoreTap;
  readonly ep: EpCscfPeer;
  stop(): Promise<void>;
}

export interface TestBedOptions extends BedOptions {
  readonly subscribers?: readonly Subscriber[];
}

export function startTestBed(o: TestBedOptions): Promise<TestBed> {
  return startPeerGroup(async (peers) => {
    const core = peers.add(
      await startKamailio({
        ports: o.ports,
        domain: DOMAIN,
        subscribers: o.subscribers ?? [
          { username: ALICE.user, password: ALICE.password },
          { username: BOB.user, password: BOB.password },
        ],
      }),
    );
    o.onPeer?.(core);
    const tap = peers.add(await startCoreTap(o.ports, { host: core.host, port: core.sipPort }));
    const ep = peers.add(
      await startEpCscfPeer({ ports: o.ports, coreUri: tap.uri, env: { IMS_DOMAIN: DOMAIN, ...o.env } }),
    );
    o.onPeer?.(ep);
    return { core, tap, ep };
  });
}
