/**
 * Bad input at the eP-CSCF: every RFC 4475 torture message over WebSocket and over UDP to the
 * Mw port gets the answer the RFC asks for (or none, where it says drop); malformed REGISTERs
 * and handshakes are refused with the precise status; and through it all the process stays up
 * and nothing already registered is lost.
 *
 * Each torture message goes to a fresh eP-CSCF (same core): the messages reuse branch and
 * sent-by values, so on one instance a later message would match an earlier one's transaction
 * (RFC 3261 §17.2.3) and be answered as its retransmission. The shared instance, with alice
 * registered, gets them all at the end.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortAllocator } from '../harness/ports.ts';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { startEpCscfPeer } from './ep-cscf-peer.ts';
import { createJsSipClient, type JsSipClient } from './jssip-client.ts';
import { readLocation } from './location.ts';
import { describeVerdict, TORTURE_VECTORS, UNJUDGED_VECTORS } from './rfc4475-verdicts.ts';
import { SipWebSocket } from './sip-websocket.ts';
import { ALICE, BOB, DOMAIN, startTestBed, type TestBed } from './test-bed.ts';
import { expectVerdict, type RawResponse, responseOf, sendOverUdp, sendOverWs } from './torture-run.ts';
import { openUdpSink, type UdpSink } from './udp-sink.ts';
import { sendRequestUdp } from './udp-sip-client.ts';
import { installWebSocketTap } from './wire-tap.ts';

const VECTORS = new URL('../../../shared/vectors/rfc4475/', import.meta.url);
const vector = (file: string): Buffer => readFileSync(new URL(file, VECTORS));
const MAX_MESSAGE = 4096;
const APP_ORIGIN = 'https://app.example.com';

describe('eP-CSCF bad input: torture messages, malformed requests, refused handshakes', () => {
  const wire = installWebSocketTap();
  const peers: Array<{ report(): string }> = [];
  let ports: PortAllocator;
  let bed: TestBed;
  let sink: UdpSink;
  let alice: JsSipClient;
  printPeerOutputOnFailure(() => peers);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    bed = await startTestBed({
      ports,
      env: { WS_MAX_MESSAGE: String(MAX_MESSAGE), ALLOWED_ORIGINS: APP_ORIGIN },
      onPeer: (p) => peers.push(p),
    });
    sink = await openUdpSink();
    alice = createJsSipClient({
      wsUrl: bed.ep.wsUrl,
      user: ALICE.user,
      domain: DOMAIN,
      password: ALICE.password,
      wire,
    });
    await alice.start();
  });
  afterAll(async () => {
    await alice?.stop();
    await sink?.close();
    await bed?.stop();
    await ports?.close();
  });

  const fresh = async <T>(
    run: (ep: Awaited<ReturnType<typeof startEpCscfPeer>>) => Promise<T>,
  ): Promise<T> => {
    const ep = await startEpCscfPeer({ ports, coreUri: bed.tap.uri, env: { IMS_DOMAIN: DOMAIN } });
    try {
      return await run(ep);
    } catch (err) {
      console.error(ep.report());
      throw err;
    } finally {
      await ep.stop();
    }
  };

  for (const v of TORTURE_VECTORS) {
    it(`[RFC4475-3-epcscf-ws] over WebSocket, ${v.file} (RFC 4475 §${v.section}) MUST ${describeVerdict(v.ws)}`, async () => {
      const bytes = vector(v.file);
      const outcome = await fresh((ep) => sendOverWs(ep.wsUrl, bytes, v.ws.kind === 'drop'));
      expectVerdict('ws', v, bytes, outcome);
    });
  }

  for (const v of TORTURE_VECTORS) {
    it(`[RFC4475-3-epcscf-udp] over UDP to the Mw port, ${v.file} (RFC 4475 §${v.section}) MUST ${describeVerdict(v.udp)}`, async () => {
      const bytes = vector(v.file);
      const outcome = await fresh((ep) =>
        sendOverUdp(sink, { host: ep.host, port: ep.mwPort }, bytes, v.udp.kind === 'drop'),
      );
      expectVerdict('udp', v, bytes, outcome);
    });
  }

  it('[RFC4475-3.3.5-epcscf-proxy-require] MUST list in Unsupported exactly the Proxy-Require option tags it does not support, not the Require ones', async () => {
    const outcome = await fresh((ep) => sendOverWs(ep.wsUrl, vector('bext01.dat'), false));
    const unsupported = outcome.responses[0]
      ?.header('unsupported')
      .flatMap((v) => v.split(',').map((t) => t.trim()));
    expect(outcome.responses[0]?.status).toBe(420);
    expect(unsupported?.sort()).toEqual(['noProxiesSupportThis', 'norDoAnyProxiesSupportThis']);
  });

  it('[RFC4475-3.3.7-epcscf-forward-authorization] MUST forward a REGISTER with an unknown Authorization scheme to the core with that header unmodified', async () => {
    const bytes = vector('regaut01.dat');
    await fresh((ep) => sendOverWs(ep.wsUrl, bytes, false));
    const original = /^Authorization: (.*)$/m.exec(bytes.toString('latin1'))?.[1]?.trim();
    const atCore = bed.tap.requests.filter((r) => r.callId === 'regaut01.0ha0isndaksdj');
    expect(atCore.length).toBeGreaterThan(0);
    for (const r of atCore) expect(r.headers.values('authorization')).toEqual([original]);
  });

  it('[RFC3261-10.3-epcscf-non-sip-aor] MUST refuse a REGISTER whose address-of-record is not a SIP or SIPS URI with 400, without forwarding it', async () => {
    const callId = `tel-aor-${Date.now()}`;
    const r = await exchangeOverWs(bed.ep.wsUrl, register({ callId, to: '<tel:+15551234567>' }));
    expect(r?.status).toBe(400);
    expect(bed.tap.requests.filter((q) => q.callId === callId)).toEqual([]);
  });

  for (const header of ['Call-ID', 'From', 'To', 'CSeq'] as const) {
    it(`[RFC3261-8.1.1-epcscf-missing-header] MUST refuse a REGISTER without ${header} with 400, without forwarding it`, async () => {
      const callId = `missing-${header}-${Date.now()}`;
      const r = await exchangeOverWs(bed.ep.wsUrl, register({ callId, omit: header }));
      expect(r?.status).toBe(400);
      expect(bed.tap.requests.filter((q) => q.callId === callId)).toEqual([]);
    });
  }

  it("[RFC7118-4.1-epcscf-subprotocol] MUST refuse a WebSocket handshake that does not offer the 'sip' subprotocol", async () => {
    const other = await SipWebSocket.open(bed.ep.wsUrl, { protocols: ['xmpp'] });
    expect(other.ok ? 'accepted' : other.status).toBe(400);
    const none = await SipWebSocket.open(bed.ep.wsUrl, { protocols: [] });
    expect(none.ok ? 'accepted' : none.status).toBe(400);
    const sip = await SipWebSocket.connect(bed.ep.wsUrl, { protocols: ['xmpp', 'sip'] });
    expect(sip.protocol).toBe('sip');
    await sip.close();
  });

  it('[RFC6455-10.2-epcscf-origin] MUST refuse a handshake from an Origin outside ALLOWED_ORIGINS with 403 and accept the allowed one', async () => {
    const foreign = await SipWebSocket.open(bed.ep.wsUrl, { origin: 'https://evil.example.org' });
    expect(foreign.ok ? 'accepted' : foreign.status).toBe(403);
    const allowed = await SipWebSocket.connect(bed.ep.wsUrl, { origin: APP_ORIGIN });
    expect(allowed.isOpen).toBe(true);
    await allowed.close();
  });

  it('[RFC6455-7.4.1-epcscf-1009] MUST close a connection whose message exceeds WS_MAX_MESSAGE with status 1009', async () => {
    const ws = await SipWebSocket.connect(bed.ep.wsUrl);
    const big = register({ callId: `big-${Date.now()}`, extra: [`X-Padding: ${'a'.repeat(MAX_MESSAGE)}`] });
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_MESSAGE);
    ws.send(big);
    expect((await ws.closed).code).toBe(1009);
    expect(ws.received).toEqual([]);
  });

  it('[RFC5626-3.5.1-epcscf-crlf-pong] MUST answer a double-CRLF keep-alive on a WebSocket with a single CRLF and keep the connection open', async () => {
    const ws = await SipWebSocket.connect(bed.ep.wsUrl);
    try {
      ws.send('\r\n\r\n');
      expect(await ws.next(() => true, 2_000)).toBe('\r\n');
      expect(ws.isOpen).toBe(true);
    } finally {
      await ws.close();
    }
  });

  it('[RFC4475-1-epcscf-survives] MUST stay up through every torture message on both sides and lose nothing registered: the registered client keeps its binding and flow, a fresh REGISTER succeeds', async () => {
    const aliceAor = `sip:${ALICE.user}@${DOMAIN}`;
    expect(await bed.ep.store.forAor(aliceAor)).toHaveLength(1);
    const files = [...TORTURE_VECTORS.map((v) => v.file), ...UNJUDGED_VECTORS];
    for (const file of files) sink.send(vector(file), bed.ep.mwPort, bed.ep.host);
    await Promise.all(files.map((file) => sendOverWs(bed.ep.wsUrl, vector(file), true)));
    expect(await bed.ep.store.forAor(aliceAor)).toHaveLength(1);
    expect((await readLocation(bed.core)).filter((c) => c.aor === ALICE.user)).toHaveLength(1);
    // Alice's flow still carries requests from the core.
    const message = await sendRequestUdp(
      { host: bed.core.host, port: bed.core.sipPort },
      {
        method: 'MESSAGE',
        uri: aliceAor,
        from: `<sip:carol@${DOMAIN}>`,
        to: `<${aliceAor}>`,
        contentType: 'text/plain',
        body: 'still registered?',
      },
    );
    expect(message.final?.status).toBe(200);
    expect(alice.messages.map((m) => m.request.body)).toEqual(['still registered?']);
    // A new client registers as before.
    const bob = createJsSipClient({
      wsUrl: bed.ep.wsUrl,
      user: BOB.user,
      domain: DOMAIN,
      password: BOB.password,
      wire,
    });
    try {
      expect((await bob.start()).response.status_code).toBe(200);
      expect(await bed.ep.store.forAor(`sip:${BOB.user}@${DOMAIN}`)).toHaveLength(1);
    } finally {
      await bob.stop();
    }
  });
});

/** A REGISTER as a WebSocket client would send it, with one header left out or added. */
function register(o: { callId: string; to?: string; omit?: string; extra?: readonly string[] }): string {
  const to = o.to ?? `<sip:${ALICE.user}@${DOMAIN}>`;
  const lines = [
    `REGISTER sip:${DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK${o.callId.replace(/[^A-Za-z0-9]/g, '')}`,
    'Max-Forwards: 70',
    `To: ${to}`,
    `From: ${to};tag=4fe7b1`,
    `Call-ID: ${o.callId}`,
    'CSeq: 1 REGISTER',
    'Contact: <sip:x7k2@df7jal23ls0d.invalid;transport=ws>;expires=600',
    ...(o.extra ?? []),
    'Content-Length: 0',
  ].filter((l) => o.omit === undefined || !l.startsWith(`${o.omit}:`));
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Sends one request on a new connection and returns its final response. */
async function exchangeOverWs(wsUrl: string, text: string): Promise<RawResponse | undefined> {
  const ws = await SipWebSocket.connect(wsUrl);
  try {
    ws.send(text);
    const final = await ws.next((t) => /^SIP\/2\.0 [2-6]\d\d /.test(t), 3_000);
    return final === undefined ? undefined : responseOf(Buffer.from(final, 'utf8'))[0];
  } finally {
    ws.terminate();
  }
}
