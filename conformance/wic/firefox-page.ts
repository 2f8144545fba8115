/**
 * The web client in Firefox as a person uses it, driven through puppeteer-core (WebDriver BiDi)
 * by what is on screen: accessible names and roles (`::-p-aria(...)`, which Firefox answers from
 * its own accessibility tree), labels, and the screen's `data-registration`/`data-call`
 * attributes — never the client's internals. Mirrors what wic-page.ts offers for Chromium, and
 * implements WicSide so the same scenario runs with either browser on either end. Each page
 * lives in its own browser context (BiDi user context: own storage), as two people's browsers.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'puppeteer-core';
import { expect } from 'vitest';
import type { CallPhase, LastCall, WicSide } from './firefox-side.ts';
import { ARTIFACTS, until } from './wic-page.ts';

const WAIT_MS = 15_000;

/** An element handle of the page (this tsconfig has no DOM types: the browser's own stay inside evaluate). */
type Handle = NonNullable<Awaited<ReturnType<Page['$']>>>;

/** A `::-p-aria` selector: the exact accessible name, and the role when given. */
export function aria(name: string, role?: string): string {
  const quoted = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  return `::-p-aria([name=${quoted(name)}]${role === undefined ? '' : `[role=${quoted(role)}]`})`;
}

export class FirefoxWicPage implements WicSide {
  readonly log: string[] = [];

  private constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.setDefaultTimeout(WAIT_MS);
    page.on('console', (m) => this.log.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.log.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
  }

