/**
 * A WIC in headless Chromium: one page running an unmodified SIP library (JsSIP or SIP.js)
 * through the few lines of jssip-phone.js / sipjs-phone.js, driven from the test through
 * `window.phone`. `pageServer()` serves the page with the library bundled at test time.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { type PageServer, servePages } from '../chromium/page-server.ts';
import type { PortAllocator } from '../harness/ports.ts';
import { bundleSipLibrary, type SipLibrary } from './browser-bundle.ts';

const ADAPTER: Readonly<Record<SipLibrary, string>> = { jssip: 'jssip-phone.js', 'sip.js': 'sipjs-phone.js' };
/** Longest wait for one signalling step (register, call set-up, hang-up). */
const STEP_TIMEOUT_MS = 12_000;

const read = (name: string): string => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');

/** Serves `/` (phone.html), `/lib.js` (the library, bundled now) and `/phone.js` (its adapter). */
export async function servePhonePages(ports: PortAllocator, library: SipLibrary): Promise<PageServer> {
  const js = 'text/javascript; charset=utf-8';
  return servePages(ports, {
    '/': { body: read('phone.html') },
    '/lib.js': { body: await bundleSipLibrary(library), contentType: js },
    '/phone.js': { body: read(ADAPTER[library]), contentType: js },
  });
}

export interface MediaStats {
  /** inbound-rtp (audio) packetsReceived */
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  /** outbound-rtp (audio) packetsSent */
  readonly packetsSent: number;
}

export interface CallEnd {
  readonly kind: 'ended' | 'failed';
  /** who ended it, as the library says: `local`, `remote` (or `system` for JsSIP) */
  readonly originator: string;
  readonly cause: string;
}

/** A pager-mode MESSAGE (RFC 3428) the page received. */
export interface ReceivedMessage {
  readonly from: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

export interface BrowserPhone {
  readonly page: Page;
  register(o: { wsUrl: string; uri: string; password: string }): Promise<void>;
  /** INVITE `target`; resolves once the call is established, with the SDP body of the 2xx as received */
  call(target: string): Promise<{ answer: string }>;
  /** arms auto-answer; resolves once an incoming call is established, with the INVITE's SDP as received */
  incoming(): Promise<{ offer: string }>;
  stats(): Promise<MediaStats>;
  /** JsSIP page only: INVITE `target`; resolves at its first provisional response, unanswered */
  dial(target: string): Promise<{ status: number | undefined }>;
  /** JsSIP page only: re-INVITE putting the call on hold (a=sendonly); resolves with the answer's SDP */
  hold(): Promise<{ answer: string | undefined }>;
  /** JsSIP page only: re-INVITE resuming the call (a=sendrecv); resolves with the answer's SDP */
  unhold(): Promise<{ answer: string | undefined }>;
  /** JsSIP page only: MESSAGE (text/plain) to `target`; resolves with the final status */
  sendMessage(target: string, body: string): Promise<{ status: number | undefined }>;
  /** JsSIP page only: the oldest MESSAGE received and not yet taken, or the next to arrive */
  nextMessage(): Promise<ReceivedMessage>;
  /** BYE (or CANCEL) from this side; resolves when the library reports the session ended */
  hangup(): Promise<CallEnd>;
  ended(): Promise<CallEnd>;
  /** the page's event log and console output, for failure reports */
  report(): string;
  close(): Promise<void>;
}

export async function openPhone(browser: Browser, origin: string, name: string): Promise<BrowserPhone> {
  const page = await browser.newPage();
  const consoleLines: string[] = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  await page.goto(`${origin}/`);
  let log: string[] = [];
  const run = async <T>(fn: string, arg?: unknown): Promise<T> => {
    try {
      return (await page.evaluate(
        ([f, a]) => {
          const step = (
            globalThis as unknown as { phone: Record<string, ((x: unknown) => unknown) | undefined> }
          ).phone[f as string];
          if (step === undefined) throw new Error(`this page's phone has no ${String(f)}()`);
          return step(a);
        },
        [fn, arg] as const,
      )) as T;
    } finally {
      log = await page
        .evaluate(() => (globalThis as unknown as { phone: { log: string[] } }).phone.log.slice())
        .catch(() => log);
    }
  };
  // A step the far side never completes fails the test with its name, not at the test timeout.
  const within = <T>(step: string, p: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name}: ${step} did not complete within ${STEP_TIMEOUT_MS} ms`)),
        STEP_TIMEOUT_MS,
      );
      p.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  // Started before the test waits on it, so an early INVITE is not missed.
  let incoming: Promise<{ offer: string }> | undefined;
  return {
    page,
    register: async (o) => {
      await within('REGISTER', run('register', o));
    },
    call: (target) => within(`call to ${target}`, run('call', target)),
    incoming: () => {
      incoming ??= within('incoming call', run<{ offer: string }>('incoming'));
      return incoming;
    },
    stats: () => run('stats'),
    dial: (target) => within(`ringing of ${target}`, run('dial', target)),
    hold: () => within('hold re-INVITE', run('hold')),
    unhold: () => within('resume re-INVITE', run('unhold')),
    sendMessage: (target, body) => within(`MESSAGE to ${target}`, run('sendMessage', { target, body })),
    nextMessage: () => within('incoming MESSAGE', run('nextMessage')),
    hangup: () => within('hang-up', run('hangup')),
    ended: () => within('end of the call', run('ended')),
    report: () => `--- browser phone ${name} ---\n${[...log, ...consoleLines.slice(-200)].join('\n')}`,
    close: () => page.close().catch(() => undefined),
  };
}
