/**
 * What the JsSIP adapter (sip-phone.ts) reads out of JsSIP's events: the credentials it is
 * given, the messages it hands up, the failures it reports (failures.ts), the identity the
 * network registered, and the peer connection's remote media, RFC 4733 tones and negotiations.
 */
import type { IncomingResponse } from 'jssip/lib/SIPMessage.js';
import { type Account, bearerError, type Failure } from './failures.ts';
import type { PhoneEvent } from './phone-state.ts';

export type SipCredentials =
  | { readonly kind: 'digest'; readonly impu: string; readonly impi: string; readonly password: string }
  /** identity from the token (scenario 2) or from the domain's pool (scenario 3: impu undefined) */
  | {
      readonly kind: 'bearer';
      readonly impu: string | undefined;
      readonly token: string;
      /** the sign-in the token comes from: a web account or guest access */
      readonly account: 'web' | 'guest';
    };

/** The sign-in behind the credentials, for the wording of a refused registration. */
export const accountOf = (c: SipCredentials): Account => (c.kind === 'digest' ? 'ims' : c.account);

export interface ChatMessage {
  readonly id: string;
  readonly direction: 'in' | 'out';
  readonly peer: string;
  readonly body: string;
  readonly at: number;
  /** outgoing: pending until the 2xx, failed on an error */
  readonly status: 'received' | 'pending' | 'sent' | 'failed';
}

/** The Authorization value JsSIP sends (RFC 8898 §3 / RFC 6750 §2.1). */
export const bearerCredentials = (token: string): string => `Bearer ${token}`;

export function responseFailure(response: IncomingResponse | undefined, account: Account): Failure {
  return {
    kind: 'registration',
    account,
    status: response?.status_code,
    reason: response?.reason_phrase,
    bearerError: bearerError(response?.getHeader('WWW-Authenticate') ?? undefined),
  };
}

/** The first P-Associated-URI (RFC 7315 §4.1): the identity the network registered. */
export function associatedUri(response: IncomingResponse | undefined, fallback: string): string {
  const header = response?.getHeader('P-Associated-URI');
  const first = header === undefined || header === null ? undefined : /<([^>]+)>/.exec(header)?.[1];
  return first ?? fallback;
}

/** A call failure the user should hear about (not a hang-up or a cancel by us). */
export function callFailure(cause: string, originator: string, message: unknown): Failure | undefined {
  if (originator === 'local' && (cause === 'Canceled' || cause === 'Rejected' || cause === 'Terminated'))
    return undefined;
  if (cause === 'Terminated' || cause === 'BYE') return undefined;
  if (originator === 'remote' && cause === 'Canceled') return undefined;
  const response = message as Partial<IncomingResponse> | undefined;
  return {
    kind: 'call',
    cause,
    status: typeof response?.status_code === 'number' ? response.status_code : undefined,
    reason: typeof response?.reason_phrase === 'string' ? response.reason_phrase : undefined,
  };
}

/**
 * Follows a call's RTCPeerConnection: the remote tracks, each DTMF tone the audio sender's
 * RTCDTMFSender plays into the RTP stream (RFC 4733 events), shown as sent, and each completed
 * offer/answer exchange (signaling state back to `stable`), when the video stream may have changed.
 */
export function watchPeerConnection(
  id: string,
  pc: RTCPeerConnection,
  o: {
    dispatch: (event: PhoneEvent) => void;
    onRemoteStream: (stream: MediaStream | undefined) => void;
    onNegotiated: (pc: RTCPeerConnection) => void;
  },
): void {
  pc.addEventListener('track', (e) => {
    o.onRemoteStream(e.streams[0] ?? new MediaStream([e.track]));
  });
  const watched = new WeakSet<RTCDTMFSender>();
  const watchDtmf = () => {
    for (const sender of pc.getSenders()) {
      const dtmf = sender.track?.kind === 'audio' ? sender.dtmf : null;
      if (dtmf === null || watched.has(dtmf)) continue;
      watched.add(dtmf);
      dtmf.addEventListener('tonechange', (e) => {
        if (e.tone !== '') o.dispatch({ type: 'dtmf-sent', id, tone: e.tone });
      });
    }
  };
  pc.addEventListener('signalingstatechange', () => {
    watchDtmf();
    if (pc.signalingState === 'stable') o.onNegotiated(pc);
  });
  watchDtmf();
}
