/**
 * A minimal TURN client (RFC 8656 §7) for conformance tests: one UDP 5-tuple, an Allocate that
 * goes through the long-term credential mechanism of RFC 8489 §9.2 (unauthenticated request →
 * 401 with REALM and NONCE → request with USERNAME, REALM, NONCE and MESSAGE-INTEGRITY), the
 * check of the server's MESSAGE-INTEGRITY on its answer, and the release of the allocation
 * (Refresh with LIFETIME 0). Just enough to prove that a TURN server accepts or refuses a
 * credential; not a media relay.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { errorCode, parseStun, STUN_MAGIC_COOKIE, StunAttr, StunClass, StunMethod } from './stun.ts';

export const TurnAttr = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  lifetime: 0x000d,
  xorRelayedAddress: 0x0016,
} as const;
const REFRESH = 0x0004;

type Attribute = readonly [number, Buffer];

function encodeAttributes(attributes: readonly Attribute[]): Buffer {
  return Buffer.concat(
    attributes.map(([type, value]) => {
      const header = Buffer.alloc(4);
      header.writeUInt16BE(type, 0);
      header.writeUInt16BE(value.length, 2);
      return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
    }),
  );
}

function header(method: number, length: number, transactionId: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(method | StunClass.request, 0);
  h.writeUInt16BE(length, 2);
  h.writeUInt32BE(STUN_MAGIC_COOKIE, 4);
  transactionId.copy(h, 8);
  return h;
}

/** The long-term credential key: MD5(username ":" realm ":" password) (RFC 8489 §9.2.2). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest();
}

/** A request; with `key`, MESSAGE-INTEGRITY is appended over everything before it (§14.5). */
export function buildRequest(method: number, attributes: readonly Attribute[], key?: Buffer): Buffer {
  const transactionId = randomBytes(12);
  const body = encodeAttributes(attributes);
  if (key === undefined) return Buffer.concat([header(method, body.length, transactionId), body]);
  const signed = Buffer.concat([header(method, body.length + 24, transactionId), body]);
  const mac = createHmac('sha1', key).update(signed).digest();
  return Buffer.concat([signed, encodeAttributes([[TurnAttr.messageIntegrity, mac]])]);
}

/**
 * True when the message carries a MESSAGE-INTEGRITY that `key` verifies (RFC 8489 §14.5: the
 * HMAC covers the message up to the attribute, with the length field counting up to its end).
 */
export function integrityValid(message: Buffer, key: Buffer): boolean {
  let pos = 20;
  const end = 20 + message.readUInt16BE(2);
  while (pos + 4 <= end) {
    const type = message.readUInt16BE(pos);
    const len = message.readUInt16BE(pos + 2);
    if (type === TurnAttr.messageIntegrity && len === 20) {
      const covered = Buffer.from(message.subarray(0, pos));
      covered.writeUInt16BE(pos + 24 - 20, 2);
      const expected = createHmac('sha1', key).update(covered).digest();
      return timingSafeEqual(expected, message.subarray(pos + 4, pos + 24));
    }
    pos += 4 + len + ((4 - (len % 4)) % 4);
  }
  return false;
}

/** An XOR-MAPPED-ADDRESS / XOR-RELAYED-ADDRESS value (IPv4). */
export function xorAddress(value: Buffer | undefined): { address: string; port: number } | undefined {
  if (value === undefined || value.length < 8 || value[1] !== 0x01) return undefined;
  const port = value.readUInt16BE(2) ^ (STUN_MAGIC_COOKIE >>> 16);
  const raw = value.readUInt32BE(4) ^ STUN_MAGIC_COOKIE;
  return { address: [raw >>> 24, (raw >>> 16) & 0xff, (raw >>> 8) & 0xff, raw & 0xff].join('.'), port };
}

/** One UDP socket: requests and their answers matched by transaction id. */
class UdpSession {
  private constructor(
    private readonly socket: Socket,
    private readonly host: string,
    private readonly port: number,
  ) {}

