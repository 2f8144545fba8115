/**
 * The short, polite line shown when the other side ended the call — not an error, so not the
 * alert banner: "Call ended by bob · 1:23" after a BYE from the other side (RFC 3261 §15.1.2),
 * "Missed call from bob" after a CANCEL of a call that rang here (RFC 3261 §9.2). It goes away by
 * itself after `shownMs`. Calls we end ourselves, and failures (told by failures.ts), get none.
 */
import { displayAddress } from './address.ts';
import { type EndedCall, formatDuration } from './phone-state.ts';

export interface CallEndStatus {
  readonly kind: 'ended' | 'missed';
  readonly text: string;
  /** how long it stays on screen */
  readonly shownMs: number;
}

/** How long each kind stays: a missed call longer, as nobody may have been looking. */
export const SHOWN_MS: Readonly<Record<CallEndStatus['kind'], number>> = { ended: 6_000, missed: 30_000 };

export function callEndStatus(call: EndedCall, homeDomain: string): CallEndStatus | undefined {
  if (call.failure !== undefined || call.by !== 'remote') return undefined;
  const who = displayAddress(call.peer, homeDomain);
  if (call.answeredAt !== undefined)
    return {
      kind: 'ended',
      text: `Call ended by ${who} · ${formatDuration(call.endedAt - call.answeredAt)}`,
      shownMs: SHOWN_MS.ended,
    };
  if (call.direction === 'incoming')
    return { kind: 'missed', text: `Missed call from ${who}`, shownMs: SHOWN_MS.missed };
  return undefined;
}
