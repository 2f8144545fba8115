/** Public surface of the SIP library. Layers: grammar → uri → message → parser → transport → transaction. */
export { flatString } from './grammar/flat-string.ts';
export { Params } from './grammar/params.ts';
export { quote, scanQuoted, splitList } from './grammar/quoted.ts';
export { restoreFastStringMethods } from './grammar/string-methods.ts';
export { canonicalName, headerKey, isListHeader } from './message/header-names.ts';
export { type HeaderField, makeField, SipHeaders } from './message/headers.ts';
export { EMPTY, type SipMessage, SipRequest, SipResponse } from './message/message.ts';
export { formatNameAddr, type NameAddr, parseNameAddr, parseNameAddrList } from './message/name-addr.ts';
export {
  type CSeq,
  isCallId,
  parseContentLength,
  parseCSeq,
  parseExpires,
  parseMaxForwards,
  parseSipDate,
  parseTokenList,
} from './message/scalars.ts';
export { serialize } from './message/serialize.ts';
export { type HeaderFault, validateHeaders } from './message/validate.ts';
export { formatVia, MAGIC_COOKIE, parseVia, type Via } from './message/via.ts';
export type { ParseFault, ParseFaultCode, ParseResult } from './parser/parse-fault.ts';
export { KNOWN_METHODS, type ParseOptions, parseMessage } from './parser/parse-message.ts';
export {
  formatUri,
  type HostKind,
  isSipUri,
  isTelUri,
  type OpaqueUri,
  parseUri,
  type SipUri,
  type TelUri,
  type Uri,
  unescapeUri,
} from './uri/uri.ts';
