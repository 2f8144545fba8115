import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readEnvironment } from '../app/config.ts';
import { startTestCore } from '../conformance/lab-core/fixture.ts';
import { selfSignedCert } from '../sip/transport/test-kit.ts';
import { EPCSCF_SCHEMA } from './config.ts';
import { startEpCscf } from './ep-cscf.ts';

/** A WebSocket that trusts the test's self-signed certificate (JsSIP creates it with (url, protocols)). */
class TestWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, { rejectUnauthorized: false });
  }
}

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('eP-CSCF with a certificate', () => {
  it('[RFC7118-5-wss-epcscf] registers a client over WSS and listens for SIP over TLS on Mw', async () => {
    const { key, cert } = selfSignedCert();
    const lab = await startTestCore({ trusted: ['127.0.0.1'] });
    stops.push(() => lab.stop());
    const https = createServer({ key, cert });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise<void>((r) => https.close(() => r())));
    const cfg = readEnvironment(EPCSCF_SCHEMA, {
      SIP_HOST: '127.0.0.1',
      SIP_PORT: '0',
      SIP_TLS_PORT: '0',
      IMS_CORE_URI: lab.uri,
      REG_EVENT: 'false',
    });
    if (!cfg.ok) throw new Error(JSON.stringify(cfg.issues));
    const ep = await startEpCscf({
      config: cfg.config,
      logger: pino({ level: 'silent' }),
      httpServer: https,
      registry: new Registry(),
      defaultOrigins: () => [],
      tls: { key: Buffer.from(key), cert: Buffer.from(cert) },
    });
    stops.push(() => ep.stop());

    (globalThis as { WebSocket?: unknown }).WebSocket = TestWebSocket;
    const JsSIP = (await import('jssip')).default;
    const ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(`wss://127.0.0.1:${(https.address() as AddressInfo).port}/sip`)],
      uri: 'sip:alice@ims.lab',
      authorization_user: 'alice@ims.lab',
      password: 'alice-pw',
    });
    stops.push(() => ua.stop());
    const outcome = await new Promise<string>((resolve) => {
      ua.on('registered', () => resolve('registered'));
      ua.on('registrationFailed', (e) => resolve(`failed: ${String(e.cause)}`));
      ua.start();
    });
    expect(outcome).toBe('registered');
    const [binding] = await ep.context.store.forAor('sip:alice@ims.lab');
    expect(ep.context.transports.connections.get(binding!.connectionId)?.source.protocol).toBe('wss');

    // SIP over TLS on the Mw side answers (an OPTIONS for no flow gets 404 from the policy).
    const tlsPort = ep.context.transports.transport('tls')?.address()?.port;
    expect(tlsPort).toBeGreaterThan(0);
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: tlsPort!, rejectUnauthorized: false }, () => {
        s.write(
          [
            'OPTIONS sip:127.0.0.1 SIP/2.0',
            'Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bKtls1',
            'Max-Forwards: 70',
            'From: <sip:core@ims.lab>;tag=1',
            'To: <sip:pcscf@127.0.0.1>',
            'Call-ID: tls-options-1',
            'CSeq: 1 OPTIONS',
            'Content-Length: 0',
            '',
            '',
          ].join('\r\n'),
        );
      });
      s.once('data', (d) => {
        resolve(d.toString('latin1'));
        s.destroy();
      });
      s.once('error', reject);
    });
    expect(answer).toMatch(/^SIP\/2\.0 404 /);
  });
});
