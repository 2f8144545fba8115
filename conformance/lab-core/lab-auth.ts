/**
 * Authentication at the lab core's S-CSCF (TS 24.229 §5.4.1.2, TS 33.203 §6.1): SIP digest
 * (MD5, SHA-256) and Digest AKA (AKAv1/AKAv2-MD5 with MILENAGE), with the HSS part (vectors,
 * SQN, resynchronisation) kept here. Mechanism comes from sip/auth; this file is the policy.
 */

import { randomBytes } from 'node:crypto';
import {
  AkaServer,
  DigestServer,
  digestAlgorithm,
  generateAuthVector,
  parseDigestCredentials,
  resynchronise,
} from '../../sip/auth/index.ts';
import type { AuthScheme, Subscriber } from './subscribers.ts';

export type AuthOutcome =
  | {
      readonly kind: 'authenticated';
      readonly impi: string;
      readonly authenticationInfo?: string | undefined;
    }
  /** answer 401 with these WWW-Authenticate values */
  | { readonly kind: 'challenge'; readonly challenges: readonly string[]; readonly reason: string }
  | { readonly kind: 'forbidden'; readonly reason: string }
  | { readonly kind: 'bad-request'; readonly reason: string };

const DIGEST_ALGORITHM: Record<string, string> = { 'digest-md5': 'MD5', 'digest-sha256': 'SHA-256' };
const AKA_ALGORITHM: Record<string, string> = { 'akav1-md5': 'AKAv1-MD5', 'akav2-md5': 'AKAv2-MD5' };

export interface LabAuthOptions {
  readonly realm: string;
  /** ms clock for nonce lifetimes and pending AKA challenges */
  readonly now: () => number;
  /** how long an AKA challenge may be answered (default 30 s) */
  readonly akaTtlMs?: number;
  /** the digest password of an IMPI (the HSS lookup) */
  readonly passwordOf: (impi: string) => string | undefined;
}

export class LabAuthenticator {
  private readonly realm: string;
  private readonly secret = randomBytes(32);
  private readonly now: () => number;
  private readonly digest = new Map<string, DigestServer>();
  private readonly aka = new Map<string, AkaServer>();
  /** the HSS's SQN per IMPI (the last one used) */
  private readonly sqn = new Map<string, bigint>();

  constructor(private readonly opts: LabAuthOptions) {
    this.realm = opts.realm;
    this.now = opts.now;
    for (const [scheme, algorithm] of Object.entries(AKA_ALGORITHM))
      this.aka.set(
        scheme,
        new AkaServer({
          realm: this.realm,
          algorithm,
          includeKeys: true,
          now: this.now,
          ttlMs: opts.akaTtlMs,
        }),
      );
  }

  /**
   * Checks the Authorization values of a REGISTER for `subscriber` (identified already): no
   * answer yet → challenge; right answer → authenticated; wrong answer → 403 (TS 24.229
   * §5.4.1.2.3); AUTS → resynchronise the HSS and challenge again with a fresh vector.
   */
  async authenticate(
    subscriber: Subscriber,
    req: { method: string; uri: string; credentials: readonly string[] },
  ): Promise<AuthOutcome> {
    let value: string | undefined;
    for (const v of req.credentials) {
      const parsed = parseDigestCredentials(v);
      if (parsed.ok && parsed.value.realm === this.realm) {
        if (parsed.value.nonce === '') return this.challenge(subscriber, 'initial');
        value = v;
        break;
      }
    }
    if (value === undefined) return this.challenge(subscriber, 'no-credentials');
    const creds = parseDigestCredentials(value);
    if (!creds.ok) return { kind: 'bad-request', reason: 'malformed credentials' };
    if (creds.value.username.toLowerCase() !== subscriber.impi.toLowerCase())
      return { kind: 'forbidden', reason: 'username is not the IMPI of this IMPU' };
    const algorithm = digestAlgorithm(creds.value.algorithm ?? 'MD5');
    if (algorithm === undefined) return this.challenge(subscriber, 'unsupported-algorithm');
    return algorithm.akaVersion !== 0
      ? this.verifyAka(subscriber, algorithm.name, req.method, value)
      : this.verifyDigest(subscriber, req, value);
  }

