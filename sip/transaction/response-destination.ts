import type { Via } from '../message/via.ts';
import { type Destination, RELIABLE, type Source } from '../transport/types.ts';

/**
 * Where a server sends its responses (RFC 3261 §18.2.2, RFC 3581 §4). The inputs are the top
 * Via of the request as the transport handed it up (with the `received` and `rport` values
 * the transport added on receipt, RFC 3261 §18.2.1, RFC 3581 §4) and the request's Source.
 *
 * - Reliable transport: back on the connection the request came in on.
 * - `maddr` present: to that address, at the sent-by port or 5060 (the multicast TTL is the
 *   transport's concern and is not carried in a Destination).
 * - `rport` with a value (RFC 3581): to `received` (or the source address) at that port.
 * - `received` present: to that address, at the sent-by port or 5060.
 * - Otherwise: to the sent-by host and port. A host name is handed to the transport as is;
 *   resolving it (RFC 3263 §5) is below this layer.
 */
export function responseDestination(via: Via, source: Source): Destination {
  const protocol = source.protocol;
  if (RELIABLE[protocol]) {
    const d: Destination = { protocol, address: source.remoteAddress, port: source.remotePort };
    if (source.connectionId !== undefined) d.connectionId = source.connectionId;
    return d;
  }
  const maddr = via.params.value('maddr');
  if (maddr !== undefined) return { protocol, address: bare(maddr), port: via.port ?? defaultPort(protocol) };
  const received = via.params.value('received');
  const rport = via.params.get('rport');
  if (rport !== undefined) {
    const port = rport === null ? source.remotePort : Number(rport);
    return {
      protocol,
      address: received !== undefined ? bare(received) : source.remoteAddress,
      port: Number.isInteger(port) && port > 0 && port < 65536 ? port : source.remotePort,
    };
  }
  if (received !== undefined)
    return { protocol, address: bare(received), port: via.port ?? defaultPort(protocol) };
  return { protocol, address: bare(via.host), port: via.port ?? defaultPort(protocol) };
}

/**
 * The second try of RFC 3261 §18.2.2 when the connection a request came in on is gone: a new
 * connection to `received` (or the sent-by host) at the sent-by port or the transport's
 * default. Only for TCP and TLS: a WebSocket client cannot accept connections (RFC 7118 §5),
 * and unreliable transports have no connection to lose.
 */
export function responseFallback(via: Via, source: Source): Destination | undefined {
  const protocol = source.protocol;
  if (protocol !== 'tcp' && protocol !== 'tls') return undefined;
  const received = via.params.value('received');
  return {
    protocol,
    address: bare(received ?? via.host),
    port: via.port ?? defaultPort(protocol),
  };
}

function defaultPort(protocol: Destination['protocol']): number {
  return protocol === 'tls' ? 5061 : 5060;
}

/** An IPv6 reference as a socket address: without its brackets. */
function bare(host: string): string {
  return host.charCodeAt(0) === 0x5b && host.charCodeAt(host.length - 1) === 0x5d ? host.slice(1, -1) : host;
}
