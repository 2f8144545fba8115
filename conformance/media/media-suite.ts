/**
 * The media scenarios, written once and run by one test file per SIP library: the file calls
 * `useMediaSuite(library)` at the top of its describe (one Chromium and one page server for the
 * file) and one scenario per `it`. Each scenario starts its own core, rtpengine, eP-CSCF and
 * sipp (stopped when the test ends, passed or failed) and opens its own pages.
 */
import { afterAll, beforeAll, beforeEach, expect, onTestFinished } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../chromium/chromium.ts';
import type { PageServer } from '../chromium/page-server.ts';
import { PortAllocator } from '../harness/ports.ts';
import { type HasReport, printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import type { SipLibrary } from './browser-bundle.ts';
import { type BrowserPhone, openPhone, servePhonePages } from './browser-phone.ts';
import { DOMAIN, type MediaBed, startMediaBed } from './media-bed.ts';
import {
  expectImsSideSdp,
  expectMediaBothWays,
  expectNoSessionLeft,
  expectWicSideSdp,
  type MediaFigures,
} from './media-checks.ts';
import { bodyOf, callFromSipp, receivedBySipp, startSippUas } from './sipp-ue.ts';

export interface MediaSuite {
  readonly ports: () => PortAllocator;
  /** fresh peers for this test */
  bed(): Promise<MediaBed>;
  /** a page in the file's Chromium, registered as sip:USER@ims.test through the eP-CSCF */
  phone(bed: MediaBed, user: string): Promise<BrowserPhone>;
  /** something whose report() is printed if the test fails */
  watch(peer: HasReport): void;
}

export function useMediaSuite(library: SipLibrary): MediaSuite {
  let ports: PortAllocator | undefined;
  let pages: PageServer | undefined;
  let chromium: LaunchedChromium | undefined;
  let peers: HasReport[] = [];
  printPeerOutputOnFailure(() => [chromium, ...peers]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    [pages, chromium] = await Promise.all([servePhonePages(ports, library), launchChromium({ ports })]);
  });
  afterAll(async () => {
    await chromium?.stop();
    await pages?.close();
    await ports?.close();
  });
  beforeEach(() => {
    peers = [];
  });

  const ready = (): { ports: PortAllocator; pages: PageServer; chromium: LaunchedChromium } => {
    if (ports === undefined || pages === undefined || chromium === undefined)
      throw new Error('media suite not started');
    return { ports, pages, chromium };
  };
  return {
    ports: () => ready().ports,
    watch: (peer) => peers.push(peer),
    async bed() {
      const r = ready();
      const b = await startMediaBed({
        ports: r.ports,
        pageOrigin: r.pages.origin,
        onPeer: (p) => peers.push(p),
      });
      onTestFinished(() => b.stop());
      return b;
    },
    async phone(b, user) {
      const r = ready();
      const p = await openPhone(r.chromium.browser, r.pages.origin, `${library} ${user}`);
      peers.push(p);
      onTestFinished(() => p.close());
      await p.register({ wsUrl: b.ep.wsUrl, uri: `sip:${user}@${DOMAIN}`, password: `${user}-pw` });
      return p;
    },
  };
}

/** Browser → eP-CSCF → Kamailio → sipp (PCMA, RTP echo); the browser hangs up. */
export async function browserCallsSipp(s: MediaSuite): Promise<MediaFigures> {
  const b = await s.bed();
  const sipp = await startSippUas({ ports: s.ports(), core: b.core, user: 'sipp', timeoutMs: 30_000 });
  s.watch(sipp.server);
  onTestFinished(() => sipp.stop().then(() => undefined));
  const alice = await s.phone(b, 'alice');

  const { answer } = await alice.call(`sip:sipp@${DOMAIN}`);
  expectWicSideSdp(answer, b, ['active', 'passive']);
  const figures = await expectMediaBothWays(b, [alice]);

  expect(await alice.hangup()).toMatchObject({ kind: 'ended', originator: 'local' });
  const result = await sipp.server.finished();
  expect(result.exitCode, 'sipp answered the INVITE, got ACK and BYE and answered 200').toBe(0);
  const received = receivedBySipp(result.messages);
  expectImsSideSdp(bodyOf(received.find((m) => m.startsWith('INVITE ')) ?? ''), b);
  expect(
    received.some((m) => m.startsWith('BYE ')),
    'sipp received a BYE',
  ).toBe(true);
  await expectNoSessionLeft(b);
  return figures;
}

