import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readEnvironment } from '../../app/config.ts';
import { startTestCore } from '../../conformance/lab-core/fixture.ts';
import type { LabCore } from '../../conformance/lab-core/lab-core.ts';
import { EPCSCF_SCHEMA } from '../config.ts';
import { type RunningEpCscf, startEpCscf } from '../ep-cscf.ts';

(globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

interface JsSipUa {
  on(event: string, fn: (e: { cause?: string }) => void): void;
  start(): void;
  stop(): void;
}

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function setup(): Promise<{ lab: LabCore; ep: RunningEpCscf; wsUrl: string }> {
  const lab = await startTestCore({ trusted: ['127.0.0.1'] });
  stops.push(() => lab.stop());
  const http: Server = createServer();
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  stops.push(() => new Promise<void>((r) => http.close(() => r())));
  const cfg = readEnvironment(EPCSCF_SCHEMA, { SIP_HOST: '127.0.0.1', SIP_PORT: '0', IMS_CORE_URI: lab.uri });
  if (!cfg.ok) throw new Error(JSON.stringify(cfg.issues));
  const ep = await startEpCscf({
    config: cfg.config,
    logger: pino({ level: 'silent' }),
    httpServer: http,
    registry: new Registry(),
    defaultOrigins: () => [],
  });
  stops.push(() => ep.stop());
  return { lab, ep, wsUrl: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/sip` };
}

async function register(wsUrl: string): Promise<JsSipUa> {
  const JsSIP = (await import('jssip')).default;
  const ua: JsSipUa = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(wsUrl)],
    uri: 'sip:alice@ims.lab',
    authorization_user: 'alice@ims.lab',
    password: 'alice-pw',
    register_expires: 600,
  });
  stops.push(() => ua.stop());
  await new Promise<void>((resolve, reject) => {
    ua.on('registered', () => resolve());
    ua.on('registrationFailed', (e) => reject(new Error(`registration failed: ${e.cause}`)));
    ua.start();
  });
  return ua;
}

async function until(check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('reg event at the eP-CSCF (TS 24.229 §5.2.3, §5.2.5)', () => {
  it('[TS24229-5.2.3-subscribe-reg] subscribes to the reg event of an IMPU after its registration', async () => {
    const { lab, wsUrl } = await setup();
    await register(wsUrl);
    await until(() => lab.subscriptions === 1);
  });

  it('[TS24229-5.2.5-network-deregistration] forgets a registration the core deactivates by NOTIFY', async () => {
    const { lab, ep, wsUrl } = await setup();
    await register(wsUrl);
    await until(() => lab.subscriptions === 1);
    expect(await ep.context.store.forAor('sip:alice@ims.lab')).toHaveLength(1);
    lab.deregister('sip:alice@ims.lab', 'deactivated');
    await until(async () => (await ep.context.store.forAor('sip:alice@ims.lab')).length === 0);
  });

  it('[TS24229-5.2.5-shortened] takes a shortened expiry from a NOTIFY', async () => {
    const { lab, ep, wsUrl } = await setup();
    await register(wsUrl);
    await until(() => lab.subscriptions === 1);
    const before = (await ep.context.store.forAor('sip:alice@ims.lab'))[0]!.expiresAt;
    lab.shortenExpiry('sip:alice@ims.lab', 30);
    await until(async () => {
      const b = (await ep.context.store.forAor('sip:alice@ims.lab'))[0];
      return b !== undefined && b.expiresAt < before - 60_000;
    });
    const after = (await ep.context.store.forAor('sip:alice@ims.lab'))[0]!.expiresAt;
    expect(after - Date.now()).toBeLessThanOrEqual(31_000);
  });
});
