/**
 * Sends raw datagrams (RFC 4475 messages, byte for byte) to the eP-CSCF's Mw port and catches
 * the responses. A server answers along the top Via (RFC 3261 §18.2.2): to the source address
 * (`received`) at the Via's port, 5060 when it names none. The torture messages cannot be
 * edited, so the sink listens where those responses go: ports 5060 and 5050 (the only ports
 * their Vias name, apart from one with `rport`) on a loopback address of its own, picked at
 * random in 127/8 so that parallel runs and anything bound to 127.0.0.1 do not meet.
 */
import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

const PORTS = [5060, 5050] as const;

export interface UdpSink {
  readonly address: string;
  /** every datagram received, oldest first */
  readonly received: Buffer[];
  /** sends from address:5060 */
  send(data: Buffer, port: number, host: string): void;
  close(): Promise<void>;
}

export async function openUdpSink(): Promise<UdpSink> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const address = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    const sockets: Socket[] = [];
    try {
      for (const port of PORTS) sockets.push(await bind(address, port));
    } catch (err) {
      lastError = err;
      for (const s of sockets) s.close();
      continue;
    }
    const received: Buffer[] = [];
    for (const s of sockets) s.on('message', (data) => received.push(data));
    const main = sockets[0] as Socket;
    return {
      address,
      received,
      send: (data, port, host) => main.send(data, port, host),
      close: () =>
        Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(
          () => undefined,
        ),
    };
  }
  throw new Error(`no loopback address with UDP ports ${PORTS.join(' and ')} free: ${String(lastError)}`);
}

function bind(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(port, address, () => {
      s.off('error', reject);
      s.on('error', () => {});
      resolve(s);
    });
  });
}
