/** Public surface of the provisioning links (wwsf/provisioning): what the WWSF mounts. */

export { PROVISIONING_SCHEMA, type ProvisioningConfig } from './config.ts';
export { CODE_TTL_MS, LAUNCH_PATH, REDEEM_PATH } from './launch.ts';
export { type LinkFailure, LinkProblem } from './link-problem.ts';
export { type LinkClaims, type LinkFormat, LinkSealer } from './link-seal.ts';
export {
  LINK_TTL,
  LinkRequest,
  PROVISIONING_LINKS_PATH,
  type ProvisioningGrant,
  type ProvisioningRoutesOptions,
  provisioningRoutes,
} from './provisioning-routes.ts';
export {
  decodeSipPhoneLink,
  encodeSipPhoneLink,
  type SipPhoneAccount,
  type SipPhoneKey,
} from './sipphone.ts';
export { MemoryUsedNonces, type UsedNonces } from './used-nonces.ts';
