/**
 * TURN credentials for coturn by the TURN REST API scheme (draft-uberti-behave-turn-rest-00
 * §2.2): the username is `<expiry>:<user>` (expiry in seconds since the epoch) and the password
 * is base64(HMAC-SHA1(shared secret, username)). coturn started with `use-auth-secret` and the
 * same `static-auth-secret` recomputes the password from the username alone, refuses a
 * username whose expiry is past, and then runs the ordinary long-term credential mechanism
 * (RFC 8489 §9.2) with it. Nothing is stored: the credential expires by itself.
 */
import { createHmac } from 'node:crypto';

export interface TurnCredentialRequest {
  /** the `static-auth-secret` shared with coturn */
  readonly secret: string;
  /** seconds the credential stays valid */
  readonly ttlSeconds: number;
  /** who it is for (the access token's subject): kept in the username for coturn's logs */
  readonly user: string;
  /** wall-clock time of issue, milliseconds since the epoch */
  readonly now: number;
  /** the TURN/STUN server URLs the credential is for (RFC 7064/7065) */
  readonly urls: readonly string[];
}

/** The credential in the shape of a WebRTC RTCIceServer, plus its lifetime. */
export interface TurnCredentials {
  /** `<expiry>:<user>` */
  readonly username: string;
  /** base64(HMAC-SHA1(secret, username)) */
  readonly credential: string;
  /** seconds it stays valid from issue */
  readonly ttl: number;
  /** expiry, seconds since the epoch (the number at the head of the username) */
  readonly expiresAt: number;
  readonly urls: readonly string[];
}

/** Mints a time-limited TURN credential; bad arguments are programming mistakes and throw. */
export function turnCredentials(request: TurnCredentialRequest): TurnCredentials {
  const { secret, ttlSeconds, user, now, urls } = request;
  if (secret === '') throw new Error('turnCredentials: the shared secret is empty');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
    throw new Error(`turnCredentials: ttlSeconds must be a positive integer, got ${ttlSeconds}`);
  if (user === '') throw new Error('turnCredentials: the user is empty');
  if (!Number.isFinite(now)) throw new Error('turnCredentials: now must be a time in milliseconds');
  const expiresAt = Math.floor(now / 1000) + ttlSeconds;
  const username = `${expiresAt}:${user}`;
  const credential = createHmac('sha1', secret).update(username, 'utf8').digest('base64');
  return { username, credential, ttl: ttlSeconds, expiresAt, urls: [...urls] };
}

const ICE_URL =
  /^(stun|stuns|turn|turns):(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?(\?transport=(udp|tcp))?$/;

export interface IceUrl {
  readonly scheme: 'stun' | 'stuns' | 'turn' | 'turns';
  readonly host: string;
  readonly port: number | undefined;
  readonly transport: 'udp' | 'tcp' | undefined;
  /** the URL as given */
  readonly text: string;
}

/**
 * Reads a STUN (RFC 7064) or TURN (RFC 7065) URI: `stun:host[:port]`, `stuns:...`,
 * `turn:host[:port][?transport=udp|tcp]`, `turns:...`. STUN URIs take no transport.
 */
export function parseIceUrl(text: string): IceUrl | undefined {
  const m = ICE_URL.exec(text);
  if (m === null) return undefined;
  const scheme = m[1] as IceUrl['scheme'];
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  const transport = m[5] as IceUrl['transport'];
  if (transport !== undefined && (scheme === 'stun' || scheme === 'stuns')) return undefined;
  return { scheme, host: m[2] ?? '', port, transport, text };
}

/** True for turn:/turns: URLs, the ones that need a credential. */
export function isTurnUrl(url: IceUrl): boolean {
  return url.scheme === 'turn' || url.scheme === 'turns';
}
