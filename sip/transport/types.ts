import type { SipMessage } from '../message/message.ts';

/**
 * The contract between transports and the layers above (RFC 3261 §18). A transport turns
 * bytes into parsed messages and back; it never interprets SIP beyond framing and the §18
 * checks (received/rport on requests, sent-by on responses).
 */
export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export const RELIABLE: Record<TransportProtocol, boolean> = {
  udp: false,
  tcp: true,
  tls: true,
  ws: true,
  wss: true,
};

/** Where a message came from: kept apart from the SIP message itself. */
export interface Source {
  protocol: TransportProtocol;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  /** the connection it arrived on (stream transports); responses and flows go back on it */
  connectionId: string | undefined;
}

export interface ReceivedMessage {
  message: SipMessage;
  source: Source;
  /** clock time of arrival */
  receivedAt: number;
}

/** Where to send. With a connectionId the message goes on that connection or fails. */
export interface Destination {
  protocol: TransportProtocol;
  address: string;
  port: number;
  connectionId?: string;
}

export class TransportError extends Error {
  constructor(
    message: string,
    readonly destination: Destination,
    readonly kind: 'unreachable' | 'connection-closed' | 'too-large' | 'no-transport',
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/**
 * What a send returns when the message was handed to the socket at once: a promise already
 * resolved, shared, so that a caller can tell it apart and skip the promise turn of waiting on it.
 */
export const SENT: Promise<void> = Promise.resolve();

/** What the transaction layer needs from the transports below it. */
export interface Transport {
  /** Sends one message; rejects with TransportError on failure (RFC 3261 §17.1.4, §17.2.4). */
  send(message: SipMessage, destination: Destination): Promise<void>;
  /**
   * Sends a message serialised earlier (by `serialize`), as `send` would. Optional: a
   * transaction keeps the bytes of a response it may have to send again instead of the parsed
   * message, and falls back to keeping the message when the transport lacks this.
   */
  sendBytes?(bytes: Buffer, destination: Destination): Promise<void>;
}

/** Upcalls from transports to the layer above. */
export interface TransportDelegate {
  receiveMessage(rm: ReceivedMessage): void;
}
