import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { parseMessage } from '../../sip/index.ts';
import { openFds } from '../sut/proc-stats.ts';
import { LoadGenerator } from './load-generator.ts';
import { sourceOf } from './sources.ts';

/**
 * The load generator in child processes (`startForked`): what the memory benchmark needs to hold
 * 100,000 client sockets under a per-process open-files limit. A registrar over WebSocket in
 * this test answers every REGISTER with a 200 carrying a Service-Route.
 */

const LOCAL_ADDRESSES = ['127.0.0.2', '127.0.0.3'];

interface Registrar {
  readonly url: string;
  readonly sources: Set<string>;
  /** address:port of every connection accepted */
  readonly peers: string[];
  open: number;
  accepted: number;
  close(): Promise<void>;
}

async function startRegistrar(): Promise<Registrar> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'sip' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const reg: Registrar = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/sip`,
    sources: new Set(),
    peers: [],
    open: 0,
    accepted: 0,
    close: () => new Promise((resolve) => wss.close(() => resolve())),
  };
  wss.on('connection', (ws, req) => {
    reg.open++;
    reg.accepted++;
    reg.sources.add(req.socket.remoteAddress ?? '');
    reg.peers.push(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
    ws.on('close', () => reg.open--);
    ws.on('message', (data: Buffer) => {
      const r = parseMessage(data, { framing: 'datagram' });
      if (!r.ok || r.message.kind !== 'request') return;
      const h = r.message.headers;
      ws.send(
        [
          'SIP/2.0 200 OK',
          `Via: ${h.get('via')}`,
          `From: ${h.get('from')}`,
          `To: ${h.get('to')};tag=reg`,
          `Call-ID: ${r.message.callId}`,
          `CSeq: ${r.message.cseq.seq} REGISTER`,
          'Service-Route: <sip:orig@127.0.0.1;lr>',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
    });
  });
  return reg;
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return check();
}

describe('load generator in child processes', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function setUp(processes: number, workers: number, lean = false) {
    const reg = await startRegistrar();
    cleanup.push(() => reg.close());
    const gen = await LoadGenerator.startForked(
      {
        workers,
        target: {
          kind: 'ws',
          url: reg.url,
          origin: 'https://wic.test',
          localAddresses: LOCAL_ADDRESSES,
          ...(lean ? { client: 'lean' as const, fixedSources: true } : {}),
        },
        domain: 'ims.test',
        timeoutMs: 5000,
      },
      processes,
    );
    cleanup.push(() => gen.close());
    return { reg, gen };
  }

  it('[DESIGN-speed-load_processes] holds its clients in child processes of its own, each running worker threads, and merges what they report', async () => {
    const { reg, gen } = await setUp(2, 2);
    expect(gen.workers).toBe(4);
    expect(gen.pids).toHaveLength(2);
    for (const pid of gen.pids) {
      expect(pid).not.toBe(process.pid);
      expect(parentOf(pid)).toBe(process.pid);
    }
    const fdsHere = openFds(process.pid);
    const c = await gen.connect(0, 40, 4);
    expect(c).toMatchObject({ registered: 40, failed: 0 });
    expect(reg.accepted).toBe(40);
    expect([...reg.sources].sort()).toEqual(LOCAL_ADDRESSES);
    // The client sockets live in the children (20 each); this process holds the registrar's
    // 40 server sides only (clients here would add 40 more).
    for (const pid of gen.pids) expect(openFds(pid)).toBeGreaterThanOrEqual(20);
    expect(openFds(process.pid)).toBeLessThan(fdsHere + 40 + 20);
    // A step's latencies cross the process boundary as they are (one per transaction).
    const s = await gen.step(200, 400);
    expect(s.transactionsFailed).toBe(0);
    expect(s.transactionsOk).toBeGreaterThan(0);
    expect(s.latencies).toHaveLength(s.transactionsOk);
  }, 30_000);

  it('[DESIGN-speed-load_processes] close() closes every connection and ends every child process', async () => {
    const { reg, gen } = await setUp(2, 1);
    await gen.connect(0, 10, 2);
    expect(reg.open).toBe(10);
    const pids = gen.pids;
    await gen.close();
    expect(pids.filter(alive)).toEqual([]);
    expect(await until(() => reg.open === 0, 3000)).toBe(true);
  }, 30_000);

  it('[DESIGN-speed-load_processes] a child process that dies fails the next command with its pid, and close() still returns', async () => {
    const { gen } = await setUp(2, 1);
    await gen.connect(0, 4, 2);
    const [victim, survivor] = gen.pids;
    if (victim === undefined || survivor === undefined) throw new Error('two load processes expected');
    process.kill(victim, 'SIGKILL');
    expect(await until(() => !alive(victim), 3000)).toBe(true);
    await expect(gen.step(20, 200)).rejects.toThrow(new RegExp(`load process ${victim}`));
    await gen.close();
    expect(alive(survivor)).toBe(false);
  }, 30_000);

  it('[DESIGN-speed-load_wsclient] lean clients register the same way, each from its own fixed source address and port', async () => {
    const { reg, gen } = await setUp(2, 1, true);
    const c = await gen.connect(0, 10, 2);
    expect(c).toMatchObject({ registered: 10, failed: 0 });
    const expected = Array.from({ length: 10 }, (_, i) => sourceOf(i)).map((x) => `${x.address}:${x.port}`);
    expect([...reg.peers].sort()).toEqual(expected.sort());
  }, 30_000);
});
