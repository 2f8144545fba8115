/**
 * The eP-CSCF under test with its media anchored: the eIMS-AGW started the product's way
 * (`startMediaControl` with RTPENGINES pointing at the harness rtpengine) and plugged into the
 * eP-CSCF peer of conformance/ep-cscf (configured from environment variables through
 * EPCSCF_SCHEMA, as an operator would) with `eimsAgwMedia`. Both logs are kept for `report()`.
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { type MediaControl, startMediaControl } from '../../eims-agw/index.ts';
import { eimsAgwMedia } from '../../ep-cscf/calls/eims-agw-media.ts';
import type { RunningEpCscf } from '../../ep-cscf/ep-cscf.ts';
import { startEpCscfPeer } from '../ep-cscf/ep-cscf-peer.ts';
import { OutputRing } from '../harness/output-ring.ts';
import type { PortAllocator } from '../harness/ports.ts';

export interface MediaEpCscfOptions {
  readonly ports: PortAllocator;
  /** IMS_CORE_URI, e.g. `sip:127.0.0.1:5070` */
  readonly coreUri: string;
  /** `host:port` of rtpengine's NG socket (RTPENGINES) */
  readonly rtpengine: string;
  /** eP-CSCF and eIMS-AGW variables on top (IMS_DOMAIN, ALLOWED_ORIGINS, MEDIA_ICE, ...) */
  readonly env?: Readonly<Record<string, string>>;
}

export interface MediaEpCscf {
  /** `ws://127.0.0.1:PORT/sip` */
  readonly wsUrl: string;
  readonly mwPort: number;
  readonly running: RunningEpCscf;
  readonly media: MediaControl;
  report(): string;
  stop(): Promise<void>;
}

export async function startMediaEpCscf(o: MediaEpCscfOptions): Promise<MediaEpCscf> {
  const ring = new OutputRing();
  const logger = pino(
    { level: process.env['EPCSCF_LOG_LEVEL'] ?? 'debug' },
    { write: (line: string) => ring.push(line) },
  );
  const env = { RTPENGINES: o.rtpengine, ...o.env };
  const media = await startMediaControl({ env, logger, registry: new Registry() });
  let peer: Awaited<ReturnType<typeof startEpCscfPeer>>;
  try {
    peer = await startEpCscfPeer({
      ports: o.ports,
      coreUri: o.coreUri,
      env,
      media: eimsAgwMedia(media.gateway),
    });
  } catch (err) {
    await media.stop().catch(() => undefined);
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    wsUrl: peer.wsUrl,
    mwPort: peer.mwPort,
    running: peer.running,
    media,
    report: () => `${peer.report()}\n--- eIMS-AGW log ---\n${ring.text()}`,
    stop() {
      stopped ??= (async () => {
        try {
          await peer.stop();
        } finally {
          await media.stop();
        }
      })();
      return stopped;
    },
  };
}
