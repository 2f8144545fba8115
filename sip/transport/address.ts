import { isIP } from 'node:net';

/**
 * One spelling per address, so that a Via sent-by, a socket's remote address and a send
 * destination compare equal when they name the same host: brackets and zone ids dropped,
 * IPv4-mapped IPv6 (`::ffff:192.0.2.1`, as dual-stack sockets report IPv4 peers) turned back
 * into IPv4, IPv6 compressed and lower case (RFC 5952), domain names lower case.
 */
export function canonicalAddress(address: string): string {
  let a = address;
  if (a.charCodeAt(0) === 0x5b && a.charCodeAt(a.length - 1) === 0x5d) a = a.slice(1, -1);
  if (a.indexOf(':') < 0) return a.toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.length > 7 && a.slice(0, 7).toLowerCase() === '::ffff:' && isIP(a.slice(7)) === 4) return a.slice(7);
  if (isIP(a) !== 6) return a;
  // WHATWG URL serialises IPv6 hosts in the RFC 5952 form.
  const host = new URL(`http://[${a}]/`).hostname;
  return host.slice(1, -1);
}

/** Whether two addresses name the same host (see canonicalAddress). */
export function sameAddress(a: string, b: string): boolean {
  return a === b || canonicalAddress(a) === canonicalAddress(b);
}

/** The key of a remote end in the connection table. */
export function remoteKey(protocol: string, address: string, port: number): string {
  return `${protocol} ${canonicalAddress(address)} ${port}`;
}

/** `[v6]` for URLs and Via sent-by, the address itself otherwise. */
export function hostForUrl(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}
