/**
 * Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by
 * playwright-core, with fake media devices and auto-accepted permission prompts, so a page can
 * call getUserMedia and run WebRTC without a camera, microphone or user. Launched as a
 * Playwright browser server on a port from our allocator, so its process id and port are known
 * and can be checked after stop.
 */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserServer, chromium } from 'playwright-core';
import { formatOutput, PeerMissingError, PeerStartError } from '../harness/errors.ts';
import { guardProcessGroup } from '../harness/exit-guard.ts';
import { OutputRing } from '../harness/output-ring.ts';
import type { PortAllocator } from '../harness/ports.ts';
import { delay, groupAlive } from '../harness/process.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The flags checked on these machines (see /work/shared/PEERS.md). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

export interface ChromiumOptions {
  readonly ports: PortAllocator;
  readonly executablePath?: string;
  readonly extraArgs?: readonly string[];
  readonly launchTimeoutMs?: number;
}

export interface LaunchedChromium {
  readonly browser: Browser;
  /** The browser process (leader of its process group). */
  readonly pid: number;
  /** The Playwright browser-server WebSocket port. */
  readonly wsPort: number;
  report(): string;
  /** Closes the browser and waits until its process group is gone. */
  stop(): Promise<void>;
}

export async function launchChromium(options: ChromiumOptions): Promise<LaunchedChromium> {
  const executablePath = options.executablePath ?? CHROMIUM_PATH;
  if (!existsSync(executablePath)) throw new PeerMissingError(executablePath, 'chromium');
  const { ports } = options;
  const wsPort = await ports.tcp();
  const ring = new OutputRing();
  const report = (): string => formatOutput('chromium', ring.text());
  let server: BrowserServer;
  try {
    server = await chromium.launchServer({
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
      host: ports.host,
      port: wsPort,
      timeout: options.launchTimeoutMs ?? 15_000,
      logger: {
        isEnabled: (name) => name === 'browser',
        log: (_name, _severity, message) => ring.push(`${String(message)}\n`),
      },
    });
  } catch (err) {
    ports.release(wsPort);
    throw new PeerStartError('chromium', err instanceof Error ? err.message : String(err), ring.text());
  }
  const pid = server.process().pid ?? 0;
  const unguard = pid > 0 ? guardProcessGroup(pid) : () => {};
  const exited = new Promise<void>((resolve) => {
    const browserProcess = server.process();
    if (browserProcess.exitCode !== null || browserProcess.signalCode !== null) resolve();
    else browserProcess.once('exit', () => resolve());
  });
  let browser: Browser;
  try {
    browser = await chromium.connect(server.wsEndpoint());
  } catch (err) {
    await server.kill();
    unguard();
    ports.release(wsPort);
    throw new PeerStartError('chromium', err instanceof Error ? err.message : String(err), ring.text());
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await browser.close().catch(() => {});
      await server.close();
      await exited;
      // Renderer and GPU helpers share the group; wait until they are gone too.
      const deadline = Date.now() + 3_000;
      while (pid > 0 && groupAlive(pid) && Date.now() < deadline) await delay(20);
      unguard();
      ports.release(wsPort);
    })();
    return stopping;
  };
  return { browser, pid, wsPort, report, stop };
}
