/**
 * `npx tsx bench/tls-memory.ts [--clients N] [--smoke] [--json]`: what an idle WebSocket
 * connection costs in a bare Node server, over WS and over WSS, with nothing of ours in it: the
 * floor under the memory benchmark's per-client figures (BENCHMARKS.md, "WSS memory").
 *
 * A child process serves WebSocket on node:http or node:https with `ws` set up as the eP-CSCF's
 * WebSocket transport sets it up (noServer, no compression, no client tracking, the `sip`
 * subprotocol) and answers every message with 600 octets. This process opens the clients; each
 * sends one 1,000-octet message and waits for the answer (as a registration writes and reads
 * once), then stays open and idle. The child's PSS (/proc, after a full collection) is read after
 * a warm-up of 200 clients and again after `clients` more: the difference per client is the
 * figure. The certificate is the memory benchmark's (EC P-256, bench/sut/tls-cert.ts).
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';
import { isMain, runMain } from './cli-main.ts';
import { table } from './report.ts';
import { pssBytes, raiseOpenFiles } from './sut/proc-stats.ts';
import { createSelfSignedCert } from './sut/tls-cert.ts';

const HOST = '127.0.0.1';
const WARM_UP = 200;
const REQUEST = Buffer.alloc(1000, 0x61);
const ANSWER = Buffer.alloc(600, 0x62);

export type Scheme = 'ws' | 'wss';

export interface TlsMemoryRow {
  readonly scheme: Scheme;
  readonly clients: number;
  /** PSS of the serving process per idle client, bytes */
  readonly pssPerClient: number;
  /** V8 heap used per idle client, bytes */
  readonly heapPerClient: number;
}

type ChildMessage = { kind: 'ready'; port: number } | { kind: 'heap'; used: number };

/** The serving side, in the child: `--serve ws|wss KEY CERT`. */
async function serve(scheme: Scheme, keyFile: string, certFile: string): Promise<void> {
  const server: Server =
    scheme === 'wss'
      ? createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) })
      : createHttpServer();
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', () => ws.send(ANSWER))),
  );
  await new Promise<void>((resolve) => server.listen(0, HOST, () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.on('message', (m: string) => {
    if (m !== 'heap') return;
    globalThis.gc?.();
    process.send?.({ kind: 'heap', used: process.memoryUsage().heapUsed } satisfies ChildMessage);
  });
  process.send?.({ kind: 'ready', port } satisfies ChildMessage);
}

async function openClients(scheme: Scheme, port: number, count: number, into: WebSocket[]): Promise<void> {
  const batch = 50;
  for (let i = 0; i < count; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, async () => {
        const ws = new WebSocket(`${scheme}://${HOST}:${port}/sip`, 'sip', {
          rejectUnauthorized: false,
          perMessageDeflate: false,
        });
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        ws.send(REQUEST);
        await new Promise<void>((resolve) => ws.once('message', () => resolve()));
        into.push(ws);
      }),
    );
  }
}

export async function measureScheme(scheme: Scheme, clients: number): Promise<TlsMemoryRow> {
  const tls = createSelfSignedCert(HOST);
  const child = fork(fileURLToPath(import.meta.url), ['--serve', scheme, tls.keyFile, tls.certFile], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (): Promise<ChildMessage> =>
    new Promise((resolve, reject) => {
      child.once('message', (m: ChildMessage) => resolve(m));
      child.once('exit', () => reject(new Error('the serving process exited')));
    });
  const sockets: WebSocket[] = [];
  try {
    const ready = await next();
    if (ready.kind !== 'ready') throw new Error('the serving process did not start');
    const pid = child.pid ?? 0;
    const reading = async (): Promise<{ pss: number; heap: number }> => {
      const answer = next();
      child.send('heap');
      const heap = await answer;
      await new Promise((r) => setTimeout(r, 300));
      return { pss: pssBytes([pid]), heap: heap.kind === 'heap' ? heap.used : 0 };
    };
    await openClients(scheme, ready.port, WARM_UP, sockets);
    const before = await reading();
    await openClients(scheme, ready.port, clients, sockets);
    const after = await reading();
    return {
      scheme,
      clients,
      pssPerClient: (after.pss - before.pss) / clients,
      heapPerClient: (after.heap - before.heap) / clients,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    child.kill();
    tls.remove();
  }
}

export function formatTlsMemory(rows: readonly TlsMemoryRow[]): string {
  const ws = rows.find((r) => r.scheme === 'ws');
  const lines = table(
    ['scheme', 'idle clients', 'PSS kB per client', 'V8 heap kB per client', 'more than WS, kB'],
    rows.map((r) => [
      r.scheme,
      String(r.clients),
      (r.pssPerClient / 1024).toFixed(1),
      (r.heapPerClient / 1024).toFixed(1),
      ws === undefined ? '' : ((r.pssPerClient - ws.pssPerClient) / 1024).toFixed(1),
    ]),
    [false, true, true, true, true],
  );
  return [`bare node:http(s) + ws server, node ${process.version}`, '', ...lines].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      clients: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const clients = Number(values.clients ?? (values.smoke ? 100 : 10_000));
  if (!Number.isInteger(clients) || clients <= 0) {
    process.stderr.write('--clients must be a positive integer\n');
    return 2;
  }
  raiseOpenFiles(2 * (clients + WARM_UP) + 1024);
  const rows: TlsMemoryRow[] = [];
  for (const scheme of ['ws', 'wss'] as const) rows.push(await measureScheme(scheme, clients));
  process.stdout.write(values.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatTlsMemory(rows)}\n`);
  return 0;
}

const self = isMain(import.meta.url);
if (self && process.argv[2] === '--serve') {
  const [, , , scheme, keyFile, certFile] = process.argv;
  serve(scheme === 'wss' ? 'wss' : 'ws', keyFile ?? '', certFile ?? '').catch((err: unknown) => {
    process.stderr.write(`tls-memory server: ${String(err)}\n`);
    process.exit(1);
  });
} else if (self) runMain('tls-memory', main);
