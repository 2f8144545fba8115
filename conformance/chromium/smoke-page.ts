/**
 * The smoke page both browser peers run (get-user-media.html: getUserMedia with the fake
 * microphone, then a loopback RTCPeerConnection pair in the page), and what its `runSmoke()`
 * must return in a working browser. Shared by chromium.test.ts and ../firefox/firefox.test.ts;
 * the tab is a Playwright or a puppeteer page, both of which can open a URL and evaluate a script.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** The page's HTML, to serve at `/` with servePages(). */
export const SMOKE_PAGE = readFileSync(new URL('./get-user-media.html', import.meta.url), 'utf8');

/** A browser tab as both drivers have it. */
export interface SmokeTab {
  goto(url: string): Promise<unknown>;
  evaluate(script: string): Promise<unknown>;
}

/**
 * Opens the smoke page served at `origin` and runs it: a secure context, a live fake audio
 * track, a connected loopback call that received RTP.
 */
export async function expectSmokeCallReceivesRtp(tab: SmokeTab, origin: string): Promise<void> {
  await tab.goto(`${origin}/`);
  const result = await tab.evaluate('window.runSmoke()');
  expect(result).toMatchObject({
    secureContext: true,
    tracks: [{ kind: 'audio', readyState: 'live' }],
    remoteKind: 'audio',
    connectionState: 'connected',
  });
  expect((result as { packetsReceived: number }).packetsReceived).toBeGreaterThan(0);
}
