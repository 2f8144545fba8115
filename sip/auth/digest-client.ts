/**
 * The UAC side of Digest (RFC 3261 §22.2–§22.4, RFC 7616 §3.4) and of Digest AKA (RFC 3310
 * §3.3–§3.4, RFC 4169, TS 24.229 §5.1.1.5), with state: answers the challenges of a 401/407,
 * one credentials value per realm, and re-uses a nonce for later requests with a growing nc.
 *
 * One DigestClient holds one identity (username plus password, HA1 or an AKA responder). It does
 * not build or send requests: the UA layer asks it for header values, adds them as Authorization
 * (after 401) or Proxy-Authorization (after 407), increments CSeq (RFC 3261 §22.2) and resends.
 */

import { akaPassword, parseAkaNonce } from './aka.ts';
import { parseAuthenticationInfo } from './authentication-info.ts';
import type { DigestAlgorithm, DigestHash } from './digest-algorithm.ts';
import {
  buildCredentials,
  type ChosenChallenge,
  chooseChallenge,
  digestChallengesIn,
  randomCnonce,
} from './digest-answer.ts';
import type { DigestChallenge } from './digest-challenge.ts';
import { type DigestCredentials, formatDigestCredentials } from './digest-credentials.ts';
import { computeRspauth, type DigestSecret, formatNonceCount, hexEqual } from './digest-response.ts';
import type { AkaResponder } from './usim.ts';

export type ClientSecret =
  | { readonly password: string }
  /** HA1 of one hash: the client can then answer only challenges of that hash. */
  | { readonly ha1: string; readonly hash: DigestHash }
  /** IMS AKA: the card (or simulator) answers RAND/AUTN. */
  | { readonly aka: AkaResponder };

export interface DigestClientOptions {
  /** The IMPI for IMS, the SIP username otherwise. */
  readonly username: string;
  readonly secret: ClientSecret;
  /** Answer only this realm (RFC 3261 §22.1: credentials belong to a realm). Default: any. */
  readonly realm?: string | undefined;
  /** Prefer auth-int over auth when both are offered (the stronger). Default true. */
  readonly preferAuthInt?: boolean | undefined;
  /** cnonce source; random by default, injectable for tests. */
  readonly cnonce?: (() => string) | undefined;
}

export interface ClientRequest {
  readonly method: string;
  /** The Request-URI of the request being (re)sent. */
  readonly uri: string;
  readonly body?: string | Uint8Array | undefined;
}

/** What happened with the AKA part of an answer, for the UA's registration logic. */
export type AkaOutcome = 'ok' | 'sync-failure' | 'mac-failure';

export type ClientAnswer =
  | {
      readonly ok: true;
      /** Header field values, one per realm answered, in challenge order. */
      readonly values: readonly string[];
      readonly credentials: readonly DigestCredentials[];
      readonly aka?: AkaOutcome | undefined;
    }
  | {
      readonly ok: false;
      readonly reason: /** No challenge of a realm, algorithm and qop this client can answer. */
        | 'no-usable-challenge'
        /** Our last credentials for this realm were refused (a non-stale challenge came back). */
        | 'rejected'
        /** An AKA nonce that is not base64(RAND ‖ AUTN ...). */
        | 'bad-aka-nonce';
      readonly realm?: string | undefined;
    };

interface RealmState {
  readonly chosen: ChosenChallenge;
  readonly secret: DigestSecret;
  nonce: string;
  count: number;
  cnonce: string;
  /** What the last credentials were computed over, to check rspauth in Authentication-Info. */
  last?: { method: string; uri: string; body?: string | Uint8Array | undefined; nc: number };
  /** Whether the last answer carried real credentials (not an AKA failure report). */
  answered: boolean;
}

const SEVERITY: Record<AkaOutcome, number> = { ok: 0, 'sync-failure': 1, 'mac-failure': 2 };

export class DigestClient {
  private readonly opts: DigestClientOptions;
  private readonly realms = new Map<string, RealmState>();

  constructor(opts: DigestClientOptions) {
    this.opts = opts;
  }

  private accepts(a: DigestAlgorithm): boolean {
    const s = this.opts.secret;
    if ('aka' in s) return a.akaVersion !== 0;
    if (a.akaVersion !== 0) return false;
    return 'ha1' in s ? a.hash === s.hash : true;
  }

  private newCnonce(): string {
    return this.opts.cnonce ? this.opts.cnonce() : randomCnonce();
  }

