/**
 * What an unmodified browser SIP stack (JsSIP, SIP.js) sends and receives, seen at its
 * WebSocket: `installWebSocketTap()` puts a recording subclass of the `ws` client in
 * `globalThis.WebSocket` (Node 20 has none; both libraries construct `new WebSocket(url, 'sip')`),
 * so a test can assert on the exact messages the client saw without touching the library.
 */

import WebSocket from 'ws';
import { parseMessage, type SipMessage, type SipResponse } from '../../sip/index.ts';

export interface WireFrame {
  readonly direction: 'sent' | 'received';
  /** which client connection (1, 2, ... in opening order) */
  readonly connection: number;
  readonly message: SipMessage;
  readonly text: string;
}

export class WireTap {
  readonly frames: WireFrame[] = [];
  connections = 0;
  private waiters: Array<() => void> = [];

  record(direction: WireFrame['direction'], connection: number, data: unknown): void {
    const buf = toBuffer(data);
    if (buf === undefined) return;
    const text = buf.toString('utf8');
    if (text.trim() === '') return; // CRLF keep-alives
    const parsed = parseMessage(buf);
    if (!parsed.ok) return;
    this.frames.push({ direction, connection, message: parsed.message, text });
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** The first frame from index `from` on that `match` accepts; rejects after the timeout. */
  async waitFor(match: (f: WireFrame) => boolean, from: number, timeoutMs = 5_000): Promise<WireFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching SIP message on the client's WebSocket within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Responses the clients received to requests of this method, oldest first. */
  responsesTo(method: string, connection?: number): SipResponse[] {
    const out: SipResponse[] = [];
    for (const f of this.frames) {
      if (f.direction !== 'received' || f.message.kind !== 'response') continue;
      if (connection !== undefined && f.connection !== connection) continue;
      if (f.message.cseq.method === method) out.push(f.message);
    }
    return out;
  }

  /** Requests the clients sent (or, with 'received', got) of this method. */
  requests(method: string, direction: WireFrame['direction'] = 'sent'): WireFrame[] {
    return this.frames.filter(
      (f) => f.direction === direction && f.message.kind === 'request' && f.message.method === method,
    );
  }

  /** Forgets what was recorded so far. */
  clear(): void {
    this.frames.length = 0;
  }
}

let installed: WireTap | undefined;

/** Installs (once per process) the recording WebSocket as `globalThis.WebSocket` and returns its tap. */
export function installWebSocketTap(): WireTap {
  if (installed !== undefined) return installed;
  const tap = new WireTap();
  class TappedWebSocket extends WebSocket {
    readonly tapConnection: number;
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      this.tapConnection = ++tap.connections;
      this.on('message', (data) => tap.record('received', this.tapConnection, data));
    }
    override send(data: unknown, ...rest: unknown[]): void {
      tap.record('sent', this.tapConnection, data);
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  }
  (globalThis as { WebSocket?: unknown }).WebSocket = TappedWebSocket;
  installed = tap;
  return tap;
}

function toBuffer(data: unknown): Buffer | undefined {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (Array.isArray(data) && data.every((d) => Buffer.isBuffer(d))) return Buffer.concat(data);
  return undefined;
}
