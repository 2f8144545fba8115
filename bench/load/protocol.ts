/** Messages between the load generator (main thread) and its workers (load-worker.ts). */

/** Where a worker's clients send their REGISTERs. */
export type Target =
  /** SIP over WebSocket (RFC 7118) through the system under test; `wss:` URLs trust any certificate */
  | {
      readonly kind: 'ws';
      readonly url: string;
      readonly origin: string;
      /** client source addresses, used round robin (127.0.0.x: more ephemeral ports) */
      readonly localAddresses: readonly string[];
      /** the client's WebSocket: the `ws` library (default) or lean-ws.ts (far cheaper per connection) */
      readonly client?: 'ws' | 'lean' | undefined;
      /** lean clients only: each binds its own address and port (sources.ts) instead of `localAddresses` */
      readonly fixedSources?: boolean | undefined;
    }
  /** straight to the IMS core over UDP: the baseline for the latency a proxy adds */
  | { readonly kind: 'udp'; readonly host: string; readonly port: number };

export interface WorkerSetup {
  readonly workerId: number;
  readonly target: Target;
  readonly domain: string;
  /** a transaction without a final response after this long is a failure */
  readonly timeoutMs: number;
  /** what calls need (call-client.ts): the callee's URI and the browser offer (SDP text) */
  readonly calls?: { readonly callee: string; readonly offerSdp: string } | undefined;
}

export type Command =
  /** open clients [first, first+count) (WebSocket handshake) and register each once */
  | { readonly op: 'connect'; readonly first: number; readonly count: number; readonly concurrency: number }
  /** re-register idle registered clients at this many registrations per second (2 transactions each) */
  | { readonly op: 'step'; readonly registrationsPerSec: number; readonly durationMs: number }
  /**
   * place calls from idle registered clients at this many calls per second: INVITE, ACK, hold
   * `holdMs`, BYE (call-client.ts); the step ends when every call started has ended
   */
  | {
      readonly op: 'calls';
      readonly callsPerSec: number;
      readonly durationMs: number;
      readonly holdMs: number;
    }
  /** close every connection and exit */
  | { readonly op: 'close' };

export interface ConnectResult {
  readonly op: 'connected';
  readonly registered: number;
  readonly failed: number;
  readonly failures: Readonly<Record<string, number>>;
}

export interface StepResult {
  readonly op: 'step-done';
  /** latency of every transaction answered with the expected final response, in ms */
  readonly latencies: Float64Array;
  readonly transactionsOk: number;
  readonly transactionsFailed: number;
  readonly registrationsOk: number;
  readonly registrationsFailed: number;
  /** registrations due while no registered client was idle (the system under test falls behind) */
  readonly starved: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
}

export interface CallStepResult {
  readonly op: 'calls-done';
  /** INVITE sent to 2xx received, ms, per call answered */
  readonly setupLatencies: Float64Array;
  /** BYE sent to its 2xx received, ms, per call ended */
  readonly teardownLatencies: Float64Array;
  /** calls set up and torn down without a fault */
  readonly callsOk: number;
  readonly callsFailed: number;
  /** calls due while no registered client was idle */
  readonly starved: number;
  readonly failures: Readonly<Record<string, number>>;
  /** one answer SDP of the step, for the report (undefined: none answered) */
  readonly sampleAnswer: string | undefined;
  readonly elapsedMs: number;
}

export type Reply =
  | ConnectResult
  | StepResult
  | CallStepResult
  | { readonly op: 'closed' }
  | { readonly op: 'error'; readonly message: string };
