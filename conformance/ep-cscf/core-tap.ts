/**
 * A one-way UDP relay in front of the IMS core that records every datagram the eP-CSCF sends
 * it, so a test can assert on the REGISTER as the core received it (Path, P-Visited-Network-ID,
 * P-Charging-Vector, ...). Datagrams are passed on unchanged from the relay's socket; the core
 * answers along the Via, straight to the eP-CSCF, and requests from the core do not pass here.
 */
import { createSocket } from 'node:dgram';
import { parseMessage, type SipRequest } from '../../sip/index.ts';
import type { PortAllocator } from '../harness/ports.ts';

export interface CoreTap {
  /** where the eP-CSCF should send: `sip:127.0.0.1:PORT` */
  readonly uri: string;
  readonly port: number;
  /** requests passed to the core, oldest first */
  readonly requests: SipRequest[];
  stop(): Promise<void>;
}

export async function startCoreTap(
  ports: PortAllocator,
  core: { host: string; port: number },
): Promise<CoreTap> {
  const port = await ports.udp();
  const socket = createSocket('udp4');
  const requests: SipRequest[] = [];
  socket.on('message', (data) => {
    const parsed = parseMessage(data);
    if (parsed.ok && parsed.message.kind === 'request') requests.push(parsed.message);
    socket.send(data, core.port, core.host);
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.bind(port, ports.host, resolve));
  let stopped: Promise<void> | undefined;
  return {
    uri: `sip:${ports.host}:${port}`,
    port,
    requests,
    stop() {
      stopped ??= new Promise<void>((resolve) => socket.close(() => resolve())).then(() =>
        ports.release(port),
      );
      return stopped;
    },
  };
}
