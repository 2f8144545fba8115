import type { ImsAccessToken } from '../../token/claims.ts';
import type { TokenValidation, TokenValidator } from '../../token/validator.ts';
import type { BearerMetrics } from './bearer-metrics.ts';
import type { TokenBindings } from './token-bindings.ts';

export interface BearerAccessOptions {
  readonly validator: TokenValidator;
  readonly bindings: TokenBindings;
  readonly metrics: BearerMetrics;
  /** BEARER_REQUIRED: every request must carry a token */
  readonly required: boolean;
  /** the WAF issuer, named in challenges as authz_server (RFC 8898 §2.3) */
  readonly issuer: () => string;
  /** realm of our challenges: the home network domain */
  readonly realm: string;
  /** wall-clock ms */
  readonly now: () => number;
}

/**
 * The eP-CSCF's bearer-token access (RFC 8898): the validator, the token bindings of the
 * registrations made with tokens, and the tokens this instance has seen revoked. A revoked JWT
 * still verifies locally (its signature and expiry are fine), so its jti is remembered until it
 * expires and refused: a replay after revocation gets 401 invalid_token.
 */
export class BearerAccess {
  readonly validator: TokenValidator;
  readonly bindings: TokenBindings;
  readonly metrics: BearerMetrics;
  readonly required: boolean;
  readonly issuer: () => string;
  readonly realm: string;
  private readonly now: () => number;
  /** jti → when the token expires (ms): revoked tokens, kept until then */
  private readonly revoked = new Map<string, number>();

  constructor(o: BearerAccessOptions) {
    this.validator = o.validator;
    this.bindings = o.bindings;
    this.metrics = o.metrics;
    this.required = o.required;
    this.issuer = o.issuer;
    this.realm = o.realm;
    this.now = o.now;
  }

  /** Validates a token and counts the outcome. */
  async validate(raw: string): Promise<TokenValidation> {
    let r = await this.validator.validate(raw);
    if (r.ok && this.isRevoked(r.token)) r = { ok: false, error: 'invalid_token', reason: 'token revoked' };
    this.metrics.validations.inc({ outcome: r.ok ? 'valid' : r.error });
    return r;
  }

  /** Remembers a token found revoked (until it would have expired anyway). */
  markRevoked(token: ImsAccessToken): void {
    const now = this.now();
    for (const [jti, until] of this.revoked) if (until <= now) this.revoked.delete(jti);
    this.revoked.set(token.tokenId, token.expiresAt * 1000);
  }

  private isRevoked(token: ImsAccessToken): boolean {
    const until = this.revoked.get(token.tokenId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.revoked.delete(token.tokenId);
    return false;
  }
}
