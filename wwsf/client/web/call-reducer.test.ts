import { describe, expect, it } from 'vitest';
import {
  canDial,
  canRing,
  initialPhoneState,
  type PhoneEvent,
  type PhoneState,
  phoneReducer,
} from './phone-state.ts';

const run = (events: PhoneEvent[], from: PhoneState = initialPhoneState): PhoneState =>
  events.reduce(phoneReducer, from);

const inCall = run([
  { type: 'connected' },
  { type: 'registered', identity: 'sip:bob@ims.lab' },
  { type: 'call-started', id: 'a', direction: 'incoming', peer: 'sip:alice@ims.lab', at: 0 },
  { type: 'call-answering', id: 'a' },
  { type: 'call-confirmed', id: 'a', at: 1 },
]);
const waiting = phoneReducer(inCall, {
  type: 'call-started',
  id: 'g',
  direction: 'incoming',
  peer: 'sip:guest1@ims.lab',
  at: 2,
});

describe('call waiting', () => {
  it('[WIC-call-waiting] MUST offer an INVITE arriving during an active call as a waiting call, and find the phone busy for a third', () => {
    expect(canRing(inCall)).toBe(true);
    expect(waiting.call?.id).toBe('a');
    expect(waiting.other).toMatchObject({ id: 'g', phase: 'incoming' });
    expect(canRing(waiting)).toBe(false);
    expect(canDial(waiting)).toBe(false);
    const third = phoneReducer(waiting, {
      type: 'call-started',
      id: 'x',
      direction: 'incoming',
      peer: 'sip:x@ims.lab',
      at: 3,
    });
    expect(third).toBe(waiting);
    // A call still being set up is not interrupted by a waiting call.
    const dialing = run([
      { type: 'connected' },
      { type: 'registered', identity: 'sip:bob@ims.lab' },
      { type: 'call-started', id: 'o', direction: 'outgoing', peer: 'sip:alice@ims.lab', at: 0 },
    ]);
    expect(canRing(dialing)).toBe(false);
  });

  it('[WIC-call-waiting] MUST bring the answered waiting call on screen with the first one held beside it, then the first back on screen when it ends', () => {
    const answered = run(
      [
        { type: 'hold-changed', id: 'a', local: true, remote: false },
        { type: 'call-answering', id: 'g' },
        { type: 'call-confirmed', id: 'g', at: 5 },
      ],
      waiting,
    );
    expect(answered.call).toMatchObject({ id: 'g', phase: 'active', answeredAt: 5 });
    expect(answered.other).toMatchObject({ id: 'a', phase: 'active', held: true });
    const back = phoneReducer(answered, { type: 'call-ended', id: 'g', at: 9, by: 'remote' });
    expect(back.call).toMatchObject({ id: 'a', held: true });
    expect(back.other).toBeUndefined();
    expect(back.lastCall).toMatchObject({ id: 'g', answeredAt: 5, by: 'remote' });
    // resumed by re-INVITE
    expect(
      phoneReducer(back, { type: 'hold-changed', id: 'a', local: false, remote: false }).call?.held,
    ).toBe(false);
  });

  it('[WIC-call-waiting] MUST log a declined or cancelled waiting call and keep the call on screen', () => {
    const declined = phoneReducer(waiting, { type: 'call-ended', id: 'g', at: 4, by: 'local' });
    expect(declined.call?.id).toBe('a');
    expect(declined.other).toBeUndefined();
    expect(declined.lastCall).toMatchObject({ id: 'g', by: 'local', answeredAt: undefined });
    // The call on screen ends while another waits: the waiting one rings on screen.
    const promoted = phoneReducer(waiting, { type: 'call-ended', id: 'a', at: 4, by: 'remote' });
    expect(promoted.call).toMatchObject({ id: 'g', phase: 'incoming' });
    expect(promoted.other).toBeUndefined();
  });
});
