/**
 * Serves fixed pages from http://localhost:PORT. Chromium exposes navigator.mediaDevices (and
 * getUserMedia) only in a secure context, and http://localhost counts as one; about:blank and
 * file: URLs do not.
 */
import { createServer } from 'node:http';
import type { PortAllocator } from '../harness/ports.ts';

export interface Page {
  readonly body: string | Buffer;
  /** Default `text/html; charset=utf-8`. */
  readonly contentType?: string;
}

export interface PageServer {
  readonly port: number;
  /** `http://localhost:PORT` (no trailing slash). */
  readonly origin: string;
  close(): Promise<void>;
}

/** `pages` maps a path (e.g. `/` or `/app.js`) to its content; anything else is 404. */
export async function servePages(
  ports: PortAllocator,
  pages: Readonly<Record<string, Page>>,
): Promise<PageServer> {
  const port = await ports.tcp();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const page = pages[path];
    if (page === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': page.contentType ?? 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : page.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ports.host, port }, () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    port,
    origin: `http://localhost:${port}`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => ports.release(port));
      return closing;
    },
  };
}
