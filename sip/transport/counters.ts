/**
 * Counters of one transport, as a plain object the product exports to Prometheus. Maps are
 * keyed by a fixed set of codes (parse fault codes, drop and close reasons), never by
 * anything a peer chooses.
 */
export interface TransportCounters {
  /** messages parsed and delivered upward */
  messagesIn: number;
  /** messages handed to the socket (error responses included) */
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** messages the parser refused, by ParseFaultCode */
  parseFaults: Record<string, number>;
  /** messages, frames and handshakes refused, by reason */
  drops: Record<string, number>;
  /** stateless 400/501/505 answers to malformed requests (RFC 3261 §8.2.6) */
  errorResponses: number;
  /** double-CRLF pings answered with a CRLF pong (RFC 5626 §3.5.1) */
  keepAlivePings: number;
  connectionsOpen: number;
  connectionsAccepted: number;
  connectionsDialled: number;
  /** connections closed, by reason */
  connectionsClosed: Record<string, number>;
}

export function createCounters(): TransportCounters {
  return {
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    parseFaults: {},
    drops: {},
    errorResponses: 0,
    keepAlivePings: 0,
    connectionsOpen: 0,
    connectionsAccepted: 0,
    connectionsDialled: 0,
    connectionsClosed: {},
  };
}

/** A copy that later counting does not change. */
export function snapshotCounters(c: TransportCounters): TransportCounters {
  return {
    ...c,
    parseFaults: { ...c.parseFaults },
    drops: { ...c.drops },
    connectionsClosed: { ...c.connectionsClosed },
  };
}

export function countClose(c: TransportCounters, reason: string): void {
  c.connectionsOpen--;
  c.connectionsClosed[reason] = (c.connectionsClosed[reason] ?? 0) + 1;
}
