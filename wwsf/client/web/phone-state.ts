/**
 * The web phone's state, as one pure reducer: the registration (the WebSocket flow and the
 * REGISTER, RFC 7118 / RFC 5626 / RFC 3261 §10), the call on screen (and a waiting or held one
 * beside it: call-reducer.ts) and its phase (RFC 3261 §13
 * INVITE: dialing → ringing on a 1xx → active on the 2xx/ACK; incoming → answering → active),
 * hold (RFC 3264 §8.4 re-offer), mute, the DTMF sent (RFC 4733), video (the negotiated
 * directions of the video stream, RFC 3264 §6/§8.4, and the camera), and the notice shown to the
 * user (failures.ts). The JsSIP adapter (sip-phone.ts) only translates library events into
 * PhoneEvents; the views only read PhoneState. Events for a call that is not (any more) on the
 * phone are ignored, so late library events cannot corrupt the state.
 */
import { callReducer } from './call-reducer.ts';
import type { Failure } from './failures.ts';

export type RegistrationStatus =
  | 'idle'
  | 'connecting'
  | 'registering'
  | 'registered'
  | 'reconnecting'
  | 'unregistered'
  | 'failed';

export type CallPhase = 'dialing' | 'ringing' | 'incoming' | 'answering' | 'active';
export type Direction = 'outgoing' | 'incoming';

/** The video stream of a call, as the last offer/answer left it (RFC 3264). */
export interface CallVideo {
  /** the call carries video: offered (while it rings), then kept by the answer (port not 0) */
  readonly negotiated: boolean;
  /** our camera's picture goes to the other side (direction sendrecv/sendonly) */
  readonly sending: boolean;
  /** the other side's picture comes to us (direction sendrecv/recvonly) */
  readonly receiving: boolean;
  /** the user wants the camera on (it follows at once; `sending` after the re-offer) */
  readonly camera: boolean;
}

export interface CallState {
  readonly id: string;
  readonly direction: Direction;
  /** the other party's address (SIP or tel URI) */
  readonly peer: string;
  readonly phase: CallPhase;
  /** ms since the epoch */
  readonly startedAt: number;
  readonly answeredAt: number | undefined;
  readonly muted: boolean;
  /** we put the call on hold */
  readonly held: boolean;
  /** the other side put the call on hold */
  readonly remoteHeld: boolean;
  /** DTMF digits sent during this call, in order */
  readonly dtmf: string;
  readonly video: CallVideo;
}

export interface EndedCall {
  readonly id: string;
  readonly direction: Direction;
  readonly peer: string;
  readonly startedAt: number;
  readonly answeredAt: number | undefined;
  readonly endedAt: number;
  /** absent: a normal hang-up */
  readonly failure: Failure | undefined;
  /** who ended it */
  readonly by: 'local' | 'remote' | 'system';
  /** it was a video call */
  readonly video: boolean;
}

export interface PhoneState {
  readonly registration: RegistrationStatus;
  /** the registered public identity (IMPU), once known */
  readonly identity: string | undefined;
  readonly reconnectAttempts: number;
  /** the call on screen */
  readonly call: CallState | undefined;
  /**
   * a second call beside it (call waiting): an INVITE ringing during an active call (`incoming`),
   * or, once that one was answered, the first call, held
   */
  readonly other: CallState | undefined;
  readonly lastCall: EndedCall | undefined;
  /** what the user should be told now; undefined: nothing */
  readonly notice: Failure | undefined;
}

