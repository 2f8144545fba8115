import { isIP } from 'node:net';
import type { SipMessage } from '../message/message.ts';
import { serialize } from '../message/serialize.ts';
import { type Connection, ConnectionTable } from './connection-table.ts';
import { snapshotCounters, type TransportCounters } from './counters.ts';
import { moduleLogger, silentLogger, type TransportLogger } from './logging.ts';
import type { SipTransport, TransportHost } from './sip-transport.ts';
import {
  type Destination,
  type ReceivedMessage,
  type Transport,
  type TransportDelegate,
  TransportError,
  type TransportProtocol,
} from './types.ts';
import { UdpTransport } from './udp.ts';

export interface TransportManagerOptions {
  /** the layer above (the transaction layer); may also be set later, before start() */
  delegate?: TransportDelegate;
  logger?: TransportLogger;
  /** prepended to every connection id (e.g. a worker id, so ids stay unique across workers) */
  connectionIdPrefix?: string;
}

/**
 * Owns the transports of one SIP element and implements the Transport contract for the layer
 * above: send() serialises a message once and picks the transport by the destination's
 * protocol; a destination with a connectionId goes on that connection or fails with
 * TransportError('connection-closed'). Keeps the connection table shared by all transports.
 */
export class TransportManager implements Transport, TransportHost {
  delegate: TransportDelegate | undefined;
  readonly connections: ConnectionTable;
  private readonly transports: SipTransport[] = [];
  private readonly running = new Set<SipTransport>();
  private readonly logger: TransportLogger;

  constructor(options: TransportManagerOptions = {}) {
    this.delegate = options.delegate;
    this.connections = new ConnectionTable(options.connectionIdPrefix ?? '');
    this.logger = moduleLogger(options.logger ?? silentLogger, 'sip.transport');
  }

  /** Adds a transport (started by the next start()); names must be unique. */
  add<T extends SipTransport>(transport: T): T {
    if (this.transports.some((t) => t.name === transport.name))
      throw new TypeError(
        `a transport named '${transport.name}' exists already: give each a distinct options.name`,
      );
    this.transports.push(transport);
    return transport;
  }

  /** Starts every transport added and not yet started. */
  async start(): Promise<void> {
    for (const t of this.transports) {
      if (this.running.has(t)) continue;
      await t.start(this);
      this.running.add(t);
    }
  }

  get list(): readonly SipTransport[] {
    return this.transports;
  }

  /** The transport with this name (options.name, default its protocol). */
  transport(name: string): SipTransport | undefined {
    return this.transports.find((t) => t.name === name);
  }

  receiveMessage(rm: ReceivedMessage): void {
    const d = this.delegate;
    if (d === undefined) {
      this.logger.error(
        { connectionId: rm.source.connectionId },
        'message received before a delegate was set',
      );
      return;
    }
    d.receiveMessage(rm);
  }

  send(message: SipMessage, destination: Destination): Promise<void> {
    return this.sendBytes(serialize(message), destination);
  }

  /** Sends a message serialised earlier (a transaction's retransmission). */
  sendBytes(bytes: Buffer, destination: Destination): Promise<void> {
    const id = destination.connectionId;
    if (id !== undefined) {
      const c = this.connections.get(id);
      if (c === undefined || !c.isOpen)
        return Promise.reject(
          new TransportError(`connection ${id} is closed`, destination, 'connection-closed'),
        );
      return c.sendBytes(bytes, destination);
    }
    const t = this.pick(destination);
    if (t === undefined)
      return Promise.reject(
        new TransportError(
          `no ${destination.protocol} transport for ${destination.address}`,
          destination,
          'no-transport',
        ),
      );
    return t.sendBytes(bytes, destination);
  }

  /** Whether the connection is still open (flows of RFC 5626 ask this). */
  isAlive(connectionId: string): boolean {
    return this.connections.isAlive(connectionId);
  }

  connection(connectionId: string): Connection | undefined {
    return this.connections.get(connectionId);
  }

  /** A snapshot of every transport's counters, keyed by transport name. */
  counters(): Record<string, TransportCounters> {
    const out: Record<string, TransportCounters> = {};
    for (const t of this.transports) out[t.name] = snapshotCounters(t.counters);
    return out;
  }

  /** Stops every transport: listeners closed, connections closed, timers cleared. */
  async stop(): Promise<void> {
    const running = [...this.running];
    this.running.clear();
    await Promise.all(running.map((t) => t.stop()));
  }

  private pick(d: Destination): SipTransport | undefined {
    let fallback: SipTransport | undefined;
    for (const t of this.running) {
      if (t.protocol === d.protocol) {
        if (!(t instanceof UdpTransport)) return t;
        const family = isIP(d.address);
        if (family === 0 || family === t.ipFamily) return t;
        if (family === 4 && t.dualStack) fallback ??= t;
      } else if (isWebSocket(t.protocol) && isWebSocket(d.protocol)) {
        fallback ??= t; // a WS transport dials both ws:// and wss://
      }
    }
    return fallback;
  }
}

function isWebSocket(p: TransportProtocol): boolean {
  return p === 'ws' || p === 'wss';
}
