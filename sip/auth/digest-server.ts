/**
 * The server side of Digest (RFC 3261 §22.2/§22.3, RFC 7616 §3.3–§3.5, RFC 8760): issues
 * challenges and checks credentials, for a registrar/UAS (401 + WWW-Authenticate, credentials in
 * Authorization) or a proxy (407 + Proxy-Authenticate, credentials in Proxy-Authorization).
 *
 * Mechanism only: it says what happened and what the RFC answer would be (status and challenge
 * header values); the role's policy decides whether to send it, to turn repeated failures into
 * 403, to log, and so on.
 */

import { formatAuthenticationInfo } from './authentication-info.ts';
import { type DigestAlgorithm, type DigestHash, digestAlgorithm } from './digest-algorithm.ts';
import { formatDigestChallenge } from './digest-challenge.ts';
import { type DigestCredentials, parseDigestCredentials } from './digest-credentials.ts';
import {
  computeDigestResponse,
  computeRspauth,
  type DigestInput,
  type DigestSecret,
  hexEqual,
  parseNonceCount,
  type Qop,
} from './digest-response.ts';
import { MemoryNonceCountStore, type NonceCountStore } from './nonce-count-store.ts';
import { NonceFactory } from './nonce-factory.ts';

/** The secret of one user, as the subscriber store keeps it. */
export type StoredSecret = (
  | { readonly password: string | Uint8Array }
  /** HA1 = H(username:realm:password) per hash; only the algorithms whose hash is present work. */
  | { readonly ha1: Partial<Record<DigestHash, string>> }
) & {
  /** The plain username, required when the query was by userhash (RFC 7616 §3.4.4). */
  readonly username?: string | undefined;
};

export interface SecretQuery {
  /** The username as sent: with `userhash`, H(username:realm) in lowercase hex. */
  readonly username: string;
  readonly userhash: boolean;
  readonly realm: string;
  readonly algorithm: DigestAlgorithm;
  readonly nonce: string;
}

/** Finds a user's secret; undefined when there is no such user. */
export type SecretLookup = (q: SecretQuery) => StoredSecret | undefined | Promise<StoredSecret | undefined>;

export interface DigestServerOptions {
  readonly realm: string;
  /** Key of the stateless nonces (at least 16 octets); every instance of a cluster shares it. */
  readonly secret: Uint8Array;
  /** Injected clock, ms since epoch. Default Date.now. */
  readonly now?: (() => number) | undefined;
  /** Nonce lifetime; default 300 s. */
  readonly nonceTtlMs?: number | undefined;
  readonly lookup: SecretLookup;
  /** true for a proxy: 407 / Proxy-Authenticate / Proxy-Authorization (RFC 3261 §22.3). */
  readonly proxy?: boolean | undefined;
  /**
   * Algorithms offered, one challenge each, most preferred first (RFC 8760 §2.3). Default
   * SHA-256 then MD5: SHA-256 for RFC 8760 clients, MD5 for the many that only know RFC 3261.
   */
  readonly algorithms?: readonly string[] | undefined;
  /** qop-options offered; default ['auth'] (RFC 8760 §2.2 asks servers to offer qop). */
  readonly qop?: readonly Qop[] | undefined;
  readonly nonceCounts?: NonceCountStore | undefined;
  /**
   * Check that the `uri` parameter names the Request-URI (RFC 7616 §3.4.6, RFC 2617 §3.2.2.5).
   * 'exact' compares the strings case-insensitively; a function may implement RFC 3261 §19.1.4
   * URI equality; 'off' is a named leniency for peers behind URI-rewriting proxies.
   */
  readonly uriCheck?: 'exact' | 'off' | ((credentialsUri: string, requestUri: string) => boolean) | undefined;
  /** Put rspauth (mutual authentication) into Authentication-Info on success. Default true. */
  readonly authenticationInfo?: boolean | undefined;
  /** Send a nextnonce in Authentication-Info when less than this much of a nonce's life is left. */
  readonly nextNonceBeforeMs?: number | undefined;
  /** Offer userhash=true (RFC 7616 §3.4.4); the lookup must then resolve hashed usernames. */
  readonly userhash?: boolean | undefined;
}

/** What the server knows of the request being authenticated. */
export interface AuthRequest {
  readonly method: string;
  /** The Request-URI as received, for the uri check. */
  readonly uri: string;
  /** Every Authorization (or Proxy-Authorization, for a proxy) header field value, in order. */
  readonly credentials: readonly string[];
  readonly body?: string | Uint8Array | undefined;
  /** The NonceFactory binding (e.g. flow id) the challenge was issued with. */
  readonly binding?: string | undefined;
}

