/**
 * The problem documents (RFC 9457) of the launch handler: a link or code that is not ours or was
 * altered (400 `invalid`), or one that can no longer be used (410 `expired`, `used`, `revoked`:
 * its subscriber or IMS identity is gone or disabled). `reason` is an extension member so that
 * the web client can word its message without parsing `detail`.
 */
import { type ProblemDocument, ProblemError } from '../problem.ts';

export type LinkFailure = 'invalid' | 'expired' | 'used' | 'revoked';

const DETAIL: Readonly<Record<LinkFailure, string>> = {
  invalid: 'this provisioning link is not valid (altered, truncated or not issued here)',
  expired: 'this provisioning link has expired; ask for a new one',
  used: 'this provisioning link has already been used; ask for a new one',
  revoked: 'the account of this provisioning link no longer exists or is disabled',
};

export class LinkProblem extends ProblemError {
  readonly reason: LinkFailure;

  constructor(reason: LinkFailure, what: 'link' | 'code' = 'link') {
    super(
      reason === 'invalid' ? 400 : 410,
      DETAIL[reason].replace('provisioning link', `provisioning ${what}`),
    );
    this.reason = reason;
  }

  override document(): ProblemDocument & { readonly reason: LinkFailure } {
    const base = super.document();
    return { ...base, title: this.status === 410 ? 'Gone' : base.title, reason: this.reason };
  }
}
