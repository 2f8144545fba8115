import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { Server as TlsServer } from 'node:tls';
import { type WebSocket, WebSocketServer } from 'ws';
import { canonicalAddress, hostForUrl } from './address.ts';
import type { CommonTransportOptions, SipTransport, TransportHost } from './sip-transport.ts';
import { TransportBase } from './sip-transport.ts';
import { type Destination, TransportError } from './types.ts';
import { WsConnection, type WsOwner } from './ws-connection.ts';
import { destinationOf, dialSipWebSocket, type WsEnds } from './ws-dial.ts';
import {
  ignoreHandshakeError,
  type OriginCheck,
  offersSip,
  pathOf,
  refuseUpgrade,
  SIP_SUBPROTOCOL,
} from './ws-handshake.ts';
import { KeepAliveWheel } from './ws-keep-alive.ts';

export interface WsTransportOptions extends CommonTransportOptions {
  /** 'wss' when attached to an https server or given key/cert, else 'ws' unless set */
  protocol?: 'ws' | 'wss';
  /** share this HTTP(S) server's port instead of listening (the owner starts and stops it) */
  server?: HttpServer | HttpsServer;
  /** address to listen on when there is no server (default '0.0.0.0') */
  host?: string;
  /** port to listen on (default 80 for ws, 443 for wss; 0 picks a free one) */
  port?: number;
  /** false: only dial out (default true) */
  listen?: boolean;
  /** accept upgrades on this path only (e.g. '/sip'); on a shared server other paths are left alone */
  path?: string;
  /** PEM key and certificate to listen with WSS; the key is never logged */
  key?: string | Buffer;
  cert?: string | Buffer;
  /** CAs trusted when dialling wss:// (default: Node's bundled roots) */
  ca?: string | Buffer | Array<string | Buffer>;
  /** refuse a wss:// server whose certificate does not verify (default true) */
  rejectUnauthorized?: boolean;
  /** refuses a handshake with 403 when it returns false */
  originCheck?: OriginCheck;
  /** Origin header sent when dialling */
  origin?: string;
  /**
   * check every connection this often, spread over the interval: ping an idle one, close one that
   * did not answer the previous ping (default 30000 ms; 0 off)
   */
  pingIntervalMs?: number;
  /** give up dialling after this long (default 10000 ms) */
  connectTimeoutMs?: number;
  /** close a connection whose unsent data exceeds this (default 1 MiB) */
  maxBufferedBytes?: number;
}

/**
 * SIP over WebSocket, WS and WSS (RFC 7118). Server side: accepts a handshake only when the
 * client offers the `sip` subprotocol and answers with it (§4.1), on the configured path, after
 * the Origin check; one SIP message per WebSocket message, text or binary (§4.2, §5.1); frames
 * above maxMessageSize close the connection (1009). Client side: dials ws:// and wss:// URLs.
 * A client's Via names an unresolvable `.invalid` host, so requests and responses to it can
 * only go on its connection: by connectionId, or by its address and port while it is open.
 */
export class WsTransport extends TransportBase implements SipTransport, WsOwner {
  readonly protocol: 'ws' | 'wss';
  readonly maxBufferedBytes: number;
  private readonly options: WsTransportOptions;
  private readonly wss: WebSocketServer;
  private readonly conns = new Set<WsConnection>();
  private server: HttpServer | HttpsServer | undefined = undefined;
  private ownServer = false;
  /** the connections' keep-alive checks, spread over the ping interval; undefined when off */
  private readonly keepAlive: KeepAliveWheel<WsConnection> | undefined;
  private stopping = false;
  private drained: (() => void) | undefined = undefined;

