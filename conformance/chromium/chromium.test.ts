import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPortFree, PortAllocator } from '../harness/ports.ts';
import { groupAlive } from '../harness/process.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type LaunchedChromium, launchChromium } from './chromium.ts';
import { type PageServer, servePages } from './page-server.ts';
import { expectSmokeCallReceivesRtp, SMOKE_PAGE } from './smoke-page.ts';

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
    pages = await servePages(ports, { '/': { body: SMOKE_PAGE } });
    const browser = await launchChromium({ ports });
    chromium = browser;
    await expectSmokeCallReceivesRtp(await browser.browser.newPage(), pages.origin);

    await browser.stop();
    await pages.close();
    expect(groupAlive(browser.pid)).toBe(false);
    expect(await isPortFree(browser.wsPort, 'tcp')).toBe(true);
    expect(await isPortFree(pages.port, 'tcp')).toBe(true);
  });
});
