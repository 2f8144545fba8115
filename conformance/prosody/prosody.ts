/**
 * Prosody 0.12 with one virtual host and one external component (XEP-0114) whose secret comes
 * from the test; c2s and component ports on loopback, no s2s/HTTP, data and pidfile in a temp
 * dir, in the foreground (`prosody -F --config FILE`). Ready when a c2s stream header is
 * answered with stream features.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from '../harness/binary.ts';
import type { PortAllocator } from '../harness/ports.ts';
import { tcpExchange } from '../harness/probes.ts';
import { type ExitStatus, type PeerProcess, startProcess } from '../harness/process.ts';
import { createTempDir } from '../harness/temp-dir.ts';
import { renderTemplateFile } from '../harness/template.ts';

const CONFIG = new URL('./prosody.cfg.lua', import.meta.url);

export interface ProsodyOptions {
  readonly ports: PortAllocator;
  /** The XMPP virtual host; default `localhost`. */
  readonly domain?: string;
  /** The external component (XEP-0114) the bridge connects as. */
  readonly component: { readonly domain: string; readonly secret: string };
  readonly readyTimeoutMs?: number;
}

export interface Prosody {
  readonly host: string;
  readonly domain: string;
  readonly c2sPort: number;
  readonly componentPort: number;
  readonly componentDomain: string;
  readonly process: PeerProcess;
  report(): string;
  stop(): Promise<ExitStatus>;
}

export async function startProsody(options: ProsodyOptions): Promise<Prosody> {
  const command = requireBinary({ name: 'prosody', debianPackage: 'prosody' });
  for (const value of [options.component.domain, options.component.secret, options.domain ?? '']) {
    if (/["\\\r\n]/.test(value))
      throw new Error('prosody domains and secrets must not contain quotes, backslashes or newlines');
  }
  const { ports } = options;
  const host = ports.host;
  const domain = options.domain ?? 'localhost';
  const c2sPort = await ports.tcp();
  const componentPort = await ports.tcp();
  const dir = createTempDir('prosody');
  mkdirSync(join(dir.path, 'certs'));
  const configFile = join(dir.path, 'prosody.cfg.lua');
  writeFileSync(
    configFile,
    renderTemplateFile(CONFIG, {
      HOST: host,
      C2S_PORT: c2sPort,
      COMPONENT_PORT: componentPort,
      DATA_DIR: dir.path,
      DOMAIN: domain,
      COMPONENT_DOMAIN: options.component.domain,
      COMPONENT_SECRET: options.component.secret,
    }),
    { mode: 0o600 },
  );
  const peer = await startProcess({
    name: 'prosody',
    command,
    args: ['-F', '--config', configFile],
    cwd: dir.path,
    readiness: {
      kind: 'probe',
      describe: `c2s stream features on ${host}:${c2sPort}`,
      probe: () => c2sStreamProbe(host, c2sPort, domain),
    },
    readyTimeoutMs: options.readyTimeoutMs,
    cleanup: () => {
      dir.remove();
      ports.release(c2sPort);
      ports.release(componentPort);
    },
  });
  return {
    host,
    domain,
    c2sPort,
    componentPort,
    componentDomain: options.component.domain,
    process: peer,
    report: () => peer.report(),
    stop: () => peer.stop(),
  };
}

/** Opens a client stream (RFC 6120 §4.2) and returns what the server answered, or undefined. */
export async function openClientStream(
  host: string,
  port: number,
  domain: string,
): Promise<string | undefined> {
  const replies = await tcpExchange(
    host,
    port,
    [
      {
        send:
          `<?xml version='1.0'?><stream:stream to='${domain}' xmlns='jabber:client' ` +
          `xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`,
        until: (received) => received.includes('</stream:features>') || received.includes('</stream:error>'),
      },
    ],
    1_000,
  );
  return replies?.[0];
}

/** Readiness probe: the c2s port answers a stream header with stream features. */
export async function c2sStreamProbe(host: string, port: number, domain: string): Promise<boolean> {
  const reply = await openClientStream(host, port, domain);
  return reply?.includes('<stream:features') === true;
}
