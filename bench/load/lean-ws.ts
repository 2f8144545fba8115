/**
 * A lean WebSocket client (RFC 6455) for the load generator's SIP clients (RFC 7118): an HTTP/1.1
 * upgrade written by hand on a TCP (or TLS) socket, the 101 checked (Sec-WebSocket-Accept and the
 * `sip` subprotocol), then text frames out (masked, as a client must, §5.3) and whole messages
 * in. It answers pings and the server's close. No extensions, no HTTP machinery, no streams: a
 * fraction of the `ws` client's CPU and memory per connection, which is what lets a few load
 * processes open 100,000 connections in minutes. The server sees the same bytes as from `ws`.
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
/** messages from the server larger than this close the connection */
const MAX_MESSAGE = 1 << 20;

export interface LeanWsOptions {
  /** ws://host:port/path or wss://... (any certificate is trusted) */
  readonly url: string;
  readonly protocol: string;
  readonly origin: string;
  readonly localAddress?: string | undefined;
  /** with localAddress: bind this port too (0 or absent: the kernel picks one) */
  readonly localPort?: number | undefined;
  readonly handshakeTimeoutMs: number;
}

export interface LeanWsHandlers {
  /** a whole text or binary message, as latin1 text */
  onMessage(text: string): void;
  /** the connection ended (after the handshake succeeded) */
  onClose(): void;
}

/** Random bytes for the frame masks, refilled in blocks. */
const maskPool = Buffer.allocUnsafe(4096);
let maskAt = maskPool.length;

function nextMask(): Buffer {
  if (maskAt + 4 > maskPool.length) {
    randomFillSync(maskPool);
    maskAt = 0;
  }
  const m = maskPool.subarray(maskAt, maskAt + 4);
  maskAt += 4;
  return m;
}

/** One client frame: FIN, opcode, masked payload. */
function frame(opcode: number, payload: Buffer | string): Buffer {
  const len = typeof payload === 'string' ? Buffer.byteLength(payload, 'latin1') : payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(0, 2);
    out.writeUInt32BE(len, 6);
  }
  const mask = nextMask();
  mask.copy(out, head);
  const at = head + 4;
  if (typeof payload === 'string') out.write(payload, at, 'latin1');
  else payload.copy(out, at);
  for (let i = 0; i < len; i++) out[at + i] = (out[at + i] ?? 0) ^ (mask[i & 3] ?? 0);
  return out;
}

export class LeanWebSocket {
  private buffered: Buffer | undefined;
  private fragments: Buffer[] = [];
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly handlers: LeanWsHandlers,
  ) {}

  /** Opens the connection and completes the handshake; rejects with the reason it failed. */
  static connect(o: LeanWsOptions, handlers: LeanWsHandlers): Promise<LeanWebSocket> {
    const url = new URL(o.url);
    const secure = url.protocol === 'wss:';
    const port = Number(url.port || (secure ? 443 : 80));
    const host = url.hostname;
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    const request =
      `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Protocol: ${o.protocol}\r\nOrigin: ${o.origin}\r\n\r\n`;
    const local =
      o.localAddress === undefined
        ? {}
        : { localAddress: o.localAddress, ...(o.localPort ? { localPort: o.localPort } : {}) };
    const socket: Socket = secure
      ? connectTls({ host, port, rejectUnauthorized: false, ...local })
      : connectTcp({ host, port, ...local });
    socket.setNoDelay(true);
    return new Promise((resolve, reject) => {
      let head = '';
      const fail = (reason: string): void => {
        clearTimeout(timer);
        socket.removeAllListeners('data');
        socket.destroy();
        reject(new Error(reason));
      };
      const timer = setTimeout(() => fail('Opening handshake has timed out'), o.handshakeTimeoutMs);
      socket.once(secure ? 'secureConnect' : 'connect', () => socket.write(request, 'latin1'));
      socket.once('error', (err) => fail(err.message));
      socket.once('close', () => fail('connection closed during the handshake'));
      const onHead = (chunk: Buffer): void => {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > 8192) fail('handshake response too long');
          return;
        }
        const problem = checkHandshake(head.slice(0, end), accept, o.protocol);
        if (problem !== undefined) {
          fail(problem);
          return;
        }
        clearTimeout(timer);
        socket.removeListener('data', onHead);
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        const ws = new LeanWebSocket(socket, handlers);
        socket.on('data', (d: Buffer) => ws.receive(d));
        socket.on('error', () => socket.destroy());
        socket.once('close', () => ws.ended());
        resolve(ws);
        const rest = Buffer.from(head.slice(end + 4), 'latin1');
        if (rest.length > 0) ws.receive(rest);
      };
      socket.on('data', onHead);
    });
  }

  /** Sends one text message (SIP over WebSocket: one SIP message per frame). */
  send(text: string): void {
    if (!this.closed) this.socket.write(frame(OP_TEXT, text));
  }

  /** Drops the connection without a closing handshake. */
  terminate(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private ended(): void {
    this.closed = true;
    this.handlers.onClose();
  }

  private receive(chunk: Buffer): void {
    let buf = this.buffered === undefined ? chunk : Buffer.concat([this.buffered, chunk]);
    this.buffered = undefined;
    while (buf.length >= 2) {
      const b0 = buf[0] ?? 0;
      const b1 = buf[1] ?? 0;
      let len = b1 & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) break;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buf.length < 10) break;
        len = buf.readUInt32BE(2) * 2 ** 32 + buf.readUInt32BE(6);
        at = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      if (masked) at += 4;
      if (len > MAX_MESSAGE) {
        this.terminate();
        return;
      }
      if (buf.length < at + len) break;
      let payload = buf.subarray(at, at + len);
      if (masked) {
        const mask = buf.subarray(at - 4, at);
        payload = Buffer.from(payload);
        for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i & 3] ?? 0);
      }
      this.frameIn((b0 & 0x80) !== 0, b0 & 0x0f, payload);
      buf = buf.subarray(at + len);
    }
    if (buf.length > 0) this.buffered = Buffer.from(buf);
  }

  private frameIn(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === OP_PING) {
      this.socket.write(frame(0xa, payload));
      return;
    }
    if (opcode === OP_CLOSE) {
      if (!this.closed) {
        this.closed = true;
        this.socket.end(frame(OP_CLOSE, payload.subarray(0, 2)));
      }
      return;
    }
    if (opcode !== OP_TEXT && opcode !== OP_BINARY && opcode !== OP_CONTINUATION) return; // pong
    if (!fin) {
      this.fragments.push(Buffer.from(payload));
      return;
    }
    if (this.fragments.length > 0) {
      this.fragments.push(payload);
      payload = Buffer.concat(this.fragments);
      this.fragments = [];
    }
    this.handlers.onMessage(payload.toString('latin1'));
  }
}

/** What is wrong with the server's handshake response, or undefined. */
function checkHandshake(head: string, accept: string, protocol: string): string | undefined {
  const lines = head.split('\r\n');
  const status = lines[0] ?? '';
  if (!/^HTTP\/1\.1 101\b/.test(status)) return `Unexpected server response: ${status.slice(9, 12)}`;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (headers.get('sec-websocket-accept') !== accept) return 'Invalid Sec-WebSocket-Accept header';
  if (headers.get('sec-websocket-protocol') !== protocol) return 'Server sent no subprotocol';
  return undefined;
}
