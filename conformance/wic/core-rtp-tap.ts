/**
 * A UDP tap on the IMS-side media path, between rtpengine and sipp: sipp's SDP announces the
 * tap's port (scenario key `tap_port`) instead of its own media port, so rtpengine sends the
 * IMS-side RTP here; the tap records each packet's RTP payload type (RFC 3550 §5.1) and decodes
 * RFC 4733 telephone-events, then forwards it to sipp's media port, and forwards what sipp echoes
 * back to where rtpengine sent from. Nothing is changed on the way.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/** RFC 4733 §3.2: events 0-9 are the digits, 10 is *, 11 is #, 12-15 are A-D. */
const EVENT_NAMES = '0123456789*#ABCD';

export interface RtpTap {
  readonly port: number;
  /** RTP packets rtpengine sent toward sipp, per payload type */
  toSipp(): ReadonlyMap<number, number>;
  /** RTP packets sipp sent back toward rtpengine, per payload type */
  fromSipp(): ReadonlyMap<number, number>;
  /**
   * The tones rtpengine sent toward sipp as telephone-events of `payloadType`, one per event
   * (the end packets of one event share its RTP timestamp: RFC 4733 §2.5.1.4), in order.
   */
  tones(payloadType: number): string;
  close(): Promise<void>;
}

export async function startRtpTap(o: { host: string; port: number; sippMediaPort: number }): Promise<RtpTap> {
  const socket: Socket = createSocket('udp4');
  const toSipp = new Map<number, number>();
  const fromSipp = new Map<number, number>();
  /** per payload type: the events seen, keyed by RTP timestamp */
  const events = new Map<number, Map<number, number>>();
  let rtpengine: RemoteInfo | undefined;

  socket.on('message', (packet, from) => {
    if (packet.length < 12 || packet[0] === undefined || packet[0] >> 6 !== 2) return;
    const payloadType = (packet[1] ?? 0) & 0x7f;
    // RTCP (RFC 5761 §4: packet types 200-204 read as payload types 72-76 with the marker bit)
    if (payloadType >= 72 && payloadType <= 76) return forward(packet, from);
    if (from.port === o.sippMediaPort) {
      fromSipp.set(payloadType, (fromSipp.get(payloadType) ?? 0) + 1);
    } else {
      toSipp.set(payloadType, (toSipp.get(payloadType) ?? 0) + 1);
      noteEvent(packet, payloadType);
    }
    forward(packet, from);
  });

  function forward(packet: Buffer, from: RemoteInfo): void {
    if (from.port === o.sippMediaPort) {
      if (rtpengine !== undefined) socket.send(packet, rtpengine.port, rtpengine.address);
    } else {
      rtpengine = from;
      socket.send(packet, o.sippMediaPort, o.host);
    }
  }

  function noteEvent(packet: Buffer, payloadType: number): void {
    const csrcCount = (packet[0] ?? 0) & 0x0f;
    const offset = 12 + 4 * csrcCount;
    // a telephone-event payload is 4 bytes per event (RFC 4733 §2.3)
    if (packet.length - offset !== 4) return;
    const timestamp = packet.readUInt32BE(4);
    const event = packet[offset] ?? 255;
    const seen = events.get(payloadType) ?? new Map<number, number>();
    events.set(payloadType, seen);
    if (!seen.has(timestamp)) seen.set(timestamp, event);
  }

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(o.port, o.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    port: o.port,
    toSipp: () => toSipp,
    fromSipp: () => fromSipp,
    tones: (payloadType) =>
      [...(events.get(payloadType)?.values() ?? [])].map((e) => EVENT_NAMES[e] ?? '?').join(''),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
