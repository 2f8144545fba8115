/**
 * The product as a browser meets it, for the web client tests: `startApp` (app/app.ts) on a
 * free loopback port with the real roles: the WWSF (discovery document, the web client), the
 * eP-CSCF with the built-in lab IMS core (alice/bob@ims.lab), and — when asked — the WAF at
 * /oauth and the eIMS-AGW (`media`: rtpengine from RTPENGINES in `env`). With `env` naming
 * IMS_CORE_URI the eP-CSCF uses that core instead of the lab one (core-bed.ts: Kamailio). The
 * discovery document announces a WebSocket relay (ws-relay.ts) in front of the product, so a
 * test can cut the network.
 */
import { type RunningApp, startApp } from '../../app/app.ts';
import { loadConfig } from '../../app/config.ts';
import { createLogger } from '../../app/logger.ts';
import type { PortAllocator } from '../harness/ports.ts';
import { startWsRelay, type WsRelay } from './ws-relay.ts';

export const DOMAIN = 'ims.lab';
/** Lab identities (conformance/lab-core/subscribers.default.json, store/seed.lab.json). */
export const ALICE = {
  impu: 'sip:alice@ims.lab',
  impi: 'alice@ims.lab',
  password: 'alice-lab-password',
  web: 'alice-web-password',
};
export const BOB = {
  impu: 'sip:bob@ims.lab',
  impi: 'bob@ims.lab',
  password: 'bob-lab-password',
  web: 'bob-web-password',
};

export interface WicBed {
  /** the page, e.g. http://127.0.0.1:41234/ */
  readonly url: string;
  readonly app: RunningApp;
  readonly relay: WsRelay;
  /** the product's log lines, printed when a test fails */
  report(): string;
  stop(): Promise<void>;
}

export interface WicBedOptions {
  readonly ports: PortAllocator;
  /** the WAF role at /oauth */
  readonly waf?: boolean;
  /** the eIMS-AGW role: media anchored in the rtpengine(s) `env.RTPENGINES` names */
  readonly media?: boolean;
  /** the roles' environment on top of the bed's (SIP_PORT, IMS_CORE_URI, RTPENGINES, WAF_*, ...) */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startWicBed(o: WicBedOptions): Promise<WicBed> {
  const relayPort = await o.ports.tcp();
  const relay = await startWsRelay(o.ports.host, relayPort);
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } });
  const relayUrl = `ws://${o.ports.host}:${relayPort}/sip`;
  const loaded = loadConfig({
    HTTP_PORT: '0',
    HTTP_HOST: o.ports.host,
    DATABASE_FILE: ':memory:',
    ROLES: [o.waf === true ? 'waf' : '', 'wwsf', o.media === true ? 'eims-agw' : '', 'ep-cscf']
      .filter((r) => r !== '')
      .join(','),
    LOG_LEVEL: 'debug',
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  let app: RunningApp;
  try {
    app = await startApp({
      config: loaded.config,
      logger,
      env: {
        SIP_HOST: o.ports.host,
        SIP_PORT: '0',
        LAB_CORE_PORT: '0',
        WWSF_WSS_URLS: relayUrl,
        WWSF_DEFAULT_DOMAIN: DOMAIN,
        // Browsers on this machine reach each other directly; no coturn for these tests.
        TURNSERVER_BINARY: '',
        ...o.env,
      },
    });
  } catch (error) {
    await relay.close();
    o.ports.release(relayPort);
    throw error;
  }
  relay.target = app.port;
  return {
    url: `${app.url}/`,
    app,
    relay,
    report: () => `--- product log (last 200 lines) ---\n${lines.slice(-200).join('')}`,
    async stop() {
      await app.stop();
      await relay.close();
      o.ports.release(relayPort);
    },
  };
}
