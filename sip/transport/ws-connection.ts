import { isUtf8 } from 'node:buffer';
import type { RawData, WebSocket } from 'ws';
import type { Connection } from './connection-table.ts';
import { countClose } from './counters.ts';
import { type InboundContext, type Replier, receiveFrame } from './inbound.ts';
import { type Destination, SENT, type Source, TransportError } from './types.ts';
import type { KeepAliveMember } from './ws-keep-alive.ts';

const CONNECTION = Symbol('sip.connection');
const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;
const CRLF = Buffer.from('\r\n', 'latin1');
const OPEN = 1;

/** What a WebSocket connection needs from its transport. */
export interface WsOwner extends InboundContext {
  readonly maxBufferedBytes: number;
  connectionClosed(c: WsConnection, reason: string): void;
}

type TaggedWs = WebSocket & { [CONNECTION]?: WsConnection };

/**
 * One SIP WebSocket connection (RFC 7118), server or client side. One WebSocket message is one
 * SIP message (§5.1), text or binary (§4.2). Socket events go to shared handlers.
 */
export class WsConnection implements Connection, Replier, KeepAliveMember {
  /** the KeepAliveWheel slot this connection is checked in; -1 outside the wheel */
  keepAliveSlot = -1;
  /** the peer sent a message since the last keep-alive check (the handshake does not count) */
  private heard = false;
  /** the last keep-alive check sent a ping that neither a pong nor a message has answered */
  private pingOutstanding = false;
  private open = true;
  private finished = false;
  private closeReason = 'peer-closed';

  constructor(
    private readonly owner: WsOwner,
    private readonly ws: WebSocket,
    readonly id: string,
    readonly source: Source,
  ) {
    Object.freeze(source);
    (ws as TaggedWs)[CONNECTION] = this;
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('error', onError);
    ws.on('close', onClose);
  }

  get isOpen(): boolean {
    return this.open;
  }

  sendBytes(data: Buffer, destination: Destination): Promise<void> {
    if (!this.open || this.ws.readyState !== OPEN)
      return Promise.reject(
        new TransportError(`connection ${this.id} is closed`, destination, 'connection-closed'),
      );
    if (this.ws.bufferedAmount > this.owner.maxBufferedBytes) {
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
    if (this.open && this.ws.readyState === OPEN) this.write(data);
  }

  close(reason: string): void {
    if (this.finished) return;
    if (this.open) {
      this.open = false;
      this.closeReason = reason;
    }
    this.ws.terminate();
  }

  /**
   * One keep-alive check, once per ping interval (RFC 7118 §6, RFC 6455 §5.5.2): a connection
   * pinged at the previous check that answered with neither a pong nor a message is closed, so
   * a connection is closed only after a full interval of silence following a ping.
   *
   * Choice: a connection whose peer sent a message since the previous check is alive and is not
   * pinged (Kamailio, too, pings only idle connections). The server's ping is not what keeps the
   * client's NAT binding: the client's own traffic is (REGISTER refreshes, CRLF or WebSocket
   * keep-alives, RFC 5626 §4.4.1). A pong, which only answers our ping of one interval ago,
   * clears that ping but does not spare the next one, so an idle connection is pinged every
   * interval and a dead idle one is closed one to two intervals after its last pong, as before.
   * The cost: one that dies right after sending a message is closed two to three intervals later.
   */
  keepAlive(): void {
    if (this.heard) {
      this.heard = false;
      this.pingOutstanding = false;
      return;
    }
    if (this.pingOutstanding) {
      this.close('ping-timeout');
      return;
    }
    this.pingOutstanding = true;
    if (this.ws.readyState === OPEN) this.ws.ping();
  }

  receiveMessage(data: Buffer): void {
    this.owner.counters.bytesIn += data.length;
    this.heard = true;
    if (!this.open) return;
    if (isCrlfOnly(data)) {
      // SIP.js-style CRLF keep-alive over WebSocket: answer a double CRLF (RFC 5626 §3.5.1).
      if (data.length >= 4) {
        this.owner.counters.keepAlivePings++;
        this.ws.send(CRLF, TEXT);
      }
      return;
    }
    receiveFrame(this.owner, data, this.source, 'datagram', this);
  }

  receivePong(): void {
    this.pingOutstanding = false;
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
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'message-too-large' : 'ws-error';
    if (reason === 'message-too-large')
      this.owner.drops.drop('message-too-large', 'warn', {
        connectionId: this.id,
        remote: this.source.remoteAddress,
      });
    else this.owner.logger.debug({ err: err.message, code, connectionId: this.id }, 'websocket error');
    if (this.open) {
      this.open = false;
      this.closeReason = reason;
    }
  }

  closed(): void {
    if (this.finished) return;
    this.finished = true;
    this.open = false;
    countClose(this.owner.counters, this.closeReason);
    this.owner.connectionClosed(this, this.closeReason);
  }

  /** RFC 7118 §4.2: text frames unless the message is not valid UTF-8. */
  private write(data: Buffer): void {
    this.owner.counters.messagesOut++;
    this.owner.counters.bytesOut += data.length;
    this.ws.send(data, isUtf8(data) ? TEXT : BINARY);
  }
}

function isCrlfOnly(b: Buffer): boolean {
  if (b.length === 0 || b.length % 2 !== 0 || b.length > 8) return false;
  for (let i = 0; i < b.length; i += 2) if (b[i] !== 0x0d || b[i + 1] !== 0x0a) return false;
  return true;
}

function connectionOf(ws: WebSocket): WsConnection | undefined {
  return (ws as TaggedWs)[CONNECTION];
}

function onMessage(this: WebSocket, data: RawData): void {
  const c = connectionOf(this);
  if (c === undefined) return;
  const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  try {
    c.receiveMessage(buf);
  } catch (err) {
    c.internalError(err);
  }
}

function onPong(this: WebSocket): void {
  connectionOf(this)?.receivePong();
}

function onError(this: WebSocket, err: Error): void {
  connectionOf(this)?.socketError(err);
}

function onClose(this: WebSocket): void {
  connectionOf(this)?.closed();
}
