/**
 * One end of a browser-to-browser scenario, whatever engine runs it: what a person does and
 * reads during a call, in messages and in the call log. FirefoxWicPage implements it natively
 * (puppeteer-core); `chromiumSide` adapts a Chromium WicPage (playwright-core), so one scenario
 * runs Firefox → Chromium and Chromium → Firefox.
 */
import type { WicPage } from './wic-page.ts';

export type CallPhase = 'dialing' | 'ringing' | 'incoming' | 'answering' | 'active';

export interface LastCall {
  readonly outcome: string | null;
  readonly who: string | null;
}

export interface WicSide {
  /** e.g. `alice (firefox)`, for failure texts */
  readonly name: string;
  dial(target: string): Promise<void>;
  waitCallPhase(phase: CallPhase): Promise<void>;
  waitNoCall(): Promise<void>;
  /** the call panel's phase line, e.g. `In call`, `On hold` */
  callText(): Promise<string>;
  /** who the call is with, as the call panel shows it */
  peerText(): Promise<string>;
  timerText(): Promise<string>;
  /** clicks a button by its exact accessible name */
  click(button: string): Promise<void>;
  /** the aria-pressed state of a toggle button */
  pressed(button: string): Promise<string | null>;
  openStats(): Promise<void>;
  stat(label: string): Promise<string>;
  sendTones(keys: readonly string[]): Promise<void>;
  tonesSent(): Promise<string>;
  /** the newest call log entry (opens the Calls tab) */
  lastCall(): Promise<LastCall>;
  sendMessage(to: string, body: string): Promise<void>;
  /** the newest message received (`in`) or sent (`out`) in the messages view */
  firstMessage(direction: 'in' | 'out'): Promise<{ body: string; status: string | null } | undefined>;
  /** saved as conformance/wic/artifacts/firefox-<file>.png (`-chromium` added for Chromium's) */
  screenshot(file: string): Promise<void>;
}

/** A Chromium page (wic-page.ts) as a WicSide; its screenshots are artifacts/firefox-<file>-chromium.png. */
export function chromiumSide(wic: WicPage): WicSide {
  const page = wic.page;
  const panel = wic.callPanel;
  return {
    name: `${wic.name} (chromium)`,
    dial: (target) => wic.dial(target),
    waitCallPhase: (phase) => wic.waitCallPhase(phase),
    waitNoCall: () => wic.waitNoCall(),
    callText: () => wic.callText(),
    peerText: async () => (await panel.locator('.peer').textContent()) ?? '',
    timerText: async () => (await panel.getByRole('timer').textContent()) ?? '',
    click: (button) => wic.button(button).click(),
    pressed: (button) => wic.button(button).getAttribute('aria-pressed'),
    openStats: () => panel.getByText('Call statistics').click(),
    stat: (label) => wic.stat(label),
    async sendTones(keys) {
      await panel.getByText('Keypad').click();
      const group = panel.getByRole('group', { name: 'Send tones' });
      for (const key of keys) {
        const name = key === '#' ? 'pound' : key === '*' ? 'star' : key;
        await group.getByRole('button', { name, exact: true }).click();
      }
    },
    tonesSent: async () => (await panel.getByLabel('Tones sent').textContent()) ?? '',
    async lastCall() {
      await wic.tab('Calls');
      const entry = page.getByRole('list', { name: 'Recent calls' }).getByRole('listitem').first();
      return {
        outcome: await entry.getAttribute('data-outcome'),
        who: await entry.locator('.who').textContent(),
      };
    },
    async sendMessage(to, body) {
      await wic.tab('Messages');
      await page.getByLabel('To', { exact: true }).fill(to);
      await page.getByLabel('Message', { exact: true }).fill(body);
      await wic.button('Send').click();
    },
    async firstMessage(direction) {
      // CSS, not a role query: the log is read even while its tab is not the one shown.
      const m = page.locator(`[role="log"][aria-label="Messages"] .message.${direction}`).first();
      if ((await m.count()) === 0) return undefined;
      return {
        body: (await m.locator('.body').textContent()) ?? '',
        status: await m.getAttribute('data-status'),
      };
    },
    screenshot: (file) => wic.screenshot(`firefox-${file}-chromium`),
  };
}
