import { type Clock, systemClock } from '../clock/clock.ts';
import type { SipMessage } from '../message/message.ts';
import { serialize } from '../message/serialize.ts';
import { formatVia } from '../message/via.ts';
import type { ParseFault } from '../parser/parse-fault.ts';
import { parseMessage } from '../parser/parse-message.ts';
import {
  type Destination,
  RELIABLE,
  type ReceivedMessage,
  type Source,
  type Transport,
  type TransportDelegate,
  TransportError,
  type TransportProtocol,
} from './types.ts';

/**
 * An in-memory network of SIP endpoints for tests (after pjsip's loopback transport). Every
 * message really goes through serialize and parseMessage (stream framing on reliable
 * protocols, datagram framing on UDP) and arrives asynchronously, on a timer of the network's
 * clock: with a FakeClock, `clock.advance(0)` delivers what is in flight, and losses, delays
 * and retransmissions interleave deterministically. Requests get `received`/`rport` as a
 * real transport adds them (RFC 3261 §18.2.1, RFC 3581 §4).
 *
 * Reliable protocols (tcp, tls, ws, wss) use connections: the first send between two
 * endpoints opens one (the opener's side has an ephemeral port), later sends reuse it, a send
 * with `connectionId` must use that open connection, and `closeConnection` breaks one.
 * UDP to an address nobody listens on is silently lost, as on a real network.
 */
export class LoopbackNetwork {
  readonly clock: Clock;
  private readonly endpoints = new Map<string, LoopbackEndpoint>();
  private readonly connections = new Map<string, LoopbackConnection>();
  private nextConnection = 1;
  private nextEphemeral = 49152;
  private flying = 0;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  /** An endpoint listening on address:port (for every protocol unless `protocols` says otherwise). */
  endpoint(options: LoopbackEndpointOptions): LoopbackEndpoint {
    const key = `${options.address}:${options.port}`;
    if (this.endpoints.has(key)) throw new Error(`an endpoint already listens on ${key}`);
    const ep = new LoopbackEndpoint(this, options);
    this.endpoints.set(key, ep);
    return ep;
  }

  /** Messages sent and not yet delivered. */
  get inFlight(): number {
    return this.flying;
  }

  /** Breaks a connection: later sends on it fail with 'connection-closed'. */
  closeConnection(id: string): void {
    const c = this.connections.get(id);
    if (c !== undefined) c.open = false;
  }

  /** Open connections, for assertions. */
  openConnections(): LoopbackConnection[] {
    return [...this.connections.values()].filter((c) => c.open);
  }

  /** @internal routing for LoopbackEndpoint.send */
  route(from: LoopbackEndpoint, d: Destination): Route | TransportError {
    if (!RELIABLE[d.protocol]) {
      const to = this.endpoints.get(`${d.address}:${d.port}`);
      if (to === undefined || !to.accepts(d.protocol))
        return { to: undefined, fromPort: from.port, conn: undefined };
      return { to, fromPort: from.port, conn: undefined };
    }
    if (d.connectionId !== undefined) {
      const c = this.connections.get(d.connectionId);
      if (c === undefined || !c.open || (c.opener !== from && c.acceptor !== from))
        return new TransportError(`connection ${d.connectionId} is closed`, d, 'connection-closed');
      const to = c.opener === from ? c.acceptor : c.opener;
      return { to, fromPort: c.opener === from ? c.openerPort : c.acceptor.port, conn: c };
    }
    const to = this.endpoints.get(`${d.address}:${d.port}`);
    if (to === undefined || !to.accepts(d.protocol))
      return new TransportError(`connection refused by ${d.address}:${d.port}`, d, 'unreachable');
    for (const c of this.connections.values()) {
      if (!c.open || c.protocol !== d.protocol) continue;
      if (c.opener === from && c.acceptor === to) return { to, fromPort: c.openerPort, conn: c };
      if (c.acceptor === from && c.opener === to) return { to, fromPort: from.port, conn: c };
    }
    const conn: LoopbackConnection = {
      id: `loopback-${d.protocol}-${this.nextConnection++}`,
      protocol: d.protocol,
      opener: from,
      openerPort: this.nextEphemeral++,
      acceptor: to,
      open: true,
    };
    this.connections.set(conn.id, conn);
    return { to, fromPort: conn.openerPort, conn };
  }

