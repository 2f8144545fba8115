/**
 * Where the WAF keeps its state: everything oidc-provider stores (sessions, interactions,
 * grants, authorization codes, refresh tokens, and our record of each JWT access token issued),
 * the signing keys, and the secrets every instance must share (cookie keys). One interface,
 * two backends held to one contract test (storage-contract.ts): in memory (one process) and
 * Redis (several WAF instances share grants, sessions and keys).
 */
import type { Adapter } from 'oidc-provider';

/** A signing key of the WAF (a private JWK, EC P-256) and when it was made. */
export interface StoredSigningKey {
  readonly kid: string;
  readonly jwk: Readonly<Record<string, string>>;
  /** ms since the epoch; the newest key signs, the older ones are only published */
  readonly createdAt: number;
}

/** The models indexed by account, for exclusive login and the per-user grant cap. */
export type AccountModel = 'Grant' | 'Session';

export interface AccountEntry {
  readonly model: AccountModel;
  readonly id: string;
  /** ms since the epoch when the entry was first stored */
  readonly since: number;
}

export interface WafStorage {
  /** The oidc-provider adapter of one model (`Session`, `Grant`, `AccessToken`, ...). */
  adapter(model: string): Adapter;
  /**
   * The grants and sessions stored for an account, oldest first. Entries that expired, were
   * destroyed, or now belong to another account are left out (and forgotten).
   */
  accountEntries(accountId: string): Promise<AccountEntry[]>;
  putSigningKey(key: StoredSigningKey): Promise<void>;
  signingKeys(): Promise<StoredSigningKey[]>;
  deleteSigningKey(kid: string): Promise<void>;
  /** A named secret shared by every instance: the stored one, else `candidate`, stored atomically. */
  sharedSecret(name: string, candidate: string): Promise<string>;
  close(): Promise<void>;
}

export const ACCOUNT_MODELS: readonly string[] = ['Grant', 'Session'];

export function isAccountModel(model: string): model is AccountModel {
  return ACCOUNT_MODELS.includes(model);
}
