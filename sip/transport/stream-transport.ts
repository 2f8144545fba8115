import type { AddressInfo, Server, Socket } from 'node:net';
import type { TimerHandle } from '../clock/clock.ts';
import { remoteKey } from './address.ts';
import type { CommonTransportOptions, SipTransport, TransportHost } from './sip-transport.ts';
import { TransportBase } from './sip-transport.ts';
import { StreamConnection, type StreamOwner } from './stream-connection.ts';
import { type Destination, TransportError } from './types.ts';

/** Options of the TCP and TLS transports. */
export interface StreamTransportOptions extends CommonTransportOptions {
  /** address to listen on (default '0.0.0.0'; '::' for dual stack) */
  host?: string;
  /** port to listen on (default 5060 for TCP, 5061 for TLS; 0 picks a free one) */
  port?: number;
  /** false: only dial out, never listen (default true) */
  listen?: boolean;
  /** close a connection with no traffic for this long (default 300000 ms; 0 never) */
  idleTimeoutMs?: number;
  /** close a connection whose message stays incomplete this long (default 32000 ms = 64*T1) */
  incompleteMessageTimeoutMs?: number;
  /** give up dialling after this long (default 10000 ms) */
  connectTimeoutMs?: number;
  /** close a connection whose unsent data exceeds this (default 1 MiB) */
  maxBufferedBytes?: number;
  /** refuse connections beyond this many accepted ones (default: no limit) */
  maxConnections?: number;
}

/** How TCP and TLS differ: the server, the dialler and the event that says "ready". */
export interface SocketFactory {
  createServer(onSocket: (socket: Socket) => void): Server;
  connect(address: string, port: number): Socket;
  readonly readyEvent: 'connect' | 'secureConnect';
}

const TRANSPORT = Symbol('sip.transport');
type TrackedSocket = Socket & { [TRANSPORT]?: StreamTransport };

/**
 * RFC 3261 §18 over a byte stream: accepts connections, dials on demand, reuses an open
 * connection to the same address and port (§18.1.1, §18.2.2), closes idle ones, and frames
 * with StreamFramer (§18.3).
 */
export class StreamTransport extends TransportBase implements SipTransport, StreamOwner {
  readonly maxBufferedBytes: number;
  private readonly options: StreamTransportOptions;
  private readonly idleTimeoutMs: number;
  private readonly incompleteTimeoutMs: number;
  private readonly sweepMs: number;
  private server: Server | undefined = undefined;
  private readonly conns = new Set<StreamConnection>();
  /** every raw socket the server accepted, TLS handshakes in progress included */
  readonly rawSockets = new Set<Socket>();
  private readonly dialling = new Map<string, Promise<StreamConnection>>();
  private sweepTimer: TimerHandle | undefined = undefined;
  private stopping = false;
  private drained: (() => void) | undefined = undefined;

  constructor(
    readonly protocol: 'tcp' | 'tls',
    options: StreamTransportOptions,
    private readonly factory: SocketFactory,
  ) {
    super(protocol, options);
    this.options = options;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    this.incompleteTimeoutMs = options.incompleteMessageTimeoutMs ?? 32_000;
    const shortest = Math.min(this.idleTimeoutMs || Infinity, this.incompleteTimeoutMs || Infinity);
    this.sweepMs = Number.isFinite(shortest) ? Math.max(10, Math.min(5000, Math.floor(shortest / 4))) : 0;
  }