export type DigestFailureReason =
  /** No credentials for our realm: the first request of a dialog-less exchange. */
  | 'no-credentials'
  /** Credentials for our realm that do not parse or lack mandatory parameters. */
  | 'malformed'
  | 'unsupported-algorithm'
  /** qop missing although offered, or a qop that was not offered, or nc/cnonce missing. */
  | 'bad-qop'
  | 'bad-uri'
  /** A nonce we did not issue (or issued to another binding). */
  | 'invalid-nonce'
  /** Right password, expired nonce: the client retries at once with the new nonce. */
  | 'stale'
  /** The (nonce, nc) pair was already used. */
  | 'replayed-nonce-count'
  | 'unknown-user'
  | 'bad-response';

export type DigestVerification =
  | {
      readonly ok: true;
      readonly username: string;
      readonly realm: string;
      readonly algorithm: DigestAlgorithm;
      readonly credentials: DigestCredentials;
      /** Authentication-Info header value for the 2xx (RFC 3261 §22.4), if any. */
      readonly authenticationInfo?: string | undefined;
    }
  | {
      readonly ok: false;
      readonly reason: DigestFailureReason;
      /** 400 for malformed input, else 401 (UAS) or 407 (proxy). */
      readonly status: 400 | 401 | 407;
      /** The challenge header field values to send with a 401/407 (none with 400). */
      readonly challenges: readonly string[];
      /** The username claimed, for logs and failure counters; never trust it. */
      readonly username?: string | undefined;
    };

export class DigestServer {
  readonly realm: string;
  /** WWW-Authenticate or Proxy-Authenticate. */
  readonly challengeHeader: 'WWW-Authenticate' | 'Proxy-Authenticate';
  /** Authorization or Proxy-Authorization. */
  readonly credentialsHeader: 'Authorization' | 'Proxy-Authorization';
  readonly status: 401 | 407;
  private readonly opts: DigestServerOptions;
  private readonly offered: readonly DigestAlgorithm[];
  private readonly qop: readonly Qop[];
  private readonly nonceCounts: NonceCountStore;
  private readonly nonces: NonceFactory;

  constructor(opts: DigestServerOptions) {
    this.opts = opts;
    this.nonces = new NonceFactory({ secret: opts.secret, ttlMs: opts.nonceTtlMs, now: opts.now });
    this.realm = opts.realm;
    this.status = opts.proxy ? 407 : 401;
    this.challengeHeader = opts.proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    this.credentialsHeader = opts.proxy ? 'Proxy-Authorization' : 'Authorization';
    const offered: DigestAlgorithm[] = [];
    for (const name of opts.algorithms ?? ['SHA-256', 'MD5']) {
      const a = digestAlgorithm(name);
      if (a === undefined || a.akaVersion !== 0) throw new TypeError(`cannot offer algorithm ${name}`);
      offered.push(a);
    }
    if (offered.length === 0) throw new TypeError('no algorithm to offer');
    this.offered = offered;
    this.qop = opts.qop ?? ['auth'];
    this.nonceCounts = opts.nonceCounts ?? new MemoryNonceCountStore({ now: this.nonces.now });
  }

  /**
   * Challenge header field values, one per offered algorithm, most preferred first (RFC 8760
   * §2.3). All share one nonce, so a client answering any of them uses the same nonce.
   */
  challenge(opts: { stale?: boolean; binding?: string } = {}): string[] {
    const nonce = this.nonces.issue(opts.binding);
    return this.offered.map((a) =>
      formatDigestChallenge({
        realm: this.realm,
        nonce,
        stale: opts.stale ?? false,
        // RFC 3261 clients expect algorithm=MD5 or nothing; always naming it is allowed.
        algorithm: a.name,
        qop: this.qop,
        userhash: this.opts.userhash ?? false,
        extensions: [],
      }),
    );
  }

  private fail(
    reason: DigestFailureReason,
    req: AuthRequest,
    opts: { stale?: boolean; username?: string } = {},
  ): DigestVerification {
    const badRequest = reason === 'malformed' || reason === 'bad-qop' || reason === 'bad-uri';
    return {
      ok: false,
      reason,
      status: badRequest ? 400 : this.status,
      challenges: badRequest
        ? []
        : this.challenge({ stale: opts.stale ?? false, binding: req.binding ?? '' }),
      username: opts.username,
    };
  }

