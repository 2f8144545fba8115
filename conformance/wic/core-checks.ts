/**
 * The checks the core tests share: media both ways through rtpengine (its own `query` counters
 * for both parties of each anchored leg, and the page's in-call statistics), and what Kamailio's
 * location table holds for a user (a binding whose Path is the eP-CSCF's, with a flow token).
 */
import { expect } from 'vitest';
import { eventually } from '../ep-cscf/eventually.ts';
import { type LocationContact, pathParams, pathUser } from '../ep-cscf/location.ts';
import type { PartyCounters } from '../media/rtpengine-view.ts';
import type { CoreBed } from './core-bed.ts';
import { until, type WicPage } from './wic-page.ts';

/**
 * rtpengine holds `legs` calls (one per anchored call leg) and, within a few seconds, has
 * received RTP from both parties of each; returns the counters (printed, never a threshold).
 */
export async function expectRtpBothWays(
  bed: CoreBed,
  legs: number,
): Promise<Record<string, PartyCounters[]>> {
  const ids = await bed.rtp.calls();
  expect(ids, 'rtpengine holds one call per anchored leg').toHaveLength(legs);
  const out: Record<string, PartyCounters[]> = {};
  for (const id of ids) {
    const parties = await eventually(
      async () => [...(await bed.rtp.counters(id))],
      (p) => p.length === 2 && p.every((c) => c.rtpPackets > 0),
      8_000,
    );
    expect(parties, `rtpengine knows both parties of ${id}`).toHaveLength(2);
    for (const party of parties)
      expect(party.rtpPackets, `RTP from ${party.tag} in ${id}`).toBeGreaterThan(0);
    out[id] = parties;
  }
  console.info(`rtpengine figures ${JSON.stringify(out)}`);
  return out;
}

/** Opens the call panel's statistics and waits until the page has sent and received RTP. */
export async function expectPageAudioBothWays(page: WicPage): Promise<void> {
  const details = page.callPanel.locator('details.stats');
  if ((await details.getAttribute('open')) === null)
    await page.callPanel.getByText('Call statistics').click();
  await until(`${page.name} receives RTP`, async () => Number(await page.stat('Packets received')) > 0);
  await until(`${page.name} sends RTP`, async () => Number(await page.stat('Packets sent')) > 0);
}

/** The user's bindings at Kamailio, once there is one whose Path the eP-CSCF added (RFC 3327). */
export async function expectBoundThroughEpCscf(bed: CoreBed, user: string): Promise<LocationContact[]> {
  const bindings = await eventually(
    () => bed.bindings(user),
    (b) => b.some((c) => c.path !== undefined),
  );
  const viaUs = bindings.filter((c) => c.path?.includes(`:${bed.mwPort};`) === true);
  expect(
    viaUs,
    `${user}'s binding at Kamailio carries the eP-CSCF's Path:\n${JSON.stringify(bindings)}`,
  ).not.toEqual([]);
  for (const c of viaUs) {
    expect(pathUser(c.path ?? ''), 'the Path names the flow (a token in its user part)').toMatch(
      /^[\w-]{8,}/,
    );
    expect(pathParams(c.path ?? '')).toEqual(expect.arrayContaining(['lr', 'ob']));
  }
  return viaUs;
}

/** The first entry of the page's call log (the Calls tab, left open). */
export async function lastLogEntry(page: WicPage): Promise<{ outcome: string | null; who: string | null }> {
  await page.tab('Calls');
  const entry = page.page.getByRole('list', { name: 'Recent calls' }).getByRole('listitem').first();
  await entry.waitFor({ timeout: 5_000 });
  return {
    outcome: await entry.getAttribute('data-outcome'),
    who: await entry.locator('.who').textContent(),
  };
}
