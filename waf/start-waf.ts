/**
 * `startWaf`: a WAF on its own HTTP server (127.0.0.1, a free port unless told), for tests of
 * the other roles and for running the WAF alone. Its issuer is `http://127.0.0.1:<port>/oauth`
 * unless WAF_ISSUER says otherwise.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenAuthority } from '../token/authority.ts';
import { createWaf, WAF_MOUNT_PATH, type Waf, type WafOptions } from './waf.ts';

export interface StartWafOptions extends Omit<WafOptions, 'origins' | 'mountPath'> {
  readonly host?: string;
  readonly port?: number;
  /** the origins browsers use; default the server's own `http://host:port` */
  readonly origins?: () => readonly string[];
}

export interface RunningWaf {
  readonly authority: TokenAuthority;
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  readonly server: Server;
  readonly waf: Waf;
  issuer(): string;
  rotateKeys(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWaf(options: StartWafOptions): Promise<RunningWaf> {
  const host = options.host ?? '127.0.0.1';
  let origin = '';
  const waf = await createWaf({
    ...options,
    origins: options.origins ?? (() => (origin === '' ? [] : [origin])),
  });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === WAF_MOUNT_PATH || path.startsWith(`${WAF_MOUNT_PATH}/`)) {
      waf.listener(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/problem+json' });
    res.end(
      JSON.stringify({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: `no resource at ${path}`,
      }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    authority: waf.authority,
    origin,
    server,
    waf,
    issuer: () => waf.issuer(),
    rotateKeys: () => waf.rotateKeys(),
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await waf.stop();
    },
  };
}
