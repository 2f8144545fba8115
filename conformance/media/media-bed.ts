/**
 * The peers of a media conformance test: Kamailio as the IMS core (registrar with Path, no
 * authentication), rtpengine in user space (`--delete-delay=0`), and the eP-CSCF with the
 * eIMS-AGW anchoring media in that rtpengine. Everything on free loopback ports; `stop()` stops
 * what was started, also after a failed start. `rtp` reads rtpengine's own view through NG.
 */
import { NgClient } from '../../eims-agw/index.ts';
import type { PortAllocator } from '../harness/ports.ts';
import { type Kamailio, startKamailio } from '../kamailio/kamailio.ts';
import { type Rtpengine, startRtpengine } from '../rtpengine/rtpengine.ts';
import { type MediaEpCscf, startMediaEpCscf } from './media-ep-cscf.ts';
import { RtpengineView } from './rtpengine-view.ts';

export const DOMAIN = 'ims.test';

export interface MediaBed {
  readonly core: Kamailio;
  readonly rtpengine: Rtpengine;
  readonly ep: MediaEpCscf;
  readonly rtp: RtpengineView;
  stop(): Promise<void>;
}

export interface MediaBedOptions {
  readonly ports: PortAllocator;
  /** the test page's origin, the only one the SIP WebSocket accepts (ALLOWED_ORIGINS) */
  readonly pageOrigin: string;
  readonly env?: Readonly<Record<string, string>>;
  /** receives each peer once it is up, so a failing test can print its output */
  readonly onPeer?: (peer: { report(): string }) => void;
}

export async function startMediaBed(o: MediaBedOptions): Promise<MediaBed> {
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const stopAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const p of started.reverse()) await p.stop().catch((err: unknown) => errors.push(err));
    if (errors.length > 0) throw errors[0];
  };
  try {
    const [core, rtpengine] = await Promise.all([
      startKamailio({ ports: o.ports, domain: DOMAIN }).then((k) => {
        started.push(k);
        o.onPeer?.(k);
        return k;
      }),
      startRtpengine({ ports: o.ports }).then((r) => {
        started.push(r);
        o.onPeer?.(r);
        return r;
      }),
    ]);
    const ep = await startMediaEpCscf({
      ports: o.ports,
      coreUri: `sip:${core.host}:${core.sipPort}`,
      rtpengine: `${rtpengine.host}:${rtpengine.ngPort}`,
      env: { IMS_DOMAIN: DOMAIN, ALLOWED_ORIGINS: o.pageOrigin, ...o.env },
    });
    started.push(ep);
    o.onPeer?.(ep);
    const admin = new NgClient({ host: rtpengine.host, port: rtpengine.ngPort });
    started.push({ stop: () => admin.close() });
    return { core, rtpengine, ep, rtp: new RtpengineView(admin), stop: stopAll };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}
