/** Public surface of the eIMS-AGW: what the eP-CSCF and the app may import. */
export { EIMS_AGW_SCHEMA, type NgAddress } from './config.ts';
export {
  MediaError,
  type MediaErrorCode,
  NgProtocolError,
  RtpengineRejected,
  RtpengineTimeout,
  RtpengineUnavailable,
  type UnavailableReason,
  UnsatisfiableSdp,
} from './errors.ts';
export {
  type AnswerInput,
  type DeleteInput,
  MediaGateway,
  type MediaGatewayOptions,
  type MediaResult,
  type OfferInput,
} from './gateway.ts';
export { type LocalCoturn, type LocalCoturnOptions, startLocalCoturn } from './local-coturn.ts';
export { DEFAULT_POLICY, type MediaPolicy, type Side } from './media-policy.ts';
export type { QueryReply } from './ng/messages.ts';
export { type NgApi, NgClient, type NgClientOptions } from './ng/ng-client.ts';
export { type InstanceStatus, RtpenginePool, type RtpenginePoolOptions } from './pool.ts';
export { type EimsAgwHandle, type EimsAgwRoleDescriptor, eimsAgwRole } from './role.ts';
export { checkSdp, type SdpSummary } from './sdp-check.ts';
export {
  type MediaControl,
  type MediaControlOptions,
  type MediaControlStatus,
  startMediaControl,
} from './start.ts';
export {
  type IceUrl,
  isTurnUrl,
  parseIceUrl,
  type TurnCredentialRequest,
  type TurnCredentials,
  turnCredentials,
} from './turn-credentials.ts';
