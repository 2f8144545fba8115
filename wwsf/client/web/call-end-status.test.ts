import { describe, expect, it } from 'vitest';
import { callEndStatus, SHOWN_MS } from './call-end-status.ts';
import type { EndedCall } from './phone-state.ts';

const ended = (over: Partial<EndedCall>): EndedCall => ({
  id: 'c1',
  direction: 'outgoing',
  peer: 'sip:bob@ims.lab',
  startedAt: 1_000,
  answeredAt: 2_000,
  endedAt: 65_000,
  failure: undefined,
  by: 'remote',
  video: false,
  ...over,
});

describe('how the last call ended', () => {
  it('[WIC-call-remote-end] MUST say who ended an answered call and how long it lasted, for a few seconds, when the other side hung up', () => {
    expect(callEndStatus(ended({}), 'ims.lab')).toEqual({
      kind: 'ended',
      text: 'Call ended by bob · 1:03',
      shownMs: SHOWN_MS.ended,
    });
    // We hung up ourselves, or it failed (the failure notice tells that): nothing.
    expect(callEndStatus(ended({ by: 'local' }), 'ims.lab')).toBeUndefined();
    expect(
      callEndStatus(
        ended({ failure: { kind: 'call', cause: 'Connection Error', status: undefined, reason: undefined } }),
        'ims.lab',
      ),
    ).toBeUndefined();
  });

  it('[WIC-call-missed] MUST say "Missed call from …" when the caller cancelled a call that rang here', () => {
    const missed = callEndStatus(
      ended({ direction: 'incoming', answeredAt: undefined, peer: 'sip:alice@ims.lab' }),
      'ims.lab',
    );
    expect(missed).toEqual({ kind: 'missed', text: 'Missed call from alice', shownMs: SHOWN_MS.missed });
    expect(SHOWN_MS.missed).toBeGreaterThan(SHOWN_MS.ended);
    // Declined here (by: local): nothing to tell.
    expect(
      callEndStatus(ended({ direction: 'incoming', answeredAt: undefined, by: 'local' }), 'ims.lab'),
    ).toBeUndefined();
  });
});
