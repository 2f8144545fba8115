/**
 * What the WWSF's HTTP handlers are handed: its configuration and collaborators. Built once by
 * the role (or a test) and passed down; nothing global.
 */
import type { ConfigOf } from '../app/config.ts';
import type { Logger } from '../app/logger.ts';
import type { SubscriberDirectory } from '../store/directory.ts';
import type { TokenCheck } from './bearer.ts';
import type { WWSF_SCHEMA } from './config.ts';
import type { ProvisioningConfig } from './provisioning/index.ts';

export type WwsfConfig = ConfigOf<typeof WWSF_SCHEMA>;

export interface WwsfServices {
  readonly config: WwsfConfig;
  readonly directory: SubscriberDirectory;
  /** verifies the access tokens callers present (token/validator.ts in production) */
  readonly checkToken: TokenCheck;
  /** the WAF issuer announced to clients (WAF_ISSUER, else the WAF of this process), if known */
  readonly issuer: () => string | undefined;
  /** wall-clock milliseconds since the epoch (TURN credential expiry) */
  readonly wallClock: () => number;
  readonly logger: Logger;
  /** provisioning links (PROVISIONING_*), when PROVISIONING_LINK_SECRET is set */
  readonly provisioning?: ProvisioningConfig | undefined;
}