  async start(host: TransportHost): Promise<void> {
    this.host = host;
    if (this.options.listen !== false) {
      const server = this.factory.createServer(this.accept);
      if (this.options.maxConnections !== undefined) server.maxConnections = this.options.maxConnections;
      server.on('connection', this.track);
      server.on('error', (err) => this.logger.error({ err: err.message }, 'server error'));
      server.on('tlsClientError', (err: Error) =>
        this.drops.drop('tls-handshake', 'debug', { detail: err.message }),
      );
      this.server = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(
          { host: this.options.host ?? '0.0.0.0', port: this.options.port ?? defaultPort(this.protocol) },
          () => {
            server.off('error', reject);
            resolve();
          },
        );
      });
      this.logger.info({ address: this.address() }, 'listening');
    }
    if (this.sweepMs > 0) this.sweepTimer = this.clock.setTimer(this.sweepMs, this.sweep);
  }

  address(): { address: string; port: number } | undefined {
    const a = this.server?.address();
    return a === null || a === undefined || typeof a === 'string'
      ? undefined
      : { address: a.address, port: a.port };
  }

  sendBytes(data: Buffer, destination: Destination): Promise<void> {
    const host = this.host;
    if (host === undefined || this.stopping)
      return Promise.reject(new TransportError(`${this.name} is not running`, destination, 'no-transport'));
    const open = host.connections.find(this.protocol, destination.address, destination.port);
    if (open !== undefined) return open.sendBytes(data, destination);
    return this.dial(destination).then((c) => c.sendBytes(data, destination));
  }

  /** Opens (or joins the opening of) a connection to the destination. */
  dial(destination: Destination): Promise<StreamConnection> {
    const key = remoteKey(this.protocol, destination.address, destination.port);
    let pending = this.dialling.get(key);
    if (pending === undefined) {
      pending = this.connect(destination).finally(() => this.dialling.delete(key));
      this.dialling.set(key, pending);
    }
    return pending;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer !== undefined) this.clock.clearTimer(this.sweepTimer);
    const server = this.server;
    const serverClosed =
      server === undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => server.close(() => resolve()));
    const allClosed =
      this.conns.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.drained = resolve));
    for (const c of [...this.conns]) c.close('shutdown');
    for (const s of [...this.rawSockets]) s.destroy();
    await Promise.all([serverClosed, allClosed]);
    this.server = undefined;
  }

  connectionClosed(c: StreamConnection, reason: string): void {
    this.conns.delete(c);
    this.host?.connections.remove(c);
    this.logger.debug({ connectionId: c.id, reason, remote: c.source.remoteAddress }, 'connection closed');
    if (this.conns.size === 0 && this.drained !== undefined) {
      this.drained();
      this.drained = undefined;
    }
  }

  private readonly accept = (socket: Socket): void => {
    if (this.stopping || this.host === undefined || socket.remoteAddress === undefined) {
      socket.destroy();
      return;
    }
    this.counters.connectionsAccepted++;
    this.adopt(socket);
  };

  private readonly track = (socket: Socket): void => {
    (socket as TrackedSocket)[TRANSPORT] = this;
    this.rawSockets.add(socket);
    socket.on('close', untrack);
  };

  private adopt(socket: Socket): StreamConnection {
    const host = this.host!;
    const c = new StreamConnection(this, socket, host.connections.nextId(this.protocol), this.protocol);
    this.conns.add(c);
    host.connections.add(c);
    this.counters.connectionsOpen++;
    this.logger.debug(
      { connectionId: c.id, remote: c.source.remoteAddress, port: c.source.remotePort },
      'connection open',
    );
    return c;
  }

  private connect(destination: Destination): Promise<StreamConnection> {
    return new Promise<StreamConnection>((resolve, reject) => {
      const socket = this.factory.connect(destination.address, destination.port);
      const timeout = this.options.connectTimeoutMs ?? 10_000;
      const fail = (why: string): void => {
        this.clock.clearTimer(timer);
        socket.destroy();
        this.drops.drop('dial-failed', 'warn', {
          remote: destination.address,
          port: destination.port,
          detail: why,
        });
        reject(
          new TransportError(
            `cannot reach ${destination.address}:${destination.port}: ${why}`,
            destination,
            'unreachable',
          ),
        );
      };
      const onError = (err: Error): void => fail(err.message);
      const timer = this.clock.setTimer(timeout, () => fail(`no connection after ${timeout} ms`));
      socket.once('error', onError);
      socket.once(this.factory.readyEvent, () => {
        this.clock.clearTimer(timer);
        socket.off('error', onError);
        if (this.stopping || this.host === undefined) return fail('transport stopping');
        this.counters.connectionsDialled++;
        const c = this.adopt(socket);
        this.host.connections.addAlias(c, this.protocol, destination.address, destination.port);
        resolve(c);
      });
    });
  }

  private readonly sweep = (): void => {
    const now = this.clock.now();
    for (const c of this.conns) {
      if (this.idleTimeoutMs > 0 && now - c.lastActivity >= this.idleTimeoutMs) c.close('idle-timeout');
      else if (
        this.incompleteTimeoutMs > 0 &&
        c.partialSince >= 0 &&
        now - c.partialSince >= this.incompleteTimeoutMs
      )
        c.close('incomplete-message');
    }
    if (!this.stopping) this.sweepTimer = this.clock.setTimer(this.sweepMs, this.sweep);
  };
}

function untrack(this: Socket): void {
  (this as TrackedSocket)[TRANSPORT]?.rawSockets.delete(this);
}

function defaultPort(protocol: 'tcp' | 'tls'): number {
  return protocol === 'tls' ? 5061 : 5060;
}

export type { AddressInfo };
