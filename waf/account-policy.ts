/**
 * What a login does to the user's other grants and sessions:
 * - exclusive login (WAF_EXCLUSIVE_LOGIN): a new login revokes every other grant of the user
 *   (with all its tokens: refresh tokens, codes and the records that keep JWT access tokens
 *   introspectable) and ends the user's other sessions;
 * - the per-user cap (WAF_MAX_TOKENS_PER_USER): after a grant is made, the user's oldest grants
 *   beyond the cap are revoked.
 * A grant is the family of tokens one client got from one login (what a refresh token renews).
 */
import type { Logger } from '../app/logger.ts';
import type { WafMetrics } from './metrics.ts';
import type { WafStorage } from './storage/storage.ts';

export interface AccountPolicyOptions {
  readonly storage: WafStorage;
  readonly exclusiveLogin: boolean;
  /** 0: no cap */
  readonly maxGrantsPerUser: number;
  readonly metrics: WafMetrics;
  readonly logger: Logger;
}

export type RevokeReason = 'exclusive_login' | 'token_cap';

export class AccountPolicy {
  constructor(private readonly options: AccountPolicyOptions) {}

  /** Revokes a grant and everything issued under it. */
  async revokeGrant(grantId: string, reason: RevokeReason): Promise<void> {
    const grants = this.options.storage.adapter('Grant');
    await grants.revokeByGrantId(grantId);
    await grants.destroy(grantId);
    this.options.metrics.grantsRevoked.inc({ reason });
  }

  /** Called when `accountId` has just logged in over the session `currentSessionId` (if it had one). */
  async onLogin(accountId: string, currentSessionId: string | undefined): Promise<void> {
    if (!this.options.exclusiveLogin) return;
    const entries = await this.options.storage.accountEntries(accountId);
    let grants = 0;
    let sessions = 0;
    for (const entry of entries) {
      if (entry.model === 'Grant') {
        await this.revokeGrant(entry.id, 'exclusive_login');
        grants++;
      } else if (entry.id !== currentSessionId) {
        await this.options.storage.adapter('Session').destroy(entry.id);
        sessions++;
      }
    }
    if (grants + sessions > 0)
      this.options.logger.info(
        { accountId, grants, sessions },
        'exclusive login: revoked the other grants and sessions',
      );
  }

  /** Called after a grant of `accountId` was saved: enforces the per-user cap. */
  async afterGrant(accountId: string): Promise<void> {
    const cap = this.options.maxGrantsPerUser;
    if (cap === 0) return;
    const grants = (await this.options.storage.accountEntries(accountId)).filter((e) => e.model === 'Grant');
    const excess = grants.slice(0, Math.max(0, grants.length - cap));
    for (const grant of excess) await this.revokeGrant(grant.id, 'token_cap');
    if (excess.length > 0)
      this.options.logger.info(
        { accountId, revoked: excess.length, cap },
        'per-user cap: revoked the oldest grants',
      );
  }
}