  static async open(
    browser: Browser,
    url: string,
    name: string,
    o: { initScript?: string } = {},
  ): Promise<FirefoxWicPage> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 480, height: 900 });
    if (o.initScript !== undefined) await page.evaluateOnNewDocument(o.initScript);
    const wic = new FirefoxWicPage(name, context, page);
    await page.goto(url);
    return wic;
  }

  report(): string {
    return `--- ${this.name} page console (firefox) ---\n${this.log.slice(-100).join('\n')}`;
  }

  /**
   * Signs out first when registered (so the core keeps no stale binding), then closes. The
   * client unregisters, then shows the sign-in screen — or, after a web sign-in, leaves for the
   * WAF's logout page.
   */
  async close(): Promise<void> {
    if ((await this.count('[data-screen="phone"]')) > 0) {
      const client = new URL(this.page.url()).origin;
      await this.page
        .locator(aria('Sign out', 'button'))
        .setTimeout(2_000)
        .click()
        .then(() =>
          until(
            'signed out',
            async () =>
              new URL(this.page.url()).pathname.startsWith('/oauth/') ||
              new URL(this.page.url()).origin !== client ||
              (await this.count('[data-screen="sign-in"]')) > 0,
            5_000,
          ),
        )
        .catch(() => undefined);
    }
    await this.context.close().catch(() => undefined);
  }

  /** Saved as artifacts/firefox-<file>.png. */
  async screenshot(file: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: `${ARTIFACTS}firefox-${file}.png`, fullPage: true });
  }

  // ---- reading the screen ----

  async count(selector: string): Promise<number> {
    return (await this.page.$$(selector).catch(() => [])).length;
  }

  /** The text of the first element matching `selector`, waiting until there is one. */
  async text(selector: string): Promise<string> {
    const el = await this.page.waitForSelector(selector);
    return (await el?.evaluate((e) => e.textContent)) ?? '';
  }

  async attribute(selector: string, name: string): Promise<string | null> {
    const el = await this.page.waitForSelector(selector);
    return (await el?.evaluate((e, n) => e.getAttribute(n), name)) ?? null;
  }

  /** The registration state line (role=status in the header). */
  registrationText(): Promise<string> {
    return this.text('header [role="status"]');
  }

  async noticeTitle(): Promise<string> {
    return this.text('[role="alert"] .notice-title');
  }

  async noticeDetail(): Promise<string> {
    return this.text('[role="alert"] .notice-detail');
  }

  // ---- acting ----

  /** A button by its exact accessible name. */
  button(name: string): Locator<unknown> {
    return this.page.locator(aria(name, 'button'));
  }

  async click(button: string): Promise<void> {
    await this.button(button).click();
  }

  /**
   * The form control a label names (as a person finds a field). Firefox gives the `<label>` the
   * same accessible name, and a password field no textbox role, so the match is narrowed to
   * the element that takes text.
   */
  async field(label: string): Promise<Handle> {
    let found: Handle | undefined;
    await until(`a field labelled "${label}"`, async () => {
      for (const el of await this.page.$$(aria(label)))
        if (await el.evaluate((e) => e.nodeName === 'INPUT' || e.nodeName === 'TEXTAREA')) {
          found = el;
          return true;
        }
      return false;
    });
    if (found === undefined) throw new Error(`no field labelled "${label}"`);
    return found;
  }

  async fill(label: string, value: string): Promise<void> {
    await (await this.field(label)).asLocator().fill(value);
  }

  async signInIms(who: { impu: string; impi: string; password: string }): Promise<void> {
    await this.fill('Public identity (IMPU)', who.impu);
    await this.fill('Private identity (IMPI)', who.impi);
    await this.fill('Password', who.password);
    await this.click('Sign in with IMS credentials');
  }

  async waitRegistered(): Promise<void> {
    await this.page.waitForSelector('[data-screen="phone"][data-registration="registered"]');
    expect(await this.registrationText()).toBe('Registered');
  }

  async identity(): Promise<string> {
    return this.text('.identity');
  }

  // ---- WicSide: the call, messages and the call log ----

  async dial(target: string): Promise<void> {
    await this.fill('Number or address', target);
    await this.click('Call');
  }

  async waitCallPhase(phase: CallPhase): Promise<void> {
    await this.page.waitForSelector(`[data-screen="phone"][data-call="${phase}"]`);
  }

  async waitNoCall(): Promise<void> {
    await this.page.waitForSelector('[data-screen="phone"][data-call="none"]');
  }

  callText(): Promise<string> {
    return this.text('section[aria-label="Call"] .phase');
  }

  peerText(): Promise<string> {
    return this.text('section[aria-label="Call"] .peer');
  }

  timerText(): Promise<string> {
    return this.text(aria('Call duration', 'timer'));
  }

  pressed(button: string): Promise<string | null> {
    return this.attribute(aria(button, 'button'), 'aria-pressed');
  }

  async openStats(): Promise<void> {
    await this.page.locator('section[aria-label="Call"] details.stats > summary').click();
  }

  /** The value shown beside a statistic of the call panel. */
  async stat(label: string): Promise<string> {
    return this.page.$$eval(
      'section[aria-label="Call"] dt',
      (dts, wanted) => dts.find((dt) => dt.textContent === wanted)?.nextElementSibling?.textContent ?? '',
      label,
    );
  }

  /** Opens the in-call keypad and presses each key ('#' is "pound", '*' is "star"). */
  async sendTones(keys: readonly string[]): Promise<void> {
    await this.page.locator('section[aria-label="Call"] details.dtmf > summary').click();
    for (const key of keys) {
      const name = key === '#' ? 'pound' : key === '*' ? 'star' : key;
      await this.page.locator(`${aria('Send tones', 'group')} ${aria(name, 'button')}`).click();
    }
  }

  tonesSent(): Promise<string> {
    return this.text('output[aria-label="Tones sent"]');
  }

  async tab(name: 'Phone' | 'Messages' | 'Calls'): Promise<void> {
    const tab = await this.page.waitForSelector(`[role="tab"]::-p-text(${name})`);
    await tab?.click();
  }

  async lastCall(): Promise<LastCall> {
    await this.tab('Calls');
    const first = 'ol[aria-label="Recent calls"] > li:first-child';
    return { outcome: await this.attribute(first, 'data-outcome'), who: await this.text(`${first} .who`) };
  }

  async sendMessage(to: string, body: string): Promise<void> {
    await this.tab('Messages');
    await this.fill('To', to);
    await this.fill('Message', body);
    await this.click('Send');
  }

  async firstMessage(direction: 'in' | 'out'): Promise<{ body: string; status: string | null } | undefined> {
    return this.page.$eval(
      '[role="log"][aria-label="Messages"]',
      (log, dir) => {
        const m = log.querySelector(`.message.${dir}`);
        return m === null
          ? undefined
          : { body: m.querySelector('.body')?.textContent ?? '', status: m.getAttribute('data-status') };
      },
      direction,
    );
  }
}
