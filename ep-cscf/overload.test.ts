import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { readEnvironment } from '../app/config.ts';
import { startTestCore } from '../conformance/lab-core/fixture.ts';
import { parseMessage, type SipRequest } from '../sip/index.ts';
import { waitFor } from '../sip/transport/test-kit.ts';
import { EPCSCF_SCHEMA } from './config.ts';
import { startEpCscf } from './ep-cscf.ts';
import { EventLoopLoad, LoadShedding, startsNewWork } from './overload.ts';

function request(method: string, toTag?: string, credentials?: string): SipRequest {
  const r = parseMessage(
    Buffer.from(
      [
        `${method} sip:bob@ims.lab SIP/2.0`,
        'Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKshed1',
        'Max-Forwards: 70',
        'From: <sip:alice@ims.lab>;tag=a1',
        `To: <sip:bob@ims.lab>${toTag === undefined ? '' : `;tag=${toTag}`}`,
        'Call-ID: shed-1',
        `CSeq: 1 ${method}`,
        ...(credentials === undefined ? [] : [credentials]),
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
      'latin1',
    ),
  );
  if (!r.ok || r.message.kind !== 'request') throw new Error('test request did not parse');
  return r.message;
}

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('load shedding: what counts as new work', () => {
  it('[RFC3261-21.5.4-overload] out-of-dialog requests start new work; REGISTER, in-dialog ones, answers to a digest challenge, ACK and CANCEL do not', () => {
    for (const m of ['INVITE', 'MESSAGE', 'OPTIONS', 'SUBSCRIBE', 'PUBLISH'])
      expect(startsNewWork(request(m)), m).toBe(true);
    expect(startsNewWork(request('REGISTER')), 'a REGISTER is never shed').toBe(false);
    for (const m of ['INVITE', 'BYE', 'UPDATE', 'INFO', 'NOTIFY'])
      expect(startsNewWork(request(m, 'b1')), `${m} in a dialog`).toBe(false);
    const digest =
      'Digest username="alice@ims.lab", realm="ims.lab", nonce="n", uri="sip:bob@ims.lab", response="0123"';
    expect(
      startsNewWork(request('INVITE', undefined, `Proxy-Authorization: ${digest}`)),
      'answers a challenge',
    ).toBe(false);
    expect(startsNewWork(request('MESSAGE', undefined, `Authorization: ${digest}`))).toBe(false);
    expect(
      startsNewWork(request('INVITE', undefined, 'Authorization: Bearer eyJhbGciOi.x.y')),
      'a token',
    ).toBe(true);
    expect(startsNewWork(request('ACK'))).toBe(false);
    expect(startsNewWork(request('CANCEL'))).toBe(false);
  });

  it('[RFC3261-21.5.4-overload] refuses new work with 503 and a Retry-After of 1-5 s only while the loop is at least as busy as the threshold', () => {
    const load = { busy: 0 };
    let draw = 0;
    const shedding = new LoadShedding(load, 0.99, () => draw);
    expect(shedding.refusal(request('INVITE'))).toBeUndefined();
    load.busy = 0.98;
    expect(shedding.refusal(request('INVITE')), 'below the threshold').toBeUndefined();
    load.busy = 0.99;
    const refused = shedding.refusal(request('INVITE'));
    expect(refused?.status).toBe(503);
    expect(refused?.reason).toBe('Service Unavailable (overloaded)');
    expect(refused?.headers.get('Retry-After')).toBe('1');
    expect(refused?.to.params.value('tag')).toBeTruthy();
    draw = 0.9999;
    expect(shedding.refusal(request('MESSAGE'))?.headers.get('Retry-After')).toBe('5');
    expect(shedding.refusal(request('REGISTER'))).toBeUndefined();
    expect(shedding.refusal(request('BYE', 'b1'))).toBeUndefined();
    expect(new LoadShedding({ busy: 1 }, 0).refusal(request('INVITE')), 'threshold 0').toBeUndefined();
  });
});

describe('EventLoopLoad', () => {
  it('reads a loop busy through a second as saturated, and falls back once it waits for I/O again', async () => {
    const load = new EventLoopLoad();
    stops.push(() => load.stop());
    await waitFor(() => load.busy < 0.5, 'an idle loop to read as idle', 3000);
    // Busy for 1.5 s in slices: the loop goes round (the windows are read) but never waits.
    const until = performance.now() + 1500;
    let saturated = false;
    await new Promise<void>((resolve) => {
      const slice = (): void => {
        const end = Math.min(until, performance.now() + 20);
        while (performance.now() < end) {
          // busy
        }
        saturated ||= load.busy > 0.9;
        if (performance.now() < until) setImmediate(slice);
        else resolve();
      };
      slice();
    });
    expect(saturated).toBe(true);
    await waitFor(() => load.busy < 0.5, 'the load to fall back', 3000);
  });
});

describe('eP-CSCF under load shedding', () => {
  it('[RFC3261-21.5.4-overload] answers new client requests 503 while overloaded, counts them, and lets them through after', async () => {
    const lab = await startTestCore({ trusted: [] });
    stops.push(() => lab.stop());
    const http: Server = createServer();
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise<void>((r) => http.close(() => r())));
    const cfg = readEnvironment(EPCSCF_SCHEMA, {
      SIP_HOST: '127.0.0.1',
      SIP_PORT: '0',
      IMS_CORE_URI: lab.uri,
      IMS_DOMAIN: 'ims.lab',
      REG_EVENT: 'false',
    });
    if (!cfg.ok) throw new Error(JSON.stringify(cfg.issues));
    const registry = new Registry();
    const load = { busy: 1 };
    const ep = await startEpCscf({
      config: cfg.config,
      logger: pino({ level: 'silent' }),
      httpServer: http,
      registry,
      defaultOrigins: () => [],
      loopLoad: load,
    });
    stops.push(() => ep.stop());

    const ws = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/sip`, 'sip');
    stops.push(() => ws.close());
    const inbox: string[] = [];
    ws.on('message', (d: Buffer) => inbox.push(d.toString('latin1')));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const send = async (method: string, branch: string, toTag?: string): Promise<string> => {
      const n = inbox.length;
      ws.send(
        [
          `${method} sip:${method === 'REGISTER' ? 'ims.lab' : 'bob@ims.lab'} SIP/2.0`,
          `Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK${branch}`,
          'Max-Forwards: 70',
          'From: <sip:alice@ims.lab>;tag=a1',
          `To: <sip:${method === 'REGISTER' ? 'alice' : 'bob'}@ims.lab>${toTag === undefined ? '' : `;tag=${toTag}`}`,
          `Call-ID: shed-${branch}`,
          `CSeq: 1 ${method}`,
          'Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
      await waitFor(
        () => inbox.slice(n).some((m) => !m.startsWith('SIP/2.0 100')),
        `the answer to ${method}`,
        3000,
      );
      return inbox.slice(n).find((m) => !m.startsWith('SIP/2.0 100'))!;
    };

    const invite = await send('INVITE', 'inv1');
    expect(invite).toMatch(/^SIP\/2\.0 503 Service Unavailable \(overloaded\)\r\n/);
    expect(invite).toMatch(/\r\nRetry-After: [1-5]\r\n/);
    expect(await send('MESSAGE', 'msg1')).toMatch(/^SIP\/2\.0 503 /);
    // A REGISTER is never shed: the core challenges it.
    expect(await send('REGISTER', 'reg1')).toMatch(/^SIP\/2\.0 401 /);
    // Inside a dialog, the request goes on to the policy (this flow is not registered: 403).
    expect(await send('BYE', 'bye1', 'b1')).not.toMatch(/^SIP\/2\.0 503 /);
    const metrics = await registry.metrics();
    expect(metrics).toContain('epcscf_shed_requests_total{method="INVITE"} 1');
    expect(metrics).toContain('epcscf_shed_requests_total{method="MESSAGE"} 1');
    expect(metrics).not.toContain('epcscf_shed_requests_total{method="REGISTER"}');

    load.busy = 0;
    // Once the loop waits for I/O again, a new request goes on to the policy (not registered: 403).
    expect(await send('INVITE', 'inv2')).not.toMatch(/^SIP\/2\.0 503 /);
  });
});
