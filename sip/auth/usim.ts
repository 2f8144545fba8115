/**
 * A software USIM/ISIM for lab clients, load generators and conformance tests: it keeps SQN_MS
 * between challenges and answers them with `answerAkaChallenge` (TS 33.102 §6.3.3).
 */

import { type AkaAnswer, type AkaKey, answerAkaChallenge, SQN_MAX } from './aka.ts';

/** Anything that can answer an AKA challenge: this simulator, or a bridge to a real card. */
export interface AkaResponder {
  authenticate(rand: Uint8Array, autn: Uint8Array): AkaAnswer;
}

export type UsimOptions = AkaKey & {
  /** Highest SQN accepted so far (SQN_MS); 0 for a new card. */
  readonly sqnMs?: bigint | undefined;
  /** Largest accepted jump in SQN (TS 33.102 C.2.2 Δ); default 2^28. */
  readonly delta?: bigint | undefined;
};

export class Usim implements AkaResponder {
  private readonly opts: UsimOptions;
  private sqnMs: bigint;

  constructor(opts: UsimOptions) {
    this.opts = opts;
    this.sqnMs = opts.sqnMs ?? 0n;
    if (this.sqnMs < 0n || this.sqnMs > SQN_MAX) throw new RangeError('SQN_MS out of range');
  }

  /** The highest SQN accepted so far. */
  get sqn(): bigint {
    return this.sqnMs;
  }

  authenticate(rand: Uint8Array, autn: Uint8Array): AkaAnswer {
    const answer = answerAkaChallenge({ rand, autn }, { ...this.opts, sqnMs: this.sqnMs });
    if (answer.kind === 'ok') this.sqnMs = answer.sqn;
    return answer;
  }
}
