/**
 * The assertions every media test makes, in one place: what the IMS side and the WIC side
 * receive (TS 23.334 §6.2.10), media both ways through rtpengine, and no session left behind.
 */
import { expect } from 'vitest';
import { eventually } from '../ep-cscf/eventually.ts';
import { delay } from '../harness/process.ts';
import type { BrowserPhone, MediaStats } from './browser-phone.ts';
import type { MediaBed } from './media-bed.ts';
import type { PartyCounters } from './rtpengine-view.ts';
import { sdpFacts } from './sdp-facts.ts';

/** SDP toward IMS: RTP/AVP at rtpengine's address and one of its ports, no ICE/DTLS line. */
export function expectImsSideSdp(sdp: string, bed: MediaBed): void {
  const f = sdpFacts(sdp);
  expect(f.protocol, `IMS-side SDP:\n${sdp}`).toBe('RTP/AVP');
  expect(f.webrtcOnlyLines, `IMS-side SDP:\n${sdp}`).toEqual([]);
  expect(f.address, `IMS-side SDP:\n${sdp}`).toBe(bed.rtpengine.host);
  expect(f.port, `IMS-side SDP:\n${sdp}`).toBeGreaterThanOrEqual(bed.rtpengine.mediaPorts.min);
  expect(f.port, `IMS-side SDP:\n${sdp}`).toBeLessThanOrEqual(bed.rtpengine.mediaPorts.max);
}

/** SDP toward a WIC: UDP/TLS/RTP/SAVPF with rtpengine's ICE candidates, a fingerprint and a=setup. */
export function expectWicSideSdp(sdp: string, bed: MediaBed, setup: readonly string[]): void {
  const f = sdpFacts(sdp);
  expect(f.protocol, `WIC-side SDP:\n${sdp}`).toBe('UDP/TLS/RTP/SAVPF');
  expect(f.candidates, `WIC-side SDP:\n${sdp}`).toBeGreaterThan(0);
  expect(f.fingerprint, `WIC-side SDP:\n${sdp}`).toBe(true);
  expect(setup, `WIC-side SDP:\n${sdp}`).toContain(f.setup);
  expect(f.address, `WIC-side SDP:\n${sdp}`).toBe(bed.rtpengine.host);
}

export interface MediaFigures {
  /** per rtpengine call (one per anchored leg): what it received from each party */
  readonly calls: Readonly<Record<string, readonly PartyCounters[]>>;
  readonly browsers: readonly MediaStats[];
}

/**
 * With `legs` calls in rtpengine (one per anchored call leg), lets media run ~3 s, then requires
 * RTP received by rtpengine from both parties of each, and inbound RTP in every browser's getStats.
 */
export async function expectMediaBothWays(
  bed: MediaBed,
  phones: readonly BrowserPhone[],
  legs = 1,
): Promise<MediaFigures> {
  const ids = await bed.rtp.calls();
  expect(ids, 'rtpengine holds one call per anchored leg').toHaveLength(legs);
  await delay(3_000);
  const calls: Record<string, readonly PartyCounters[]> = {};
  for (const id of ids) calls[id] = await bed.rtp.counters(id);
  const browsers = await Promise.all(phones.map((p) => p.stats()));
  console.info(`media figures ${JSON.stringify({ calls, browsers })}`);
  for (const [id, parties] of Object.entries(calls)) {
    expect(parties, `rtpengine knows both parties of ${id}`).toHaveLength(2);
    for (const party of parties)
      expect(party.rtpPackets, `RTP from ${party.tag} in ${id}`).toBeGreaterThan(0);
  }
  for (const b of browsers) {
    expect(b.packetsSent, 'browser outbound-rtp packetsSent').toBeGreaterThan(0);
    expect(b.packetsReceived, 'browser inbound-rtp packetsReceived').toBeGreaterThan(0);
  }
  return { calls, browsers };
}

/** rtpengine's `list` is empty (allowing the delete that follows a BYE a moment to land). */
export async function expectNoSessionLeft(bed: MediaBed): Promise<void> {
  const left = await eventually(
    () => bed.rtp.calls(),
    (calls) => calls.length === 0,
    3_000,
  );
  expect(left, 'rtpengine list after the call').toEqual([]);
}
