import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../parser/parse-message.ts';
import { Inbox, options, udpPeer, vector, waitFor } from './test-kit.ts';
import { TransportManager } from './transport-manager.ts';
import { TransportError } from './types.ts';
import { literalFirstLookup, UdpTransport } from './udp.ts';

let manager: TransportManager | undefined;
const peers: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await manager?.stop();
  manager = undefined;
  for (const p of peers.splice(0)) await p.close();
});

async function setup(host: string, opts: { maxMessageSize?: number } = {}) {
  const inbox = new Inbox();
  manager = new TransportManager({ delegate: inbox });
  const udp = manager.add(new UdpTransport({ host, port: 0, ...opts }));
  await manager.start();
  const family = host.includes(':') ? 6 : 4;
  const peer = await udpPeer(family);
  peers.push(peer);
  return { inbox, udp, peer, port: udp.address()!.port };
}

function response(b: Buffer) {
  const r = parseMessage(b);
  if (!r.ok || r.message.kind !== 'response') throw new Error(`not a response: ${b.toString()}`);
  return r.message;
}

describe('UdpTransport', () => {
  for (const host of ['127.0.0.1', '::1']) {
    it(`[RFC3581-4-rport-fill] MUST fill rport and received on a request received over UDP (${host})`, async () => {
      const { inbox, peer, port } = await setup(host);
      peer.send(options('UDP', 'client.example.com', { rport: true }), port, host);
      const rm = await inbox.next();
      expect(rm.source).toEqual({
        protocol: 'udp',
        remoteAddress: host,
        remotePort: peer.port,
        localAddress: host,
        localPort: port,
        connectionId: undefined,
      });
      expect(rm.message.topVia.params.get('received')).toBe(host);
      expect(rm.message.topVia.params.get('rport')).toBe(String(peer.port));
    });
  }

  it('[RFC3261-18.2.1-received] MUST add received when the Via sent-by differs from the packet source', async () => {
    const { inbox, peer, port } = await setup('127.0.0.1');
    peer.send(options('UDP', '192.0.2.44:5060'), port, '127.0.0.1');
    const rm = await inbox.next();
    expect(rm.message.topVia.params.get('received')).toBe('127.0.0.1');
    expect(rm.message.topVia.params.has('rport')).toBe(false);
  });

  it('[RFC4475-3.1.2.2-clerr-udp] MUST answer a datagram whose body is shorter than Content-Length with 400', async () => {
    const { inbox, udp, peer, port } = await setup('127.0.0.1');
    peer.send(vector('clerr.dat'), port, '127.0.0.1');
    await waitFor(() => peer.got.length === 1, 'the 400');
    const r = response(peer.got[0]!);
    expect(r.status).toBe(400);
    expect(r.reason).toContain('Content-Length 9999 is larger than the');
    expect(r.callId).toBe('clerr.0ha0isndaksdjweiafasdk3');
    expect(r.topVia.params.get('received')).toBe('127.0.0.1');
    expect(inbox.received).toHaveLength(0);
    expect(udp.counters.parseFaults['content-length']).toBe(1);
    expect(udp.counters.errorResponses).toBe(1);
  });

  it('[RFC4475-3.1.2.16-badvers-answer] MUST answer an unsupported SIP version over UDP with 505', async () => {
    const { peer, port } = await setup('::1');
    peer.send(vector('badvers.dat'), port, '::1');
    await waitFor(() => peer.got.length === 1, 'the 505');
    expect(response(peer.got[0]!).status).toBe(505);
  });

  it('[RFC4475-3.1.2.19-drop-bad-response] MUST silently drop a malformed response, counting it', async () => {
    const { inbox, udp, peer, port } = await setup('127.0.0.1');
    peer.send(vector('bigcode.dat'), port, '127.0.0.1');
    peer.send(options('UDP', '127.0.0.1', { callId: 'after' }), port, '127.0.0.1');
    await inbox.next();
    expect(inbox.received.map((r) => r.message.callId)).toEqual(['after']);
    expect(peer.got).toHaveLength(0);
    expect(udp.counters.drops['parse-fault']).toBe(1);
  });

  it('[RFC4475-3.1.1.8-dblreq-udp] MUST ignore octets after Content-Length in a datagram', async () => {
    const { inbox, peer, port } = await setup('127.0.0.1');
    peer.send(vector('dblreq.dat'), port, '127.0.0.1');
    const rm = await inbox.next();
    expect(rm.message.kind === 'request' && rm.message.method).toBe('REGISTER');
    await new Promise((r) => setTimeout(r, 50));
    expect(inbox.received).toHaveLength(1);
  });

  it('[RFC3261-18.3-framing-limits] drops datagrams larger than the maximum message size', async () => {
    const { inbox, udp, peer, port } = await setup('127.0.0.1', { maxMessageSize: 300 });
    peer.send(options('UDP', '127.0.0.1', { body: 'x'.repeat(400) }), port, '127.0.0.1');
    peer.send(options('UDP', '127.0.0.1', { callId: 'small' }), port, '127.0.0.1');
    const rm = await inbox.next();
    expect(rm.message.callId).toBe('small');
    expect(udp.counters.drops['too-large']).toBe(1);
  });

  it.each([
    ['an address', '127.0.0.1'],
    ['a host name, resolved by the socket', 'localhost'],
  ])(
    '[RFC3261-18.1.1-send] sends a serialised message to the destination port at %s',
    async (_kind, address) => {
      const { inbox, peer, port } = await setup('127.0.0.1');
      peer.send(options('UDP', '127.0.0.1', { body: 'ping' }), port, '127.0.0.1');
      const rm = await inbox.next();
      await manager!.send(rm.message, { protocol: 'udp', address, port: peer.port });
      await waitFor(() => peer.got.length === 1, 'the datagram');
      const back = parseMessage(peer.got[0]!);
      expect(back.ok && back.message.body.toString()).toBe('ping');
      expect(manager!.counters().udp).toMatchObject({ messagesIn: 1, messagesOut: 1 });
    },
  );

  it('[RFC3261-18.1.1-send] rejects a message that cannot fit in a datagram with TransportError too-large', async () => {
    const { inbox, peer, port } = await setup('127.0.0.1');
    peer.send(options('UDP', '127.0.0.1', { body: 'x' }), port, '127.0.0.1');
    const rm = await inbox.next();
    rm.message.body = Buffer.alloc(70_000, 0x61);
    const err = await manager!
      .send(rm.message, { protocol: 'udp', address: '127.0.0.1', port: peer.port })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).kind).toBe('too-large');
  });
});

describe('literalFirstLookup', () => {
  it('answers an address literal before it returns, with its family', () => {
    const answers: unknown[][] = [];
    literalFirstLookup('192.0.2.1', { family: 4 }, (...a: unknown[]) => answers.push(a));
    literalFirstLookup('::ffff:192.0.2.1', { family: 6 }, (...a: unknown[]) => answers.push(a));
    expect(answers).toEqual([
      [null, '192.0.2.1', 4],
      [null, '::ffff:192.0.2.1', 6],
    ]);
  });

  it('leaves a host name to dns.lookup', async () => {
    const answer = await new Promise<unknown[]>((resolve) => {
      let returned = false;
      literalFirstLookup('localhost', { family: 4 }, (...a: unknown[]) => resolve([returned, ...a]));
      returned = true;
    });
    expect(answer).toEqual([true, null, '127.0.0.1', 4]);
  });
});
