/**
 * Public surface of the SIP transports (RFC 3261 §18, RFC 7118). See README.md.
 */
export { canonicalAddress, sameAddress } from './address.ts';
export { type Connection, ConnectionTable } from './connection-table.ts';
export { snapshotCounters, type TransportCounters } from './counters.ts';
export { faultResponse } from './fault-response.ts';
export { silentLogger, type TransportLogger } from './logging.ts';
export type { CommonTransportOptions, SipTransport, TransportHost } from './sip-transport.ts';
export { type FrameSink, type FramingFault, type FramingFaultCode, StreamFramer } from './stream-framer.ts';
export type { StreamTransportOptions } from './stream-transport.ts';
export { TcpTransport, type TcpTransportOptions } from './tcp.ts';
export { TlsTransport, type TlsTransportOptions } from './tls.ts';
export { TransportManager, type TransportManagerOptions } from './transport-manager.ts';
export {
  type Destination,
  RELIABLE,
  type ReceivedMessage,
  SENT,
  type Source,
  type Transport,
  type TransportDelegate,
  TransportError,
  type TransportProtocol,
} from './types.ts';
export { literalFirstLookup, MAX_DATAGRAM, UdpTransport, type UdpTransportOptions } from './udp.ts';
export { stampReceived } from './via-received.ts';
export { WsTransport, type WsTransportOptions } from './ws.ts';
export type { WsConnection } from './ws-connection.ts';
export type { OriginCheck } from './ws-handshake.ts';
