import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Decides on an Origin during the WebSocket handshake (RFC 6455 §10.2); the eP-CSCF supplies
 * it (e.g. the WWSF origins of a domain). `origin` is undefined when the client sent none.
 */
export type OriginCheck = (
  origin: string | undefined,
  request: IncomingMessage,
) => boolean | Promise<boolean>;

export const SIP_SUBPROTOCOL = 'sip';

/**
 * RFC 7118 §4.1: the client offers the `sip` subprotocol in Sec-WebSocket-Protocol (a
 * comma-separated token list, possibly over several header lines). Names compare exactly.
 */
export function offersSip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const values = typeof header === 'string' ? [header] : header;
  for (const v of values) for (const p of v.split(',')) if (p.trim() === SIP_SUBPROTOCOL) return true;
  return false;
}

/** The request path without the query string. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Refuses an upgrade with a plain HTTP response, then closes the socket once it is written. */
export function refuseUpgrade(socket: Duplex, status: 400 | 403 | 404 | 503, detail: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', socket.destroy);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(detail)}\r\n\r\n${detail}`,
  );
}

/** Socket errors between the HTTP upgrade and the WebSocket taking over are not fatal. */
export function ignoreHandshakeError(): void {}
