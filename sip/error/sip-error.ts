/**
 * The one error family that maps onto the wire. A SipError carries the status to answer and
 * the header fields that status requires (RFC 3261 §21: 420 + Unsupported, 405 + Allow,
 * 503 + Retry-After, 423 + Min-Expires, 401/407 + a challenge, 415 + Accept...).
 * Programming mistakes are plain Errors and are never mapped onto the wire.
 */
export class SipError extends Error {
  readonly status: number;
  readonly reason: string;
  /** header fields to add to the response, in order */
  readonly headers: ReadonlyArray<readonly [string, string]>;

  constructor(status: number, reason: string, headers: ReadonlyArray<readonly [string, string]> = []) {
    super(`${status} ${reason}`);
    this.name = 'SipError';
    this.status = status;
    this.reason = reason;
    this.headers = headers;
  }
}

/** Internal failures and the status each maps to (STYLE.md: one table). */
export const FAILURE_STATUS = {
  'parse-fault': 400,
  loop: 482,
  'too-many-hops': 483,
  'no-transaction': 481,
  'no-dialog': 481,
  'transport-failure': 503,
  timeout: 408,
  'unsupported-uri-scheme': 416,
  'bad-extension': 420,
  'unsupported-media-type': 415,
  'not-acceptable': 406,
  'method-not-allowed': 405,
  'not-implemented': 501,
  'version-not-supported': 505,
} as const;

export type Failure = keyof typeof FAILURE_STATUS;

/** Default reason phrases (RFC 3261 §21 and extensions used by this product). */
export const REASON_PHRASES: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  421: 'Extension Required',
  423: 'Interval Too Brief',
  430: 'Flow Failed',
  439: 'First Hop Lacks Outbound Support',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  603: 'Decline',
};

export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? (status < 200 ? 'Provisional' : status < 300 ? 'OK' : 'Error');
}

export function sipError(
  failure: Failure,
  reason?: string,
  headers?: ReadonlyArray<readonly [string, string]>,
): SipError {
  const status = FAILURE_STATUS[failure];
  return new SipError(status, reason ?? reasonPhrase(status), headers);
}
