/**
 * The floor of the forwarding-CPU benchmark: the least a WebSocket-to-UDP relay does in Node
 * with the same I/O the eP-CSCF uses (`ws` on a node:http server without compression, text
 * frames, the `sip` subprotocol; one `node:dgram` socket toward the core, with the transport's
 * address lookup). A client's message
 * goes to the core unchanged; a message from the core goes back to the client whose Call-ID it
 * carries. Nothing is parsed, checked or kept beyond that map: it is not a SIP proxy (no Via,
 * no transaction, no Path or Record-Route), only a measuring stick for what the same traffic
 * costs in Node's sockets, streams and event loop before any SIP work. Run in the benchmark's
 * child process instead of the eP-CSCF (`forwarding-cpu-sut.ts`, `SUT_KIND=relay`).
 */
import { createSocket } from 'node:dgram';
import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { literalFirstLookup } from '../sip/transport/index.ts';

export interface Relay {
  /** the UDP port toward the core */
  readonly mwPort: number;
  stop(): Promise<void>;
}

const CALL_ID = Buffer.from('\r\nCall-ID: ', 'latin1');

/** The Call-ID of a message written as the benchmark's peers write it (long form, one space). */
function callIdOf(b: Buffer): string {
  const at = b.indexOf(CALL_ID);
  if (at < 0) return '';
  const start = at + CALL_ID.length;
  return b.toString('latin1', start, b.indexOf(0x0d, start));
}

export async function startRelay(server: Server, coreHost: string, corePort: number): Promise<Relay> {
  const udp = createSocket({ type: 'udp4', lookup: literalFirstLookup });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
  const clients = new Map<string, WebSocket>();
  const wss = new WebSocketServer({
    server,
    path: '/sip',
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
  });
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      clients.set(callIdOf(data), ws);
      udp.send(data, corePort, coreHost);
    });
  });
  udp.on('message', (msg) => clients.get(callIdOf(msg))?.send(msg, { binary: false }));
  return {
    mwPort: udp.address().port,
    stop: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}
