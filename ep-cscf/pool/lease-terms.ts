/**
 * The terms of a pool lease (TS 33.203 Annex X.4): who holds it and until when. Pure functions,
 * so the rules are testable without a directory or a core.
 */

/** Extra time a lease outlives the registration it serves: room for the client's refresh to arrive. */
export const LEASE_MARGIN_MS = 32_000;

/**
 * The lease holder: this eP-CSCF instance (its Mw address), the flow (RFC 5626) and the token's
 * subject. A refresh over the same flow by the same subject — even with a new access token from
 * a refresh grant — is the same holder and keeps its identity; another flow or another subject
 * is another holder.
 */
export function leaseHolder(o: { instance: string; connectionId: string; subject: string }): string {
  // JSON: no subject can make two different triples give one key.
  return JSON.stringify([o.instance, o.connectionId, o.subject]);
}

/**
 * The expiry the eP-CSCF asks the core for: what the client asked, but never past the token's
 * expiry (the identity belongs to the token's holder only while the token is valid). At least 1 s.
 */
export function coreExpires(requestedSeconds: number, nowMs: number, tokenExpiresAtMs: number): number {
  const left = Math.floor((tokenExpiresAtMs - nowMs) / 1000);
  return Math.max(1, Math.min(requestedSeconds, left));
}

/**
 * When a lease ends: the registration's expiry plus the margin, never past the token's expiry
 * (X.4: the identity is lent for the life of one registration of one token).
 */
export function leaseExpiresAt(
  nowMs: number,
  registrationSeconds: number,
  tokenExpiresAtMs: number,
  marginMs = LEASE_MARGIN_MS,
): number {
  return Math.min(nowMs + registrationSeconds * 1000 + marginMs, tokenExpiresAtMs);
}

/**
 * RFC 3261 §21.5.4 / §20.33: the Retry-After for an exhausted pool, in seconds: when the first
 * lease in force ends (at least 1 s, at most an hour; 60 s when no lease end is known).
 */
export function retryAfterSeconds(leaseEnds: readonly number[], nowMs: number): number {
  if (leaseEnds.length === 0) return 60;
  const first = Math.min(...leaseEnds);
  return Math.min(3600, Math.max(1, Math.ceil((first - nowMs) / 1000)));
}
