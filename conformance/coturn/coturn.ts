/**
 * coturn (`turnserver`) with TURN REST API credentials (`use-auth-secret` + a secret from the
 * test), a realm, loopback listening and relay addresses, a private relay port range, and no
 * TLS/DTLS/CLI. Ready when it answers a STUN Binding request over UDP.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from '../harness/binary.ts';
import type { PortAllocator, PortRange } from '../harness/ports.ts';
import { udpExchange } from '../harness/probes.ts';
import { type ExitStatus, type PeerProcess, startProcess } from '../harness/process.ts';
import { parseStun, StunClass, StunMethod, stunRequest } from '../harness/stun.ts';
import { createTempDir } from '../harness/temp-dir.ts';
import { renderTemplateFile } from '../harness/template.ts';

const CONFIG = new URL('./turnserver.conf', import.meta.url);

export interface CoturnOptions {
  readonly ports: PortAllocator;
  /** The `static-auth-secret` shared with whoever mints TURN REST credentials. */
  readonly secret: string;
  /** Default `ims.test`. */
  readonly realm?: string;
  /** Relay ports; default 50. */
  readonly relayPortCount?: number;
  readonly extraArgs?: readonly string[];
  readonly readyTimeoutMs?: number;
}

export interface Coturn {
  readonly host: string;
  /** STUN/TURN over UDP and TCP. */
  readonly port: number;
  readonly realm: string;
  readonly relayPorts: PortRange;
  readonly process: PeerProcess;
  report(): string;
  stop(): Promise<ExitStatus>;
}

export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  const command = requireBinary({ name: 'turnserver', debianPackage: 'coturn' });
  if (/[\r\n]/.test(options.secret) || options.secret.length === 0) {
    throw new Error('coturn secret must be a non-empty single line');
  }
  const { ports } = options;
  const host = ports.host;
  const realm = options.realm ?? 'ims.test';
  // coturn also binds listening-port + 1 (the RFC 5780 alternate port), so take two.
  const listening = await ports.range(2, 'both');
  const relayPorts = await ports.range(options.relayPortCount ?? 50, 'udp');
  const dir = createTempDir('coturn');
  const configFile = join(dir.path, 'turnserver.conf');
  writeFileSync(
    configFile,
    renderTemplateFile(CONFIG, {
      HOST: host,
      PORT: listening.min,
      ALT_PORT: listening.max,
      RELAY_MIN: relayPorts.min,
      RELAY_MAX: relayPorts.max,
      REALM: realm,
      SECRET: options.secret,
      DATA_DIR: dir.path,
    }),
    { mode: 0o600 },
  );
  const port = listening.min;
  const peer = await startProcess({
    name: 'coturn',
    command,
    args: ['-c', configFile, ...(options.extraArgs ?? [])],
    cwd: dir.path,
    readiness: {
      kind: 'probe',
      describe: `STUN Binding to ${host}:${port}`,
      probe: () => stunBindingProbe(host, port),
    },
    readyTimeoutMs: options.readyTimeoutMs,
    cleanup: () => {
      dir.remove();
      ports.release(listening);
      ports.release(relayPorts);
    },
  });
  return {
    host,
    port,
    realm,
    relayPorts,
    process: peer,
    report: () => peer.report(),
    stop: () => peer.stop(),
  };
}

/** True when a STUN Binding request gets a Binding success response. */
export async function stunBindingProbe(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  const reply = await udpExchange(host, port, stunRequest(StunMethod.binding), timeoutMs);
  const message = reply === undefined ? undefined : parseStun(reply.data);
  return message?.type === (StunMethod.binding | StunClass.success);
}
