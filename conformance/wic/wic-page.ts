/**
 * The web client as a person uses it, driven through Playwright by what is on screen: labels,
 * roles and button names (the accessibility tree), never the client's internals. Each page
 * lives in its own browser context (its own storage), as two people's browsers would.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

/** Waits until `probe` holds (Playwright's own waits with a clear failure text). */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
}

export class WicPage {
  readonly log: string[] = [];

  private constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('console', (m) => this.log.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.log.push(`pageerror: ${e.message}`));
  }

  static async open(
    browser: Browser,
    url: string,
    name: string,
    o: { initScript?: string; prepare?: (context: BrowserContext) => Promise<unknown> } = {},
  ): Promise<WicPage> {
    const context = await browser.newContext({ viewport: { width: 480, height: 900 } });
    if (o.initScript !== undefined) await context.addInitScript({ content: o.initScript });
    await o.prepare?.(context);
    const page = await context.newPage();
    const wic = new WicPage(name, context, page);
    await page.goto(url);
    return wic;
  }

  report(): string {
    return `--- ${this.name} page console ---\n${this.log.slice(-100).join('\n')}`;
  }

  /** Signs out first when registered (so the core keeps no stale binding), then closes. */
  async close(): Promise<void> {
    if ((await this.phone.count().catch(() => 0)) > 0) {
      await this.page
        .getByRole('button', { name: 'Sign out' })
        .click({ timeout: 2_000 })
        .then(() => this.page.locator('[data-screen="sign-in"]').waitFor({ timeout: 5_000 }))
        .catch(() => undefined);
    }
    await this.context.close().catch(() => undefined);
  }

  async screenshot(file: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: `${ARTIFACTS}${file}.png`, fullPage: true });
  }

  get phone(): Locator {
    return this.page.locator('[data-screen="phone"]');
  }

  /** The registration state line (role=status in the header). */
  get registration(): Locator {
    return this.page.locator('header [role="status"]');
  }

  get notice(): Locator {
    return this.page.getByRole('alert');
  }

  get callPanel(): Locator {
    return this.page.getByRole('region', { name: 'Call', exact: true });
  }

  async signInIms(who: { impu: string; impi: string; password: string }): Promise<void> {
    await this.page.getByLabel('Public identity (IMPU)').fill(who.impu);
    await this.page.getByLabel('Private identity (IMPI)').fill(who.impi);
    await this.page.getByLabel('Password', { exact: true }).fill(who.password);
    await this.page.getByRole('button', { name: 'Sign in with IMS credentials' }).click();
  }

  async waitRegistered(): Promise<void> {
    await this.phone.and(this.page.locator('[data-registration="registered"]')).waitFor({ timeout: 15_000 });
    expect(await this.registration.textContent()).toBe('Registered');
  }

  async dial(target: string): Promise<void> {
    await this.page.getByLabel('Number or address').fill(target);
    await this.page.getByRole('button', { name: 'Call', exact: true }).click();
  }

  async videoDial(target: string): Promise<void> {
    await this.page.getByLabel('Number or address').fill(target);
    await this.page.getByRole('button', { name: 'Video call', exact: true }).click();
  }

  /** The polite line that tells how the last call ended (role=status, not an alert). */
  get callStatus(): Locator {
    return this.page.locator('.call-status[role="status"]');
  }

  /** The other side's picture. */
  get remoteVideo(): Locator {
    return this.callPanel.getByLabel('Remote video', { exact: true });
  }

  /** Our camera's preview. */
  get localVideo(): Locator {
    return this.callPanel.getByLabel('Your camera', { exact: true });
  }

  /** The decoded width of a video element (0 while no frame was shown). */
  async videoWidth(video: Locator): Promise<number> {
    return video.evaluate((el) => ('videoWidth' in el ? Number(el.videoWidth) : 0));
  }

  /** Waits until the call panel shows `phase` (data-phase of the panel). */
  async waitCallPhase(phase: 'dialing' | 'ringing' | 'incoming' | 'answering' | 'active'): Promise<void> {
    await this.page.locator(`[data-screen="phone"][data-call="${phase}"]`).waitFor({ timeout: 15_000 });
  }

  async waitNoCall(): Promise<void> {
    await this.page.locator('[data-screen="phone"][data-call="none"]').waitFor({ timeout: 15_000 });
  }

  async callText(): Promise<string> {
    return (await this.callPanel.locator('.phase').textContent()) ?? '';
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  async tab(name: 'Phone' | 'Messages' | 'Calls'): Promise<void> {
    await this.page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();
  }

  /** The value shown beside a statistic of the call panel. */
  async stat(label: string): Promise<string> {
    return (
      (await this.callPanel
        .locator('dt')
        .filter({ hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) })
        .locator('xpath=following-sibling::dd[1]')
        .textContent()) ?? ''
    );
  }
}