  /** @internal schedules one delivery on the clock */
  schedule(delay: number, deliver: () => void): void {
    this.flying++;
    this.clock.setTimer(delay, () => {
      this.flying--;
      deliver();
    });
  }
}

export interface LoopbackEndpointOptions {
  address: string;
  port: number;
  /** protocols it listens on; all when absent */
  protocols?: readonly TransportProtocol[];
}

export interface LoopbackConnection {
  id: string;
  protocol: TransportProtocol;
  opener: LoopbackEndpoint;
  /** the ephemeral port on the opener's side */
  openerPort: number;
  acceptor: LoopbackEndpoint;
  open: boolean;
}

interface Route {
  to: LoopbackEndpoint | undefined;
  fromPort: number;
  conn: LoopbackConnection | undefined;
}

/** A fault to inject into an endpoint's outgoing messages. */
export interface FaultRule {
  /** drop: lost; fail: send() rejects with TransportError; duplicate: delivered twice; delay: later */
  action: 'drop' | 'fail' | 'duplicate' | 'delay';
  /** the messages it applies to; all when absent */
  match?: (message: SipMessage, destination: Destination) => boolean;
  /** how many matching messages it applies to; unlimited when absent */
  times?: number;
  /** delay: ms added before delivery */
  delayMs?: number;
  /** fail: the TransportError kind; 'unreachable' when absent */
  errorKind?: TransportError['kind'];
}

export type Fate = 'delivered' | 'dropped' | 'failed' | 'lost';

/** One send() call, as recorded by the endpoint. */
export interface SentRecord {
  message: SipMessage;
  bytes: Buffer;
  destination: Destination;
  /** clock time of the send */
  at: number;
  /** delivered; dropped by a fault rule; failed (send rejected); lost (UDP to nobody) */
  fate: Fate;
}

/** One endpoint of a LoopbackNetwork; a Transport for the layer above it. */
export class LoopbackEndpoint implements Transport {
  readonly address: string;
  readonly port: number;
  delegate: TransportDelegate | undefined;
  /** every send() in order */
  readonly sent: SentRecord[] = [];
  /** every message handed to the delegate, in order */
  readonly received: ReceivedMessage[] = [];
  /** messages that arrived but did not parse (they are not handed up) */
  readonly rejected: ParseFault[] = [];
  private readonly network: LoopbackNetwork;
  private readonly protocols: readonly TransportProtocol[] | undefined;
  private rules: FaultRule[] = [];

  constructor(network: LoopbackNetwork, options: LoopbackEndpointOptions) {
    this.network = network;
    this.address = options.address;
    this.port = options.port;
    this.protocols = options.protocols;
  }

  accepts(protocol: TransportProtocol): boolean {
    return this.protocols === undefined || this.protocols.includes(protocol);
  }

  /** Adds a fault rule; returns a function that removes it. */
  inject(rule: FaultRule): () => void {
    const r = { ...rule };
    this.rules.push(r);
    return () => {
      this.rules = this.rules.filter((x) => x !== r);
    };
  }

  dropNext(n = 1, match?: FaultRule['match']): void {
    this.inject({ action: 'drop', times: n, match });
  }

  failNext(n = 1, errorKind: TransportError['kind'] = 'unreachable', match?: FaultRule['match']): void {
    this.inject({ action: 'fail', times: n, errorKind, match });
  }

  duplicateNext(n = 1, match?: FaultRule['match']): void {
    this.inject({ action: 'duplicate', times: n, match });
  }

  delayNext(delayMs: number, n = 1, match?: FaultRule['match']): void {
    this.inject({ action: 'delay', times: n, delayMs, match });
  }

  clearFaults(): void {
    this.rules = [];
  }

  send(message: SipMessage, destination: Destination): Promise<void> {
    return this.transmit(message, serialize(message), destination);
  }

