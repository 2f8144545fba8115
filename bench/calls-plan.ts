/**
 * What a run of the call benchmark does, per mode: how many callers, how long a call is held,
 * which rates and step lengths. The full plan fits in about four minutes on the 2-core machine;
 * the smoke plan in a few seconds per system.
 */
import type { BenchMode, SearchPlan } from './epcscf-plan.ts';

export interface CallPlan {
  readonly mode: BenchMode;
  /** registered WebSocket clients that place the calls (one IMS subscriber each) */
  readonly clients: number;
  readonly workers: number;
  /** time between a call's ACK and its BYE */
  readonly holdMs: number;
  /** smoke: the one step run per system */
  readonly smokeStep?: { readonly cps: number; readonly ms: number };
  readonly warmup?: { readonly cps: number; readonly ms: number };
  readonly search?: SearchPlan;
  /** the step at half of our maximum, for both systems (latency, CPU per 1,000 calls) */
  readonly halfStepMs?: number;
  /** CPU profile of the eP-CSCF at 80 % of its maximum for this long (0: none) */
  readonly profileMs: number;
  /** perf over every process of each system at half of our maximum for this long (0: none; cpu-breakdown.ts) */
  readonly breakdownMs: number;
  /**
   * after the last call, how long rtpengine's `list` is asked again while it is not empty: calls
   * given up on by the clients end when the system's INVITE transaction times out (Timer B, 32 s)
   */
  readonly leftoverWaitMs: number;
  /** the profile and the breakdown are skipped once the call phase has lasted this long */
  readonly budgetMs: number;
  /** scheduling priority (nice) of the whole run, inherited by every process it starts */
  readonly nice?: number;
}

export const CALL_PLANS: Readonly<Record<BenchMode, CallPlan>> = {
  smoke: {
    mode: 'smoke',
    clients: 10,
    workers: 1,
    holdMs: 100,
    smokeStep: { cps: 10, ms: 1500 },
    leftoverWaitMs: 3000,
    profileMs: 0,
    breakdownMs: 0,
    budgetMs: 60_000,
  },
  full: {
    mode: 'full',
    clients: 1000,
    workers: 2,
    holdMs: 200,
    warmup: { cps: 100, ms: 3000 },
    search: {
      startTps: 100,
      factor: 1.5,
      bisections: 3,
      stepMs: 4000,
      ceilingTps: 5000,
      pauseMs: 1000,
      disturbedRetries: 4,
      disturbedPauseMs: 3000,
      disturbedWindowMs: 40_000,
    },
    halfStepMs: 8000,
    leftoverWaitMs: 35_000,
    profileMs: 6000,
    breakdownMs: 6000,
    budgetMs: 300_000,
    nice: -15,
  },
};
