import { connect, createServer } from 'node:net';
import { StreamTransport, type StreamTransportOptions } from './stream-transport.ts';

export type TcpTransportOptions = StreamTransportOptions;

/** SIP over TCP (RFC 3261 §18): see StreamTransport. */
export class TcpTransport extends StreamTransport {
  constructor(options: TcpTransportOptions = {}) {
    super('tcp', options, {
      createServer: (onSocket) => createServer({ noDelay: true }, onSocket),
      connect: (address, port) => connect({ host: address, port, noDelay: true }),
      readyEvent: 'connect',
    });
  }
}
