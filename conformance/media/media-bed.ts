/**
 * The peers of a media conformance test: Kamailio as the IMS core (registrar with Path, no
 * authentication), rtpengine in user space (`--delete-delay=0`), and the eP-CSCF with the
 * eIMS-AGW anchoring media in that rtpengine. Everything on free loopback ports; `stop()` stops
 * what was started, also after a failed start. `rtp` reads rtpengine's own view through NG.
 */
import { NgClient } from '../../eims-agw/index.ts';
import { type BedOptions, startPeerGroup } from '../ep-cscf/peer-group.ts';
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

export interface MediaBedOptions extends BedOptions {
  /** the test page's origin, the only one the SIP WebSocket accepts (ALLOWED_ORIGINS) */
  readonly pageOrigin: string;
}

export function startMediaBed(o: MediaBedOptions): Promise<MediaBed> {
  return startPeerGroup(async (peers) => {
    const [core, rtpengine] = await Promise.all([
      startKamailio({ ports: o.ports, domain: DOMAIN }).then((k) => {
        peers.add(k);
        o.onPeer?.(k);
        return k;
      }),
      startRtpengine({ ports: o.ports }).then((r) => {
        peers.add(r);
        o.onPeer?.(r);
        return r;
      }),
    ]);
    const ep = peers.add(
      await startMediaEpCscf({
        ports: o.ports,
        coreUri: `sip:${core.host}:${core.sipPort}`,
        rtpengine: `${rtpengine.host}:${rtpengine.ngPort}`,
        env: { IMS_DOMAIN: DOMAIN, ALLOWED_ORIGINS: o.pageOrigin, ...o.env },
      }),
    );
    o.onPeer?.(ep);
    const admin = new NgClient({ host: rtpengine.host, port: rtpengine.ngPort });
    peers.add({ stop: () => admin.close() });
    return { core, rtpengine, ep, rtp: new RtpengineView(admin) };
  });
}
