import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortFree, PortAllocator } from '../harness/ports.ts';
import { groupAlive } from '../harness/process.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type LaunchedChromium, launchChromium } from './chromium.ts';
import { type PageServer, servePages } from './page-server.ts';

const PAGE = readFileSync(new URL('./get-user-media.html', import.meta.url), 'utf8');

describe('chromium peer', () => {
  let ports: PortAllocator;
  let chromium: LaunchedChromium | undefined;
  let pages: PageServer | undefined;
  printPeerOutputOnFailure(() => [chromium]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
  });
  afterAll(async () => {
    await chromium?.stop();
    await pages?.close();
    await ports.close();
  });

  it('[HARNESS-chromium-getusermedia] MUST launch /usr/bin/chromium headless with fake media, give a page served from http://localhost a live fake audio track and a connected loopback RTCPeerConnection that receives RTP, and leave no process or port behind on stop', async () => {
    pages = await servePages(ports, { '/': { body: PAGE } });
    const browser = await launchChromium({ ports });
    chromium = browser;
    const page = await browser.browser.newPage();
    await page.goto(`${pages.origin}/`);
    const result = await page.evaluate('window.runSmoke()');
    expect(result).toMatchObject({
      secureContext: true,
      tracks: [{ kind: 'audio', readyState: 'live' }],
      remoteKind: 'audio',
      connectionState: 'connected',
    });
    expect((result as { packetsReceived: number }).packetsReceived).toBeGreaterThan(0);

    await browser.stop();
    await pages.close();
    expect(groupAlive(browser.pid)).toBe(false);
    expect(await isPortFree(browser.wsPort, 'tcp')).toBe(true);
    expect(await isPortFree(pages.port, 'tcp')).toBe(true);
  });
});
