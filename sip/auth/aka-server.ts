/**
 * The S-CSCF side of Digest AKA (RFC 3310 §3.2–§3.4, TS 24.229 §5.4.1.2, TS 33.203 §6.1) for the
 * lab IMS core: challenges with one authentication vector per registration attempt, then checks
 * the answer with XRES as the password (AKAv1) or the AKAv2 derived one.
 *
 * The vector comes from the caller (an HSS stand-in using `generateAuthVector`); this class keeps
 * the pending vectors (bounded, expiring) and says what came back: success with CK/IK, a wrong
 * response, a synchronisation failure (AUTS for `resynchronise`), or a MAC failure reported by the
 * UE. Policy (403 after failure, new challenge after resync) stays with the core.
 */

import { type AuthVector, akaPassword } from './aka.ts';
import { type DigestAlgorithm, digestAlgorithm } from './digest-algorithm.ts';
import { formatDigestChallenge } from './digest-challenge.ts';
import { parseDigestCredentials } from './digest-credentials.ts';
import { computeDigestResponse, hexEqual, parseNonceCount, type Qop } from './digest-response.ts';

export interface AkaServerOptions {
  readonly realm: string;
  /** AKAv1-MD5 (default), AKAv2-MD5, AKAv1-SHA-256, ... */
  readonly algorithm?: string | undefined;
  /** How long a challenge may be answered; default 30 s (the S-CSCF's reg-await-auth timer). */
  readonly ttlMs?: number | undefined;
  /** Bound on pending challenges; the oldest are dropped first. Default 10 000. */
  readonly maxPending?: number | undefined;
  /** Add ck/ik to the challenge for the P-CSCF (TS 24.229 §5.4.1.2.1); it removes them. */
  readonly includeKeys?: boolean | undefined;
  readonly now?: (() => number) | undefined;
}

export type AkaVerification =
  | { readonly ok: true; readonly impi: string; readonly ck: Uint8Array; readonly ik: Uint8Array }
  | {
      readonly ok: false;
      readonly reason:
        | 'no-credentials'
        | 'malformed'
        /** A nonce we never issued, or issued so long ago that it was dropped. */
        | 'unknown-nonce'
        | 'expired'
        /** The username is not the IMPI that was challenged. */
        | 'wrong-user'
        | 'bad-response'
        /** The UE sent AUTS (RFC 3310 §3.4): resynchronise with `rand` and `auts`, then challenge anew. */
        | 'sync-failure'
        /** The UE could not authenticate the network: empty response, no AUTS (TS 24.229 §5.1.1.5.3). */
        | 'mac-failure';
      readonly impi?: string | undefined;
      readonly rand?: Uint8Array | undefined;
      readonly auts?: Uint8Array | undefined;
    };

interface Pending {
  readonly impi: string;
  readonly vector: AuthVector;
  readonly expiresAt: number;
}

export class AkaServer {
  private readonly pending = new Map<string, Pending>();
  private readonly algorithm: DigestAlgorithm;
  private readonly opts: AkaServerOptions;
  private readonly now: () => number;

  constructor(opts: AkaServerOptions) {
    const a = digestAlgorithm(opts.algorithm ?? 'AKAv1-MD5');
    if (a === undefined || a.akaVersion === 0)
      throw new TypeError(`${opts.algorithm} is not an AKA algorithm`);
    this.algorithm = a;
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  /** The WWW-Authenticate value challenging `impi` with `vector`, remembered until answered. */
  challenge(impi: string, vector: AuthVector): string {
    const now = this.now();
    for (const [nonce, p] of this.pending) {
      if (p.expiresAt > now && this.pending.size < (this.opts.maxPending ?? 10_000)) break;
      this.pending.delete(nonce);
    }
    this.pending.set(vector.nonce, { impi, vector, expiresAt: now + (this.opts.ttlMs ?? 30_000) });
    const keys = this.opts.includeKeys;
    return formatDigestChallenge({
      realm: this.opts.realm,
      nonce: vector.nonce,
      stale: false,
      algorithm: this.algorithm.name,
      qop: ['auth'],
      userhash: false,
      ck: keys ? Buffer.from(vector.ck).toString('hex') : undefined,
      ik: keys ? Buffer.from(vector.ik).toString('hex') : undefined,
      extensions: [],
    });
  }

  /** Checks the Authorization values of a REGISTER answering one of our challenges. */
  verify(req: { method: string; credentials: readonly string[] }): AkaVerification {
    for (const value of req.credentials) {
      const parsed = parseDigestCredentials(value);
      if (!parsed.ok || parsed.value.realm !== this.opts.realm) continue;
      const c = parsed.value;
      if (c.nonce === '') continue; // the initial REGISTER form: no answer yet
      const p = this.pending.get(c.nonce);
      if (!p) return { ok: false, reason: 'unknown-nonce', impi: c.username };
      // One answer per vector: a used or failed vector is never accepted again.
      this.pending.delete(c.nonce);
      if (p.expiresAt <= this.now()) return { ok: false, reason: 'expired', impi: p.impi };
      if (c.username !== p.impi) return { ok: false, reason: 'wrong-user', impi: p.impi };
      if (c.auts !== undefined) {
        const auts = Buffer.from(c.auts, 'base64');
        return { ok: false, reason: 'sync-failure', impi: p.impi, rand: p.vector.rand, auts };
      }
      if (c.response === '') return { ok: false, reason: 'mac-failure', impi: p.impi };
      let qop: Qop | undefined;
      if (c.qop !== undefined) {
        if (c.qop.toLowerCase() !== 'auth' || c.nc === undefined || c.cnonce === undefined) {
          return { ok: false, reason: 'malformed', impi: p.impi };
        }
        if (parseNonceCount(c.nc) === undefined) return { ok: false, reason: 'malformed', impi: p.impi };
        qop = 'auth';
      }
      const v = p.vector;
      const password = akaPassword(this.algorithm, { res: v.xres, ck: v.ck, ik: v.ik });
      const expected = computeDigestResponse(
        {
          algorithm: this.algorithm,
          username: c.username,
          realm: c.realm,
          nonce: c.nonce,
          method: req.method,
          uri: c.uri,
          qop,
          nc: c.nc,
          cnonce: c.cnonce,
        },
        { password },
      );
      if (!hexEqual(expected, c.response)) return { ok: false, reason: 'bad-response', impi: p.impi };
      return { ok: true, impi: p.impi, ck: v.ck, ik: v.ik };
    }
    return { ok: false, reason: 'no-credentials' };
  }

  /** Number of challenges awaiting an answer (for metrics). */
  get pendingCount(): number {
    return this.pending.size;
  }
}
