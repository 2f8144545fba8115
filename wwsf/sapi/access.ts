/**
 * Who may do what on the SAPI, from the caller's access token (its `role` and `ims.domain`):
 *
 * - an admin administers its own domain and every domain below it (the parent hierarchy): a
 *   domain admin is simply an admin whose token names that domain;
 * - an admin of WWSF_OPERATOR_DOMAIN administers every domain and may create top-level ones;
 * - a user (or guest) sees and changes only itself: its subscriber record, its password, its
 *   IMS credentials (never their secrets), its capabilities.
 *
 * Resources outside the caller's reach answer 404, as if absent, so that tenants cannot probe
 * each other's subscribers; operations on a named domain outside it answer 403.
 *
 * When the token's subject is a subscriber of the token's domain, the directory has the last
 * word: its current role counts (a demoted admin loses its rights at once, not when its token
 * expires) and a disabled subscriber is refused. Subjects the directory does not know (a
 * back-office client of the WAF) are taken at the token's word.
 */
import type { SubscriberDirectory, SubscriberRole } from '../../store/directory.ts';
import type { ImsAccessToken } from '../../token/claims.ts';
import { forbidden } from '../bearer.ts';
import { ProblemError } from '../problem.ts';

/** How deep a parent chain is followed (the directory refuses loops; this bounds a bad store). */
const MAX_DEPTH = 32;

export class Access {
  private constructor(
    readonly caller: ImsAccessToken,
    /** the role in force: the directory's for a known subscriber, else the token's */
    readonly role: SubscriberRole,
    private readonly directory: SubscriberDirectory,
    private readonly operatorDomain: string | undefined,
  ) {}

  /** The caller's rights; a disabled subscriber is refused (403). */
  static async of(
    caller: ImsAccessToken,
    directory: SubscriberDirectory,
    operatorDomain: string | undefined,
  ): Promise<Access> {
    const sub = await directory.getSubscriber(caller.subject);
    const known = sub !== undefined && sub.domain === caller.identity.domain;
    if (known && sub.disabled) throw forbidden('this subscriber is disabled');
    return new Access(caller, known ? sub.role : caller.role, directory, operatorDomain);
  }

  get domain(): string {
    return this.caller.identity.domain;
  }

  get isAdmin(): boolean {
    return this.role === 'admin';
  }

  get isOperator(): boolean {
    return this.isAdmin && this.operatorDomain !== undefined && this.domain === this.operatorDomain;
  }

  /** True when the caller administers domain `name` (which need not exist yet for the operator). */
  async administers(name: string): Promise<boolean> {
    if (!this.isAdmin) return false;
    if (this.isOperator) return true;
    let current: string | undefined = name;
    for (let depth = 0; current !== undefined && depth < MAX_DEPTH; depth++) {
      if (current === this.domain) return true;
      current = (await this.directory.getDomain(current))?.parent;
    }
    return false;
  }

  /** Throws 403 unless the caller administers `name`. */
  async requireAdmin(name: string): Promise<void> {
    if (!(await this.administers(name)))
      throw forbidden(
        this.isAdmin
          ? `domain ${name} is outside the domains you administer`
          : 'this operation needs an admin token',
      );
  }

  /** Throws 404 (as if absent) unless the caller administers `name`. */
  async requireVisibleDomain(name: string): Promise<void> {
    if (!(await this.administers(name))) throw notFound('domain', name);
  }

  /** True when the caller is this subscriber. */
  isSelf(subscriberId: string | undefined): boolean {
    return subscriberId !== undefined && subscriberId === this.caller.subject;
  }
}

export function notFound(kind: string, id: string): ProblemError {
  return new ProblemError(404, `no ${kind} ${id}`);
}
