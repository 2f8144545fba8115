/**
 * `npx tsx bench/transaction-memory.ts [--smoke] [--count N] [--rate R] [--protocol udp|tcp] [--json]`:
 * how much heap a completed non-INVITE transaction keeps (BENCHMARKS.md, "Problems found in the
 * eP-CSCF", item 3).
 *
 * Two transaction layers on a loopback network with the real clock: the client sends `count`
 * REGISTER requests at `rate` per second (NICT), the server answers each with 200 (NIST). Once
 * every NICT and NIST is in Completed (Timer K and J still running: T4 is raised to 60 s so
 * that K outlasts the run; J is 64*T1 = 32 s), the heap is measured after a full GC, the layers
 * are closed (every transaction aborted) and the heap is measured again. The difference is what
 * the completed transactions retain; divided by `count` it is the cost of one NICT + NIST pair.
 * Over tcp Timers J and K are zero: the layers are empty once the responses arrive.
 *
 * The loopback endpoints' records of every message (`sent`, `received`) are emptied before each
 * measurement: they are test instruments, not part of a transaction.
 */

import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseMessage } from '../sip/index.ts';
import type { SipRequest } from '../sip/message/message.ts';
import {
  buildResponse,
  type ClientTransaction,
  type ServerTransaction,
  TransactionLayer,
  type TransactionUser,
} from '../sip/transaction/index.ts';
import { type LoopbackEndpoint, loopbackPair } from '../sip/transport/loopback.ts';
import type { TransportProtocol } from '../sip/transport/types.ts';
import { isMain } from './cli-main.ts';

export interface TransactionMemoryOptions {
  /** transactions per side (default 50,000; smoke 200) */
  count?: number;
  /** requests per second (default 10,000; smoke 2,000) */
  rate?: number;
  protocol?: Extract<TransportProtocol, 'udp' | 'tcp'>;
}

export interface TransactionMemoryResult {
  protocol: 'udp' | 'tcp';
  count: number;
  rate: number;
  /** transactions still filed in each layer when measured (Completed ones) */
  clientLayerSize: number;
  serverLayerSize: number;
  /** heapUsed after GC with every transaction in Completed, and after the layers were closed */
  heapCompleted: number;
  heapClosed: number;
  /** (heapCompleted - heapClosed) / count: one NICT + one NIST */
  bytesPerPair: number;
  /** seconds from the first request to the last final response */
  seconds: number;
}

const SMOKE: Required<TransactionMemoryOptions> = { count: 200, rate: 2000, protocol: 'udp' };
const FULL: Required<TransactionMemoryOptions> = { count: 50_000, rate: 10_000, protocol: 'udp' };

