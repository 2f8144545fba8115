/**
 * One Firefox (conformance/firefox), optionally one Chromium (conformance/chromium) and one
 * product (wic-bed.ts) per describe, started in parallel; each test opens fresh browser contexts
 * and closes them (after signing out) when it ends. When a test fails, the product's log, the
 * browsers' output and each page's console are printed.
 */
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../chromium/chromium.ts';
import { type LaunchedFirefox, launchFirefox, type MicrophoneMode } from '../firefox/firefox.ts';
import { PortAllocator } from '../harness/ports.ts';
import { type HasReport, printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { FirefoxWicPage } from './firefox-page.ts';
import { startWicBed, type WicBed } from './wic-bed.ts';
import { WicPage } from './wic-page.ts';

export interface FirefoxWicSuite {
  bed(): WicBed;
  /** a new Firefox page (own browser context) on the web client */
  firefox(name: string, o?: { initScript?: string; path?: string }): Promise<FirefoxWicPage>;
  /** a new Chromium page (own browser context); only with `chromium: true` */
  chromium(name: string, o?: { path?: string }): Promise<WicPage>;
}

export function useFirefoxWicSuite(
  o: {
    waf?: boolean;
    env?: Readonly<Record<string, string>>;
    /** Firefox's microphone: `fake` (default) or `blocked` by the browser */
    microphone?: MicrophoneMode;
    /** start a Chromium too, for Firefox ↔ Chromium scenarios */
    chromium?: boolean;
  } = {},
): FirefoxWicSuite {
  let ports: PortAllocator | undefined;
  let firefox: LaunchedFirefox | undefined;
  let chromium: LaunchedChromium | undefined;
  let bed: WicBed | undefined;
  let pages: HasReport[] = [];
  printPeerOutputOnFailure(() => [bed, firefox, chromium, ...pages]);

  beforeAll(async () => {
    const allocated = await PortAllocator.open();
    ports = allocated;
    const started = await Promise.allSettled([
      startWicBed({
        ports: allocated,
        ...(o.waf === undefined ? {} : { waf: o.waf }),
        ...(o.env === undefined ? {} : { env: o.env }),
      }),
      launchFirefox({ microphone: o.microphone ?? 'fake' }),
      o.chromium === true ? launchChromium({ ports: allocated }) : Promise.resolve(undefined),
    ]);
    const [b, f, c] = started;
    if (b.status === 'fulfilled') bed = b.value;
    if (f.status === 'fulfilled') firefox = f.value;
    if (c.status === 'fulfilled') chromium = c.value;
    const failed = started.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  });
  afterAll(async () => {
    await Promise.all([firefox?.stop(), chromium?.stop()]);
    await bed?.stop();
    await ports?.close();
  });

  // The pages of the running test, closed together (in parallel) when it ends.
  let open: Array<HasReport & { close(): Promise<void> }> = [];
  const track = <P extends HasReport & { close(): Promise<void> }>(page: P): P => {
    if (open.length === 0)
      onTestFinished(async () => {
        const closing = open;
        open = [];
        await Promise.all(closing.map((p) => p.close()));
        const closed = new Set<HasReport>(closing);
        pages = pages.filter((p) => !closed.has(p));
      });
    open.push(page);
    pages.push(page);
    return page;
  };

  return {
    bed() {
      if (bed === undefined) throw new Error('Firefox web client suite not started');
      return bed;
    },
    async firefox(name, opts = {}) {
      if (bed === undefined || firefox === undefined) throw new Error('Firefox web client suite not started');
      const url = new URL(opts.path ?? '/', bed.url).href;
      return track(await FirefoxWicPage.open(firefox.browser, url, name, opts));
    },
    async chromium(name, opts = {}) {
      if (bed === undefined || chromium === undefined) throw new Error('no Chromium in this suite');
      const url = new URL(opts.path ?? '/', bed.url).href;
      return track(await WicPage.open(chromium.browser, url, name));
    },
  };
}