  constructor(options: WsTransportOptions = {}) {
    const secure =
      options.protocol === 'wss' ||
      (options.protocol === undefined &&
        (options.server instanceof TlsServer || (options.key !== undefined && options.cert !== undefined)));
    super(secure ? 'wss' : 'ws', options);
    this.protocol = secure ? 'wss' : 'ws';
    if (options.server === undefined && options.listen !== false && secure && options.key === undefined)
      throw new TypeError(
        'a WSS transport needs key and cert to listen (or an https server, or listen: false)',
      );
    this.options = options;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: this.maxMessageSize,
      handleProtocols: selectSip,
    });
    const interval = options.pingIntervalMs ?? 30_000;
    this.keepAlive = interval > 0 ? new KeepAliveWheel<WsConnection>(this.clock, interval) : undefined;
  }

  async start(host: TransportHost): Promise<void> {
    this.host = host;
    const o = this.options;
    if (o.server !== undefined) {
      this.server = o.server;
      o.server.on('upgrade', this.onUpgrade);
    } else if (o.listen !== false) {
      const server =
        this.protocol === 'wss'
          ? createHttpsServer({ key: o.key, cert: o.cert }, answerPlainHttp)
          : createHttpServer(answerPlainHttp);
      server.on('upgrade', this.onUpgrade);
      this.server = server;
      this.ownServer = true;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(
          { host: o.host ?? '0.0.0.0', port: o.port ?? (this.protocol === 'wss' ? 443 : 80) },
          () => {
            server.off('error', reject);
            resolve();
          },
        );
      });
      server.on('error', (err) => this.logger.error({ err: err.message }, 'server error'));
      this.logger.info({ address: this.address(), path: o.path }, 'listening');
    }
    this.keepAlive?.start();
  }

  address(): { address: string; port: number } | undefined {
    const a = this.server?.address();
    return a === null || a === undefined || typeof a === 'string'
      ? undefined
      : { address: a.address, port: a.port };
  }

  /**
   * Sends on the open connection to this address and port (one the peer dialled, or one we
   * dialled), or dials `<protocol>://address:port<path>`.
   */
  sendBytes(data: Buffer, destination: Destination): Promise<void> {
    const host = this.host;
    if (host === undefined || this.stopping)
      return Promise.reject(new TransportError(`${this.name} is not running`, destination, 'no-transport'));
    const scheme = destination.protocol === 'wss' ? 'wss' : 'ws';
    const open = host.connections.find(scheme, destination.address, destination.port);
    if (open !== undefined) return open.sendBytes(data, destination);
    if (destination.address.toLowerCase().endsWith('.invalid'))
      return Promise.reject(
        new TransportError(
          `${destination.address} names a WebSocket client, reachable only on its connection (RFC 7118 §5.2)`,
          destination,
          'unreachable',
        ),
      );
    const url = `${scheme}://${hostForUrl(destination.address)}:${destination.port}${this.options.path ?? '/'}`;
    return this.connect(url).then((c) => c.sendBytes(data, destination));
  }

  /** Dials a SIP WebSocket server (ws:// or wss://) and returns the open connection. */
  connect(url: string): Promise<WsConnection> {
    const destination = destinationOf(url);
    if (this.host === undefined || this.stopping)
      return Promise.reject(new TransportError(`${this.name} is not running`, destination, 'no-transport'));
    const o = this.options;
    const dial = dialSipWebSocket(url, {
      maxPayload: this.maxMessageSize,
      timeoutMs: o.connectTimeoutMs ?? 10_000,
      ca: o.ca,
      rejectUnauthorized: o.rejectUnauthorized ?? true,
      origin: o.origin,
    });
    return dial.then(
      ({ ws, ends }) => {
        const host = this.host;
        if (this.stopping || host === undefined) {
          ws.terminate();
          throw new TransportError(`${this.name} is stopping`, destination, 'no-transport');
        }
        this.counters.connectionsDialled++;
        const c = this.adopt(ws, destination.protocol as 'ws' | 'wss', ends);
        host.connections.addAlias(c, destination.protocol, destination.address, destination.port);
        return c;
      },
      (err: Error) => {
        this.drops.drop('dial-failed', 'warn', { url, detail: err.message });
        throw new TransportError(`cannot open ${url}: ${err.message}`, destination, 'unreachable');
      },
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.keepAlive?.stop();
    const allClosed =
      this.conns.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.drained = resolve));
    for (const c of [...this.conns]) c.close('shutdown');
    const server = this.server;
    this.server = undefined;
    let serverClosed = Promise.resolve();
    if (server !== undefined) {
      server.off('upgrade', this.onUpgrade);
      if (this.ownServer) {
        serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
      }
    }
    this.wss.close();
    await Promise.all([allClosed, serverClosed]);
  }

  connectionClosed(c: WsConnection, reason: string): void {
    this.conns.delete(c);
    this.keepAlive?.remove(c);
    this.host?.connections.remove(c);
    this.logger.debug({ connectionId: c.id, reason, remote: c.source.remoteAddress }, 'connection closed');
    if (this.conns.size === 0 && this.drained !== undefined) {
      this.drained();
      this.drained = undefined;
    }
  }

  /** RFC 7118 §4.1 and RFC 6455 §4.2: path, subprotocol and Origin decide the handshake. */
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = this.options.path;
    if (path !== undefined && pathOf(req.url) !== path) {
      // On a shared server another handler may own this path.
      if (this.ownServer) refuseUpgrade(socket, 404, 'no SIP WebSocket service on this path');
      return;
    }
    socket.on('error', ignoreHandshakeError);
    if (this.stopping) {
      refuseUpgrade(socket, 503, 'shutting down');
      return;
    }
    const offered = req.headers['sec-websocket-protocol'];
    if (!offersSip(offered)) {
      this.drops.drop('handshake-no-sip-subprotocol', 'debug', { remote: req.socket.remoteAddress, offered });
      refuseUpgrade(socket, 400, "Sec-WebSocket-Protocol must offer 'sip' (RFC 7118)");
      return;
    }
    const check = this.options.originCheck;
    if (check === undefined) {
      this.upgrade(req, socket, head);
      return;
    }
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = check(req.headers.origin, req);
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'originCheck threw');
      verdict = false;
    }
    if (typeof verdict === 'boolean') {
      this.decide(verdict, req, socket, head);
      return;
    }
    verdict.then(
      (ok) => this.decide(ok === true, req, socket, head),
      (err: unknown) => {
        this.logger.error({ err: (err as Error | undefined)?.message }, 'originCheck rejected');
        this.decide(false, req, socket, head);
      },
    );
  };

  private decide(ok: boolean, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!ok) {
      this.drops.drop('handshake-origin-refused', 'debug', {
        remote: req.socket.remoteAddress,
        origin: req.headers.origin,
      });
      refuseUpgrade(socket, 403, 'Origin not allowed');
    } else if (this.stopping) {
      refuseUpgrade(socket, 503, 'shutting down');
    } else {
      this.upgrade(req, socket, head);
    }
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, this.accept);
  }

  private readonly accept = (ws: WebSocket, req: IncomingMessage): void => {
    req.socket.off('error', ignoreHandshakeError);
    if (this.stopping || this.host === undefined) {
      ws.terminate();
      return;
    }
    const s = req.socket;
    this.counters.connectionsAccepted++;
    this.adopt(ws, this.protocol, {
      address: canonicalAddress(s.remoteAddress ?? ''),
      port: s.remotePort ?? 0,
      localAddress: canonicalAddress(s.localAddress ?? ''),
      localPort: s.localPort ?? 0,
    });
  };

  private adopt(ws: WebSocket, protocol: 'ws' | 'wss', remote: WsEnds): WsConnection {
    const host = this.host!;
    const id = host.connections.nextId(protocol);
    const c = new WsConnection(this, ws, id, {
      protocol,
      remoteAddress: remote.address,
      remotePort: remote.port,
      localAddress: remote.localAddress,
      localPort: remote.localPort,
      connectionId: id,
    });
    this.conns.add(c);
    this.keepAlive?.add(c);
    host.connections.add(c);
    this.counters.connectionsOpen++;
    this.logger.debug({ connectionId: id, remote: remote.address, port: remote.port }, 'connection open');
    return c;
  }
}

/** RFC 7118 §4.1: the server selects `sip` (the upgrade was refused earlier if it was not offered). */
function selectSip(protocols: Set<string>): string | false {
  return protocols.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false;
}

/** A plain HTTP request to a WebSocket-only port. */
function answerPlainHttp(_req: IncomingMessage, res: import('node:http').ServerResponse): void {
  res.writeHead(426, { Upgrade: 'websocket', Connection: 'close', 'Content-Type': 'text/plain' });
  res.end('SIP over WebSocket (RFC 7118): upgrade with Sec-WebSocket-Protocol: sip\n');
}
