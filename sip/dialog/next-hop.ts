import type { Destination, TransportProtocol } from '../transport/types.ts';
import type { Uri } from '../uri/uri.ts';
import { isSipUri } from '../uri/uri.ts';

const PROTOCOLS: Record<string, TransportProtocol> = {
  udp: 'udp',
  tcp: 'tcp',
  tls: 'tls',
  ws: 'ws',
  wss: 'wss',
};

/**
 * Where to send a request whose next hop is `uri` (the first Route, or the Request-URI when there
 * is none): RFC 3263 §4 reduced to what needs no DNS. The transport is the `transport` parameter,
 * TLS for a sips URI, otherwise `fallback` (UDP by default); the port is the URI's or the
 * protocol's default; the host is used as written (an IPv6 reference loses its brackets). SRV
 * and NAPTR lookups are not done. Returns a fault string for URIs that cannot be a next hop.
 */
export function nextHopDestination(uri: Uri, fallback: TransportProtocol = 'udp'): Destination | string {
  if (!isSipUri(uri)) return `a ${uri.scheme} URI cannot be a next hop`;
  const param = uri.params.value('transport')?.toLowerCase();
  let protocol: TransportProtocol = uri.scheme === 'sips' ? 'tls' : fallback;
  if (param !== undefined) {
    const p = PROTOCOLS[param];
    if (p === undefined) return `transport '${param}' is not supported`;
    protocol = uri.scheme === 'sips' && p === 'tcp' ? 'tls' : p;
  }
  const host = uri.host.startsWith('[') ? uri.host.slice(1, -1) : uri.host;
  const port = uri.port ?? (protocol === 'tls' || protocol === 'wss' ? 5061 : 5060);
  return { protocol, address: host, port };
}
