/** sip/proxy: stateful forwarding on top of the transaction layer (RFC 3261 §16). */

export { forwardCopy } from './forward-request.ts';
export {
  type ForwardBranch,
  ForwardContext,
  type ForwardHooks,
  type ForwardTarget,
  forward,
} from './forwarder.ts';
