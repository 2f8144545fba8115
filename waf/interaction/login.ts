/**
 * The password check of the login page: `user@domain` + password against the directory
 * (scrypt hashes, store/password.ts), behind the failed-login throttle. An unknown user costs
 * the same hash work as a wrong password, and both get the same answer.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../app/logger.ts';
import type { Subscriber, SubscriberDirectory } from '../../store/directory.ts';
import { hashPassword, verifyPassword } from '../../store/password.ts';
import type { LoginOutcome, WafMetrics } from '../metrics.ts';
import type { LoginThrottle } from './throttle.ts';

export type LoginResult =
  | { readonly ok: true; readonly subscriber: Subscriber }
  | {
      readonly ok: false;
      readonly status: 401 | 403 | 429;
      readonly message: string;
      readonly retryAfterS?: number;
    };

export interface PasswordLoginDeps {
  readonly directory: SubscriberDirectory;
  readonly throttle: LoginThrottle;
  readonly metrics: WafMetrics;
  readonly logger: Logger;
}

/** `alice@example.com` → user `alice`, domain `example.com` (split at the last @), lower case. */
export function splitLogin(login: string): { user: string; domain: string } | undefined {
  const text = login.trim().toLowerCase();
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return undefined;
  return { user: text.slice(0, at), domain: text.slice(at + 1) };
}

export class PasswordLogin {
  /** a hash of a random password, checked when the user is unknown, so timing does not tell */
  private dummy: Promise<string> | undefined;

  constructor(private readonly deps: PasswordLoginDeps) {}

  async login(login: string, password: string, address: string): Promise<LoginResult> {
    const { throttle } = this.deps;
    const name = splitLogin(login);
    const account = name === undefined ? login.trim().toLowerCase() : `${name.user}@${name.domain}`;
    const verdict = await throttle.check(account, address);
    if (verdict.blocked) {
      this.count('throttled');
      return {
        ok: false,
        status: 429,
        message: `Too many failed sign-ins. Try again in ${verdict.retryAfterS} s.`,
        retryAfterS: verdict.retryAfterS,
      };
    }
    const subscriber =
      name === undefined ? undefined : await this.deps.directory.findSubscriber(name.user, name.domain);
    const matches = await this.verify(password, subscriber);
    if (subscriber === undefined || !matches) {
      await throttle.fail(account, address);
      this.count('failure');
      return { ok: false, status: 401, message: 'Wrong user name or password.' };
    }
    if (subscriber.disabled) {
      this.count('disabled');
      return { ok: false, status: 403, message: 'This account is disabled.' };
    }
    await throttle.succeed(account);
    this.count('success');
    return { ok: true, subscriber };
  }

  private count(outcome: LoginOutcome): void {
    this.deps.metrics.logins.inc({ outcome });
  }

  private async verify(password: string, subscriber: Subscriber | undefined): Promise<boolean> {
    const stored = subscriber?.passwordHash;
    try {
      if (stored === undefined) {
        this.dummy ??= hashPassword(randomUUID());
        await verifyPassword(password === '' ? 'x' : password, await this.dummy);
        return false;
      }
      return await verifyPassword(password, stored);
    } catch (error) {
      this.deps.logger.error(
        { subscriber: subscriber?.id, err: error },
        'stored password hash unreadable; login refused',
      );
      return false;
    }
  }
}
