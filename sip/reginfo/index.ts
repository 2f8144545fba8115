/** sip/reginfo: the RFC 3680 registration event body (application/reginfo+xml). See README.md. */
export { type ApplyResult, applyRegInfo } from './apply-reginfo.ts';
export { buildRegInfo, escapeXml } from './build-reginfo.ts';
export { MAX_REGINFO_BYTES, parseRegInfo, type RegInfoResult } from './parse-reginfo.ts';
export {
  CONTACT_EVENTS,
  CONTACT_STATES,
  type ContactEvent,
  type ContactState,
  REGINFO_CONTENT_TYPE,
  REGINFO_NAMESPACE,
  REGISTRATION_STATES,
  type RegContact,
  type RegInfo,
  type Registration,
  type RegistrationState,
  type UnknownParam,
} from './reginfo.ts';
