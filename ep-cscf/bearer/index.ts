/**
 * ep-cscf/bearer: access with web credentials (RFC 8898 bearer tokens) at the eP-CSCF. What the
 * pool registration (ep-cscf/registration/pool-register.ts, scenario 3) and the policy use.
 */
export { BearerAccess, type BearerAccessOptions } from './bearer-access.ts';
export { type BearerMetrics, createBearerMetrics } from './bearer-metrics.ts';
export { registerWithBearer } from './bearer-register.ts';
export { admitBearerRequest } from './bearer-request.ts';
export { type BearerRefusal, bearerChallenge, refuseBearer } from './challenge.ts';
export { type BearerConfig, createBearerAccess } from './create-bearer-access.ts';
export { type BearerRead, type CredentialHeader, readBearer, stripBearer } from './credentials.ts';
export { buildDeregister, contactForDialog, deregisterAtCore } from './deregister.ts';
export {
  type RegisterDialog,
  type TokenBinding,
  TokenBindings,
  type TokenBindingsOptions,
  type TokenEndedListener,
  type TokenEndReason,
} from './token-bindings.ts';
export { wireTokenEnd } from './token-end.ts';
export { trustedNodeAuthorization } from './trusted-node.ts';
