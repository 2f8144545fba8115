/**
 * Kamailio as a minimal IMS-core stand-in (ims-core.cfg): registrar with Path, Service-Route and
 * P-Associated-URI, optional digest authentication against a per-test subscriber table, and
 * routing of initial requests to registered contacts. UDP and TCP on one free loopback port.
 * Ready when it answers a SIP OPTIONS.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireBinary } from '../harness/binary.ts';
import type { PortAllocator } from '../harness/ports.ts';
import { type ExitStatus, type PeerProcess, startProcess } from '../harness/process.ts';
import { sipOptionsProbe } from '../harness/sip-probe.ts';
import { createTempDir } from '../harness/temp-dir.ts';
import { renderTemplateFile } from '../harness/template.ts';

const CONFIG = new URL('./ims-core.cfg', import.meta.url);
/** The same core with Trusted Node Authentication (`integrity-protected="auth-done"` from one node). */
const TNA_CONFIG = new URL('./ims-core-tna.cfg', import.meta.url);

export interface Subscriber {
  /** The private identity's user part, as sent in Authorization `username`. */
  readonly username: string;
  readonly password: string;
}

export interface KamailioOptions {
  readonly ports: PortAllocator;
  /** Home domain (an alias of the registrar, and the digest realm); default `ims.test`. */
  readonly domain?: string;
  /** When given, REGISTER needs digest authentication against these subscribers. */
  readonly subscribers?: readonly Subscriber[];
  /** Shared / private memory in MB; default 256 / 16. */
  readonly sharedMemoryMb?: number;
  readonly privateMemoryMb?: number;
  readonly extraArgs?: readonly string[];
  readonly readyTimeoutMs?: number;
  /**
   * The one source (the eP-CSCF's Mw UDP socket) whose REGISTER marked
   * `integrity-protected="auth-done"` is registered without a challenge (ims-core-tna.cfg);
   * everything else is challenged. Needs `subscribers`.
   */
  readonly trustedNode?: { readonly host: string; readonly port: number };
}

export interface Kamailio {
  readonly host: string;
  /** UDP and TCP. */
  readonly sipPort: number;
  readonly domain: string;
  /** The Service-Route the registrar returns, e.g. `<sip:orig@127.0.0.1:10001;lr>`. */
  readonly serviceRoute: string;
  readonly process: PeerProcess;
  /** Runs `kamcmd` against this instance's control socket, e.g. `kamcmd('ul.dump')`. */
  kamcmd(...args: string[]): Promise<string>;
  report(): string;
  stop(): Promise<ExitStatus>;
}

export async function startKamailio(options: KamailioOptions): Promise<Kamailio> {
  const command = requireBinary({ name: 'kamailio', debianPackage: 'kamailio' });
  const kamcmdPath = requireBinary({ name: 'kamcmd', debianPackage: 'kamailio' });
  const { ports } = options;
  const host = ports.host;
  const domain = options.domain ?? 'ims.test';
  const sipPort = await ports.port('both');
  const dir = createTempDir('kamailio');
  const ctlSocket = join(dir.path, 'kamailio_ctl');
  const dbDir = join(dir.path, 'db');
  const cfgFile = join(dir.path, 'ims-core.cfg');
  writeFileSync(
    cfgFile,
    renderTemplateFile(options.trustedNode === undefined ? CONFIG : TNA_CONFIG, {
      HOST: host,
      SIP_PORT: sipPort,
      DOMAIN: domain,
      CTL_SOCKET: ctlSocket,
      DB_DIR: dbDir,
      ...(options.trustedNode === undefined
        ? {}
        : { TRUSTED_HOST: options.trustedNode.host, TRUSTED_PORT: options.trustedNode.port }),
    }),
  );
  const auth = options.subscribers !== undefined;
  if (auth) writeSubscriberTable(dbDir, domain, options.subscribers ?? []);

  const peer = await startProcess({
    name: 'kamailio',
    command,
    args: [
      '-f',
      cfgFile,
      ...(auth ? ['-A', 'WITH_AUTH'] : []),
      '-m',
      String(options.sharedMemoryMb ?? 256),
      '-M',
      String(options.privateMemoryMb ?? 16),
      '-DD',
      '-E',
      '-Y',
      dir.path,
      '-P',
      join(dir.path, 'kamailio.pid'),
      ...(options.extraArgs ?? []),
    ],
    cwd: dir.path,
    readiness: {
      kind: 'probe',
      describe: `SIP OPTIONS to ${host}:${sipPort}`,
      probe: () => sipOptionsProbe(host, sipPort),
    },
    readyTimeoutMs: options.readyTimeoutMs,
    cleanup: () => {
      dir.remove();
      ports.release(sipPort);
    },
  });
  const exec = promisify(execFile);
  return {
    host,
    sipPort,
    domain,
    serviceRoute: `<sip:orig@${host}:${sipPort};lr>`,
    process: peer,
    kamcmd: async (...args) => (await exec(kamcmdPath, ['-s', `unix:${ctlSocket}`, ...args])).stdout,
    report: () => peer.report(),
    stop: () => peer.stop(),
  };
}

/** db_text tables for auth_db: `version` says which schema, `subscriber` holds the users. */
function writeSubscriberTable(dbDir: string, domain: string, subscribers: readonly Subscriber[]): void {
  mkdirSync(dbDir);
  writeFileSync(
    join(dbDir, 'version'),
    'id(int,auto) table_name(string) table_version(int) \n0:subscriber:7\n',
  );
  const rows = subscribers.map((s, i) => {
    for (const value of [s.username, s.password]) {
      if (/[:\n\\]/.test(value))
        throw new Error('db_text subscriber fields must not contain ":", "\\" or newlines');
    }
    const ha1 = md5(`${s.username}:${domain}:${s.password}`);
    const ha1b = md5(`${s.username}@${domain}:${domain}:${s.password}`);
    return `${i + 1}:${s.username}:${domain}:${s.password}:${ha1}:${ha1b}`;
  });
  writeFileSync(
    join(dbDir, 'subscriber'),
    `id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string) \n${rows.join('\n')}\n`,
  );
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
