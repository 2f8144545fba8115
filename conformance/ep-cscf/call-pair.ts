/**
 * The describe-block set-up of a call test between two WebSocket clients: the call bed
 * (call-bed.ts: the lab core, the core tap, the eP-CSCF without a media gateway) for the whole
 * file, with alice and bob registered over their own WebSocket. Registers the hooks; on a
 * failing test, the eP-CSCF's output and what each client received are printed.
 */
import { afterAll, beforeAll } from 'vitest';
import { printPeerOutputOnFailure } from '../harness/vitest-hooks.ts';
import { type CallBed, startCallBed } from './call-bed.ts';
import type { CallUa } from './call-ua.ts';

export interface CallPair extends CallBed {
  /** sip:alice@ims.lab, registered */
  readonly alice: CallUa;
  /** sip:bob@ims.lab, registered */
  readonly bob: CallUa;
}

/** The bed, filled in by the beforeAll hook it registers (read its fields inside tests only). */
export function useCallPair(): CallPair {
  const peers: Array<{ report(): string }> = [];
  const pair: Partial<{ -readonly [K in keyof CallPair]: CallPair[K] }> = {};
  printPeerOutputOnFailure(() => [
    ...peers,
    ...[pair.alice, pair.bob].map((u) => ({
      report: () => (u === undefined ? '' : `--- ${u.impu} received ---\n${u.inbox.summary()}`),
    })),
  ]);

  beforeAll(async () => {
    const bed = await startCallBed((p) => peers.push(p));
    Object.assign(pair, bed);
    pair.alice = await bed.user('alice');
    pair.bob = await bed.user('bob');
  });
  afterAll(async () => {
    await pair.stop?.();
  });
  return pair as CallPair;
}
