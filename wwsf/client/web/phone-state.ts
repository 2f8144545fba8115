/**
 * The web phone's state, as one pure reducer: the registration (the WebSocket flow and the
 * REGISTER, RFC 7118 / RFC 5626 / RFC 3261 §10), at most one call and its phase (RFC 3261 §13
 * INVITE: dialing → ringing on a 1xx → active on the 2xx/ACK; incoming → answering → active),
 * hold (RFC 3264 §8.4 re-offer), mute, the DTMF sent (RFC 4733), and the notice shown to the
 * user (failures.ts). The JsSIP adapter (sip-phone.ts) only translates library events into
 * PhoneEvents; the views only read PhoneState. Events for another call than the current one
 * are ignored, so late library events cannot corrupt the state.
 */
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
}

export interface PhoneState {
  readonly registration: RegistrationStatus;
  /** the registered public identity (IMPU), once known */
  readonly identity: string | undefined;
  readonly reconnectAttempts: number;
  readonly call: CallState | undefined;
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
  | { readonly type: 'failure'; readonly failure: Failure }
  | { readonly type: 'notice-dismissed' }
  | { readonly type: 'stopped' };

export const initialPhoneState: PhoneState = {
  registration: 'idle',
  identity: undefined,
  reconnectAttempts: 0,
  call: undefined,
  lastCall: undefined,
  notice: undefined,
};

function onCall(state: PhoneState, id: string, change: (call: CallState) => CallState): PhoneState {
  if (state.call === undefined || state.call.id !== id) return state;
  return { ...state, call: change(state.call) };
}

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
      if (state.call !== undefined) return state;
      return {
        ...state,
        call: {
          id: event.id,
          direction: event.direction,
          peer: event.peer,
          phase: event.direction === 'outgoing' ? 'dialing' : 'incoming',
          startedAt: event.at,
          answeredAt: undefined,
          muted: false,
          held: false,
          remoteHeld: false,
          dtmf: '',
        },
        // a call notice from the last call is stale now
        notice: state.notice?.kind === 'call' ? undefined : state.notice,
      };
    case 'call-ringing':
      return onCall(state, event.id, (c) => (c.phase === 'dialing' ? { ...c, phase: 'ringing' } : c));
    case 'call-answering':
      return onCall(state, event.id, (c) => (c.phase === 'incoming' ? { ...c, phase: 'answering' } : c));
    case 'call-confirmed':
      return onCall(state, event.id, (c) =>
        c.phase === 'active' ? c : { ...c, phase: 'active', answeredAt: event.at },
      );
    case 'call-ended': {
      const c = state.call;
      if (c === undefined || c.id !== event.id) return state;
      return {
        ...state,
        call: undefined,
        lastCall: {
          id: c.id,
          direction: c.direction,
          peer: c.peer,
          startedAt: c.startedAt,
          answeredAt: c.answeredAt,
          endedAt: event.at,
          failure: event.failure,
          by: event.by,
        },
        notice: event.failure ?? state.notice,
      };
    }
    case 'hold-changed':
      return onCall(state, event.id, (c) => ({ ...c, held: event.local, remoteHeld: event.remote }));
    case 'mute-changed':
      return onCall(state, event.id, (c) => ({ ...c, muted: event.muted }));
    case 'dtmf-sent':
      return onCall(state, event.id, (c) => ({ ...c, dtmf: `${c.dtmf}${event.tone}` }));
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
  return state.registration === 'registered' && state.call === undefined;
}

/** Whether an incoming INVITE can be offered to the user (else it is answered 486 Busy Here). */
export function canRing(state: PhoneState): boolean {
  return state.call === undefined;
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
