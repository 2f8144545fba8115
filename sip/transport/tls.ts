import { isIP } from 'node:net';
import { connect, createServer, type SecureVersion } from 'node:tls';
import { StreamTransport, type StreamTransportOptions } from './stream-transport.ts';

export interface TlsTransportOptions extends StreamTransportOptions {
  /** PEM private key of the server certificate (needed to listen); never logged */
  key?: string | Buffer;
  /** PEM certificate chain presented to peers */
  cert?: string | Buffer;
  /** trusted CA certificates for verifying peers (default: Node's bundled roots) */
  ca?: string | Buffer | Array<string | Buffer>;
  /** ask connecting peers for a certificate (mutual TLS, e.g. on Mw; default false) */
  requestCert?: boolean;
  /** refuse peers whose certificate does not verify (default true) */
  rejectUnauthorized?: boolean;
  /** lowest TLS version (default 'TLSv1.2') */
  minVersion?: SecureVersion;
}

/**
 * SIP over TLS (RFC 3261 §18, §26.2.1; RFC 5630 for the sips scheme): see StreamTransport.
 * A dialled peer's certificate is checked against the destination host name or address.
 */
export class TlsTransport extends StreamTransport {
  constructor(options: TlsTransportOptions = {}) {
    if (options.listen !== false && (options.key === undefined || options.cert === undefined))
      throw new TypeError('TlsTransport needs key and cert to listen (or listen: false)');
    const minVersion = options.minVersion ?? 'TLSv1.2';
    const rejectUnauthorized = options.rejectUnauthorized ?? true;
    super('tls', options, {
      createServer: (onSocket) =>
        createServer(
          {
            key: options.key,
            cert: options.cert,
            ca: options.ca,
            requestCert: options.requestCert ?? false,
            rejectUnauthorized: options.requestCert === true ? rejectUnauthorized : false,
            minVersion,
          },
          onSocket,
        ),
      connect: (address, port) =>
        connect({
          host: address,
          port,
          ca: options.ca,
          key: options.key,
          cert: options.cert,
          rejectUnauthorized,
          minVersion,
          ...(isIP(address) === 0 ? { servername: address } : {}),
        }),
      readyEvent: 'secureConnect',
    });
  }
}