  /** The WWW-Authenticate values for a 401, one per offered scheme in the subscriber's order. */
  challenge(subscriber: Subscriber, reason: string, stale = false): AuthOutcome {
    const challenges: string[] = [];
    let digestDone = false;
    for (const scheme of subscriber.auth) {
      const aka = this.aka.get(scheme);
      if (aka !== undefined) {
        challenges.push(aka.challenge(subscriber.impi, this.vector(subscriber)));
      } else if (!digestDone) {
        challenges.push(...this.digestServer(subscriber).challenge({ stale }));
        digestDone = true;
      }
    }
    return { kind: 'challenge', challenges, reason };
  }

  private async verifyDigest(
    subscriber: Subscriber,
    req: { method: string; uri: string },
    value: string,
  ): Promise<AuthOutcome> {
    if (!subscriber.auth.some((s) => DIGEST_ALGORITHM[s] !== undefined))
      return this.challenge(subscriber, 'unsupported-algorithm');
    const r = await this.digestServer(subscriber).verify({
      method: req.method,
      uri: req.uri,
      credentials: [value],
    });
    if (r.ok)
      return { kind: 'authenticated', impi: subscriber.impi, authenticationInfo: r.authenticationInfo };
    switch (r.reason) {
      case 'malformed':
      case 'bad-qop':
      case 'bad-uri':
        return { kind: 'bad-request', reason: r.reason };
      case 'bad-response':
      case 'unknown-user':
      case 'replayed-nonce-count':
        return { kind: 'forbidden', reason: r.reason };
      default:
        // stale, invalid-nonce, unsupported-algorithm, no-credentials: a fresh challenge
        return this.challenge(subscriber, r.reason, r.reason === 'stale');
    }
  }

  private verifyAka(subscriber: Subscriber, algorithm: string, method: string, value: string): AuthOutcome {
    const scheme = Object.keys(AKA_ALGORITHM).find((s) => AKA_ALGORITHM[s] === algorithm);
    const server = scheme === undefined ? undefined : this.aka.get(scheme);
    if (server === undefined || !subscriber.auth.includes(scheme as AuthScheme))
      return this.challenge(subscriber, 'unsupported-algorithm');
    const r = server.verify({ method, credentials: [value] });
    if (r.ok) return { kind: 'authenticated', impi: subscriber.impi };
    switch (r.reason) {
      case 'sync-failure': {
        const aka = subscriber.aka;
        if (aka === undefined || r.rand === undefined || r.auts === undefined)
          return { kind: 'forbidden', reason: 'sync-failure without AKA credentials' };
        const resync = resynchronise({ k: aka.k, opc: aka.opc, rand: r.rand, auts: r.auts });
        if ('error' in resync) return { kind: 'forbidden', reason: 'AUTS MAC-S mismatch' };
        // TS 33.102 §6.3.5: the HSS continues from SQN_MS; the next vector is fresh for the USIM.
        this.sqn.set(subscriber.impi, resync.sqnMs);
        return this.challenge(subscriber, 'resync');
      }
      case 'unknown-nonce':
      case 'expired':
      case 'no-credentials':
        return this.challenge(subscriber, r.reason);
      case 'malformed':
        return { kind: 'bad-request', reason: r.reason };
      default:
        // bad-response, mac-failure, wrong-user
        return { kind: 'forbidden', reason: r.reason };
    }
  }

  private vector(subscriber: Subscriber) {
    const aka = subscriber.aka;
    if (aka === undefined) throw new TypeError(`subscriber ${subscriber.impi} has no AKA credentials`);
    const next = (this.sqn.get(subscriber.impi) ?? aka.sqn) + 1n;
    this.sqn.set(subscriber.impi, next);
    return generateAuthVector({ k: aka.k, opc: aka.opc, sqn: next, amf: aka.amf });
  }

  private digestServer(subscriber: Subscriber): DigestServer {
    const algorithms = subscriber.auth
      .map((s) => DIGEST_ALGORITHM[s])
      .filter((a): a is string => a !== undefined);
    const key = algorithms.join(',');
    let server = this.digest.get(key);
    if (server === undefined) {
      server = new DigestServer({
        realm: this.realm,
        secret: this.secret,
        now: this.now,
        algorithms,
        lookup: ({ username }) => {
          const password = this.opts.passwordOf(username);
          return password === undefined ? undefined : { password };
        },
      });
      this.digest.set(key, server);
    }
    return server;
  }

  /** Pending AKA challenges (for the lab core's tests and metrics). */
  get pendingAka(): number {
    let n = 0;
    for (const s of this.aka.values()) n += s.pendingCount;
    return n;
  }
}
