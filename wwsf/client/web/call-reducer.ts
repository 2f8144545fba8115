/**
 * The calls part of the phone's reducer (phone-state.ts): the call on screen and, beside it, at
 * most one other (call waiting, as a UA may offer it: RFC 3261 §13.3.1 leaves accepting a second
 * INVITE to the user; the first is held by re-INVITE, RFC 3264 §8.4):
 *
 * - an INVITE during an active call rings as the waiting call (`other`, phase `incoming`);
 * - answering it swaps the two: it comes on screen, the first call goes to `other` (held);
 * - when the call on screen ends, the other one comes back on screen (still held: the user resumes
 *   it), or rings there if it was still waiting;
 * - every ended call becomes `lastCall` (the call log), with its failure as the notice.
 */
import type { CallState, CallVideo, PhoneEvent, PhoneState } from './phone-state.ts';

const NO_VIDEO: CallVideo = { negotiated: false, sending: false, receiving: false, camera: false };

type CallEvent = Extract<
  PhoneEvent,
  {
    type:
      | 'call-started'
      | 'call-ringing'
      | 'call-answering'
      | 'call-confirmed'
      | 'call-ended'
      | 'hold-changed'
      | 'mute-changed'
      | 'dtmf-sent'
      | 'video-changed'
      | 'camera-changed';
  }
>;

function onCall(state: PhoneState, id: string, change: (call: CallState) => CallState): PhoneState {
  if (state.call?.id === id) return { ...state, call: change(state.call) };
  if (state.other?.id === id) return { ...state, other: change(state.other) };
  return state;
}

function newCall(event: Extract<PhoneEvent, { type: 'call-started' }>): CallState {
  return {
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
    video:
      event.video === true
        ? { negotiated: true, sending: false, receiving: false, camera: event.direction === 'outgoing' }
        : NO_VIDEO,
  };
}

function ended(state: PhoneState, event: Extract<PhoneEvent, { type: 'call-ended' }>): PhoneState {
  const onScreen = state.call?.id === event.id;
  const c = onScreen ? state.call : state.other?.id === event.id ? state.other : undefined;
  if (c === undefined) return state;
  return {
    ...state,
    // the other call comes (back) on screen
    call: onScreen ? state.other : state.call,
    other: undefined,
    lastCall: {
      id: c.id,
      direction: c.direction,
      peer: c.peer,
      startedAt: c.startedAt,
      answeredAt: c.answeredAt,
      endedAt: event.at,
      failure: event.failure,
      by: event.by,
      video: c.video.negotiated && c.answeredAt !== undefined,
    },
    notice: event.failure ?? state.notice,
  };
}

export function callReducer(state: PhoneState, event: CallEvent): PhoneState {
  switch (event.type) {
    case 'call-started': {
      // a call notice from the last call is stale now
      const notice = state.notice?.kind === 'call' ? undefined : state.notice;
      if (state.call === undefined) return { ...state, call: newCall(event), notice };
      const waits =
        event.direction === 'incoming' && state.call.phase === 'active' && state.other === undefined;
      return waits ? { ...state, other: newCall(event), notice } : state;
    }
    case 'call-ringing':
      return onCall(state, event.id, (c) => (c.phase === 'dialing' ? { ...c, phase: 'ringing' } : c));
    case 'call-answering': {
      const other = state.other;
      if (other?.id === event.id && other.phase === 'incoming' && state.call !== undefined)
        return { ...state, call: { ...other, phase: 'answering' }, other: state.call };
      return onCall(state, event.id, (c) => (c.phase === 'incoming' ? { ...c, phase: 'answering' } : c));
    }
    case 'call-confirmed':
      return onCall(state, event.id, (c) =>
        c.phase === 'active' ? c : { ...c, phase: 'active', answeredAt: event.at },
      );
    case 'call-ended':
      return ended(state, event);
    case 'hold-changed':
      return onCall(state, event.id, (c) => ({ ...c, held: event.local, remoteHeld: event.remote }));
    case 'mute-changed':
      return onCall(state, event.id, (c) => ({ ...c, muted: event.muted }));
    case 'dtmf-sent':
      return onCall(state, event.id, (c) => ({ ...c, dtmf: `${c.dtmf}${event.tone}` }));
    case 'video-changed':
      return onCall(state, event.id, (c) => ({
        ...c,
        video: {
          negotiated: event.negotiated,
          sending: event.negotiated && event.sending,
          receiving: event.negotiated && event.receiving,
          // a rejected video stream (port 0, RFC 3264 §6) ends the camera; else the user's choice stands
          camera: event.negotiated && c.video.camera,
        },
      }));
    case 'camera-changed':
      return onCall(state, event.id, (c) =>
        c.video.negotiated ? { ...c, video: { ...c.video, camera: event.on } } : c,
      );
  }
}
