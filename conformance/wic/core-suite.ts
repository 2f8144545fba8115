/**
 * One Chromium and one core bed (core-bed.ts: the product + Kamailio + rtpengine) per describe;
 * each test opens pages in fresh browser contexts and starts the sipp users it needs, all closed
 * when the test ends. When a test fails, the product's, Kamailio's, rtpengine's and sipp's output
 * and each page's console are printed.
 */
import { afterAll, beforeAll, beforeEach, onTestFinished } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../chromium/chromium.ts';
import { PortAllocator } from '../harness/ports.ts';
import { type HasReport, printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type CoreBed, startCoreBed } from './core-bed.ts';
import { type SippUser, startSippUser } from './core-sipp.ts';
import { WicPage } from './wic-page.ts';

export interface CoreSuite {
  bed(): CoreBed;
  ports(): PortAllocator;
  /** a new page (own browser context) on the web client */
  open(name: string, initScript?: string): Promise<WicPage>;
  /** a page signed in with web credentials on the WAF's login page, registered */
  webSignedIn(name: string, login: string, password: string): Promise<WicPage>;
  /** a page signed in with IMS credentials (digest answered to Kamailio), registered */
  imsSignedIn(name: string, who: { impu: string; impi: string; password: string }): Promise<WicPage>;
  /** sipp registered at the core and playing a UAS scenario; stopped when the test ends */
  sipp(o: Omit<Parameters<typeof startSippUser>[0], 'ports' | 'core'>): Promise<SippUser>;
  /** something whose report() is printed if the test fails */
  watch(peer: HasReport): void;
}

export function useCoreSuite(o: { env?: Readonly<Record<string, string>> } = {}): CoreSuite {
  let ports: PortAllocator | undefined;
  let chromium: LaunchedChromium | undefined;
  let bed: CoreBed | undefined;
  let watched: HasReport[] = [];
  printPeerOutputOnFailure(() => [...(bed?.peers() ?? []), chromium, ...watched]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    [bed, chromium] = await Promise.all([
      startCoreBed({ ports, ...(o.env === undefined ? {} : { env: o.env }) }),
      launchChromium({ ports }),
    ]);
  });
  beforeEach(() => {
    watched = [];
  });
  afterAll(async () => {
    await chromium?.stop();
    await bed?.stop();
    await ports?.close();
  });

  const ready = () => {
    if (bed === undefined || chromium === undefined || ports === undefined)
      throw new Error('core suite not started');
    return { bed, chromium, ports };
  };
  const watch = (peer: HasReport) => {
    watched.push(peer);
  };
  const open = async (name: string, initScript?: string): Promise<WicPage> => {
    const r = ready();
    const page = await WicPage.open(
      r.chromium.browser,
      r.bed.wic.url,
      name,
      initScript === undefined ? {} : { initScript },
    );
    watch(page);
    onTestFinished(() => page.close());
    return page;
  };

  return {
    bed: () => ready().bed,
    ports: () => ready().ports,
    open,
    watch,
    async webSignedIn(name, login, password) {
      const page = await open(name);
      await webSignIn(page, login, password);
      await page.waitRegistered();
      return page;
    },
    async imsSignedIn(name, who) {
      const page = await open(name);
      await page.signInIms(who);
      await page.waitRegistered();
      return page;
    },
    async sipp(opts) {
      const r = ready();
      const user = await startSippUser({ ports: r.ports, core: r.bed.core, ...opts });
      watch(user.server);
      onTestFinished(() => user.stop().then(() => undefined));
      return user;
    },
  };
}

/** Signs in through the WAF's own login page (authorization code + PKCE), as a person would. */
export async function webSignIn(page: WicPage, login: string, password: string): Promise<void> {
  await page.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.page.waitForURL(/\/oauth\//);
  await page.page.getByLabel(/user ?name/i).fill(login);
  await page.page.getByLabel(/password/i).fill(password);
  await page.page.getByRole('button', { name: 'Sign in' }).click();
  // The refresh token (offline_access) is granted with prompt=consent: the WAF may ask.
  const allow = page.page.getByRole('button', { name: 'Allow' });
  await Promise.race([
    allow.waitFor({ timeout: 10_000 }).then(() => allow.click()),
    page.phone.waitFor({ timeout: 10_000 }),
  ]).catch(() => undefined);
}
