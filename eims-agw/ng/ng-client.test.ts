import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../sip/clock/clock.ts';
import { NgProtocolError, RtpengineRejected, RtpengineTimeout, RtpengineUnavailable } from '../errors.ts';
import { asDict, bdecode, bencode } from './bencode.ts';
import { NgClient, type NgExchange } from './ng-client.ts';

interface Received {
  readonly cookie: string;
  readonly raw: Buffer;
  readonly dict: { readonly [key: string]: unknown };
}

/** A scripted stand-in for rtpengine's NG socket: `reply` decides what each datagram gets. */
async function fakeRtpengine(
  reply: (request: Received, index: number) => Buffer | readonly Buffer[] | undefined,
): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  const received: Received[] = [];
  socket.on('message', (raw, from) => {
    const space = raw.indexOf(0x20);
    const request = {
      cookie: raw.toString('latin1', 0, space),
      raw,
      dict: asDict(bdecode(raw.subarray(space + 1))) ?? {},
    };
    received.push(request);
    const answer = reply(request, received.length - 1);
    for (const datagram of answer === undefined ? [] : Buffer.isBuffer(answer) ? [answer] : answer)
      socket.send(datagram, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    received,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

const answerWith = (cookie: string, dict: Record<string, string | number>) =>
  Buffer.concat([Buffer.from(`${cookie} `), bencode(dict)]);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(reply: Parameters<typeof fakeRtpengine>[0], clock?: FakeClock) {
  const server = await fakeRtpengine(reply);
  const exchanges: NgExchange[] = [];
  const client = new NgClient({
    host: '127.0.0.1',
    port: server.port,
    ...(clock === undefined ? {} : { clock }),
    observe: (e) => exchanges.push(e),
  });
  cleanups.push(
    () => client.close(),
    () => server.close(),
  );
  return { server, client, exchanges };
}

describe('NG client', () => {
  it('[RTPENGINE-ng-cookie-match] MUST send a cookie unique to this client and request, and take only the reply carrying it', async () => {
    const { server, client } = await setup((req) => [
      // A reply with another cookie comes first: it must not be taken for ours.
      answerWith('ffffffffffffffff', { result: 'error', 'error-reason': 'not yours' }),
      answerWith(req.cookie, { result: 'pong' }),
    ]);
    await client.ping();
    await client.ping();
    expect(server.received).toHaveLength(2);
    const [a, b] = server.received.map((r) => r.cookie);
    // A random prefix per client (another client of the same rtpengine has another), a counter.
    expect(a).toMatch(/^[0-9a-f]{12}[0-9a-z]+$/);
    expect(a).not.toBe(b);
    expect(a?.slice(0, 12)).toBe(b?.slice(0, 12));
    const other = await setup((req) => [answerWith(req.cookie, { result: 'pong' })]);
    await other.client.ping();
    expect(other.server.received[0]?.cookie.slice(0, 12)).not.toBe(a?.slice(0, 12));
  });

  it('[RTPENGINE-ng-retransmit-same-cookie] MUST retransmit an unanswered request with the same cookie and bytes, and settle once', async () => {
    const clock = new FakeClock();
    const { server, client, exchanges } = await setup(
      (req, index) => (index === 2 ? answerWith(req.cookie, { result: 'ok', sdp: 'v=0\r\n' }) : undefined),
      clock,
    );
    const offer = client.offer({ callId: 'c1', fromTag: 'f1', sdp: 'v=0\r\n' });
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
    clock.advance(500);
    await vi.waitFor(() => expect(server.received).toHaveLength(2));
    clock.advance(500);
    await expect(offer).resolves.toEqual({ sdp: 'v=0\r\n', warning: undefined });
    expect(server.received).toHaveLength(3);
    expect(new Set(server.received.map((r) => r.cookie)).size).toBe(1);
    expect(server.received[1]?.raw.equals(server.received[0]?.raw ?? Buffer.alloc(0))).toBe(true);
    expect(exchanges.map((e) => [e.command, e.result])).toEqual([['offer', 'ok']]);
  });

  it('[RFC3261-21.5.4-rtpengine-timeout] MUST fail with RtpengineTimeout once timeout x (retries + 1) has passed without a reply, and not before', async () => {
    const clock = new FakeClock();
    const { server, client, exchanges } = await setup(() => undefined, clock);
    const ping = failure(client.ping());
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
    clock.advance(500);
    clock.advance(500);
    clock.advance(499);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ping.error()).toBeUndefined();
    clock.advance(1);
    await ping.settled;
    const error = ping.error();
    expect(error).toBeInstanceOf(RtpengineTimeout);
    expect((error as RtpengineTimeout).sipStatus).toBe(503);
    expect((error as RtpengineTimeout).retryAfter).toBeGreaterThan(0);
    expect(server.received).toHaveLength(3);
    expect(exchanges.map((e) => e.result)).toEqual(['timeout']);
    expect(clock.pending).toBe(0);
  });

  it.each([
    ['delete', (c: NgClient) => c.delete({ callId: 'gone' })],
    ['answer', (c: NgClient) => c.answer({ callId: 'late', fromTag: 'a', toTag: 'b', sdp: 'v=0\r\n' })],
  ] as const)(
    '[RFC3261-21.5.4-rtpengine-timeout] MUST retransmit %s two times more than other requests, each wait twice the one before, before it times out',
    async (_command, send) => {
      const clock = new FakeClock();
      const { server, client } = await setup(() => undefined, clock);
      const sending = failure(send(client));
      // Sent at 0, 500, 1500, 3500 and 7500 ms; it fails at 15500 ms.
      for (const [advance, sent] of [
        [0, 1],
        [500, 2],
        [1000, 3],
        [2000, 4],
        [4000, 5],
      ] as const) {
        clock.advance(advance);
        await vi.waitFor(() => expect(server.received).toHaveLength(sent));
      }
      clock.advance(7999);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sending.error()).toBeUndefined();
      clock.advance(1);
      await sending.settled;
      expect(sending.error()).toBeInstanceOf(RtpengineTimeout);
      expect((sending.error() as RtpengineTimeout).waitedMs).toBe(15_500);
      expect(server.received).toHaveLength(5);
      expect(new Set(server.received.map((r) => r.cookie)).size).toBe(1);
      expect(clock.pending).toBe(0);
    },
  );

  it('[RTPENGINE-ng-error-reason] MUST turn result=error into RtpengineRejected carrying error-reason', async () => {
    const { client, exchanges } = await setup((req) =>
      answerWith(req.cookie, { result: 'error', 'error-reason': 'Unknown call-id' }),
    );
    const error = await client.query({ callId: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RtpengineRejected);
    expect((error as RtpengineRejected).errorReason).toBe('Unknown call-id');
    expect((error as RtpengineRejected).command).toBe('query');
    expect((error as RtpengineRejected).unknownCall).toBe(true);
    expect(exchanges.map((e) => e.result)).toEqual(['error']);
  });

  it('[RTPENGINE-ng-error-reason] MUST fail with NgProtocolError on an undecodable reply or one lacking what the command returns', async () => {
    const { client } = await setup((req) =>
      req.dict.command === 'offer'
        ? answerWith(req.cookie, { result: 'ok' })
        : Buffer.concat([Buffer.from(`${req.cookie} `), Buffer.from('d6:result')]),
    );
    await expect(client.ping()).rejects.toBeInstanceOf(NgProtocolError);
    await expect(client.offer({ callId: 'c', fromTag: 'f', sdp: 'v=0' })).rejects.toThrow(/no sdp/);
  });

  it('[RFC3261-21.5.4-rtpengine-unavailable] MUST fail at once with RtpengineUnavailable when nothing listens on the NG port (ICMP port unreachable)', async () => {
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = new NgClient({ host: '127.0.0.1', port, timeoutMs: 10_000, retries: 0 });
    cleanups.push(() => client.close());
    const error = await client.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RtpengineUnavailable);
    expect((error as RtpengineUnavailable).reason).toBe('unreachable');
    expect((error as RtpengineUnavailable).sipStatus).toBe(503);
  });

  it('[RTPENGINE-ng-request-types] MUST send typed offer/answer/delete/list requests as rtpengine dictionaries', async () => {
    const { server, client } = await setup((req) => {
      const command = req.dict.command;
      if (command === 'list')
        return Buffer.concat([Buffer.from(`${req.cookie} `), bencode({ result: 'ok', calls: ['a', 'b'] })]);
      if (command === 'delete') return answerWith(req.cookie, { result: 'ok', warning: 'late' });
      return answerWith(req.cookie, { result: 'ok', sdp: 'v=0' });
    });
    await client.answer({
      callId: 'c',
      fromTag: 'f',
      toTag: 't',
      sdp: 'v=0',
      transportProtocol: 'UDP/TLS/RTP/SAVPF',
      ice: 'force',
      iceLite: 'forward',
      sdes: ['off'],
      rtcpMux: [],
      codec: { transcode: ['PCMA'], mask: [] },
      replace: ['origin'],
    });
    expect(await client.delete({ callId: 'c', deleteDelay: 0 })).toEqual({ warning: 'late' });
    expect(await client.list(10)).toEqual({ calls: ['a', 'b'] });
    expect(server.received.map((r) => r.dict)).toEqual([
      {
        command: 'answer',
        'call-id': 'c',
        'from-tag': 'f',
        'to-tag': 't',
        sdp: 'v=0',
        'transport-protocol': 'UDP/TLS/RTP/SAVPF',
        ICE: 'force',
        SDES: ['off'],
        codec: { transcode: ['PCMA'] },
        replace: ['origin'],
      },
      { command: 'delete', 'call-id': 'c', 'delete delay': 0 },
      { command: 'list', limit: 10 },
    ]);
  });

  it('[RTPENGINE-ng-request-types] MUST fail pending requests with RtpengineUnavailable(stopped) on close', async () => {
    const { client, server } = await setup(() => undefined);
    const ping = client.ping().catch((e: unknown) => e);
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
    await client.close();
    const error = await ping;
    expect(error).toBeInstanceOf(RtpengineUnavailable);
    expect((error as RtpengineUnavailable).reason).toBe('stopped');
    await expect(client.ping()).rejects.toBeInstanceOf(RtpengineUnavailable);
  });
});

/** A request's promise and what it failed with so far, for tests that move a fake clock around it. */
function failure(p: Promise<unknown>): { settled: Promise<void>; error: () => unknown } {
  let error: unknown;
  const settled = p.then(
    () => undefined,
    (e: unknown) => {
      error = e;
    },
  );
  return { settled, error: () => error };
}
