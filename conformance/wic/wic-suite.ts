/**
 * One Chromium (Debian's, headless, fake microphone) and one product per test file; each test
 * opens fresh browser contexts and closes them when it ends. When a test fails, the product's
 * log and each page's console are printed.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../chromium/chromium.ts';
import { PortAllocator } from '../harness/ports.ts';
import { type HasReport, printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { startWicBed, type WicBed } from './wic-bed.ts';
import { WicPage } from './wic-page.ts';

export interface WicSuite {
  bed(): WicBed;
  /** a new page (own browser context) on the web client */
  open(
    name: string,
    o?: { initScript?: string; path?: string; prepare?: (context: BrowserContext) => Promise<unknown> },
  ): Promise<WicPage>;
}

export function useWicSuite(o: { waf?: boolean; env?: Readonly<Record<string, string>> } = {}): WicSuite {
  let ports: PortAllocator | undefined;
  let chromium: LaunchedChromium | undefined;
  let bed: WicBed | undefined;
  let pages: HasReport[] = [];
  printPeerOutputOnFailure(() => [bed, chromium, ...pages]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    [bed, chromium] = await Promise.all([
      startWicBed({
        ports,
        ...(o.waf === undefined ? {} : { waf: o.waf }),
        ...(o.env === undefined ? {} : { env: o.env }),
      }),
      launchChromium({ ports }),
    ]);
  });
  afterAll(async () => {
    await chromium?.stop();
    await bed?.stop();
    await ports?.close();
  });

  return {
    bed() {
      if (bed === undefined) throw new Error('web client suite not started');
      return bed;
    },
    async open(name, opts = {}) {
      if (bed === undefined || chromium === undefined) throw new Error('web client suite not started');
      const url = new URL(opts.path ?? '/', bed.url).href;
      const page = await WicPage.open(chromium.browser, url, name, opts);
      pages.push(page);
      onTestFinished(async () => {
        await page.close();
        pages = pages.filter((p) => p !== page);
      });
      return page;
    },
  };
}
