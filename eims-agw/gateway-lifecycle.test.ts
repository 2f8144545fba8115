/**
 * Call life and failure handling against a real rtpengine (user space, loopback,
 * --delete-delay=0): branches and deletes leave nothing behind, a dead instance takes no
 * calls, an unreachable one fails with a typed error, and retransmissions are answered once.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PortAllocator } from '../conformance/harness/ports.ts';
import { printPeerOutputOnFailure } from '../conformance/harness/vitest-hooks.ts';
import { type Rtpengine, startRtpengine } from '../conformance/rtpengine/rtpengine.ts';
import { RtpengineRejected, RtpengineTimeout, RtpengineUnavailable } from './errors.ts';
import { MediaGateway } from './gateway.ts';
import { DEFAULT_POLICY } from './media-policy.ts';
import { asDict, bdecode, bencode } from './ng/bencode.ts';
import { type NgApi, NgClient } from './ng/ng-client.ts';
import { RtpenginePool } from './pool.ts';
import { imsSdp, type LiveGateway, liveGateway, onLoopback, openSink, vector } from './test-fixtures.ts';

let ports: PortAllocator;
let rtpengine: Rtpengine;
let sink: Awaited<ReturnType<typeof openSink>>;
let live: LiveGateway;
let admin: NgClient;
let chrome: string;
let seq = 0;
const callId = (name: string) => `${name}-${process.pid}-${++seq}`;

/** A UDP port that is bound but never answers (no ICMP either): a hung rtpengine. */
async function blackHole(): Promise<{ port: number; received: Buffer[]; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (data) => received.push(data));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    received,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A UDP port nothing listens on (ICMP port unreachable): a stopped rtpengine. */
async function closedPort(): Promise<number> {
  const hole = await blackHole();
  await hole.close();
  return hole.port;
}

