/**
 * A one-shot SIP UAC over UDP built from the product's SIP library (message model, serialiser,
 * parser): sends one request from a fresh loopback socket and waits for its final response.
 * Enough to play "someone in the IMS" sending a MESSAGE toward a registered user, or the core
 * sending straight to the eP-CSCF's Mw port. No retransmissions: loopback does not lose.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { parseMessage, SipHeaders, SipRequest, type SipResponse, serialize } from '../../sip/index.ts';

export interface UdpRequest {
  readonly method: string;
  readonly uri: string;
  readonly from: string;
  readonly to: string;
  /** further header fields, in order, e.g. [['Route', '<sip:...;lr>']] */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly contentType?: string;
  readonly body?: string;
}

export interface UdpExchange {
  /** the request as sent */
  readonly request: SipRequest;
  /** every response received, provisional ones included */
  readonly responses: SipResponse[];
  /** the final response, or undefined when none arrived within the timeout */
  readonly final: SipResponse | undefined;
}

export function sendRequestUdp(
  target: { host: string; port: number },
  r: UdpRequest,
  timeoutMs = 3_000,
): Promise<UdpExchange> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const responses: SipResponse[] = [];
    let request: SipRequest | undefined;
    const done = (final: SipResponse | undefined): void => {
      clearTimeout(timer);
      socket.close();
      if (request === undefined) reject(new Error('request not sent'));
      else resolve({ request, responses, final });
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.on('message', (data) => {
      const parsed = parseMessage(data);
      if (!parsed.ok || parsed.message.kind !== 'response') return;
      responses.push(parsed.message);
      if (parsed.message.status >= 200) done(parsed.message);
    });
    socket.bind({ address: '127.0.0.1', port: 0 }, () => {
      const { port } = socket.address();
      const h = new SipHeaders();
      h.append('Via', `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${randomBytes(8).toString('hex')};rport`);
      h.append('Max-Forwards', '70');
      h.append('From', `${r.from};tag=${randomBytes(4).toString('hex')}`);
      h.append('To', r.to);
      h.append('Call-ID', `${randomBytes(10).toString('hex')}@127.0.0.1`);
      h.append('CSeq', `1 ${r.method}`);
      for (const [name, value] of r.headers ?? []) h.append(name, value);
      const body = Buffer.from(r.body ?? '', 'utf8');
      if (r.contentType !== undefined) h.append('Content-Type', r.contentType);
      request = new SipRequest(r.method, r.uri, h, body);
      socket.send(serialize(request), target.port, target.host);
    });
  });
}