  /** Sends bytes serialised earlier; they are parsed again for the record and the fault rules. */
  sendBytes(bytes: Buffer, destination: Destination): Promise<void> {
    const parsed = parseMessage(bytes, { framing: 'stream' });
    if (!parsed.ok)
      return Promise.reject(new TypeError(`sendBytes: not a SIP message (${parsed.fault.code})`));
    return this.transmit(parsed.message, bytes, destination);
  }

  private transmit(message: SipMessage, bytes: Buffer, destination: Destination): Promise<void> {
    const record: SentRecord = {
      message,
      bytes,
      destination,
      at: this.network.clock.now(),
      fate: 'delivered',
    };
    this.sent.push(record);
    let drop = false;
    let fail: TransportError['kind'] | undefined;
    let copies = 1;
    let delay = 0;
    for (const rule of this.rules) {
      if (rule.match !== undefined && !rule.match(message, destination)) continue;
      if (rule.times !== undefined) rule.times--;
      if (rule.action === 'drop') drop = true;
      else if (rule.action === 'fail') fail = rule.errorKind ?? 'unreachable';
      else if (rule.action === 'duplicate') copies = 2;
      else delay += rule.delayMs ?? 0;
    }
    this.rules = this.rules.filter((r) => r.times === undefined || r.times > 0);
    if (fail !== undefined) {
      record.fate = 'failed';
      return Promise.reject(new TransportError(`injected failure (${fail})`, destination, fail));
    }
    const route = this.network.route(this, destination);
    if (route instanceof TransportError) {
      record.fate = 'failed';
      return Promise.reject(route);
    }
    if (drop || route.to === undefined) {
      record.fate = drop ? 'dropped' : 'lost';
      return Promise.resolve();
    }
    const to = route.to;
    const source: Source = {
      protocol: destination.protocol,
      remoteAddress: this.address,
      remotePort: route.fromPort,
      localAddress: to.address,
      localPort: to.port,
      connectionId: route.conn?.id,
    };
    for (let i = 0; i < copies; i++) this.network.schedule(delay, () => to.arrive(bytes, source));
    return Promise.resolve();
  }

  /** @internal a message arrives from the network */
  arrive(bytes: Buffer, source: Source): void {
    const parsed = parseMessage(bytes, { framing: RELIABLE[source.protocol] ? 'stream' : 'datagram' });
    if (!parsed.ok) {
      this.rejected.push(parsed.fault);
      return;
    }
    const message = parsed.message;
    if (message.kind === 'request') stampVia(message, source);
    const rm: ReceivedMessage = { message, source, receivedAt: this.network.clock.now() };
    this.received.push(rm);
    this.delegate?.receiveMessage(rm);
  }
}

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4, as a real transport does on receipt: `received` when the
 * sent-by host is not the source address, `rport` filled in (with `received`) when present.
 */
function stampVia(message: SipMessage, source: Source): void {
  const via = message.topVia;
  const params = via.params.clone();
  const host = via.host.startsWith('[') ? via.host.slice(1, -1) : via.host;
  let changed = false;
  if (host !== source.remoteAddress) {
    params.set('received', source.remoteAddress);
    changed = true;
  }
  if (params.get('rport') === null) {
    params.set('rport', String(source.remotePort));
    params.set('received', source.remoteAddress);
    changed = true;
  }
  if (!changed) return;
  message.headers.removeFirstValue('via');
  message.headers.prepend('via', formatVia({ ...via, params }));
}

/** Two endpoints on one network: `a` at 192.0.2.1:5060, `b` at 192.0.2.2:5060 unless told otherwise. */
export function loopbackPair(
  options: { clock?: Clock; a?: LoopbackEndpointOptions; b?: LoopbackEndpointOptions } = {},
): { network: LoopbackNetwork; a: LoopbackEndpoint; b: LoopbackEndpoint } {
  const network = new LoopbackNetwork({ clock: options.clock });
  const a = network.endpoint(options.a ?? { address: '192.0.2.1', port: 5060 });
  const b = network.endpoint(options.b ?? { address: '192.0.2.2', port: 5060 });
  return { network, a, b };
}