  /**
   * Answers the challenge header field values of one 401 or 407 (all WWW-Authenticate or all
   * Proxy-Authenticate values). For each realm, the strongest usable challenge is answered.
   */
  respond(challengeValues: readonly string[], req: ClientRequest): ClientAnswer {
    const byRealm = new Map<string, DigestChallenge[]>();
    for (const c of digestChallengesIn(challengeValues)) {
      if (this.opts.realm !== undefined && c.realm !== this.opts.realm) continue;
      byRealm.set(c.realm, [...(byRealm.get(c.realm) ?? []), c]);
    }
    const picked: ChosenChallenge[] = [];
    for (const list of byRealm.values()) {
      const chosen = chooseChallenge(list, {
        accept: (a) => this.accepts(a),
        preferAuthInt: this.opts.preferAuthInt,
      });
      if (chosen) picked.push(chosen);
    }
    if (picked.length === 0) return { ok: false, reason: 'no-usable-challenge' };

    const values: string[] = [];
    const credentials: DigestCredentials[] = [];
    let aka: AkaOutcome | undefined;
    for (const chosen of picked) {
      const { challenge: c, algorithm } = chosen;
      const realm = c.realm;
      const s = this.opts.secret;
      // RFC 3261 §22.2 / RFC 7616 §3.3: a fresh challenge without stale=true after we answered
      // means our credentials were wrong; answering again with them would loop. (An AKA
      // re-challenge carries a new RAND, so the answer differs: not a loop.)
      if (this.realms.get(realm)?.answered && !c.stale && !('aka' in s))
        return { ok: false, reason: 'rejected', realm };
      let secret: DigestSecret;
      let outcome: AkaOutcome | undefined;
      let auts: string | undefined;
      if ('aka' in s) {
        const n = parseAkaNonce(c.nonce);
        if (!n) return { ok: false, reason: 'bad-aka-nonce', realm };
        const run = s.aka.authenticate(n.rand, n.autn);
        outcome = run.kind;
        if (run.kind === 'ok') secret = { password: akaPassword(algorithm, run) };
        else {
          // RFC 3310 §3.4: on synchronisation failure the response uses an empty password.
          secret = { password: '' };
          if (run.kind === 'sync-failure') auts = Buffer.from(run.auts).toString('base64');
        }
        aka = aka === undefined || SEVERITY[outcome] > SEVERITY[aka] ? outcome : aka;
      } else secret = 'password' in s ? { password: s.password } : { ha1: s.ha1 };

      const state: RealmState = {
        chosen,
        secret,
        nonce: c.nonce,
        count: 0,
        cnonce: this.newCnonce(),
        answered: outcome === undefined || outcome === 'ok',
      };
      this.realms.set(realm, state);
      const cred = this.build(state, req, auts, outcome === 'mac-failure');
      credentials.push(cred);
      values.push(formatDigestCredentials(cred));
    }
    return { ok: true, values, credentials, aka };
  }

  /**
   * Credentials for a new request to a realm already answered, re-using its nonce with the next
   * nonce count (RFC 7616 §3.4; IMS UEs re-register this way, TS 24.229 §5.1.1.4). undefined when
   * the realm has no usable state; then send without and answer the challenge.
   */
  authorize(realm: string, req: ClientRequest): string | undefined {
    const state = this.realms.get(realm);
    // Without qop a nonce cannot be re-used safely (no nc): RFC 2069 servers re-challenge.
    if (!state?.answered || state.chosen.qop === undefined) return undefined;
    return formatDigestCredentials(this.build(state, req));
  }

  /**
   * Reads the Authentication-Info of a 2xx: checks `rspauth` (mutual authentication, RFC 2617
   * §3.2.3) and takes `nextnonce` for the next request. Returns false when the value does not
   * parse or rspauth is present and wrong: the response did not come from a server knowing the
   * secret.
   */
  receiveAuthenticationInfo(realm: string, value: string): boolean {
    const parsed = parseAuthenticationInfo(value);
    if (!parsed.ok) return false;
    const state = this.realms.get(realm);
    if (!state) return true;
    const info = parsed.value;
    const { challenge: c, algorithm, qop } = state.chosen;
    if (info.rspauth !== undefined && state.last) {
      const input = {
        algorithm,
        username: this.opts.username,
        realm: c.realm,
        nonce: state.nonce,
        method: state.last.method,
        uri: state.last.uri,
        body: state.last.body,
        qop,
        nc: qop === undefined ? undefined : formatNonceCount(state.last.nc),
        cnonce: state.cnonce,
      };
      if (!hexEqual(computeRspauth(input, state.secret), info.rspauth)) return false;
    }
    if (info.nextnonce !== undefined && info.nextnonce !== state.nonce) {
      state.nonce = info.nextnonce;
      state.count = 0;
      state.cnonce = this.newCnonce();
    }
    return true;
  }

  /** Forgets a realm (e.g. after de-registration or a 403), or every realm. */
  forget(realm?: string): void {
    if (realm === undefined) this.realms.clear();
    else this.realms.delete(realm);
  }

  private build(
    state: RealmState,
    req: ClientRequest,
    auts?: string,
    emptyResponse = false,
  ): DigestCredentials {
    state.count++;
    state.last = { method: req.method, uri: req.uri, body: req.body, nc: state.count };
    return buildCredentials(state.chosen, {
      username: this.opts.username,
      secret: state.secret,
      method: req.method,
      uri: req.uri,
      body: req.body,
      cnonce: state.cnonce,
      nc: state.count,
      nonce: state.nonce,
      auts,
      // TS 24.229 §5.1.1.5.3: after a MAC failure the response is empty and auts absent.
      emptyResponse,
    });
  }
}

/** The header that carries credentials answering a challenge of this status (RFC 3261 §22.2/§22.3). */
export function credentialsHeaderFor(status: 401 | 407): 'Authorization' | 'Proxy-Authorization' {
  return status === 407 ? 'Proxy-Authorization' : 'Authorization';
}

/** The header that carries challenges in a response of this status. */
export function challengeHeaderFor(status: 401 | 407): 'WWW-Authenticate' | 'Proxy-Authenticate' {
  return status === 407 ? 'Proxy-Authenticate' : 'WWW-Authenticate';
}
