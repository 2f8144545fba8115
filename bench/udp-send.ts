/**
 * `npx tsx bench/udp-send.ts [--smoke] [--json]`: CPU per UDP datagram in Node, sent and received
 * on loopback by one process, with Node's default per-send address lookup and with the SIP UDP
 * transport's (`literalFirstLookup`, sip/transport/udp.ts), in bursts of 1 and of 16 datagrams,
 * beside the same in C (`native/udp-send.c`: sendto/recv one at a time, sendmmsg/recvmmsg in
 * batches of 16), compiled with the machine's `cc` when there is one: what native batched I/O
 * would save (BENCHMARKS.md, "UDP sends without the lookup tick").
 *
 * Node's dgram sends every datagram through `dns.lookup`, which answers an address literal on
 * the next tick; the transport's lookup answers it at once. Each round sends `count` datagrams of
 * 600 octets (a SIP message's size) in bursts, waiting for a burst to be received before the next,
 * and reads process.cpuUsage (user + system: the kernel's loopback work is in it, once for the
 * send and once for the receive). Rounds alternate the two lookups; the median round is kept.
 */
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket, type SocketOptions } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { literalFirstLookup } from '../sip/transport/index.ts';
import { isMain, runMain } from './cli-main.ts';
import { quantile } from './measure.ts';
import { num, ratio, table } from './report.ts';

export type Lookup = 'node-default' | 'literal-first';
/** Node with either lookup, or the C program (sendto/recv for bursts of 1, sendmmsg/recvmmsg else). */
export type SendPath = Lookup | 'c';

export interface UdpSendRow {
  readonly lookup: SendPath;
  readonly burst: number;
  /** CPU µs per datagram, sent and received, median round */
  readonly cpuUs: number;
  readonly datagrams: number;
}

const PAYLOAD = Buffer.alloc(600, 0x61);
const HOST = '127.0.0.1';

async function bound(options: SocketOptions): Promise<Socket> {
  const socket = createSocket(options);
  await new Promise<void>((resolve) => socket.bind(0, HOST, () => resolve()));
  return socket;
}

/** One round: CPU µs per datagram. */
async function round(lookup: Lookup, burst: number, count: number): Promise<number> {
  const rx = await bound({ type: 'udp4' });
  const tx = await bound(
    lookup === 'literal-first' ? { type: 'udp4', lookup: literalFirstLookup } : { type: 'udp4' },
  );
  const port = rx.address().port;
  let received = 0;
  let sent = 0;
  let wake: (() => void) | undefined;
  rx.on('message', () => {
    received++;
    if (received === sent && wake !== undefined) {
      const w = wake;
      wake = undefined;
      w();
    }
  });
  const start = process.cpuUsage();
  while (sent < count) {
    const drained = new Promise<void>((resolve) => {
      wake = resolve;
    });
    for (let k = 0; k < burst; k++, sent++) tx.send(PAYLOAD, port, HOST);
    await drained;
  }
  const used = process.cpuUsage(start);
  await new Promise<void>((resolve) => rx.close(() => resolve()));
  await new Promise<void>((resolve) => tx.close(() => resolve()));
  return (used.user + used.system) / received;
}

function median(values: number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** The C program compiled into a temporary folder, or undefined when the machine has no `cc`. */
function compileC(): { binary: string; remove(): void } | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'udp-send-'));
  const binary = path.join(dir, 'udp-send');
  try {
    const source = fileURLToPath(new URL('./native/udp-send.c', import.meta.url));
    execFileSync('cc', ['-O2', '-o', binary, source], { stdio: 'ignore' });
    return { binary, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

function roundC(binary: string, burst: number, count: number): number {
  return Number(execFileSync(binary, [String(count), String(burst)], { encoding: 'utf8' }).trim());
}

export async function measureUdpSend(options: { count: number; rounds: number }): Promise<UdpSendRow[]> {
  const c = compileC();
  const rows: UdpSendRow[] = [];
  try {
    for (const burst of [1, 16]) {
      const figures: Record<SendPath, number[]> = { 'node-default': [], 'literal-first': [], c: [] };
      for (let r = 0; r < options.rounds; r++) {
        for (const lookup of ['node-default', 'literal-first'] as const)
          figures[lookup].push(await round(lookup, burst, options.count));
        if (c !== undefined) figures.c.push(roundC(c.binary, burst, options.count));
      }
      for (const p of ['node-default', 'literal-first', 'c'] as const)
        if (figures[p].length > 0)
          rows.push({ lookup: p, burst, cpuUs: median(figures[p]), datagrams: options.count });
    }
  } finally {
    c?.remove();
  }
  return rows;
}

export function formatUdpSend(rows: readonly UdpSendRow[]): string {
  const body = rows.map((r) => {
    const base = rows.find((b) => b.burst === r.burst && b.lookup === 'node-default');
    return [r.lookup, String(r.burst), String(r.datagrams), num(r.cpuUs, 2), ratio(r.cpuUs, base?.cpuUs)];
  });
  return [
    `node ${process.version}; CPU (user + system) per 600-octet datagram sent and received on loopback in one process; median round; c = native/udp-send.c (sendto/recv at burst 1, sendmmsg/recvmmsg at 16)${rows.some((r) => r.lookup === 'c') ? '' : ' - not measured: no cc on this machine'}`,
    '',
    ...table(['path', 'burst', 'datagrams', 'CPU µs/datagram', 'vs node-default'], body, [
      false,
      true,
      true,
      true,
      true,
    ]),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { smoke: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const rows = await measureUdpSend(values.smoke ? { count: 400, rounds: 1 } : { count: 100_000, rounds: 5 });
  process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatUdpSend(rows)}\n`);
  return 0;
}

if (isMain(import.meta.url)) runMain('udp-send', main);
