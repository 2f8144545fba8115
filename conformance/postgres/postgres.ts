/**
 * A throwaway PostgreSQL cluster from Debian's `postgresql` package: `initdb` into a temp dir
 * (trust authentication, superuser `postgres`), then `postgres` on a free loopback port with its
 * Unix socket in the same temp dir and durability off (fsync, synchronous_commit,
 * full_page_writes): the data dies with the test anyway. PostgreSQL refuses to run as root, so
 * when the tests run as root both commands run as the `postgres` system user (via `setpriv`),
 * which owns the temp dir. Ready when the server logs that it accepts connections. `stop()` asks
 * for a fast shutdown (SIGINT: disconnect clients, abort their transactions) before the
 * harness's group kill.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PeerMissingError, PeerStartError } from '../harness/errors.ts';
import type { PortAllocator } from '../harness/ports.ts';
import { delay, type ExitStatus, type PeerProcess, startProcess } from '../harness/process.ts';
import { createTempDir } from '../harness/temp-dir.ts';

export interface PostgresOptions {
  readonly ports: PortAllocator;
  /** extra `-c name=value` settings for the server */
  readonly settings?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

export interface Postgres {
  readonly host: string;
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication on loopback) */
  readonly url: string;
  /** the URL of another database of this cluster */
  urlOf(database: string): string;
  readonly process: PeerProcess;
  report(): string;
  stop(): Promise<ExitStatus>;
}

const SUPERUSER = 'postgres';
const PACKAGE = 'postgresql';

/** The bin directory of the newest PostgreSQL major version installed under /usr/lib/postgresql. */
export function postgresBinDir(root = '/usr/lib/postgresql'): string {
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) throw new PeerMissingError('initdb', PACKAGE);
  return join(root, newest, 'bin');
}

interface SystemUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** The `postgres` account the package creates, read from /etc/passwd. */
function systemUser(name: string): SystemUser {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const fields = line?.split(':');
  const uid = Number(fields?.[2]);
  const gid = Number(fields?.[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new PeerMissingError(`user ${name}`, PACKAGE);
  return { name, uid, gid };
}

/** [command, args] that run `binary` as `user` when we are root, directly otherwise. */
function asUser(user: SystemUser | undefined, binary: string, args: readonly string[]): [string, string[]] {
  if (user === undefined) return [binary, [...args]];
  return [
    '/usr/bin/setpriv',
    [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', binary, ...args],
  ];
}

function run(command: string, args: readonly string[], cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout, stderr) =>
      resolve(error === null ? undefined : `${error.message}\n${stdout}${stderr}`),
    );
  });
}

export async function startPostgres(options: PostgresOptions): Promise<Postgres> {
  const bin = postgresBinDir();
  const user = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  const { ports } = options;
  const host = ports.host;
  const port = await ports.tcp();
  const dir = createTempDir('postgres');
  const data = join(dir.path, 'data');
  const release = (): void => {
    dir.remove();
    ports.release(port);
  };
  if (user !== undefined) chownSync(dir.path, user.uid, user.gid);

  const [initCommand, initArgs] = asUser(user, join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    SUPERUSER,
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const failed = await run(initCommand, initArgs, dir.path);
  if (failed !== undefined) {
    release();
    throw new PeerStartError('postgres', 'initdb failed', failed);
  }

  const settings: Record<string, string> = {
    listen_addresses: host,
    port: String(port),
    unix_socket_directories: dir.path,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    logging_collector: 'off',
    ...options.settings,
  };
  const [command, args] = asUser(user, join(bin, 'postgres'), [
    '-D',
    data,
    ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ]);
  const peer = await startProcess({
    name: 'postgres',
    command,
    args,
    cwd: dir.path,
    env: { ...process.env, LC_ALL: 'C' },
    readiness: { kind: 'log', pattern: /database system is ready to accept connections/ },
    readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
    cleanup: release,
  });

  const urlOf = (database: string): string =>
    `postgres://${SUPERUSER}@${host}:${port}/${encodeURIComponent(database)}`;
  return {
    host,
    port,
    url: urlOf('postgres'),
    urlOf,
    process: peer,
    report: () => peer.report(),
    async stop() {
      if (!peer.hasExited()) {
        // setpriv execs, so the pid is the postmaster's. Fast shutdown, then the harness's stop.
        try {
          process.kill(peer.pid, 'SIGINT');
        } catch {
          // already gone
        }
        await Promise.race([peer.exited, delay(5_000)]);
      }
      return peer.stop();
    },
  };
}
