import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { canonicalAddress } from './address.ts';
import type { Destination } from './types.ts';
import { ignoreHandshakeError, SIP_SUBPROTOCOL } from './ws-handshake.ts';

/** Both ends of an open WebSocket's TCP connection. */
export interface WsEnds {
  address: string;
  port: number;
  localAddress: string;
  localPort: number;
}

export interface DialOptions {
  maxPayload: number;
  timeoutMs: number;
  ca: string | Buffer | Array<string | Buffer> | undefined;
  rejectUnauthorized: boolean;
  origin: string | undefined;
}

/**
 * Opens a SIP WebSocket to a ws:// or wss:// URL (RFC 7118 §4.1: offers `sip` and requires the
 * server to select it). Rejects with an Error saying why; the socket is cleaned up.
 */
export function dialSipWebSocket(url: string, o: DialOptions): Promise<{ ws: WebSocket; ends: WsEnds }> {
  const destination = destinationOf(url);
  return new Promise((resolve, reject) => {
    let ends: WsEnds | undefined;
    const ws = new WebSocket(url, SIP_SUBPROTOCOL, {
      maxPayload: o.maxPayload,
      perMessageDeflate: false,
      handshakeTimeout: o.timeoutMs,
      ca: o.ca,
      rejectUnauthorized: o.rejectUnauthorized,
      ...(o.origin === undefined ? {} : { origin: o.origin }),
    });
    const fail = (why: string): void => {
      ws.removeAllListeners();
      ws.on('error', ignoreHandshakeError);
      ws.terminate();
      reject(new Error(why));
    };
    ws.once('upgrade', (res: IncomingMessage) => {
      const s = res.socket;
      ends = {
        address: canonicalAddress(s.remoteAddress ?? destination.address),
        port: s.remotePort ?? destination.port,
        localAddress: canonicalAddress(s.localAddress ?? ''),
        localPort: s.localPort ?? 0,
      };
    });
    ws.once('error', (err) => fail(err.message));
    ws.once('open', () => {
      // ws already refuses a 101 without the offered subprotocol; check anyway.
      if (ws.protocol !== SIP_SUBPROTOCOL || ends === undefined) {
        fail('server did not select the sip subprotocol');
        return;
      }
      ws.removeAllListeners();
      resolve({ ws, ends });
    });
  });
}

/** The Destination a ws:// or wss:// URL names; TypeError for anything else. */
export function destinationOf(url: string): Destination {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`not a URL: ${url}`);
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`not a ws:// or wss:// URL: ${url}`);
  const protocol = u.protocol === 'wss:' ? 'wss' : 'ws';
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { protocol, address: host, port: Number(u.port || (protocol === 'wss' ? 443 : 80)) };
}
