/** Public surface of the WWSF: what the app and other roles (the WAF's `caps` claim) may import. */

export { createWwsfApp } from './app.ts';
export {
  CAPABILITY_NAME,
  CAPABILITY_RULE,
  type CapabilityInput,
  effectiveCapabilities,
  STACK_CAPABILITIES,
} from './capabilities.ts';
export { WWSF_SCHEMA } from './config.ts';
export { DISCOVERY_PATH, TURN_CREDENTIALS_PATH } from './discovery.ts';
export { wwsfRole } from './role.ts';
export type { WwsfConfig, WwsfServices } from './services.ts';
