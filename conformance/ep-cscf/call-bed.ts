/**
 * The peers of a call test against the lab IMS core: the lab core (registrar with digest, routing
 * to registered contacts through their Path, no Record-Route), a recording relay in front of it
 * (core-tap.ts: what the eP-CSCF sends the core), and the eP-CSCF pointing at that relay, without
 * a media gateway (SDP passes through). `user()` opens a registered WebSocket client; `stop()`
 * closes the clients and stops the peers, also after a failed start.
 */
import { PortAllocator } from '../harness/ports.ts';
import { DOMAIN, testSubscribers } from '../lab-core/fixture.ts';
import { type LabCore, startLabCore } from '../lab-core/index.ts';
import { CallUa } from './call-ua.ts';
import { type CoreTap, startCoreTap } from './core-tap.ts';
import { type EpCscfPeer, startEpCscfPeer } from './ep-cscf-peer.ts';

export { DOMAIN };

/** Lab subscribers with digest passwords (conformance/lab-core/fixture.ts). */
export const PASSWORDS: Readonly<Record<string, string>> = {
  alice: 'alice-pw',
  bob: 'bob-pw',
  sam: 'sam-pw',
};

export interface CallBed {
  readonly core: LabCore;
  readonly tap: CoreTap;
  readonly ep: EpCscfPeer;
  /** a client with its own WebSocket, registered as sip:USER@ims.lab */
  user(name: string): Promise<CallUa>;
  /** a client with its own WebSocket that has not registered */
  unregistered(name: string): Promise<CallUa>;
  /** calls the eP-CSCF holds (both legs of a WIC↔WIC call count) */
  callCount(): number;
  stop(): Promise<void>;
}

export async function startCallBed(onPeer: (p: { report(): string }) => void): Promise<CallBed> {
  const ports = await PortAllocator.open();
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const clients: CallUa[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(clients.map((c) => c.close()));
    for (const p of started.reverse()) await p.stop().catch(() => undefined);
    await ports.close();
  };
  try {
    const core = await startLabCore({
      host: ports.host,
      port: await ports.port('both'),
      domain: DOMAIN,
      subscribers: testSubscribers(),
      trusted: [ports.host],
    });
    started.push(core);
    const tap = await startCoreTap(ports, { host: core.host, port: core.port });
    started.push(tap);
    const ep = await startEpCscfPeer({ ports, coreUri: tap.uri, env: { IMS_DOMAIN: DOMAIN } });
    started.push(ep);
    onPeer(ep);
    const options = (name: string) => ({
      wsUrl: ep.wsUrl,
      domain: DOMAIN,
      user: name,
      secret: { password: PASSWORDS[name] ?? `${name}-pw` },
    });
    return {
      core,
      tap,
      ep,
      async user(name) {
        const c = await CallUa.registered(options(name));
        clients.push(c);
        return c;
      },
      async unregistered(name) {
        const c = await CallUa.open(options(name));
        clients.push(c);
        return c;
      },
      callCount: () => ep.running.context.calls.table.size,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
