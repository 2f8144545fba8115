/**
 * Fixed source addresses for many client connections on loopback. A socket bound to an address
 * with port 0 makes the kernel search the ephemeral range for a port free on every address bound
 * to it (inet_csk_find_open_port): with tens of thousands of sockets that search is most of the
 * load generator's CPU. Client `index` instead binds its own (address, port): ports 61000-65499,
 * above Linux's ephemeral range (32768-60999) and the harness's port blocks (10000-31999), on
 * addresses 127.1.x.y (any 127/8 address is local on Linux), one address per 4,500 clients.
 * libuv sets SO_REUSEADDR on the bind, so a pair left in TIME_WAIT by an earlier run toward
 * another server port is taken again.
 */

export const FIRST_SOURCE_PORT = 61_000;
export const SOURCE_PORTS = 4500;

export interface Source {
  readonly address: string;
  readonly port: number;
}

export function sourceOf(index: number): Source {
  const block = Math.floor(index / SOURCE_PORTS) + 1;
  return {
    address: `127.1.${(block >> 8) & 255}.${block & 255}`,
    port: FIRST_SOURCE_PORT + (index % SOURCE_PORTS),
  };
}