export type PhoneEvent =
  | { readonly type: 'connecting'; readonly attempts: number }
  | { readonly type: 'connected' }
  | { readonly type: 'disconnected'; readonly attempts: number }
  | { readonly type: 'registered'; readonly identity: string }
  | { readonly type: 'unregistered' }
  | { readonly type: 'registration-failed'; readonly failure: Failure }
  | {
      readonly type: 'call-started';
      readonly id: string;
      readonly direction: Direction;
      readonly peer: string;
      readonly at: number;
      /** the INVITE offers video (ours, or the one received) */
      readonly video?: boolean;
    }
  | { readonly type: 'call-ringing'; readonly id: string }
  | { readonly type: 'call-answering'; readonly id: string }
  | { readonly type: 'call-confirmed'; readonly id: string; readonly at: number }
  | {
      readonly type: 'call-ended';
      readonly id: string;
      readonly at: number;
      readonly by: 'local' | 'remote' | 'system';
      readonly failure?: Failure;
    }
  | { readonly type: 'hold-changed'; readonly id: string; readonly local: boolean; readonly remote: boolean }
  | { readonly type: 'mute-changed'; readonly id: string; readonly muted: boolean }
  | { readonly type: 'dtmf-sent'; readonly id: string; readonly tone: string }
  /** an offer/answer exchange completed: what the video stream does now */
  | {
      readonly type: 'video-changed';
      readonly id: string;
      readonly negotiated: boolean;
      readonly sending: boolean;
      readonly receiving: boolean;
    }
  /** the user turned the camera on or off (the re-offer follows) */
  | { readonly type: 'camera-changed'; readonly id: string; readonly on: boolean }
  | { readonly type: 'failure'; readonly failure: Failure }
  | { readonly type: 'notice-dismissed' }
  | { readonly type: 'stopped' };

export const initialPhoneState: PhoneState = {
  registration: 'idle',
  identity: undefined,
  reconnectAttempts: 0,
  call: undefined,
  other: undefined,
  lastCall: undefined,
  notice: undefined,
};

/** A notice about the network or registration is cleared once registered again. */
function clearsOnRegistered(notice: Failure | undefined): boolean {
  return notice !== undefined && (notice.kind === 'network' || notice.kind === 'registration');
}

export function phoneReducer(state: PhoneState, event: PhoneEvent): PhoneState {
  switch (event.type) {
    case 'connecting':
      return {
        ...state,
        registration:
          state.registration === 'idle' || state.registration === 'failed'
            ? 'connecting'
            : state.registration,
        reconnectAttempts: event.attempts,
      };
    case 'connected':
      return {
        ...state,
        registration: state.registration === 'registered' ? 'registered' : 'registering',
      };
    case 'disconnected': {
      // JsSIP reconnects by itself (with a growing interval); the user sees that it does.
      if (state.registration === 'idle' || state.registration === 'unregistered') return state;
      const failed = state.registration === 'failed';
      return {
        ...state,
        registration: failed ? 'failed' : 'reconnecting',
        reconnectAttempts: event.attempts,
        notice: failed ? state.notice : { kind: 'network', attempts: event.attempts },
      };
    }
    case 'registered':
      return {
        ...state,
        registration: 'registered',
        identity: event.identity,
        reconnectAttempts: 0,
        notice: clearsOnRegistered(state.notice) ? undefined : state.notice,
      };
    case 'unregistered':
      return { ...state, registration: 'unregistered' };
    case 'registration-failed':
      return { ...state, registration: 'failed', notice: event.failure };
    case 'call-started':
    case 'call-ringing':
    case 'call-answering':
    case 'call-confirmed':
    case 'call-ended':
    case 'hold-changed':
    case 'mute-changed':
    case 'dtmf-sent':
    case 'video-changed':
    case 'camera-changed':
      return callReducer(state, event);
    case 'failure':
      return { ...state, notice: event.failure };
    case 'notice-dismissed':
      return { ...state, notice: undefined };
    case 'stopped':
      return { ...initialPhoneState, lastCall: state.lastCall };
  }
}

/** Whether a new call may be placed now. */
export function canDial(state: PhoneState): boolean {
  return state.registration === 'registered' && state.call === undefined && state.other === undefined;
}

/**
 * Whether an incoming INVITE can be offered to the user (else it is answered 486 Busy Here): when
 * idle, or as a waiting call beside one active call.
 */
export function canRing(state: PhoneState): boolean {
  return state.call === undefined || (state.call.phase === 'active' && state.other === undefined);
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