/** sipp → Kamailio → eP-CSCF → browser (auto-answer); sipp hangs up after its hold time. */
export async function sippCallsBrowser(s: MediaSuite): Promise<MediaFigures> {
  const b = await s.bed();
  const bob = await s.phone(b, 'bob');
  const incoming = bob.incoming();
  const sipp = callFromSipp({
    ports: s.ports(),
    core: b.core,
    callee: 'bob',
    holdMs: 5_000,
    timeoutMs: 20_000,
  });

  const { offer } = await incoming;
  expectWicSideSdp(offer, b, ['actpass']);
  const figures = await expectMediaBothWays(b, [bob]);

  const result = await sipp;
  s.watch(result);
  expect(result.exitCode, 'sipp got 200, sent ACK, then BYE and got its 200').toBe(0);
  expect(await bob.ended()).toMatchObject({ kind: 'ended', originator: 'remote' });
  const ok = receivedBySipp(result.messages).find((m) =>
    /^SIP\/2\.0 200\b[\s\S]*?^CSeq:\s*1 INVITE/im.test(m),
  );
  expectImsSideSdp(bodyOf(ok ?? ''), b);
  await expectNoSessionLeft(b);
  return figures;
}

/** Browser → eP-CSCF → Kamailio → eP-CSCF → browser; the caller hangs up. */
export async function browserCallsBrowser(s: MediaSuite): Promise<MediaFigures> {
  const b = await s.bed();
  const [alice, bob] = await Promise.all([s.phone(b, 'alice'), s.phone(b, 'bob')]);
  const incoming = bob.incoming();

  const [{ answer }, { offer }] = await Promise.all([alice.call(`sip:bob@${DOMAIN}`), incoming]);
  expectWicSideSdp(offer, b, ['actpass']);
  expectWicSideSdp(answer, b, ['active', 'passive']);
  // Both legs anchored (MEDIA_WIC_TO_WIC=anchor, the default): one rtpengine call per leg.
  const figures = await expectMediaBothWays(b, [alice, bob], 2);

  const [end, far] = await Promise.all([alice.hangup(), bob.ended()]);
  expect(end).toMatchObject({ kind: 'ended', originator: 'local' });
  expect(far).toMatchObject({ kind: 'ended', originator: 'remote' });
  await expectNoSessionLeft(b);
  return figures;
}

/**
 * Browser → sipp as above, then the browser's page closes mid-call (its WebSocket goes away
 * without a BYE): the eP-CSCF must release the call toward IMS (sipp gets a BYE) and delete the
 * media session.
 */
export async function flowDropsMidCall(s: MediaSuite): Promise<void> {
  const b = await s.bed();
  const sipp = await startSippUas({ ports: s.ports(), core: b.core, user: 'sipp', timeoutMs: 30_000 });
  s.watch(sipp.server);
  onTestFinished(() => sipp.stop().then(() => undefined));
  const alice = await s.phone(b, 'alice');
  await alice.call(`sip:sipp@${DOMAIN}`);
  expect(await b.rtp.calls(), 'the call is anchored').toHaveLength(1);

  await alice.page.close();
  const result = await sipp.server.finished();
  expect(result.exitCode, 'sipp got a BYE for the call and answered 200').toBe(0);
  expect(receivedBySipp(result.messages).some((m) => m.startsWith('BYE '))).toBe(true);
  await expectNoSessionLeft(b);
}
