/**
 * Headless Firefox (Debian's firefox-esr, never a downloaded browser) driven by puppeteer-core
 * over WebDriver BiDi, with a fake microphone and no permission prompts, so a page can call
 * getUserMedia and run WebRTC without a device or a user. Each launch gets its own throwaway
 * profile; stop() closes the browser, waits until its process group is gone and removes the
 * profile. playwright-core cannot drive this Firefox (its Juggler protocol needs Playwright's own
 * build, and its BiDi mode lacks commands Firefox ESR does not implement), hence puppeteer.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';
import { formatOutput, PeerMissingError, PeerStartError } from '../harness/errors.ts';
import { guardProcessGroup } from '../harness/exit-guard.ts';
import { OutputRing } from '../harness/output-ring.ts';
import { delay, groupAlive } from '../harness/process.ts';
import { createTempDir } from '../harness/temp-dir.ts';

/** Where Debian puts Firefox: the ESR package first, then a plain `firefox` package. */
export const FIREFOX_PATHS: readonly string[] = ['/usr/bin/firefox-esr', '/usr/bin/firefox'];

/**
 * `fake`: a synthetic microphone granted without a prompt. `blocked`: the browser itself refuses
 * the microphone (the site permission default is "block"), as when a person clicked "Block".
 */
export type MicrophoneMode = 'fake' | 'blocked';

export type FirefoxPrefs = Readonly<Record<string, string | number | boolean>>;

/** Preferences (about:config) for a test Firefox; checked on firefox-esr 153 headless. */
export function firefoxPrefs(microphone: MicrophoneMode): FirefoxPrefs {
  return {
    // Fake audio/video sources instead of real devices.
    'media.navigator.streams.fake': true,
    // `true` skips the permission check altogether (no prompt, always granted); with `false`
    // the check runs and the site default 2 (block) answers it with NotAllowedError.
    'media.navigator.permission.disabled': microphone === 'fake',
    'permissions.default.microphone': microphone === 'fake' ? 0 : 2,
    // No first-run pages, and nothing that reaches out to the internet (the machine has no
    // network beyond loopback; puppeteer's own defaults already cover updates, telemetry,
    // Remote Settings and safe browsing).
    'browser.shell.checkDefaultBrowser': false,
    'browser.region.update.enabled': false,
    'extensions.blocklist.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'network.trr.mode': 5,
  };
}

export interface FirefoxOptions {
  /** Default: the first of FIREFOX_PATHS that exists. */
  readonly executablePath?: string;
  /** Default `fake`. */
  readonly microphone?: MicrophoneMode;
  /** Extra preferences, applied over firefoxPrefs(). */
  readonly prefs?: FirefoxPrefs;
  readonly launchTimeoutMs?: number;
}

export interface LaunchedFirefox {
  readonly browser: Browser;
  /** The browser process (leader of its process group). */
  readonly pid: number;
  /** The throwaway profile directory, removed by stop(). */
  readonly profileDir: string;
  report(): string;
  /** Closes the browser, waits until its process group is gone and removes the profile. */
  stop(): Promise<void>;
}

/** The Firefox binary to use, or undefined when none is installed. */
export function findFirefox(candidates: readonly string[] = FIREFOX_PATHS): string | undefined {
  return candidates.find((path) => existsSync(path));
}

export async function launchFirefox(options: FirefoxOptions = {}): Promise<LaunchedFirefox> {
  const executablePath = options.executablePath ?? findFirefox() ?? FIREFOX_PATHS[0] ?? 'firefox-esr';
  if (!existsSync(executablePath)) throw new PeerMissingError(executablePath, 'firefox-esr');
  const profile = createTempDir('firefox');
  const ring = new OutputRing();
  const report = (): string => formatOutput('firefox', ring.text());
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath,
      headless: true,
      userDataDir: profile.path,
      extraPrefsFirefox: { ...firefoxPrefs(options.microphone ?? 'fake'), ...options.prefs },
      timeout: options.launchTimeoutMs ?? 30_000,
      // The harness's exit guard kills the group; puppeteer's own handlers would race it.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      defaultViewport: null,
    });
  } catch (err) {
    profile.remove();
    throw new PeerStartError('firefox', err instanceof Error ? err.message : String(err), ring.text());
  }
  const child = browser.process();
  const pid = child?.pid ?? 0;
  child?.stdout?.on('data', (chunk: Buffer) => ring.push(chunk.toString('utf8')));
  child?.stderr?.on('data', (chunk: Buffer) => ring.push(chunk.toString('utf8')));
  const unguard = pid > 0 ? guardProcessGroup(pid) : () => {};
  const exited = new Promise<void>((resolve) => {
    if (child === null || child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // browser.close() ends the BiDi session and the process (puppeteer kills it after 5 s).
      await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
      await exited;
      // Content processes share the group; wait until they are gone too.
      const deadline = Date.now() + 5_000;
      while (pid > 0 && groupAlive(pid) && Date.now() < deadline) await delay(20);
      unguard();
      profile.remove();
    })();
    return stopping;
  };
  return { browser, pid, profileDir: profile.path, report, stop };
}
