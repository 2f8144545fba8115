/** The lab IMS core (a test peer, not a product core): see README.md. */
export { type LabCore, type LabCoreOptions, startLabCore } from './lab-core.ts';
export { LAB_CORE_SCHEMA, type LabCoreConfig } from './lab-core-config.ts';
export {
  AUTH_SCHEMES,
  type AuthScheme,
  identityKey,
  loadSubscribersFile,
  parseSubscribers,
  type Subscriber,
  SubscriberDirectory,
  type SubscribersResult,
} from './subscribers.ts';
export type { RegistrationView } from './view.ts';
