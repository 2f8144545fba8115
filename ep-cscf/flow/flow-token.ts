import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Flow tokens (RFC 5626 §5.2): the user part of the eP-CSCF's Path and Record-Route URIs names
 * the WebSocket connection a client registered or called on, so requests from the core reach
 * exactly that connection. A token is base64url(MAC(8) || connection id), the MAC an
 * HMAC-SHA256 under a key of this deployment, so a token cannot be forged or altered.
 */
const CACHE_SIZE = 65_536;

export class FlowTokens {
  private readonly key: Buffer;
  /** tokens of recent connections: a REGISTER refresh or a call reuses its flow's token */
  private readonly cache = new Map<string, string>();

  constructor(key?: string) {
    this.key = key === undefined || key === '' ? randomBytes(32) : Buffer.from(key, 'utf8');
  }

  encode(connectionId: string): string {
    const hit = this.cache.get(connectionId);
    if (hit !== undefined) return hit;
    const id = Buffer.from(connectionId, 'utf8');
    const token = Buffer.concat([this.mac(id), id]).toString('base64url');
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(connectionId, token);
    return token;
  }

  /** The connection id, or undefined when the token is not one of ours. */
  decode(token: string): string | undefined {
    if (token.length < 12 || token.length > 256) return undefined;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length <= 8 || raw.toString('base64url') !== token) return undefined;
    const id = raw.subarray(8);
    return timingSafeEqual(raw.subarray(0, 8), this.mac(id)) ? id.toString('utf8') : undefined;
  }

  private mac(id: Buffer): Buffer {
    return createHmac('sha256', this.key).update(id).digest().subarray(0, 8);
  }
}
