/**
 * `npx tsx bench/tls-memory.ts [--clients N] [--variants] [--smoke] [--json]`: what an idle WebSocket
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
 *
 * `--variants` adds WSS rows with what an operator could change without native code: TLS 1.2 at
 * most, and jemalloc (Debian's libjemalloc2, preloaded) instead of glibc's malloc. They answer
 * whether either brings the TLS state under the WS target. Node already sets OpenSSL's
 * SSL_MODE_RELEASE_BUFFERS on every TLS socket (idle record buffers are freed), and offers no
 * way to stop TLS 1.3 session tickets (SSL_OP_NO_TICKET only makes them stateful). Every WSS row
 * says what a client negotiated and how many tickets it got.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
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

/** What the serving process changes from the eP-CSCF's own WSS set-up. */
export type Variant = 'tls1.2' | 'jemalloc';

export const VARIANTS: readonly Variant[] = ['tls1.2', 'jemalloc'];

const VARIANT_LABEL: Readonly<Record<Variant, string>> = {
  'tls1.2': 'TLS 1.2 at most',
  jemalloc: 'jemalloc',
};

/** Debian's libjemalloc2, where this machine's architecture has it */
export const JEMALLOC = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/libjemalloc.so.2`;

export interface TlsMemoryRow {
  readonly scheme: Scheme;
  readonly variant?: Variant;
  readonly clients: number;
  /** WSS: the TLS version a client negotiates, so that a variant shows it took effect */
  readonly tls?: string;
  /** WSS: the session tickets a client gets */
  readonly tickets?: number;
  /** the serving process's malloc: jemalloc when its memory map has it, else glibc */
  readonly malloc: 'glibc' | 'jemalloc';
  /** PSS of the serving process per idle client, bytes */
  readonly pssPerClient: number;
  /** V8 heap used per idle client, bytes */
  readonly heapPerClient: number;
}

type ChildMessage = { kind: 'ready'; port: number } | { kind: 'heap'; used: number };

/** TLS options of the serving process for a variant (jemalloc changes its environment instead). */
function tlsOptions(variant: Variant | undefined): { maxVersion?: 'TLSv1.2' } {
  return variant === 'tls1.2' ? { maxVersion: 'TLSv1.2' } : {};
}

/** The serving side, in the child: `--serve ws|wss KEY CERT [VARIANT]`. */
async function serve(scheme: Scheme, keyFile: string, certFile: string, variant?: Variant): Promise<void> {
  const server: Server =
    scheme === 'wss'
      ? createHttpsServer({
          key: readFileSync(keyFile),
          cert: readFileSync(certFile),
          ...tlsOptions(variant),
        })
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

/**
 * What a TLS client of the server gets: the TLS version and the session tickets sent to it in
 * its first half second. A connection of its own, closed before the first reading.
 */
async function probeTls(port: number): Promise<{ tls: string; tickets: number }> {
  const socket = tlsConnect({ host: HOST, port, rejectUnauthorized: false });
  let tickets = 0;
  socket.on('session', () => tickets++);
  try {
    await once(socket, 'secureConnect');
    await new Promise((r) => setTimeout(r, 500));
    return { tls: socket.getProtocol() ?? 'unknown', tickets };
  } finally {
    socket.destroy();
  }
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

/**
 * One row: a serving process over `scheme` (WSS with `variant`, if given), `clients` idle
 * clients. The jemalloc variant needs JEMALLOC installed (`jemallocMissing()`).
 */
export async function measureScheme(
  scheme: Scheme,
  clients: number,
  variant?: Variant,
): Promise<TlsMemoryRow> {
  const tls = createSelfSignedCert(HOST);
  const args = ['--serve', scheme, tls.keyFile, tls.certFile, ...(variant === undefined ? [] : [variant])];
  const child = fork(fileURLToPath(import.meta.url), args, {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: variant === 'jemalloc' ? { ...process.env, LD_PRELOAD: JEMALLOC } : process.env,
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
    const probe = scheme === 'wss' ? await probeTls(ready.port) : undefined;
    await openClients(scheme, ready.port, WARM_UP, sockets);
    const before = await reading();
    await openClients(scheme, ready.port, clients, sockets);
    const after = await reading();
    return {
      scheme,
      ...(variant === undefined ? {} : { variant }),
      clients,
      ...(probe === undefined ? {} : probe),
      malloc: readFileSync(`/proc/${pid}/maps`, 'utf8').includes('libjemalloc') ? 'jemalloc' : 'glibc',
      pssPerClient: (after.pss - before.pss) / clients,
      heapPerClient: (after.heap - before.heap) / clients,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    child.kill();
    tls.remove();
  }
}

/** Why the jemalloc variant cannot run here, or undefined when it can. */
export function jemallocMissing(): string | undefined {
  return existsSync(JEMALLOC) ? undefined : `${JEMALLOC} is not installed (Debian package libjemalloc2)`;
}

export function formatTlsMemory(rows: readonly TlsMemoryRow[], notes: readonly string[] = []): string {
  const ws = rows.find((r) => r.scheme === 'ws');
  const lines = table(
    [
      'scheme',
      'TLS',
      'tickets',
      'malloc',
      'idle clients',
      'PSS kB per client',
      'V8 heap kB per client',
      'more than WS, kB',
    ],
    rows.map((r) => [
      r.variant === undefined ? r.scheme : `${r.scheme}, ${VARIANT_LABEL[r.variant]}`,
      r.tls ?? '-',
      r.tickets === undefined ? '-' : String(r.tickets),
      r.malloc,
      String(r.clients),
      (r.pssPerClient / 1024).toFixed(1),
      (r.heapPerClient / 1024).toFixed(1),
      ws === undefined ? '' : ((r.pssPerClient - ws.pssPerClient) / 1024).toFixed(1),
    ]),
    [false, false, true, false, true, true, true, true],
  );
  return [`bare node:http(s) + ws server, node ${process.version}`, '', ...lines, ...notes].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      clients: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      variants: { type: 'boolean', default: false },
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
  const notes: string[] = [];
  for (const variant of values.variants ? VARIANTS : []) {
    const missing = variant === 'jemalloc' ? jemallocMissing() : undefined;
    if (missing === undefined) rows.push(await measureScheme('wss', clients, variant));
    else notes.push(`wss, ${VARIANT_LABEL[variant]}: not measured, ${missing}`);
  }
  process.stdout.write(
    values.json ? `${JSON.stringify({ rows, notes }, null, 2)}\n` : `${formatTlsMemory(rows, notes)}\n`,
  );
  return 0;
}

const self = isMain(import.meta.url);
if (self && process.argv[2] === '--serve') {
  const [, , , scheme, keyFile, certFile, variant] = process.argv;
  const known = VARIANTS.find((v) => v === variant);
  serve(scheme === 'wss' ? 'wss' : 'ws', keyFile ?? '', certFile ?? '', known).catch((err: unknown) => {
    process.stderr.write(`tls-memory server: ${String(err)}\n`);
    process.exit(1);
  });
} else if (self) runMain('tls-memory', main);
