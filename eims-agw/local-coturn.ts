/**
 * A coturn started by the product itself (for `npm start` on a machine with coturn installed and
 * no TURN_URLS): TURN REST API credentials (`use-auth-secret` with a secret made per start and
 * shared with the WWSF that issues the credentials), one listening and relay address, a private
 * relay port range, no TLS/DTLS, no CLI, no config file of the packaged service. Ready when it
 * answers a STUN Binding request (RFC 8489 §6) over UDP.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { spawnLocalProcess } from './local-process.ts';

export interface LocalCoturnOptions {
  readonly binary: string;
  /** listening and relay address (loopback for a lab: browsers on this machine) */
  readonly host: string;
  readonly port: number;
  readonly relayMin: number;
  readonly relayMax: number;
  readonly realm: string;
  readonly readyTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface LocalCoturn {
  readonly pid: number;
  /** the static-auth-secret it checks TURN REST credentials with (never logged) */
  readonly secret: string;
  /** `turn:` and `stun:` URLs clients reach it by */
  readonly urls: readonly string[];
  output(): string;
  stop(): Promise<void>;
}

export function localCoturnArgs(o: LocalCoturnOptions, secret: string, dataDir: string): string[] {
  return [
    '-n', // no configuration file
    `--listening-ip=${o.host}`,
    `--relay-ip=${o.host}`,
    `--listening-port=${o.port}`,
    `--min-port=${o.relayMin}`,
    `--max-port=${o.relayMax}`,
    `--realm=${o.realm}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    `--userdb=${join(dataDir, 'turndb')}`,
    `--pidfile=${join(dataDir, 'turnserver.pid')}`,
    '--no-cli',
    '--no-tls',
    '--no-dtls',
    '--no-multicast-peers',
    '--fingerprint',
    '--simple-log',
    '--log-file=stdout',
    // media relayed to rtpengine on the same machine (the eIMS-AGW) is a loopback peer
    ...(o.host === '127.0.0.1' || o.host === '::1' ? ['--allow-loopback-peers'] : []),
  ];
}

/** True when a STUN Binding success arrives from host:port within `ms`. */
function stunAnswers(host: string, port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding request
    request.writeUInt16BE(0, 2);
    request.writeUInt32BE(0x2112a442, 4); // magic cookie
    randomBytes(12).copy(request, 8);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    socket.on('error', () => done(false));
    socket.on('message', (m) =>
      done(
        m.length >= 20 && m.readUInt16BE(0) === 0x0101 && m.subarray(8, 20).equals(request.subarray(8, 20)),
      ),
    );
    socket.send(request, port, host);
  });
}

/** Spawns turnserver and waits until it answers STUN; rejects with its output if it cannot. */
export async function startLocalCoturn(o: LocalCoturnOptions): Promise<LocalCoturn> {
  const secret = randomBytes(24).toString('base64url');
  const dataDir = mkdtempSync(join(tmpdir(), 'webrtc-ims-coturn-'));
  const turn = spawnLocalProcess({
    name: 'coturn',
    binary: o.binary,
    args: localCoturnArgs(o, secret, dataDir),
    logger: o.logger,
    afterStop: () => rmSync(dataDir, { recursive: true, force: true }),
  });
  await turn.waitReady(() => stunAnswers(o.host, o.port, 200), {
    timeoutMs: o.readyTimeoutMs ?? 10_000,
    notReady: 'did not answer STUN in time',
  });
  const hostPart = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    pid: turn.child.pid ?? 0,
    secret,
    urls: [
      `stun:${hostPart}:${o.port}`,
      `turn:${hostPart}:${o.port}?transport=udp`,
      `turn:${hostPart}:${o.port}?transport=tcp`,
    ],
    output: turn.output,
    stop: turn.stop,
  };
}
