import type { Socket } from 'node:net';
import { serialize } from '../message/serialize.ts';
import { parseMessage } from '../parser/parse-message.ts';
import { canonicalAddress } from './address.ts';
import type { Connection } from './connection-table.ts';
import { countClose } from './counters.ts';
import { faultResponse } from './fault-response.ts';
import { type InboundContext, type Replier, receiveFrame } from './inbound.ts';
import { type FrameSink, type FramingFault, StreamFramer } from './stream-framer.ts';
import { type Destination, SENT, type Source, TransportError, type TransportProtocol } from './types.ts';

const CRLF = Buffer.from('\r\n', 'latin1');
const CONNECTION = Symbol('sip.connection');

/** What a connection needs from its transport. */
export interface StreamOwner extends InboundContext {
  readonly maxMessageSize: number;
  readonly maxBufferedBytes: number;
  connectionClosed(c: StreamConnection, reason: string): void;
}

type TaggedSocket = Socket & { [CONNECTION]?: StreamConnection };

/**
 * One TCP or TLS connection: a socket, its framer and the times the idle sweep looks at.
 * Socket events go to shared handlers (no closures per connection or per message).
 */
export class StreamConnection implements Connection, FrameSink, Replier {
  readonly id: string;
  readonly source: Source;
  /** clock time of the last octet received or sent */
  lastActivity: number;
  /** clock time the pending incomplete message began, or -1 */
  partialSince = -1;
  private readonly framer: StreamFramer;
  private open = true;
  private finished = false;
  private closeReason = 'peer-closed';

  constructor(
    private readonly owner: StreamOwner,
    private readonly socket: Socket,
    id: string,
    protocol: TransportProtocol,
  ) {
    this.id = id;
    this.source = Object.freeze({
      protocol,
      remoteAddress: canonicalAddress(socket.remoteAddress ?? ''),
      remotePort: socket.remotePort ?? 0,
      localAddress: canonicalAddress(socket.localAddress ?? ''),
      localPort: socket.localPort ?? 0,
      connectionId: id,
    });
    this.framer = new StreamFramer(this, owner.maxMessageSize);
    this.lastActivity = owner.clock.now();
    (socket as TaggedSocket)[CONNECTION] = this;
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.setNoDelay(true);
  }

  get isOpen(): boolean {
    return this.open;
  }

  sendBytes(data: Buffer, destination: Destination): Promise<void> {
    if (!this.open || this.socket.destroyed)
      return Promise.reject(
        new TransportError(`connection ${this.id} is closed`, destination, 'connection-closed'),
      );
    if (this.socket.writableLength > this.owner.maxBufferedBytes) {
      // The peer does not read: do not queue without bound.
      this.close('send-backlog');
      return Promise.reject(
        new TransportError(
          `connection ${this.id} is not draining its send queue`,
          destination,
          'connection-closed',
        ),
      );
    }
    this.write(data);
    return SENT;
  }

  replyBytes(data: Buffer): void {
    if (this.open) this.write(data);
  }

  /** Closes at once (also a connection already half-closed after a framing fault). */
  close(reason: string): void {
    if (this.finished) return;
    if (this.open) {
      this.open = false;
      this.closeReason = reason;
    }
    this.framer.stop();
    this.socket.destroy();
  }

  receiveData(chunk: Buffer): void {
    this.owner.counters.bytesIn += chunk.length;
    if (!this.open) return; // closing: what still arrives neither counts as activity nor is read
    this.lastActivity = this.owner.clock.now();
    this.framer.push(chunk);
    if (!this.open) return;
    if (this.framer.pendingBytes === 0) this.partialSince = -1;
    else if (this.partialSince < 0) this.partialSince = this.lastActivity;
  }

  receiveFrame(frame: Buffer): void {
    if (this.open) receiveFrame(this.owner, frame, this.source, 'stream', this);
  }

  receivePing(): void {
    this.owner.counters.keepAlivePings++;
    if (this.open) this.socket.write(CRLF);
  }

  /** Framing is lost (RFC 3261 §18.3): answer a readable request with 400, then close. */
  receiveFramingFault(fault: FramingFault): void {
    const reason = `framing-${fault.code}`;
    this.owner.drops.drop(reason, 'warn', {
      detail: fault.reason,
      remote: this.source.remoteAddress,
      port: this.source.remotePort,
      connectionId: this.id,
    });
    const answer = this.open ? this.framingAnswer(fault) : undefined;
    if (answer === undefined) {
      this.close(reason);
      return;
    }
    this.open = false;
    this.closeReason = reason;
    this.owner.counters.errorResponses++;
    this.count(answer);
    // end() flushes the answer, then closes; a peer that keeps its side open is cut by the
    // sweep once the incomplete-message limit has passed.
    this.partialSince = this.owner.clock.now();
    this.socket.end(answer);
  }

  /** A bug below the delegate: log it and drop the connection rather than the process. */
  internalError(err: unknown): void {
    this.owner.logger.error(
      { err: (err as Error)?.stack ?? String(err), connectionId: this.id },
      'internal error',
    );
    this.close('internal-error');
  }

  socketError(err: Error): void {
    if (this.open) {
      this.open = false;
      this.closeReason = 'socket-error';
    }
    const code = (err as NodeJS.ErrnoException).code;
    this.owner.logger.debug(
      { err: err.message, code, connectionId: this.id, remote: this.source.remoteAddress },
      'connection error',
    );
  }

  /** The socket is gone: count and unregister, once (from the 'close' event). */
  closed(): void {
    if (this.finished) return;
    this.finished = true;
    this.open = false;
    this.framer.stop();
    countClose(this.owner.counters, this.closeReason);
    this.owner.connectionClosed(this, this.closeReason);
  }

  private framingAnswer(fault: FramingFault): Buffer | undefined {
    if (fault.head === undefined) return undefined;
    const r = parseMessage(fault.head, { framing: 'datagram' });
    const request = r.ok ? (r.message.kind === 'request' ? r.message : undefined) : r.fault.partial;
    if (request === undefined) return undefined;
    const resp = faultResponse(
      { code: 'content-length', status: 400, reason: fault.reason, partial: request },
      this.source.remoteAddress,
      this.source.remotePort,
    );
    return resp === undefined ? undefined : serialize(resp);
  }

  private write(data: Buffer): void {
    this.count(data);
    this.lastActivity = this.owner.clock.now();
    this.socket.write(data);
  }

  private count(data: Buffer): void {
    this.owner.counters.messagesOut++;
    this.owner.counters.bytesOut += data.length;
  }
}

function connectionOf(s: Socket): StreamConnection | undefined {
  return (s as TaggedSocket)[CONNECTION];
}

function onData(this: Socket, chunk: Buffer): void {
  const c = connectionOf(this);
  if (c === undefined) return;
  try {
    c.receiveData(chunk);
  } catch (err) {
    c.internalError(err);
  }
}

function onError(this: Socket, err: Error): void {
  connectionOf(this)?.socketError(err);
}

function onClose(this: Socket): void {
  connectionOf(this)?.closed();
}
