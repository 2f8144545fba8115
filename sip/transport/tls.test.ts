import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../parser/parse-message.ts';
import { Inbox, options, selfSignedCert, waitFor } from './test-kit.ts';
import { TlsTransport } from './tls.ts';
import { TransportManager } from './transport-manager.ts';
import { TransportError } from './types.ts';

let cert: { key: string; cert: string };
const inbox = new Inbox();
const server = new TransportManager({ delegate: inbox });
let port = 0;

beforeAll(async () => {
  cert = selfSignedCert();
  server.add(new TlsTransport({ host: '127.0.0.1', port: 0, key: cert.key, cert: cert.cert }));
  await server.start();
  port = server.transport('tls')!.address()!.port;
});

afterAll(async () => {
  await server.stop();
});

function sample(callId: string) {
  const r = parseMessage(options('TLS', 'client.invalid', { callId, body: 'over tls' }));
  if (!r.ok) throw new Error('bad sample');
  return r.message;
}

describe('TlsTransport', () => {
  it('[RFC3261-26.2.1-tls] MUST carry SIP over TLS both ways: dial, deliver, answer on the same connection', async () => {
    const clientInbox = new Inbox();
    const client = new TransportManager({ delegate: clientInbox });
    client.add(new TlsTransport({ listen: false, ca: cert.cert }));
    await client.start();
    try {
      await client.send(sample('tls-1'), { protocol: 'tls', address: '127.0.0.1', port });
      const rm = await inbox.next();
      expect(rm.source.protocol).toBe('tls');
      expect(rm.message.body.toString()).toBe('over tls');
      const answer = sample('tls-answer');
      await server.send(answer, {
        protocol: 'tls',
        address: rm.source.remoteAddress,
        port: rm.source.remotePort,
        connectionId: rm.source.connectionId,
      });
      const back = await clientInbox.next();
      expect(back.message.callId).toBe('tls-answer');
      expect(back.source.protocol).toBe('tls');
    } finally {
      await client.stop();
    }
  });

  it('[RFC3261-26.2.1-tls] MUST refuse a server whose certificate does not verify', async () => {
    const client = new TransportManager({ delegate: new Inbox() });
    client.add(new TlsTransport({ listen: false }));
    await client.start();
    try {
      const err = await client
        .send(sample('tls-2'), { protocol: 'tls', address: '127.0.0.1', port })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect((err as TransportError).kind).toBe('unreachable');
      expect((err as Error).message).toMatch(/self.signed|certificate/i);
    } finally {
      await client.stop();
    }
  });

  it('[RFC5626-3.5.1-crlf-keepalive] answers a double-CRLF ping over TLS', async () => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: cert.cert });
    let got = '';
    socket.on('data', (d) => {
      got += d.toString();
    });
    await new Promise<void>((r) => socket.once('secureConnect', () => r()));
    socket.write('\r\n\r\n');
    await waitFor(() => got === '\r\n', 'the pong');
    socket.destroy();
  });
});
