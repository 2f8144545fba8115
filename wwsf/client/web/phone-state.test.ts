import { describe, expect, it } from 'vitest';
import {
  canDial,
  canRing,
  formatDuration,
  initialPhoneState,
  type PhoneEvent,
  type PhoneState,
  phoneReducer,
} from './phone-state.ts';

const run = (events: PhoneEvent[], from: PhoneState = initialPhoneState): PhoneState =>
  events.reduce(phoneReducer, from);

const registered = run([
  { type: 'connecting', attempts: 1 },
  { type: 'connected' },
  { type: 'registered', identity: 'sip:alice@ims.lab' },
]);

describe('phone state machine', () => {
  it('[RFC3261-10.2-register-state] MUST go connecting → registering → registered, and allow dialing only then', () => {
    const connecting = run([{ type: 'connecting', attempts: 1 }]);
    expect(connecting.registration).toBe('connecting');
    expect(canDial(connecting)).toBe(false);
    const registering = phoneReducer(connecting, { type: 'connected' });
    expect(registering.registration).toBe('registering');
    expect(registered.registration).toBe('registered');
    expect(registered.identity).toBe('sip:alice@ims.lab');
    expect(canDial(registered)).toBe(true);
  });

  it('[WIC-errors-registration] MUST show a refused registration and keep the failure as the notice', () => {
    const refused = run(
      [
        {
          type: 'registration-failed',
          failure: { kind: 'registration', status: 403, reason: 'Forbidden', bearerError: undefined },
        },
      ],
      registered,
    );
    expect(refused.registration).toBe('failed');
    expect(refused.notice).toEqual({
      kind: 'registration',
      status: 403,
      reason: 'Forbidden',
      bearerError: undefined,
    });
    expect(canDial(refused)).toBe(false);
  });

  it('[RFC5626-4.5-reconnect] MUST show the flow lost as reconnecting, and clear that notice once registered again', () => {
    const lost = run(
      [
        { type: 'disconnected', attempts: 1 },
        { type: 'connecting', attempts: 2 },
      ],
      registered,
    );
    expect(lost.registration).toBe('reconnecting');
    expect(lost.notice).toEqual({ kind: 'network', attempts: 1 });
    expect(lost.reconnectAttempts).toBe(2);
    expect(canDial(lost)).toBe(false);
    const back = run([{ type: 'connected' }, { type: 'registered', identity: 'sip:alice@ims.lab' }], lost);
    expect(back.registration).toBe('registered');
    expect(back.notice).toBeUndefined();
    expect(back.reconnectAttempts).toBe(0);
  });

  it('[RFC3261-13.2-outgoing] MUST move an outgoing call dialing → ringing (1xx) → active (2xx), with its answer time', () => {
    const s = run(
      [
        { type: 'call-started', id: 'c1', direction: 'outgoing', peer: 'sip:bob@ims.lab', at: 1000 },
        { type: 'call-ringing', id: 'c1' },
      ],
      registered,
    );
    expect(s.call?.phase).toBe('ringing');
    expect(canDial(s)).toBe(false);
    const active = phoneReducer(s, { type: 'call-confirmed', id: 'c1', at: 4000 });
    expect(active.call).toMatchObject({ phase: 'active', answeredAt: 4000, startedAt: 1000 });
  });

  it('[RFC3261-13.3-incoming] MUST offer one incoming call at a time; a second finds the phone busy', () => {
    const ringing = run(
      [{ type: 'call-started', id: 'in1', direction: 'incoming', peer: 'sip:bob@ims.lab', at: 1 }],
      registered,
    );
    expect(ringing.call?.phase).toBe('incoming');
    expect(canRing(ringing)).toBe(false);
    const second = phoneReducer(ringing, {
      type: 'call-started',
      id: 'in2',
      direction: 'incoming',
      peer: 'sip:carol@ims.lab',
      at: 2,
    });
    expect(second.call?.id).toBe('in1');
    const answering = phoneReducer(ringing, { type: 'call-answering', id: 'in1' });
    expect(answering.call?.phase).toBe('answering');
  });

  it('[RFC3264-8.4-hold] MUST track hold, remote hold, mute and DTMF of the current call only', () => {
    const active = run(
      [
        { type: 'call-started', id: 'c1', direction: 'outgoing', peer: 'sip:bob@ims.lab', at: 0 },
        { type: 'call-confirmed', id: 'c1', at: 10 },
        { type: 'hold-changed', id: 'c1', local: true, remote: false },
        { type: 'mute-changed', id: 'c1', muted: true },
        { type: 'dtmf-sent', id: 'c1', tone: '1' },
        { type: 'dtmf-sent', id: 'c1', tone: '#' },
        { type: 'mute-changed', id: 'old', muted: false },
      ],
      registered,
    );
    expect(active.call).toMatchObject({ held: true, remoteHeld: false, muted: true, dtmf: '1#' });
    const resumed = phoneReducer(active, { type: 'hold-changed', id: 'c1', local: false, remote: true });
    expect(resumed.call).toMatchObject({ held: false, remoteHeld: true });
  });

  it('[WIC-errors-busy] MUST end a failed call with its failure as the notice and keep it as the last call', () => {
    const busy = run(
      [
        { type: 'call-started', id: 'c1', direction: 'outgoing', peer: 'sip:bob@ims.lab', at: 0 },
        {
          type: 'call-ended',
          id: 'c1',
          at: 500,
          by: 'remote',
          failure: { kind: 'call', cause: 'Busy', status: 486, reason: 'Busy Here' },
        },
      ],
      registered,
    );
    expect(busy.call).toBeUndefined();
    expect(busy.notice).toMatchObject({ kind: 'call', cause: 'Busy', status: 486 });
    expect(busy.lastCall).toMatchObject({ id: 'c1', endedAt: 500, by: 'remote', answeredAt: undefined });
    expect(canDial(busy)).toBe(true);
    // the next call clears the stale call notice
    const next = phoneReducer(busy, {
      type: 'call-started',
      id: 'c2',
      direction: 'outgoing',
      peer: 'sip:bob@ims.lab',
      at: 600,
    });
    expect(next.notice).toBeUndefined();
  });

  it('[WIC-video-call] MUST follow a video call: offered while it rings, the camera the user chose, each direction after each offer/answer, and logged as video', () => {
    const ringing = run(
      [
        {
          type: 'call-started',
          id: 'v1',
          direction: 'incoming',
          peer: 'sip:bob@ims.lab',
          at: 0,
          video: true,
        },
      ],
      registered,
    );
    expect(ringing.call?.video).toEqual({
      negotiated: true,
      sending: false,
      receiving: false,
      camera: false,
    });
    const answered = run(
      [
        { type: 'call-answering', id: 'v1' },
        { type: 'camera-changed', id: 'v1', on: true },
        { type: 'video-changed', id: 'v1', negotiated: true, sending: true, receiving: true },
        { type: 'call-confirmed', id: 'v1', at: 5 },
      ],
      ringing,
    );
    expect(answered.call?.video).toEqual({ negotiated: true, sending: true, receiving: true, camera: true });
    // Camera off: at once in the state, then the answer to the re-INVITE drops our sending.
    const off = run(
      [
        { type: 'camera-changed', id: 'v1', on: false },
        { type: 'video-changed', id: 'v1', negotiated: true, sending: false, receiving: true },
      ],
      answered,
    );
    expect(off.call?.video).toEqual({ negotiated: true, sending: false, receiving: true, camera: false });
    const ended = phoneReducer(off, { type: 'call-ended', id: 'v1', at: 9, by: 'local' });
    expect(ended.lastCall?.video).toBe(true);
  });

  it('[RFC3264-6-video-reject] MUST turn a video call whose video was rejected (port 0) into an audio call, camera off', () => {
    const s = run(
      [
        {
          type: 'call-started',
          id: 'v2',
          direction: 'outgoing',
          peer: 'sip:bob@ims.lab',
          at: 0,
          video: true,
        },
        { type: 'video-changed', id: 'v2', negotiated: false, sending: false, receiving: false },
        { type: 'call-confirmed', id: 'v2', at: 3 },
      ],
      registered,
    );
    expect(s.call?.video).toEqual({ negotiated: false, sending: false, receiving: false, camera: false });
    // no camera to turn on in an audio call
    expect(phoneReducer(s, { type: 'camera-changed', id: 'v2', on: true }).call?.video.camera).toBe(false);
    expect(phoneReducer(s, { type: 'call-ended', id: 'v2', at: 9, by: 'remote' }).lastCall?.video).toBe(
      false,
    );
  });

  it('ignores the end of a call that is not the current one, and formats call durations', () => {
    const s = run(
      [
        { type: 'call-started', id: 'c1', direction: 'outgoing', peer: 'x', at: 0 },
        { type: 'call-ended', id: 'zz', at: 1, by: 'remote' },
      ],
      registered,
    );
    expect(s.call?.id).toBe('c1');
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65_400)).toBe('1:05');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });
});