  static open(host: string, port: number): Promise<UdpSession> {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind({ address: '127.0.0.1', port: 0 }, () => {
        socket.off('error', reject);
        resolve(new UdpSession(socket, host, port));
      });
    });
  }

  /** Sends the request (again every 250 ms) until its answer arrives or `timeoutMs` passes. */
  exchange(request: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
    const id = request.subarray(8, 20);
    return new Promise((resolve) => {
      const send = (): void => this.socket.send(request, this.port, this.host);
      const onMessage = (data: Buffer): void => {
        if (data.length >= 20 && data.subarray(8, 20).equals(id)) done(data);
      };
      const done = (reply: Buffer | undefined): void => {
        clearTimeout(timer);
        clearInterval(again);
        this.socket.off('message', onMessage);
        resolve(reply);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const again = setInterval(send, 250);
      this.socket.on('message', onMessage);
      send();
    });
  }

  close(): void {
    this.socket.close();
  }
}

export interface TurnAllocateOptions {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** per exchange; default 2000 ms */
  readonly timeoutMs?: number;
}

export interface TurnChallenge {
  readonly code: number | undefined;
  readonly realm: string | undefined;
  readonly nonce: string | undefined;
}

export type TurnAllocateOutcome =
  | {
      readonly kind: 'allocated';
      readonly challenge: TurnChallenge;
      readonly relayed: { address: string; port: number } | undefined;
      readonly lifetime: number | undefined;
      /** the success response's MESSAGE-INTEGRITY verified with our key */
      readonly integrity: boolean;
      /** the allocation was released again (Refresh with LIFETIME 0 answered with success) */
      readonly released: boolean;
    }
  | {
      readonly kind: 'refused';
      readonly challenge: TurnChallenge;
      readonly code: number | undefined;
      readonly reason: string;
    };

const TRANSPORT_UDP: Attribute = [StunAttr.requestedTransport, Buffer.from([17, 0, 0, 0])];

function errorReason(value: Buffer | undefined): string {
  return value === undefined ? '' : value.subarray(4).toString('utf8');
}

/**
 * Allocates a UDP relay with a long-term credential, then releases it. Throws when the server
 * does not answer at all or does not challenge the first request.
 */
export async function turnAllocate(options: TurnAllocateOptions): Promise<TurnAllocateOutcome> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const session = await UdpSession.open(options.host, options.port);
  try {
    const first = await session.exchange(buildRequest(StunMethod.allocate, [TRANSPORT_UDP]), timeoutMs);
    const challengeMessage = first === undefined ? undefined : parseStun(first);
    if (challengeMessage === undefined) throw new Error('TURN server did not answer the first Allocate');
    const realm = challengeMessage.attributes.get(StunAttr.realm)?.toString('utf8');
    const nonce = challengeMessage.attributes.get(StunAttr.nonce)?.toString('utf8');
    const challenge: TurnChallenge = { code: errorCode(challengeMessage), realm, nonce };
    if (challenge.code !== 401 || realm === undefined || nonce === undefined)
      throw new Error(`TURN server did not challenge the Allocate: ${JSON.stringify(challenge)}`);
    const key = longTermKey(options.username, realm, options.password);
    const credentials: Attribute[] = [
      [TurnAttr.username, Buffer.from(options.username, 'utf8')],
      [StunAttr.realm, Buffer.from(realm, 'utf8')],
      [StunAttr.nonce, Buffer.from(nonce, 'utf8')],
    ];
    const signed = buildRequest(StunMethod.allocate, [TRANSPORT_UDP, ...credentials], key);
    const answer = await session.exchange(signed, timeoutMs);
    const message = answer === undefined ? undefined : parseStun(answer);
    if (answer === undefined || message === undefined)
      throw new Error('TURN server did not answer the authenticated Allocate');
    if (message.type !== (StunMethod.allocate | StunClass.success)) {
      const code = errorCode(message);
      return {
        kind: 'refused',
        challenge,
        code,
        reason: errorReason(message.attributes.get(StunAttr.errorCode)),
      };
    }
    const lifetime = message.attributes.get(TurnAttr.lifetime)?.readUInt32BE(0);
    const refresh = buildRequest(
      REFRESH,
      [[TurnAttr.lifetime, Buffer.from([0, 0, 0, 0])], ...credentials],
      key,
    );
    const refreshed = await session.exchange(refresh, timeoutMs);
    const released = refreshed !== undefined && parseStun(refreshed)?.type === (REFRESH | StunClass.success);
    return {
      kind: 'allocated',
      challenge,
      relayed: xorAddress(message.attributes.get(TurnAttr.xorRelayedAddress)),
      lifetime,
      integrity: integrityValid(answer, key),
      released,
    };
  } finally {
    session.close();
  }
}
