import { createSocket, type RemoteInfo, type Socket, type SocketOptions } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { canonicalAddress } from './address.ts';
import { type Replier, receiveFrame } from './inbound.ts';
import type { CommonTransportOptions, SipTransport, TransportHost } from './sip-transport.ts';
import { TransportBase } from './sip-transport.ts';
import { type Destination, SENT, type Source, TransportError } from './types.ts';

export interface UdpTransportOptions extends CommonTransportOptions {
  /** address to bind (default '0.0.0.0'; an IPv6 address such as '::' makes an IPv6 socket) */
  host?: string;
  /** port to bind (default 5060; 0 picks a free one) */
  port?: number;
  /** with an IPv6 host: refuse IPv4 (default false: '::' is dual stack) */
  ipv6Only?: boolean;
  /** socket buffer sizes in octets (default: the OS's) */
  receiveBufferSize?: number;
  sendBufferSize?: number;
}

/** The largest UDP payload over IPv4 (65535 - 8 UDP - 20 IP header octets). */
export const MAX_DATAGRAM = 65507;

/**
 * The socket's per-datagram address lookup, answered at once for an address literal. Node's
 * default sends every datagram through dns.lookup, which answers a literal on the next tick:
 * an extra turn of the event loop per datagram (2-3 µs of CPU per datagram sent on its own,
 * `npx tsx bench/udp-send.ts`). Host names still go to dns.lookup.
 */
export const literalFirstLookup: NonNullable<SocketOptions['lookup']> = (hostname, options, callback) => {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dnsLookup(hostname, options, callback);
};

/**
 * SIP over UDP (RFC 3261 §18): one message per datagram, framed by the datagram (§18.3:
 * octets beyond Content-Length are ignored, a body shorter than it is a 400). A datagram
 * larger than maxMessageSize is dropped. Sends resolve once the datagram is handed to the
 * socket; errors the OS reports later are counted and logged (UDP has no delivery signal).
 */
export class UdpTransport extends TransportBase implements SipTransport, Replier {
  readonly protocol = 'udp' as const;
  private readonly options: UdpTransportOptions;
  private readonly family: 4 | 6;
  private socket: Socket | undefined = undefined;
  private local: { address: string; port: number } | undefined = undefined;

  constructor(options: UdpTransportOptions = {}) {
    super('udp', options, MAX_DATAGRAM);
    this.options = options;
    this.family = isIP(options.host ?? '0.0.0.0') === 6 ? 6 : 4;
  }

  /** 4 or 6; an IPv6 socket that is not ipv6Only also reaches IPv4 peers. */
  get ipFamily(): 4 | 6 {
    return this.family;
  }

  get dualStack(): boolean {
    return this.family === 6 && this.options.ipv6Only !== true;
  }

  async start(host: TransportHost): Promise<void> {
    this.host = host;
    const o = this.options;
    const socket = createSocket({
      type: this.family === 6 ? 'udp6' : 'udp4',
      lookup: literalFirstLookup,
      ipv6Only: o.ipv6Only ?? false,
      ...(o.receiveBufferSize === undefined ? {} : { recvBufferSize: o.receiveBufferSize }),
      ...(o.sendBufferSize === undefined ? {} : { sendBufferSize: o.sendBufferSize }),
    });
    socket.on('message', this.onMessage);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: o.host ?? '0.0.0.0', port: o.port ?? 5060 }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', this.onSocketError);
    const a = socket.address();
    this.local = { address: canonicalAddress(a.address), port: a.port };
    this.socket = socket;
    this.logger.info({ address: this.local }, 'listening');
  }

  address(): { address: string; port: number } | undefined {
    return this.local;
  }

  sendBytes(data: Buffer, destination: Destination): Promise<void> {
    const socket = this.socket;
    if (socket === undefined)
      return Promise.reject(new TransportError(`${this.name} is not running`, destination, 'no-transport'));
    if (data.length > MAX_DATAGRAM)
      return Promise.reject(
        new TransportError(`${data.length} octets do not fit in a UDP datagram`, destination, 'too-large'),
      );
    const address = this.peerAddress(destination.address);
    this.count(data);
    if (isIP(address) !== 0) {
      socket.send(data, destination.port, address, this.onSent);
      return SENT;
    }
    // A host name: the socket resolves it; report a failed lookup to the caller.
    return new Promise<void>((resolve, reject) => {
      socket.send(data, destination.port, address, (err) => {
        if (err === null || err === undefined) resolve();
        else
          reject(new TransportError(`cannot send to ${address}: ${err.message}`, destination, 'unreachable'));
      });
    });
  }

  replyBytes(data: Buffer, source: Source): void {
    const socket = this.socket;
    if (socket === undefined) return;
    this.count(data);
    socket.send(data, source.remotePort, this.peerAddress(source.remoteAddress), this.onSent);
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private count(data: Buffer): void {
    this.counters.messagesOut++;
    this.counters.bytesOut += data.length;
  }

  /** An IPv4 peer reached through a dual-stack IPv6 socket is written as IPv4-mapped. */
  private peerAddress(address: string): string {
    const a = canonicalAddress(address);
    return this.family === 6 && isIP(a) === 4 ? `::ffff:${a}` : a;
  }

  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    this.counters.bytesIn += msg.length;
    const local = this.local;
    if (local === undefined) return;
    if (msg.length > this.maxMessageSize) {
      this.drops.drop('too-large', 'warn', { remote: rinfo.address, port: rinfo.port, size: msg.length });
      return;
    }
    const first = msg[0];
    if (first !== undefined && first < 0x20 && first !== 0x0d) {
      // STUN keep-alives (RFC 5626 §4.4.2) and other binary traffic on the SIP port.
      this.drops.drop('not-sip', 'debug', { remote: rinfo.address, port: rinfo.port, size: msg.length });
      return;
    }
    const source: Source = {
      protocol: 'udp',
      remoteAddress: canonicalAddress(rinfo.address),
      remotePort: rinfo.port,
      localAddress: local.address,
      localPort: local.port,
      connectionId: undefined,
    };
    try {
      receiveFrame(this, msg, source, 'datagram', this);
    } catch (err) {
      this.logger.error({ err: (err as Error)?.stack ?? String(err) }, 'internal error');
    }
  };

  private readonly onSent = (err: Error | null): void => {
    if (err !== null && err !== undefined) this.drops.drop('send-failed', 'warn', { detail: err.message });
  };

  private readonly onSocketError = (err: Error): void => {
    this.logger.error({ err: err.message }, 'socket error');
  };
}
