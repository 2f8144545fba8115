/** sip/proxy: stateful forwarding on top of the transaction layer (RFC 3261 §16). See README.md. */

export { bestResponse, upstreamResponse } from './best-response.ts';
export { forwardCopy } from './forward-request.ts';
export {
  DEFAULT_TIMER_C,
  type ForwardBranch,
  ForwardContext,
  type ForwardHooks,
  type ForwardOptions,
  type ForwardTarget,
  forward,
} from './forwarder.ts';
