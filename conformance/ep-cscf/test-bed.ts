/**
 * The peers of an eP-CSCF conformance test: Kamailio as the IMS core (registrar with digest
 * authentication), a recording relay in front of it (core-tap.ts), and the eP-CSCF pointing at
 * that relay. Everything on free loopback ports; `stop()` stops what was started, also after
 * a failed start.
 */
import type { PortAllocator } from '../harness/ports.ts';
import { type Kamailio, type Subscriber, startKamailio } from '../kamailio/kamailio.ts';
import { type CoreTap, startCoreTap } from './core-tap.ts';
import { type EpCscfPeer, startEpCscfPeer } from './ep-cscf-peer.ts';

export const DOMAIN = 'ims.test';

export const ALICE = { user: 'alice', password: 'alice-secret' } as const;
export const BOB = { user: 'bob', password: 'bob-secret' } as const;

export interface TestBed {
  readonly core: Kamailio;
  readonly tap: CoreTap;
  readonly ep: EpCscfPeer;
  stop(): Promise<void>;
}

export interface TestBedOptions {
  readonly ports: PortAllocator;
  readonly subscribers?: readonly Subscriber[];
  /** eP-CSCF environment on top of IMS_CORE_URI and IMS_DOMAIN */
  readonly env?: Readonly<Record<string, string>>;
  /** receives each peer as soon as it is up, so a failing test can print its output */
  readonly onPeer?: (peer: { report(): string }) => void;
}

export async function startTestBed(o: TestBedOptions): Promise<TestBed> {
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const stopAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const p of started.reverse()) await p.stop().catch((err: unknown) => errors.push(err));
    if (errors.length > 0) throw errors[0];
  };
  try {
    const core = await startKamailio({
      ports: o.ports,
      domain: DOMAIN,
      subscribers: o.subscribers ?? [
        { username: ALICE.user, password: ALICE.password },
        { username: BOB.user, password: BOB.password },
      ],
    });
    started.push(core);
    o.onPeer?.(core);
    const tap = await startCoreTap(o.ports, { host: core.host, port: core.sipPort });
    started.push(tap);
    const ep = await startEpCscfPeer({
      ports: o.ports,
      coreUri: tap.uri,
      env: { IMS_DOMAIN: DOMAIN, ...o.env },
    });
    started.push(ep);
    o.onPeer?.(ep);
    return { core, tap, ep, stop: stopAll };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}
