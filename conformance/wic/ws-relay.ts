/**
 * A TCP relay on loopback in front of the product's HTTP port, used as the WebSocket URL the
 * discovery document announces (WWSF_WSS_URLS), so a test can cut the browser's SIP WebSocket
 * the way a lost network does: `drop()` destroys every relayed connection, `refuse(true)` makes
 * new ones fail until `refuse(false)`. Nothing is parsed: bytes pass both ways unchanged.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface WsRelay {
  readonly port: number;
  /** target port, set once the product listens */
  target: number | undefined;
  /** connections relayed so far */
  readonly accepted: number;
  drop(): void;
  refuse(on: boolean): void;
  close(): Promise<void>;
}

export async function startWsRelay(host: string, port: number): Promise<WsRelay> {
  const live = new Set<Socket>();
  let refusing = false;
  let accepted = 0;
  const relay: { target: number | undefined } = { target: undefined };
  const server: Server = createServer((client) => {
    if (refusing || relay.target === undefined) {
      client.destroy();
      return;
    }
    accepted += 1;
    const upstream = createConnection({ host, port: relay.target });
    live.add(client);
    live.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      live.delete(client);
      live.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port,
    get target() {
      return relay.target;
    },
    set target(p) {
      relay.target = p;
    },
    get accepted() {
      return accepted;
    },
    drop() {
      for (const s of live) s.destroy();
      live.clear();
    },
    refuse(on) {
      refusing = on;
    },
    close() {
      for (const s of live) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
