/**
 * Answering a Digest challenge, without state (RFC 7616 §3.4, RFC 3261 §22.4): choose the
 * challenge, the algorithm and the qop, then build the credentials. DigestClient adds the state
 * (nonce re-use, nc, AKA); a one-shot UA or a test can call `answerChallenge` directly.
 */

import { randomBytes } from 'node:crypto';
import { type AuthResult, parseChallenges, schemeIs } from './auth-header.ts';
import { type DigestAlgorithm, digestAlgorithm } from './digest-algorithm.ts';
import { type DigestChallenge, digestChallengeFrom } from './digest-challenge.ts';
import { type DigestCredentials, formatDigestCredentials } from './digest-credentials.ts';
import {
  computeDigestResponse,
  computeUserhash,
  type DigestSecret,
  formatNonceCount,
  type Qop,
} from './digest-response.ts';

const HASH_STRENGTH = { md5: 1, sha256: 2, 'sha512-256': 3 } as const;

/** A challenge this client can answer, with the algorithm and qop it would use. */
export interface ChosenChallenge {
  readonly challenge: DigestChallenge;
  readonly algorithm: DigestAlgorithm;
  readonly qop: Qop | undefined;
}

function chooseQop(c: DigestChallenge, preferAuthInt: boolean): Qop | undefined | null {
  if (c.qop.length === 0) return undefined; // RFC 2069 compatibility (RFC 2617 §3.2.2, RFC 3261 §22.4)
  const offered = new Set(c.qop.map((q) => q.toLowerCase()));
  if (offered.has('auth-int') && (preferAuthInt || !offered.has('auth'))) return 'auth-int';
  if (offered.has('auth')) return 'auth';
  return null; // only qop values we do not know: unusable
}

function strength(x: ChosenChallenge): number {
  const qop = x.qop === 'auth-int' ? 2 : x.qop === 'auth' ? 1 : 0;
  return HASH_STRENGTH[x.algorithm.hash] * 100 + (x.algorithm.session ? 0 : 10) + qop;
}

/**
 * Picks the strongest usable challenge: strongest hash first (SHA-512-256 > SHA-256 > MD5), then
 * a non-session algorithm, then the strongest qop; ties keep the server's order. RFC 8760 §2.4
 * lets a UAC use its own preference among the challenges of one realm.
 */
export function chooseChallenge(
  challenges: readonly DigestChallenge[],
  opts: { accept: (a: DigestAlgorithm) => boolean; preferAuthInt?: boolean | undefined },
): ChosenChallenge | undefined {
  let best: ChosenChallenge | undefined;
  for (const challenge of challenges) {
    const algorithm = digestAlgorithm(challenge.algorithm);
    if (!algorithm || !opts.accept(algorithm)) continue;
    const qop = chooseQop(challenge, opts.preferAuthInt ?? true);
    if (qop === null) continue;
    const candidate = { challenge, algorithm, qop };
    if (!best || strength(candidate) > strength(best)) best = candidate;
  }
  return best;
}

/** Every Digest challenge in the given header values (several per value allowed); others skipped. */
export function digestChallengesIn(values: string | readonly string[]): DigestChallenge[] {
  const out: DigestChallenge[] = [];
  for (const value of typeof values === 'string' ? [values] : values) {
    const parsed = parseChallenges(value);
    if (!parsed.ok) continue;
    for (const h of parsed.value) {
      if (!schemeIs(h, 'Digest')) continue;
      const c = digestChallengeFrom(h);
      if (c.ok) out.push(c.value);
    }
  }
  return out;
}

export interface CredentialsInput {
  readonly username: string;
  readonly secret: DigestSecret;
  readonly method: string;
  readonly uri: string;
  readonly body?: string | Uint8Array | undefined;
  readonly cnonce: string;
  /** Nonce count, from 1. */
  readonly nc: number;
  /** Nonce to use instead of the challenge's (a nextnonce from Authentication-Info). */
  readonly nonce?: string | undefined;
  /** Base64 AUTS after an AKA synchronisation failure (RFC 3310 §3.4). */
  readonly auts?: string | undefined;
  /** Leave `response` empty (AKA MAC failure, TS 24.229 §5.1.1.5.3). */
  readonly emptyResponse?: boolean | undefined;
}

/** Builds the credentials answering a chosen challenge. */
export function buildCredentials(chosen: ChosenChallenge, input: CredentialsInput): DigestCredentials {
  const { challenge: c, algorithm, qop } = chosen;
  const nonce = input.nonce ?? c.nonce;
  const nc = qop === undefined ? undefined : formatNonceCount(input.nc);
  const cnonce = qop !== undefined || algorithm.session ? input.cnonce : undefined;
  const response = input.emptyResponse
    ? ''
    : computeDigestResponse(
        {
          algorithm,
          username: input.username,
          realm: c.realm,
          nonce,
          method: input.method,
          uri: input.uri,
          qop,
          nc,
          cnonce,
          body: input.body,
        },
        input.secret,
      );
  // RFC 7616 §3.4.4: with userhash=true the username is sent as H(username:realm); the response
  // is still computed over the plain username.
  const username = c.userhash ? computeUserhash(algorithm.hash, input.username, c.realm) : input.username;
  return {
    username,
    realm: c.realm,
    nonce,
    uri: input.uri,
    response,
    algorithm: c.algorithm, // RFC 7616 §3.4: echoed when the challenge named one
    cnonce,
    opaque: c.opaque, // RFC 7616 §3.4: MUST be returned unchanged
    qop,
    nc,
    userhash: c.userhash,
    auts: input.auts,
    extensions: [],
  };
}

export interface AnswerChallengeOptions {
  readonly username: string;
  readonly secret: DigestSecret;
  readonly method: string;
  readonly uri: string;
  readonly body?: string | Uint8Array | undefined;
  /** Random when absent. */
  readonly cnonce?: string | undefined;
  /** Default 1. */
  readonly nc?: number | undefined;
  /** Algorithms allowed; default every password algorithm (no AKA, whose password is per challenge). */
  readonly algorithms?: readonly string[] | undefined;
  /** Answer only this realm. */
  readonly realm?: string | undefined;
  readonly preferAuthInt?: boolean | undefined;
}

/** Answers the strongest usable Digest challenge among the given header values. */
export function answerChallenge(
  values: string | readonly string[],
  opts: AnswerChallengeOptions,
): AuthResult<{ credentials: DigestCredentials; value: string; chosen: ChosenChallenge }> {
  const allowed = opts.algorithms?.map((n) => digestAlgorithm(n));
  const chosen = chooseChallenge(
    digestChallengesIn(values).filter((c) => opts.realm === undefined || c.realm === opts.realm),
    {
      accept: (a) => (allowed ? allowed.includes(a) : a.akaVersion === 0),
      preferAuthInt: opts.preferAuthInt,
    },
  );
  if (!chosen) {
    return {
      ok: false,
      error: { fault: 'bad-scheme', offset: 0, message: 'no Digest challenge this client can answer' },
    };
  }
  const credentials = buildCredentials(chosen, {
    ...opts,
    cnonce: opts.cnonce ?? randomCnonce(),
    nc: opts.nc ?? 1,
  });
  return { ok: true, value: { credentials, value: formatDigestCredentials(credentials), chosen } };
}

export function randomCnonce(): string {
  return randomBytes(12).toString('base64url');
}
