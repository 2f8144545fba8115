import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type MediaControl, startMediaControl } from '../../eims-agw/index.ts';
import { eimsAgwMedia } from '../../ep-cscf/calls/eims-agw-media.ts';
import { PortAllocator } from '../harness/ports.ts';
import { startTestCore } from '../lab-core/fixture.ts';
import type { LabCore } from '../lab-core/lab-core.ts';
import { type Rtpengine, startRtpengine } from '../rtpengine/rtpengine.ts';
import { CallUa } from './call-ua.ts';
import { type EpCscfPeer, startEpCscfPeer } from './ep-cscf-peer.ts';

const DOMAIN = 'ims.lab';
const VECTORS = resolve(import.meta.dirname, '../../../shared/vectors/sdp');
const CHROME_OFFER = readFileSync(resolve(VECTORS, 'sdp-transform/jssip.sdp'), 'utf8');
const INVALID = readFileSync(resolve(VECTORS, 'sdp-transform/invalid.sdp'), 'utf8');

let ports: PortAllocator | undefined;
const stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
  await ports?.close();
  ports = undefined;
});

async function bed(
  rtpengines: string,
): Promise<{ alice: CallUa; bob: CallUa; lab: LabCore; ep: EpCscfPeer }> {
  ports = await PortAllocator.open();
  const lab = await startTestCore({ trusted: ['127.0.0.1'] });
  stops.push(() => lab.stop());
  const media: MediaControl = await startMediaControl({
    env: { RTPENGINES: rtpengines, RTPENGINE_TIMEOUT_MS: '300', RTPENGINE_RETRIES: '1' },
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
  });
  stops.push(() => media.stop());
  const ep = await startEpCscfPeer({
    ports,
    coreUri: lab.uri,
    env: { IMS_DOMAIN: DOMAIN, REG_EVENT: 'false' },
    media: eimsAgwMedia(media.gateway),
  });
  stops.push(() => ep.stop());
  const alice = await CallUa.registered({
    wsUrl: ep.wsUrl,
    domain: DOMAIN,
    user: 'alice',
    secret: { password: 'alice-pw' },
  });
  stops.push(() => alice.close());
  const bob = await CallUa.registered({
    wsUrl: ep.wsUrl,
    domain: DOMAIN,
    user: 'bob',
    secret: { password: 'bob-pw' },
  });
  stops.push(() => bob.close());
  return { alice, bob, lab, ep };
}

describe('media failures at the eP-CSCF (TS 23.334 §6.2.10, RFC 3261 §21)', () => {
  it('[TS23334-6.2.10-488-warning] MUST answer 488 with a Warning to an offer rtpengine cannot use, and forward nothing', async () => {
    const p = await PortAllocator.open();
    const rtp: Rtpengine = await startRtpengine({ ports: p });
    stops.push(async () => {
      await rtp.stop();
      await p.close();
    });
    const { alice, ep } = await bed(`${rtp.host}:${rtp.ngPort}`);
    const final = await alice.invite(`sip:bob@${DOMAIN}`, { body: INVALID }).final();
    expect(final.status).toBe(488);
    expect(final.headers.get('warning')).toMatch(/^399 \S+ ".+"$/);
    expect(ep.running.context.calls.table.size).toBe(0);
  });

  it('[TS23334-6.2.10-503-retry-after] MUST answer 503 with Retry-After quickly when no rtpengine answers', async () => {
    const dead = await (async () => {
      const p = await PortAllocator.open();
      stops.push(() => p.close());
      return p.udp();
    })();
    const { alice, ep } = await bed(`127.0.0.1:${dead}`);
    const started = Date.now();
    const final = await alice.invite(`sip:bob@${DOMAIN}`, { body: CHROME_OFFER }).final();
    expect(final.status).toBe(503);
    expect(final.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(ep.running.context.calls.table.size).toBe(0);
  });
});