  /** Checks the credentials of a request against this realm. */
  async verify(req: AuthRequest): Promise<DigestVerification> {
    // RFC 3261 §22.3/§22.4: a server looks only at credentials whose realm is its own.
    let creds: DigestCredentials | undefined;
    let unparseable = false;
    for (const value of req.credentials) {
      const parsed = parseDigestCredentials(value);
      // Another scheme (Bearer) is not ours to judge; broken Digest is.
      if (!parsed.ok) unparseable ||= parsed.error.fault !== 'bad-scheme';
      else if (parsed.value.realm === this.realm) {
        creds = parsed.value;
        break;
      }
    }
    // Credentials we cannot read get a 400 rather than a challenge loop.
    if (!creds) return this.fail(unparseable ? 'malformed' : 'no-credentials', req);
    const username = creds.username;

    const algorithm = digestAlgorithm(creds.algorithm);
    if (!algorithm || !this.offered.includes(algorithm)) {
      return this.fail('unsupported-algorithm', req, { username });
    }

    // qop: RFC 7616 §3.4 — when the server offered qop the client MUST use one of them, with nc
    // and cnonce. Some clients quote the token (qop="auth"); the parser has already unquoted it.
    let qop: Qop | undefined;
    let nc: number | undefined;
    if (creds.qop !== undefined) {
      const q = creds.qop.toLowerCase();
      if (q !== 'auth' && q !== 'auth-int') return this.fail('bad-qop', req, { username });
      qop = q;
      if (!this.qop.includes(qop) || creds.cnonce === undefined || creds.nc === undefined) {
        return this.fail('bad-qop', req, { username });
      }
      nc = parseNonceCount(creds.nc);
      if (nc === undefined) return this.fail('malformed', req);
    } else if (this.qop.length > 0) {
      return this.fail('bad-qop', req, { username });
    }
    if (algorithm.session && creds.cnonce === undefined) return this.fail('malformed', req);

    if (!this.uriMatches(creds.uri, req.uri)) return this.fail('bad-uri', req, { username });

    const binding = req.binding ?? '';
    const nonceState = this.nonces.check(creds.nonce, binding);
    if (nonceState === 'invalid') return this.fail('invalid-nonce', req, { username });

    const stored = await this.opts.lookup({
      username,
      userhash: creds.userhash,
      realm: creds.realm,
      algorithm,
      nonce: creds.nonce,
    });
    const secret = stored && toDigestSecret(stored, algorithm);
    // With userhash the plain username must come from the store (RFC 7616 §3.4.4).
    const plainUsername = creds.userhash ? stored?.username : username;
    if (!secret || plainUsername === undefined) return this.fail('unknown-user', req, { username });

    const input: DigestInput = {
      algorithm,
      username: plainUsername,
      realm: creds.realm,
      nonce: creds.nonce,
      method: req.method,
      uri: creds.uri,
      qop,
      nc: creds.nc,
      cnonce: creds.cnonce,
      body: req.body,
    };
    if (!hexEqual(computeDigestResponse(input, secret), creds.response)) {
      return this.fail('bad-response', req, { username: plainUsername });
    }
    // RFC 7616 §3.3: stale=true only when the response was otherwise valid.
    if (nonceState === 'stale') return this.fail('stale', req, { stale: true, username: plainUsername });

    if (nc !== undefined) {
      const expiresAt = this.nonces.expiresAt(creds.nonce, binding) ?? 0;
      if (!(await this.nonceCounts.accept(creds.nonce, nc, expiresAt))) {
        return this.fail('replayed-nonce-count', req, { username: plainUsername });
      }
    }

    return {
      ok: true,
      username: plainUsername,
      realm: creds.realm,
      algorithm,
      credentials: creds,
      authenticationInfo: this.authenticationInfo(input, secret, binding),
    };
  }

  private authenticationInfo(input: DigestInput, secret: DigestSecret, binding: string): string | undefined {
    const info: { nextnonce?: string; qop?: string; rspauth?: string; cnonce?: string; nc?: string } = {};
    const before = this.opts.nextNonceBeforeMs;
    if (before !== undefined) {
      const expires = this.nonces.expiresAt(input.nonce, binding);
      if (expires !== undefined && expires - this.nonces.now() < before)
        info.nextnonce = this.nonces.issue(binding);
    }
    if ((this.opts.authenticationInfo ?? true) && input.qop !== undefined) {
      info.qop = input.qop;
      info.rspauth = computeRspauth(input, secret);
      info.cnonce = input.cnonce;
      info.nc = input.nc;
    }
    return Object.keys(info).length ? formatAuthenticationInfo(info) : undefined;
  }

  private uriMatches(credentialsUri: string, requestUri: string): boolean {
    const check = this.opts.uriCheck ?? 'exact';
    if (check === 'off') return true;
    if (check === 'exact') {
      return (
        credentialsUri.length === requestUri.length &&
        credentialsUri.toLowerCase() === requestUri.toLowerCase()
      );
    }
    return check(credentialsUri, requestUri);
  }
}

function toDigestSecret(stored: StoredSecret, algorithm: DigestAlgorithm): DigestSecret | undefined {
  if ('password' in stored) return { password: stored.password };
  const ha1 = stored.ha1[algorithm.hash];
  return ha1 === undefined ? undefined : { ha1 };
}