/** A full garbage collection: `global.gc` under --expose-gc, else the flag is set at run time. */
function collector(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g !== undefined) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function register(i: number, protocol: TransportProtocol): SipRequest {
  const text = [
    'REGISTER sip:ims.lab SIP/2.0',
    `Via: SIP/2.0/${protocol.toUpperCase()} 192.0.2.1:5060;rport`,
    'Max-Forwards: 70',
    `From: <sip:user${i}@ims.lab>;tag=f${i}`,
    `To: <sip:user${i}@ims.lab>`,
    `Call-ID: bench-${i}@192.0.2.1`,
    'CSeq: 1 REGISTER',
    `Contact: <sip:user${i}@192.0.2.1:5060;transport=${protocol}>;+sip.instance="<urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}>";reg-id=1;expires=600`,
    'Path: <sip:term@pcscf.ims.lab;lr;ob>',
    'Supported: path, outbound, gruu',
    'P-Visited-Network-ID: "ims.lab"',
    `Authorization: Digest username="user${i}@ims.lab", realm="ims.lab", nonce="", uri="sip:ims.lab", response=""`,
    'User-Agent: bench/transaction-memory',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseMessage(Buffer.from(text, 'latin1'));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bench request did not parse');
  return parsed.message;
}

function forgetRecords(...eps: LoopbackEndpoint[]): void {
  for (const ep of eps) {
    ep.sent.length = 0;
    ep.received.length = 0;
  }
}

export async function runTransactionMemory(
  options: TransactionMemoryOptions & { smoke?: boolean } = {},
): Promise<TransactionMemoryResult> {
  const base = options.smoke === true ? SMOKE : FULL;
  const count = options.count ?? base.count;
  const rate = options.rate ?? base.rate;
  const protocol = options.protocol ?? base.protocol;
  const gc = collector();
  const { a, b } = loopbackPair();
  const timers = { t4: 60_000 };

  let finals = 0;
  let answered = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const ignore = () => {};
  const client: TransactionUser = {
    receiveRequest: ignore,
    receiveStrayAck: ignore,
    onTimeout: ignore,
    onTransportError: ignore,
    receiveResponse(_txn: ClientTransaction, response) {
      if (response.status >= 200 && ++finals === count) done();
    },
  };
  const server: TransactionUser = {
    receiveResponse: ignore,
    receiveStrayAck: ignore,
    onTimeout: ignore,
    onTransportError: ignore,
    receiveRequest(txn: ServerTransaction) {
      answered++;
      txn.respond(buildResponse(txn.request, 200, 'OK', `t${answered}`));
    },
  };
  const clientLayer = new TransactionLayer({ transport: a, user: client, timers });
  const serverLayer = new TransactionLayer({ transport: b, user: server, timers });
  a.delegate = clientLayer;
  b.delegate = serverLayer;
  const to = { protocol, address: b.address, port: b.port };

  // The real clock's timers are unref'd: this keeps the process alive while messages fly.
  const keepAlive = setInterval(() => {}, 1000);
  const started = performance.now();
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      for (let i = 0; i < perTick && sent < count; i++)
        clientLayer.sendRequest(register(sent++, protocol), to);
      if (sent >= count) {
        clearInterval(tick);
        resolve();
      }
    }, tickMs);
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 50));

  forgetRecords(a, b);
  gc();
  const heapCompleted = process.memoryUsage().heapUsed;
  const clientLayerSize = clientLayer.size;
  const serverLayerSize = serverLayer.size;
  clientLayer.close();
  serverLayer.close();
  forgetRecords(a, b);
  clearInterval(keepAlive);
  gc();
  const heapClosed = process.memoryUsage().heapUsed;
  return {
    protocol,
    count,
    rate,
    clientLayerSize,
    serverLayerSize,
    heapCompleted,
    heapClosed,
    bytesPerPair: Math.round((heapCompleted - heapClosed) / count),
    seconds,
  };
}

function format(r: TransactionMemoryResult): string {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  return [
    `transactions: ${r.count} NICT + ${r.count} NIST over ${r.protocol}, ${r.rate}/s offered, ${r.seconds.toFixed(1)} s`,
    `filed when measured: client layer ${r.clientLayerSize}, server layer ${r.serverLayerSize}`,
    `heap with all in Completed: ${mb(r.heapCompleted)} MiB; after closing the layers: ${mb(r.heapClosed)} MiB`,
    `retained per completed NICT + NIST pair: ${r.bytesPerPair} bytes (${Math.round(r.bytesPerPair / 2)} per transaction)`,
  ].join('\n');
}

const OPTIONS = {
  smoke: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  count: { type: 'string' },
  rate: { type: 'string' },
  protocol: { type: 'string' },
} as const;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  const count = values.count === undefined ? undefined : Number(values.count);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  for (const [key, v] of [
    ['count', count],
    ['rate', rate],
  ] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) {
      process.stderr.write(`--${key} must be a positive integer\n`);
      return 2;
    }
  }
  const protocol = values.protocol;
  if (protocol !== undefined && protocol !== 'udp' && protocol !== 'tcp') {
    process.stderr.write('--protocol must be udp or tcp\n');
    return 2;
  }
  const r = await runTransactionMemory({ smoke: values.smoke, count, rate, protocol });
  process.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : `${format(r)}\n`);
  return 0;
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
