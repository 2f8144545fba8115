import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PageServer, servePages } from '../chromium/page-server.ts';
import { expectSmokeCallReceivesRtp, SMOKE_PAGE } from '../chromium/smoke-page.ts';
import { PeerMissingError } from '../harness/errors.ts';
import { PortAllocator } from '../harness/ports.ts';
import { groupAlive } from '../harness/process.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type LaunchedFirefox, launchFirefox } from './firefox.ts';

describe('firefox peer', () => {
  let ports: PortAllocator;
  let pages: PageServer;
  let firefox: LaunchedFirefox | undefined;
  printPeerOutputOnFailure(() => [firefox]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    pages = await servePages(ports, { '/': { body: SMOKE_PAGE } });
  });
  afterAll(async () => {
    await firefox?.stop();
    await pages.close();
    await ports.close();
  });

  it('[HARNESS-firefox-getusermedia] MUST launch Debian firefox-esr headless with a fake microphone, give a page served from http://localhost a live audio track and a connected loopback RTCPeerConnection that receives RTP, and leave neither process nor profile behind on stop', async () => {
    const browser = await launchFirefox();
    firefox = browser;
    expect(existsSync(browser.profileDir)).toBe(true);
    await expectSmokeCallReceivesRtp(await browser.browser.newPage(), pages.origin);

    await browser.stop();
    expect(groupAlive(browser.pid)).toBe(false);
    expect(existsSync(browser.profileDir)).toBe(false);
  });

  it('[HARNESS-firefox-blocked] MUST make getUserMedia fail with NotAllowedError, without a prompt, when launched with the microphone blocked', async () => {
    const browser = await launchFirefox({ microphone: 'blocked' });
    firefox = browser;
    const page = await browser.browser.newPage();
    await page.goto(`${pages.origin}/`);
    const refused = await page.evaluate(
      `navigator.mediaDevices.getUserMedia({ audio: true }).then(() => 'granted', (e) => e.name)`,
    );
    expect(refused).toBe('NotAllowedError');
    await browser.stop();
    expect(groupAlive(browser.pid)).toBe(false);
  });

  it('[HARNESS-firefox-missing] MUST refuse to start, naming the Debian package, when the Firefox binary is missing', async () => {
    const missing = launchFirefox({ executablePath: '/nonexistent/firefox-esr' });
    await expect(missing).rejects.toBeInstanceOf(PeerMissingError);
    await expect(missing).rejects.toThrow(/firefox-esr.*install-peers\.sh/);
  });
});
