/**
 * Free loopback ports for peers, without collisions between parallel test workers.
 *
 * The range [firstPort, firstPort + blockSize * blockCount) lies below Linux's ephemeral range
 * (32768-60999), so the kernel never hands these ports out to outgoing sockets. It is cut into
 * blocks. An allocator claims one block by listening on the block's first port (the anchor) and
 * holding that socket: the claim is exclusive across processes and vanishes with the process,
 * so there are no lock files to go stale. Inside its block the allocator hands out ports round
 * robin, each bind-probed first (skipping ports something else holds), so a released port is
 * not handed out again until the whole block has cycled — long after its last user is gone.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';

export type PortKind = 'tcp' | 'udp' | 'both';

export interface PortRange {
  readonly min: number;
  readonly max: number;
}

export interface PortAllocatorOptions {
  readonly host?: string;
  readonly firstPort?: number;
  readonly blockSize?: number;
  readonly blockCount?: number;
}

const DEFAULTS = { host: '127.0.0.1', firstPort: 10_000, blockSize: 1_000, blockCount: 22 } as const;

export class PortAllocator {
  readonly host: string;
  readonly block: PortRange;
  readonly #anchor: Server;
  readonly #leased = new Set<number>();
  #cursor: number;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(host: string, block: PortRange, anchor: Server) {
    this.host = host;
    this.block = block;
    this.#anchor = anchor;
    this.#cursor = block.min;
  }

  /** Claims a block of ports for this allocator; close() gives it back. */
  static async open(options: PortAllocatorOptions = {}): Promise<PortAllocator> {
    const host = options.host ?? DEFAULTS.host;
    const firstPort = options.firstPort ?? DEFAULTS.firstPort;
    const blockSize = options.blockSize ?? DEFAULTS.blockSize;
    const blockCount = options.blockCount ?? DEFAULTS.blockCount;
    // Start the search at a different block in each process to avoid contention on block 0.
    const start = process.pid % blockCount;
    for (let i = 0; i < blockCount; i++) {
      const index = (start + i) % blockCount;
      const anchorPort = firstPort + index * blockSize;
      const anchor = await listenTcp(host, anchorPort);
      if (anchor === undefined) continue;
      anchor.unref();
      return new PortAllocator(host, { min: anchorPort + 1, max: anchorPort + blockSize - 1 }, anchor);
    }
    throw new Error(
      `no free port block: all ${blockCount} blocks of ${blockSize} ports from ${firstPort} on ${host} are claimed`,
    );
  }

  /** A port free for both TCP and UDP (SIP peers listen on both). */
  port(kind: PortKind = 'both'): Promise<number> {
    return this.range(1, kind).then((r) => r.min);
  }

  tcp(): Promise<number> {
    return this.port('tcp');
  }

  udp(): Promise<number> {
    return this.port('udp');
  }

  /** `count` consecutive free ports, e.g. a media port range for rtpengine or coturn relays. */
  range(count: number, kind: PortKind = 'udp'): Promise<PortRange> {
    // Serialised: concurrent callers (peers started with Promise.all) must not probe the same ports.
    const next = this.#queue.then(() => this.#allocate(count, kind));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #allocate(count: number, kind: PortKind): Promise<PortRange> {
    this.#assertOpen();
    const size = this.block.max - this.block.min + 1;
    if (!Number.isInteger(count) || count < 1 || count > size) {
      throw new RangeError(`port range of ${count} does not fit a block of ${size}`);
    }
    let scanned = 0;
    let start = this.#cursor;
    while (scanned < size) {
      if (start + count - 1 > this.block.max) {
        scanned += this.block.max - start + 1;
        start = this.block.min;
        continue;
      }
      const busy = await this.#firstBusy(start, count, kind);
      if (busy === undefined) {
        for (let p = start; p < start + count; p++) this.#leased.add(p);
        this.#cursor = start + count > this.block.max ? this.block.min : start + count;
        return { min: start, max: start + count - 1 };
      }
      scanned += busy - start + 1;
      start = busy + 1 > this.block.max ? this.block.min : busy + 1;
    }
    throw new Error(`no ${count} consecutive free ${kind} ports in ${this.block.min}-${this.block.max}`);
  }

  /** Gives ports back; they are handed out again only after the block has cycled. */
  release(ports: number | PortRange): void {
    const range = typeof ports === 'number' ? { min: ports, max: ports } : ports;
    for (let p = range.min; p <= range.max; p++) this.#leased.delete(p);
  }

  /** Gives the block back. Ports already handed out stay usable by whoever holds them. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => this.#anchor.close(() => resolve()));
  }

  async #firstBusy(start: number, count: number, kind: PortKind): Promise<number | undefined> {
    for (let p = start; p < start + count; p++) {
      if (this.#leased.has(p) || !(await isPortFree(p, kind, this.host))) return p;
    }
    return undefined;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('PortAllocator is closed');
  }
}

/** True when nothing holds the port: a bind on host:port succeeds for the given protocol(s). */
export async function isPortFree(
  port: number,
  kind: PortKind = 'both',
  host: string = DEFAULTS.host,
): Promise<boolean> {
  if (kind !== 'udp') {
    const server = await listenTcp(host, port);
    if (server === undefined) return false;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  if (kind !== 'tcp') {
    if (!(await bindUdp(host, port))) return false;
  }
  return true;
}

function listenTcp(host: string, port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

function bindUdp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.close(() => resolve(true));
    });
  });
}
