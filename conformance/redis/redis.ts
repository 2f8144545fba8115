/**
 * redis-server on a free loopback port, no persistence (`--save ''`, `--appendonly no`), working
 * dir in a temp dir, no config file. Ready when `PING` gets `+PONG` on a raw TCP socket.
 */
import { requireBinary } from '../harness/binary.ts';
import type { PortAllocator } from '../harness/ports.ts';
import { tcpExchange } from '../harness/probes.ts';
import { type ExitStatus, type PeerProcess, startProcess } from '../harness/process.ts';
import { createTempDir } from '../harness/temp-dir.ts';

export interface RedisOptions {
  readonly ports: PortAllocator;
  readonly extraArgs?: readonly string[];
  readonly readyTimeoutMs?: number;
}

export interface Redis {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  readonly process: PeerProcess;
  report(): string;
  stop(): Promise<ExitStatus>;
}

export async function startRedis(options: RedisOptions): Promise<Redis> {
  const command = requireBinary({ name: 'redis-server', debianPackage: 'redis-server' });
  const { ports } = options;
  const host = ports.host;
  const port = await ports.tcp();
  const dir = createTempDir('redis');
  const peer = await startProcess({
    name: 'redis',
    command,
    args: [
      '--port',
      String(port),
      '--bind',
      host,
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir.path,
      '--daemonize',
      'no',
      '--logfile',
      '',
      ...(options.extraArgs ?? []),
    ],
    cwd: dir.path,
    readiness: { kind: 'probe', describe: `PING on ${host}:${port}`, probe: () => redisPing(host, port) },
    readyTimeoutMs: options.readyTimeoutMs,
    cleanup: () => {
      dir.remove();
      ports.release(port);
    },
  });
  return {
    host,
    port,
    url: `redis://${host}:${port}`,
    process: peer,
    report: () => peer.report(),
    stop: () => peer.stop(),
  };
}

/** Sends RESP commands in order on one connection and returns each raw reply line. */
export async function redisCommands(
  host: string,
  port: number,
  commands: readonly (readonly string[])[],
  timeoutMs = 1_000,
): Promise<string[] | undefined> {
  const replies = await tcpExchange(
    host,
    port,
    commands.map((args) => ({ send: encodeCommand(args), until: isCompleteReply })),
    timeoutMs,
  );
  return replies?.map((r) => r.trimEnd());
}

/** Readiness probe: `PING` answered `+PONG`. */
export async function redisPing(host: string, port: number): Promise<boolean> {
  const replies = await redisCommands(host, port, [['PING']], 500);
  return replies?.[0] === '+PONG';
}

function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** True once one whole RESP reply (simple, error, integer, bulk or array) has arrived. */
function isCompleteReply(received: string): boolean {
  return replyEnd(Buffer.from(received, 'utf8'), 0) !== undefined;
}

function replyEnd(buf: Buffer, at: number): number | undefined {
  const lineEnd = buf.indexOf('\r\n', at);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[at] ?? 0);
  const count = Number(buf.toString('latin1', at + 1, lineEnd));
  if (type === '$') {
    const end = lineEnd + 2 + count + 2;
    return count < 0 ? lineEnd + 2 : buf.length >= end ? end : undefined;
  }
  if (type === '*') {
    let pos: number | undefined = lineEnd + 2;
    for (let i = 0; i < count && pos !== undefined; i++) pos = replyEnd(buf, pos);
    return pos;
  }
  return lineEnd + 2;
}
