/**
 * sip/transaction: the transaction layer of RFC 3261 §17 with the corrections of RFC 6026.
 * See README.md for the clauses implemented, the deviations and the API.
 */
export { BranchGenerator, hasMagicCookie } from './branch.ts';
export { buildAck } from './build-ack.ts';
export { buildResponse } from './build-response.ts';
export { type CancelOptions, createCancel } from './create-cancel.ts';
export { type IctState, InviteClientTransaction } from './ict.ts';
export { InviteServerTransaction, type IstState } from './ist.ts';
export { type NictState, NonInviteClientTransaction } from './nict.ts';
export { type NistState, NonInviteServerTransaction } from './nist.ts';
export { responseDestination, responseFallback } from './response-destination.ts';
export { DEFAULT_TIMERS, type TimerSettings, TransactionTimers } from './timers.ts';
export { silentLogger, type TransactionCounters, type TransactionLogger } from './transaction-base.ts';
export {
  type CancelOutcome,
  type CancelRequestOptions,
  TransactionLayer,
  type TransactionLayerOptions,
} from './transaction-layer.ts';
export type {
  ClientTransaction,
  ClientTransactionUser,
  ServerTransaction,
  ServerTransactionUser,
  Transaction,
  TransactionEvents,
  TransactionUser,
} from './transaction-user.ts';
