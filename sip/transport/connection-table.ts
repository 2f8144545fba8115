import { remoteKey } from './address.ts';
import type { Destination, Source, TransportProtocol } from './types.ts';

/**
 * One open connection of a connection-oriented transport (TCP, TLS, WS, WSS), whether the
 * peer dialled it or we did. Responses and requests for a flow (RFC 5626) go back on it by id.
 */
export interface Connection {
  readonly id: string;
  /** where its messages come from: the same frozen object for every message */
  readonly source: Source;
  readonly isOpen: boolean;
  /** Writes one serialised message; rejects with TransportError('connection-closed') once closed. */
  sendBytes(data: Buffer, destination: Destination): Promise<void>;
  /** Closes at once; `reason` is counted (a fixed code, e.g. 'idle-timeout'). */
  close(reason: string): void;
}

/**
 * Open connections by id, and by remote address for reuse (RFC 3261 §18.1.1: a request to an
 * address with an open connection goes on it). Shared by every transport of one manager.
 */
export class ConnectionTable {
  private readonly byId = new Map<string, Connection>();
  private readonly byRemote = new Map<string, Connection>();
  /** extra remote keys of dialled connections (the host name dialled, when not the address) */
  private readonly aliases = new Map<Connection, string>();
  private seq = 0;
  /** Told when a connection leaves the table (closed by either side): RFC 5626 flow failure. */
  onRemove: ((c: Connection) => void) | undefined;
  /** Told when a connection joins the table (accepted or dialled). */
  onAdd: ((c: Connection) => void) | undefined;

  /** `prefix` makes ids unique across processes that share a store (e.g. a worker id). */
  constructor(private readonly prefix = '') {}

  nextId(protocol: TransportProtocol): string {
    return `${this.prefix}${protocol}-${++this.seq}`;
  }

  add(c: Connection): void {
    this.byId.set(c.id, c);
    const s = c.source;
    this.byRemote.set(remoteKey(s.protocol, s.remoteAddress, s.remotePort), c);
    this.onAdd?.(c);
  }

  /** Also finds `c` under the name it was dialled by (a host name resolved by the socket). */
  addAlias(c: Connection, protocol: TransportProtocol, address: string, port: number): void {
    const key = remoteKey(protocol, address, port);
    const s = c.source;
    if (key === remoteKey(s.protocol, s.remoteAddress, s.remotePort)) return;
    this.byRemote.set(key, c);
    this.aliases.set(c, key);
  }

  remove(c: Connection): void {
    const known = this.byId.get(c.id) === c;
    if (known) this.byId.delete(c.id);
    const s = c.source;
    const key = remoteKey(s.protocol, s.remoteAddress, s.remotePort);
    if (this.byRemote.get(key) === c) this.byRemote.delete(key);
    const alias = this.aliases.get(c);
    if (alias !== undefined) {
      this.aliases.delete(c);
      if (this.byRemote.get(alias) === c) this.byRemote.delete(alias);
    }
    if (known) this.onRemove?.(c);
  }

  get(id: string): Connection | undefined {
    return this.byId.get(id);
  }

  isAlive(id: string): boolean {
    return this.byId.get(id)?.isOpen === true;
  }

  /** An open connection to this remote end, if any. */
  find(protocol: TransportProtocol, address: string, port: number): Connection | undefined {
    const c = this.byRemote.get(remoteKey(protocol, address, port));
    return c?.isOpen ? c : undefined;
  }

  get size(): number {
    return this.byId.size;
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }
}
