import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { FakeClock } from '../clock/clock.ts';
import { WsTransport } from './ws.ts';
import { WsConnection } from './ws-connection.ts';
import { type KeepAliveMember, KeepAliveWheel } from './ws-keep-alive.ts';

/** A wheel member that records when it was checked. */
class Member implements KeepAliveMember {
  keepAliveSlot = -1;
  readonly checkedAt: number[] = [];
  constructor(private readonly clock: FakeClock) {}
  keepAlive(): void {
    this.checkedAt.push(this.clock.now());
  }
}

function members(clock: FakeClock, n: number): Member[] {
  return Array.from({ length: n }, () => new Member(clock));
}

/** Checks per tick time, over all members. */
function perTick(ms: Member[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const m of ms) for (const t of m.checkedAt) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

describe('KeepAliveWheel', () => {
  it('[DESIGN-speed-ws_keepalive_spread] checks each connection once per interval, a tick only its own slot', () => {
    const clock = new FakeClock();
    const wheel = new KeepAliveWheel<Member>(clock, 1000);
    expect(wheel.slotCount).toBe(10);
    expect(wheel.tickMs).toBe(100);
    const ms = members(clock, 25);
    for (const m of ms) wheel.add(m);
    wheel.start();
    clock.advance(1000);
    expect(ms.map((m) => m.checkedAt.length)).toEqual(ms.map(() => 1));
    const ticks = perTick(ms);
    expect(ticks.size).toBe(10);
    expect(Math.max(...ticks.values())).toBe(3); // 25 over 10 slots: no tick does more than ceil(25/10)
    clock.advance(1000);
    for (const m of ms) {
      expect(m.checkedAt).toHaveLength(2);
      expect(m.checkedAt[1]! - m.checkedAt[0]!).toBe(1000); // the next check is one interval later
    }
  });

  it('[DESIGN-speed-ws_keepalive_spread] with 10 connections and 10 slots, one connection per tick', () => {
    const clock = new FakeClock();
    const wheel = new KeepAliveWheel<Member>(clock, 1000, 10);
    const ms = members(clock, 10);
    for (const m of ms) wheel.add(m);
    wheel.start();
    clock.advance(100);
    expect(ms.filter((m) => m.checkedAt.length > 0)).toHaveLength(1);
    clock.advance(900);
    expect([...perTick(ms).entries()].sort((a, b) => a[0] - b[0])).toEqual(
      [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000].map((t) => [t, 1]),
    );
  });

  it('[DESIGN-speed-ws_keepalive_spread] never checks a connection again less than one interval later, whatever the rounding', () => {
    const clock = new FakeClock();
    const wheel = new KeepAliveWheel<Member>(clock, 1050, 11);
    const ms = members(clock, 11);
    for (const m of ms) wheel.add(m);
    wheel.start();
    clock.advance(5000);
    for (const m of ms) {
      expect(m.checkedAt.length).toBeGreaterThanOrEqual(4);
      for (let i = 1; i < m.checkedAt.length; i++)
        expect(m.checkedAt[i]! - m.checkedAt[i - 1]!).toBeGreaterThanOrEqual(1050);
    }
  });

  it('[DESIGN-speed-ws_keepalive_forget] forgets removed connections and stops its timer', () => {
    const clock = new FakeClock();
    const wheel = new KeepAliveWheel<Member>(clock, 1000);
    const ms = members(clock, 20);
    for (const m of ms) wheel.add(m);
    wheel.start();
    const gone = ms.slice(0, 15);
    for (const m of gone) wheel.remove(m);
    wheel.remove(gone[0]!); // twice: no effect
    expect(wheel.size).toBe(5);
    expect(gone.every((m) => m.keepAliveSlot === -1)).toBe(true);
    clock.advance(1000);
    expect(gone.every((m) => m.checkedAt.length === 0)).toBe(true);
    expect(ms.slice(15).every((m) => m.checkedAt.length === 1)).toBe(true);
    for (const m of gone) wheel.remove(m);
    expect(wheel.size).toBe(5);
    wheel.stop();
    expect(clock.pending).toBe(0);
    clock.advance(5000);
    expect(ms.slice(15).every((m) => m.checkedAt.length === 1)).toBe(true);
  });

  it('[DESIGN-speed-ws_keepalive_spread] refuses an interval or slot count that cannot tick', () => {
    const clock = new FakeClock();
    expect(() => new KeepAliveWheel(clock, 0)).toThrow(RangeError);
    expect(() => new KeepAliveWheel(clock, 1000, 0)).toThrow(RangeError);
    expect(new KeepAliveWheel(clock, 30_000).tickMs).toBe(100);
    expect(new KeepAliveWheel(clock, 50).slotCount).toBe(1);
  });
});

/** Enough of a `ws` socket for the keep-alive rule: pings are counted, terminate closes. */
class FakeSocket extends EventEmitter {
  readyState = 1;
  pings = 0;
  terminated = false;
  bufferedAmount = 0;
  ping(): void {
    this.pings++;
  }
  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.readyState = 3;
    this.emit('close', 1006);
  }
}

function connection() {
  const owner = new WsTransport({ listen: false, pingIntervalMs: 0, clock: new FakeClock() });
  const socket = new FakeSocket();
  const c = new WsConnection(owner, socket as unknown as WebSocket, 'ws-1', {
    protocol: 'ws',
    remoteAddress: '192.0.2.1',
    remotePort: 40000,
    localAddress: '192.0.2.2',
    localPort: 443,
    connectionId: 'ws-1',
  });
  return { owner, socket, c };
}

describe('WsConnection keep-alive check', () => {
  it('[RFC7118-6-ping] pings an idle connection and closes it when the next check finds no pong', () => {
    const { owner, socket, c } = connection();
    c.keepAlive();
    expect(socket.pings).toBe(1);
    expect(c.isOpen).toBe(true);
    c.keepAlive();
    expect(socket.terminated).toBe(true);
    expect(c.isOpen).toBe(false);
    expect(owner.counters.connectionsClosed['ping-timeout']).toBe(1);
  });

  it('[RFC7118-6-ping] keeps a connection that answers each ping, pinging it every check while it is idle', () => {
    const { socket, c } = connection();
    for (let i = 1; i <= 4; i++) {
      c.keepAlive();
      expect(socket.pings).toBe(i); // a pong answers the last ping, it does not spare the next
      socket.emit('pong');
    }
    expect(socket.terminated).toBe(false);
    c.keepAlive();
    c.keepAlive(); // the fifth ping went unanswered
    expect(socket.terminated).toBe(true);
  });

  it('[DESIGN-speed-ws_keepalive_idle] does not ping a connection that carried a message since the last check', () => {
    const { socket, c } = connection();
    for (let i = 0; i < 5; i++) {
      socket.emit('message', Buffer.from('\r\n')); // a lone CRLF: traffic, nothing to answer
      c.keepAlive();
    }
    expect(socket.pings).toBe(0);
    expect(socket.terminated).toBe(false);
    // A ping left unanswered is forgiven by a message: the path works.
    c.keepAlive();
    expect(socket.pings).toBe(1);
    socket.emit('message', Buffer.from('\r\n'));
    c.keepAlive();
    c.keepAlive();
    expect(socket.pings).toBe(2);
    expect(socket.terminated).toBe(false);
  });
});
