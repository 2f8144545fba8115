import { SipError, sipError } from '../error/sip-error.ts';
import type { SipRequest } from '../message/message.ts';
import { parseTokenList } from '../message/scalars.ts';
import { validateHeaders } from '../message/validate.ts';
import { MAGIC_COOKIE } from '../message/via.ts';
import { KNOWN_METHODS } from '../parser/parse-message.ts';
import { isSipUri, parseUri } from '../uri/uri.ts';

/**
 * Request validation after parsing, in the order RFC 3261 prescribes, for the two roles a SIP
 * element plays: a proxy (§16.3) and a UAS (§8.2). Each returns the SipError to answer with,
 * or undefined when the request may proceed. The torture cases of RFC 4475 §3.2-§3.3 are the
 * tests of these rules.
 */

export interface ProxyCheckOptions {
  /** URI schemes this proxy can route on (default sip, sips, tel) */
  schemes?: ReadonlySet<string>;
  /** option tags this proxy supports in Proxy-Require (default none) */
  proxySupported?: ReadonlySet<string>;
}

export interface UasCheckOptions {
  /** methods this UAS implements; others get 405 if known to SIP, 501 if not */
  allow: ReadonlySet<string>;
  /** option tags supported in Require */
  supported?: ReadonlySet<string>;
  /** body media types accepted (lower case) */
  accept?: ReadonlySet<string>;
  /** URI schemes of Request-URIs served (default sip, sips) */
  schemes?: ReadonlySet<string>;
  /** whether this UAS is a registrar: To must then be a sip/sips AOR (RFC 3261 §10.3 step 3) */
  registrar?: boolean;
}

const DEFAULT_PROXY_SCHEMES: ReadonlySet<string> = new Set(['sip', 'sips', 'tel']);
const DEFAULT_UAS_SCHEMES: ReadonlySet<string> = new Set(['sip', 'sips']);
const NONE: ReadonlySet<string> = new Set();

/** RFC 3261 §16.3: reasonable syntax, URI scheme, Max-Forwards, Proxy-Require. Loop detection is the proxy core's. */
export function checkProxyRequest(req: SipRequest, opts: ProxyCheckOptions = {}): SipError | undefined {
  const branch = checkBranch(req);
  if (branch !== undefined) return branch;
  const uri = parseUri(req.uri);
  if (!uri.ok) return sipError('parse-fault', 'Bad Request-URI');
  if (!(opts.schemes ?? DEFAULT_PROXY_SCHEMES).has(uri.uri.scheme)) return sipError('unsupported-uri-scheme');
  const mf = req.maxForwards;
  if (mf === 0) return sipError('too-many-hops');
  const unsupported = unsupportedTags(req, 'proxy-require', opts.proxySupported ?? NONE);
  if (unsupported instanceof SipError) return unsupported;
  if (unsupported.length > 0)
    return sipError('bad-extension', undefined, [['Unsupported', unsupported.join(', ')]]);
  return undefined;
}

/** RFC 3261 §8.2.1-§8.2.3 (method, URI scheme, header syntax, Require, content) for a UAS. */
export function checkUasRequest(req: SipRequest, opts: UasCheckOptions): SipError | undefined {
  const branch = checkBranch(req);
  if (branch !== undefined) return branch;
  if (!opts.allow.has(req.method)) {
    if (!KNOWN_METHODS.has(req.method)) return sipError('not-implemented');
    return sipError('method-not-allowed', undefined, [['Allow', [...opts.allow].join(', ')]]);
  }
  const uri = parseUri(req.uri);
  if (!uri.ok) return sipError('parse-fault', 'Bad Request-URI');
  if (!(opts.schemes ?? DEFAULT_UAS_SCHEMES).has(uri.uri.scheme)) return sipError('unsupported-uri-scheme');
  const faults = validateHeaders(req);
  if (faults.length > 0) return new SipError(400, `Bad ${faults[0]!.header}`);
  if (opts.registrar === true && !isSipUri(req.to.uri))
    return new SipError(400, 'Address-of-record must be a SIP URI');
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const unsupported = unsupportedTags(req, 'require', opts.supported ?? NONE);
    if (unsupported instanceof SipError) return unsupported;
    if (unsupported.length > 0)
      return sipError('bad-extension', undefined, [['Unsupported', unsupported.join(', ')]]);
  }
  if (opts.accept !== undefined) {
    const accept = [...opts.accept].join(', ');
    if (req.body.length > 0) {
      const type = req.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
      if (type === undefined || !opts.accept.has(type))
        return sipError('unsupported-media-type', undefined, [['Accept', accept]]);
    }
    // RFC 3261 §8.2.3 / RFC 4475 §3.3.15: an Accept that excludes every type we could answer with.
    const acceptHeader = req.headers.values('accept');
    if (acceptHeader.length > 0 && req.method === 'INVITE') {
      const offered = acceptHeader.map((a) => a.split(';')[0]!.trim().toLowerCase());
      if (!offered.some((t) => opts.accept!.has(t) || t === '*/*' || t === 'application/*'))
        return sipError('not-acceptable', undefined, [['Accept', accept]]);
    }
  }
  return undefined;
}

/** RFC 4475 §3.2.1: a branch that is only the magic cookie identifies no transaction. */
function checkBranch(req: SipRequest): SipError | undefined {
  const branch = req.topVia.params.value('branch');
  if (branch === MAGIC_COOKIE) return new SipError(400, 'Bad Via branch');
  return undefined;
}

function unsupportedTags(
  req: SipRequest,
  header: string,
  supported: ReadonlySet<string>,
): string[] | SipError {
  const values = req.headers.values(header);
  if (values.length === 0) return [];
  const tags = parseTokenList(values);
  if (typeof tags === 'string') return new SipError(400, `Bad ${header}`);
  return tags.filter((t) => !supported.has(t.toLowerCase()));
}

/** Whether a Request-URI names a SIP resource this element could route on (used before §16.5). */
export function requestUriIsSip(req: SipRequest): boolean {
  const u = parseUri(req.uri);
  return u.ok && isSipUri(u.uri);
}