describe('media call life with rtpengine', () => {
  printPeerOutputOnFailure(() => [rtpengine]);

  beforeAll(async () => {
    ports = await PortAllocator.open();
    rtpengine = await startRtpengine({ ports });
    sink = await openSink();
    live = await liveGateway([{ host: rtpengine.host, port: rtpengine.ngPort }]);
    admin = new NgClient({ host: rtpengine.host, port: rtpengine.ngPort });
    chrome = onLoopback(vector('aiortc/audio_chrome.sdp'), sink.port);
  });
  afterAll(async () => {
    await live?.close();
    await admin?.close();
    await sink?.close();
    await rtpengine?.stop();
    await ports?.close();
  });

  const calls = async () => (await admin.list(100)).calls;

  it('[DESIGN-media-no-leak] MUST keep a call while one forked branch is deleted and forget it entirely on the call delete', async () => {
    const id = callId('fork');
    await live.gateway.offer({
      callId: id,
      fromTag: 'caller',
      sdp: chrome,
      from: 'wic',
      to: 'ims',
      viaBranch: 'z9hG4bK-1',
    });
    // Two forks answer (early media from one, the final answer from the other).
    await live.gateway.answer({
      callId: id,
      fromTag: 'caller',
      toTag: 'fork-1',
      sdp: imsSdp(sink.port),
      from: 'ims',
      to: 'wic',
    });
    await live.gateway.answer({
      callId: id,
      fromTag: 'caller',
      toTag: 'fork-2',
      sdp: imsSdp(sink.port),
      from: 'ims',
      to: 'wic',
    });
    expect(await live.gateway.delete({ callId: id, fromTag: 'caller', toTag: 'fork-1' })).toEqual({
      deleted: true,
    });
    expect(await calls()).toContain(id);
    expect(live.pool.lookup(id)).toBeDefined();
    // A re-INVITE from the callee: the offer now comes from the IMS side, tags swapped.
    const reinvite = await live.gateway.offer({
      callId: id,
      fromTag: 'fork-2',
      sdp: imsSdp(sink.port),
      from: 'ims',
      to: 'wic',
    });
    expect(reinvite.sdp).toMatch(/UDP\/TLS\/RTP\/SAVPF/);
    expect(await live.gateway.delete({ callId: id })).toEqual({ deleted: true });
    expect(await calls()).not.toContain(id);
    expect(live.pool.lookup(id)).toBeUndefined();
    // Deleting again is harmless.
    expect(await live.gateway.delete({ callId: id })).toEqual({ deleted: false });
  });

  it('[DESIGN-media-no-leak] MUST delete a call cancelled before any answer', async () => {
    const id = callId('cancel');
    await live.gateway.offer({ callId: id, fromTag: 'caller', sdp: chrome, from: 'wic', to: 'ims' });
    expect(await calls()).toContain(id);
    expect(await live.gateway.delete({ callId: id, fromTag: 'caller' })).toEqual({ deleted: true });
    expect(await calls()).not.toContain(id);
    expect(await live.gateway.query(id)).toBeUndefined();
  });

  it("[RTPENGINE-ng-error-reason] MUST surface rtpengine's error-reason for an answer to a call it does not know", async () => {
    const error = await live.gateway
      .answer({
        callId: callId('ghost'),
        fromTag: 'a',
        toTag: 'b',
        sdp: imsSdp(sink.port),
        from: 'ims',
        to: 'wic',
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RtpengineRejected);
    expect((error as RtpengineRejected).errorReason).toMatch(/unknown/i);
    expect(live.pool.activeCalls).toBe(0);
  });

  it('[DESIGN-scaleout-pool-health] MUST mark a dead instance down after a failed ping and send every new call to the live one', async () => {
    const dead = await closedPort();
    const pair = await liveGateway([
      { host: '127.0.0.1', port: dead },
      { host: rtpengine.host, port: rtpengine.ngPort },
    ]);
    try {
      expect(pair.pool.status().map((s) => s.state)).toEqual(['down', 'up']);
      const ids = [callId('pool'), callId('pool'), callId('pool'), callId('pool')];
      for (const id of ids) {
        const out = await pair.gateway.offer({
          callId: id,
          fromTag: 'w',
          sdp: chrome,
          from: 'wic',
          to: 'ims',
        });
        expect(out.rtpengine).toBe(`${rtpengine.host}:${rtpengine.ngPort}`);
      }
      expect(pair.pool.status().map((s) => s.calls)).toEqual([0, 4]);
      for (const id of ids) await pair.gateway.delete({ callId: id });
    } finally {
      await pair.close();
    }
  });

  it('[RFC3261-21.5.4-rtpengine-timeout] MUST fail an offer to an unresponsive rtpengine with RtpengineTimeout after the configured retransmissions, delete the call there in case it was carried out late, check it, and once the check fails refuse new calls at once', async () => {
    const hole = await blackHole();
    const client = new NgClient({ host: '127.0.0.1', port: hole.port, timeoutMs: 100, retries: 2 });
    const pool = new RtpenginePool({ instances: [client], pingIntervalMs: 60_000 });
    const gateway = new MediaGateway({ pool, policy: DEFAULT_POLICY });
    try {
      const hung = callId('hung');
      const error = await gateway
        .offer({ callId: hung, fromTag: 'w', sdp: chrome, from: 'wic', to: 'ims' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RtpengineTimeout);
      expect((error as RtpengineTimeout).sipStatus).toBe(503);
      expect((error as RtpengineTimeout).retryAfter).toBeGreaterThan(0);
      expect((error as RtpengineTimeout).waitedMs).toBe(300);
      // Sent three times, one cookie.
      const offers = hole.received.filter((d) => commandOf(d) === 'offer');
      expect(offers).toHaveLength(3);
      expect(new Set(offers.map((d) => d.toString('latin1', 0, d.indexOf(0x20)))).size).toBe(1);
      expect(pool.activeCalls).toBe(0);
      // rtpengine may have carried the offer out late: the call is deleted there (best effort),
      // and the timeout makes the instance suspect: a ping checks it, which fails too.
      await vi.waitFor(() => expect(pool.status()[0]?.state).toBe('down'), { timeout: 2000 });
      // The delete is sent five times, 100, 200, 400 and 800 ms apart (ng-client.ts).
      await vi.waitFor(() => expect(commands(hole.received)).toEqual({ offer: 3, delete: 5, ping: 3 }), {
        timeout: 4000,
      });
      const deleted = hole.received.find((d) => commandOf(d) === 'delete');
      expect(deleted?.toString('latin1')).toContain(`7:call-id${hung.length}:${hung}`);
      const next = await gateway
        .offer({ callId: callId('hung'), fromTag: 'w', sdp: chrome, from: 'wic', to: 'ims' })
        .catch((e: unknown) => e);
      expect(next).toBeInstanceOf(RtpengineUnavailable);
      expect((next as RtpengineUnavailable).reason).toBe('no-healthy-instance');
      expect(commands(hole.received)).toEqual({ offer: 3, delete: 5, ping: 3 });
    } finally {
      await pool.stop();
      await hole.close();
    }
  });

  it('[RTPENGINE-ng-retransmit-same-cookie] MUST get the cached reply for a request repeated with the same cookie, processed once by rtpengine', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const exchange = (datagram: Buffer) =>
      new Promise<Buffer>((resolve) => {
        socket.once('message', resolve);
        socket.send(datagram, rtpengine.ngPort, rtpengine.host);
      });
    try {
      const cookie = randomBytes(8).toString('hex');
      const first = callId('cookie');
      const second = callId('cookie');
      const offer = (id: string) =>
        Buffer.concat([
          Buffer.from(`${cookie} `),
          bencode({ command: 'offer', 'call-id': id, 'from-tag': 'f', sdp: imsSdp(sink.port) }),
        ]);
      const reply1 = await exchange(offer(first));
      // Same cookie, different call: rtpengine must answer from its cache, not process it.
      const reply2 = await exchange(offer(second));
      expect(asDict(bdecode(reply1.subarray(cookie.length + 1)))?.result).toBe('ok');
      expect(reply2.equals(reply1)).toBe(true);
      const known = await calls();
      expect(known).toContain(first);
      expect(known).not.toContain(second);
      await admin.delete({ callId: first });
    } finally {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    }
  });

  it('[DESIGN-media-no-leak] MUST still send the delete of a call whose rtpengine the pool holds down (only slow: its ping timed out), so no session is left there', async () => {
    const real = new NgClient({ host: rtpengine.host, port: rtpengine.ngPort });
    // The same rtpengine, whose pings time out while `slow` (as under overload).
    let slow = false;
    const flaky: NgApi = {
      address: real.address,
      ping: () => (slow ? Promise.reject(new RtpengineTimeout('ping', real.address, 1500)) : real.ping()),
      offer: (r) => real.offer(r),
      answer: (r) => real.answer(r),
      delete: (r) => real.delete(r),
      query: (r) => real.query(r),
      list: (n) => real.list(n),
      close: () => real.close(),
    };
    const pool = new RtpenginePool({ instances: [flaky], pingIntervalMs: 60_000 });
    await pool.start();
    const gateway = new MediaGateway({ pool, policy: DEFAULT_POLICY });
    try {
      const id = callId('slow');
      await gateway.offer({ callId: id, fromTag: 'w', sdp: chrome, from: 'wic', to: 'ims' });
      expect(await calls()).toContain(id);
      slow = true;
      pool.reportFailure(flaky, new RtpengineTimeout('offer', real.address, 1500));
      await vi.waitFor(() => expect(pool.status()[0]?.state).toBe('down'));
      expect(await gateway.delete({ callId: id })).toEqual({ deleted: true });
      expect(await calls()).not.toContain(id);
      expect(pool.activeCalls).toBe(0);
    } finally {
      await pool.stop();
    }
  });

  it('[DESIGN-media-no-leak] MUST leave no rtpengine session behind once every call of this suite was deleted', async () => {
    expect(await calls()).toEqual([]);
    expect(live.pool.activeCalls).toBe(0);
  });
});

/** The NG command of a datagram (`cookie d...7:command<n>:<name>...`). */
function commandOf(d: Buffer): string | undefined {
  const m = /7:command(\d+):/.exec(d.toString('latin1'));
  if (m === null) return undefined;
  const start = m.index + m[0].length;
  return d.toString('latin1', start, start + Number(m[1]));
}

function commands(datagrams: readonly Buffer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of datagrams) {
    const c = commandOf(d) ?? '?';
    out[c] = (out[c] ?? 0) + 1;
  }
  return out;
}
