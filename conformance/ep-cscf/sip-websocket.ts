/**
 * A raw SIP WebSocket client for conformance tests (RFC 7118 client side, no SIP stack): opens
 * the handshake with chosen subprotocols and Origin, sends bytes as one WebSocket message each,
 * and collects what the server sends. A refused handshake resolves to its HTTP status, so a test
 * can assert it.
 */
import WebSocket from 'ws';

export interface SipWebSocketOptions {
  /** subprotocols offered; default `['sip']` */
  readonly protocols?: readonly string[];
  readonly origin?: string;
  readonly timeoutMs?: number;
}

export interface WsClose {
  readonly code: number;
  readonly reason: string;
}

export type OpenResult =
  | { ok: true; socket: SipWebSocket }
  | { ok: false; status: number | undefined; error: string };

export class SipWebSocket {
  /** every message received, as text, oldest first */
  readonly received: string[] = [];
  /** the negotiated subprotocol */
  readonly protocol: string;
  /** resolves when the connection is closed, by either side */
  readonly closed: Promise<WsClose>;
  private waiters: Array<() => void> = [];

  private constructor(private readonly ws: WebSocket) {
    this.protocol = ws.protocol;
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString('utf8') });
        this.wake();
      });
    });
    ws.on('message', (data: Buffer) => {
      this.received.push(data.toString('utf8'));
      this.wake();
    });
    ws.on('error', () => {});
  }

  static open(url: string, options: SipWebSocketOptions = {}): Promise<OpenResult> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url, [...(options.protocols ?? ['sip'])], {
        origin: options.origin,
        handshakeTimeout: options.timeoutMs ?? 3_000,
        perMessageDeflate: false,
      });
      ws.once('open', () => resolve({ ok: true, socket: new SipWebSocket(ws) }));
      ws.once('unexpected-response', (_req, res) => {
        resolve({ ok: false, status: res.statusCode, error: `HTTP ${res.statusCode}` });
        res.resume();
        ws.terminate();
      });
      ws.once('error', (err) => resolve({ ok: false, status: undefined, error: err.message }));
    });
  }

  /** Opens or throws: for tests whose handshake is not what they check. */
  static async connect(url: string, options: SipWebSocketOptions = {}): Promise<SipWebSocket> {
    const r = await SipWebSocket.open(url, options);
    if (!r.ok) throw new Error(`WebSocket handshake to ${url} refused: ${r.error}`);
    return r.socket;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** One SIP message per WebSocket message (RFC 7118 §5.1): text for a string, binary for bytes. */
  send(data: string | Buffer): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  /**
   * The first message received from index `from` on that `match` accepts, or undefined when
   * none arrives within the timeout or the connection closes.
   */
  async next(match: (text: string) => boolean, timeoutMs: number, from = 0): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(match);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState !== WebSocket.OPEN) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(code = 1000): Promise<WsClose> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(code);
    return this.closed;
  }

  terminate(): void {
    this.ws.terminate();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
