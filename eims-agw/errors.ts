/**
 * The eIMS-AGW's one error family. Each error says which SIP status the eP-CSCF should answer
 * with when it cannot anchor media (488 + Warning for SDP it cannot satisfy, 503 + Retry-After
 * when rtpengine cannot be reached), and carries a short reason safe to put in a Warning header
 * (RFC 3261 §20.43): it never holds SDP bodies, addresses of peers or credentials.
 */

export type MediaErrorCode =
  | 'unsatisfiable-sdp'
  | 'rtpengine-rejected'
  | 'rtpengine-timeout'
  | 'rtpengine-unavailable'
  | 'ng-protocol';

export abstract class MediaError extends Error {
  abstract readonly code: MediaErrorCode;
  /** The SIP final response the eP-CSCF should send for this failure. */
  abstract readonly sipStatus: 488 | 500 | 503;
  /** Seconds for Retry-After with a 503; undefined otherwise. */
  readonly retryAfter: number | undefined = undefined;
  /** One line for a Warning header's text (RFC 3261 §20.43). */
  get warning(): string {
    return this.message;
  }
}

/** The SDP cannot be anchored: malformed, or no media stream rtpengine could handle. */
export class UnsatisfiableSdp extends MediaError {
  override readonly name = 'UnsatisfiableSdp';
  readonly code = 'unsatisfiable-sdp';
  readonly sipStatus = 488;
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** rtpengine answered `result: error`; `errorReason` is its `error-reason`. */
export class RtpengineRejected extends MediaError {
  override readonly name = 'RtpengineRejected';
  readonly code = 'rtpengine-rejected';
  readonly sipStatus: 488 | 500 | 503;
  override readonly retryAfter: number | undefined;
  constructor(
    readonly command: string,
    readonly errorReason: string,
  ) {
    super(`rtpengine refused ${command}: ${errorReason}`);
    this.sipStatus = statusForReason(errorReason);
    this.retryAfter = this.sipStatus === 503 ? 5 : undefined;
  }

  /** rtpengine does not know the call (deleted, timed out, or never offered). */
  get unknownCall(): boolean {
    return /unknown call/i.test(this.errorReason);
  }
}

/**
 * rtpengine's error reasons are free text; these are the ones it sends for SDP it cannot use
 * and for exhausted resources. Anything else is a server-side fault (500).
 */
function statusForReason(reason: string): 488 | 500 | 503 {
  if (/sdp|codec|media|protocol|incomplete/i.test(reason)) return 488;
  if (/ports|load limit|session limit|resources/i.test(reason)) return 503;
  return 500;
}

/** No reply from rtpengine after every retransmission. */
export class RtpengineTimeout extends MediaError {
  override readonly name = 'RtpengineTimeout';
  readonly code = 'rtpengine-timeout';
  readonly sipStatus = 503;
  override readonly retryAfter = 5;
  constructor(
    readonly command: string,
    readonly address: string,
    readonly waitedMs: number,
  ) {
    super(`rtpengine ${address} did not answer ${command} within ${waitedMs} ms`);
  }
  override get warning(): string {
    return 'media gateway not answering';
  }
}

export type UnavailableReason =
  | 'not-configured'
  | 'no-healthy-instance'
  | 'instance-down'
  | 'unreachable'
  | 'stopped';

/** No rtpengine can take the request (none configured, all down, or the call's one is down). */
export class RtpengineUnavailable extends MediaError {
  override readonly name = 'RtpengineUnavailable';
  readonly code = 'rtpengine-unavailable';
  readonly sipStatus = 503;
  override readonly retryAfter = 5;
  constructor(
    readonly reason: UnavailableReason,
    detail: string,
  ) {
    super(detail);
  }
  override get warning(): string {
    return 'media gateway unavailable';
  }
}

/** rtpengine's reply could not be decoded or lacks what the command needs. */
export class NgProtocolError extends MediaError {
  override readonly name = 'NgProtocolError';
  readonly code = 'ng-protocol';
  readonly sipStatus = 500;
  constructor(
    readonly command: string,
    detail: string,
  ) {
    super(`bad NG reply to ${command}: ${detail}`);
  }
  override get warning(): string {
    return 'media gateway error';
  }
}
