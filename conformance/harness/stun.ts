/**
 * Just enough STUN (RFC 8489) to probe a TURN server: build a Binding or an unauthenticated
 * Allocate request, and read the attributes of a response.
 */
import { randomBytes } from 'node:crypto';

export const STUN_MAGIC_COOKIE = 0x2112a442;

export const StunMethod = { binding: 0x0001, allocate: 0x0003 } as const;
export const StunClass = { request: 0x0000, success: 0x0100, error: 0x0110 } as const;
export const StunAttr = {
  errorCode: 0x0009,
  realm: 0x0014,
  nonce: 0x0015,
  requestedTransport: 0x0019,
  xorMappedAddress: 0x0020,
} as const;

export interface StunMessage {
  /** Method | class bits, e.g. 0x0101 for a Binding success response. */
  readonly type: number;
  readonly transactionId: Buffer;
  readonly attributes: ReadonlyMap<number, Buffer>;
}

export function stunRequest(method: number, attributes: ReadonlyArray<[number, Buffer]> = []): Buffer {
  const body = Buffer.concat(
    attributes.map(([type, value]) => {
      const header = Buffer.alloc(4);
      header.writeUInt16BE(type, 0);
      header.writeUInt16BE(value.length, 2);
      const padding = Buffer.alloc((4 - (value.length % 4)) % 4);
      return Buffer.concat([header, value, padding]);
    }),
  );
  const header = Buffer.alloc(20);
  header.writeUInt16BE(method | StunClass.request, 0);
  header.writeUInt16BE(body.length, 2);
  header.writeUInt32BE(STUN_MAGIC_COOKIE, 4);
  randomBytes(12).copy(header, 8);
  return Buffer.concat([header, body]);
}

/** An Allocate request without credentials, asking for a UDP relay (RFC 8656 §7.1). */
export function unauthenticatedAllocate(): Buffer {
  const transport = Buffer.from([17, 0, 0, 0]);
  return stunRequest(StunMethod.allocate, [[StunAttr.requestedTransport, transport]]);
}

/** Parses a STUN message, or undefined when it is not one. */
export function parseStun(data: Buffer): StunMessage | undefined {
  if (data.length < 20 || data.readUInt32BE(4) !== STUN_MAGIC_COOKIE) return undefined;
  const length = data.readUInt16BE(2);
  if (20 + length > data.length) return undefined;
  const attributes = new Map<number, Buffer>();
  let pos = 20;
  while (pos + 4 <= 20 + length) {
    const type = data.readUInt16BE(pos);
    const len = data.readUInt16BE(pos + 2);
    attributes.set(type, data.subarray(pos + 4, pos + 4 + len));
    pos += 4 + len + ((4 - (len % 4)) % 4);
  }
  return { type: data.readUInt16BE(0), transactionId: data.subarray(8, 20), attributes };
}

/** The IPv4 address and port of an XOR-MAPPED-ADDRESS attribute. */
export function xorMappedAddress(message: StunMessage): { address: string; port: number } | undefined {
  const value = message.attributes.get(StunAttr.xorMappedAddress);
  if (value === undefined || value.length < 8 || value[1] !== 0x01) return undefined;
  const port = value.readUInt16BE(2) ^ (STUN_MAGIC_COOKIE >>> 16);
  const raw = value.readUInt32BE(4) ^ STUN_MAGIC_COOKIE;
  const address = [raw >>> 24, (raw >>> 16) & 0xff, (raw >>> 8) & 0xff, raw & 0xff].join('.');
  return { address, port };
}

/** The numeric error code of an ERROR-CODE attribute (e.g. 401). */
export function errorCode(message: StunMessage): number | undefined {
  const value = message.attributes.get(StunAttr.errorCode);
  if (value === undefined || value.length < 4) return undefined;
  return (value[2] ?? 0) * 100 + (value[3] ?? 0);
}
