import { type Clock, systemClock } from '../clock/clock.ts';
import type { ConnectionTable } from './connection-table.ts';
import { createCounters, type TransportCounters } from './counters.ts';
import { DropLog, moduleLogger, silentLogger, type TransportLogger } from './logging.ts';
import type { Destination, ReceivedMessage, TransportProtocol } from './types.ts';

/** What a transport needs from its owner (the TransportManager, or a test). */
export interface TransportHost {
  /** shared by every transport of the owner; connections register here while open */
  readonly connections: ConnectionTable;
  receiveMessage(rm: ReceivedMessage): void;
}

/** Options every transport takes. */
export interface CommonTransportOptions {
  /** key of this transport's counters (default: the protocol, made unique by the manager) */
  name?: string;
  /** largest message accepted, in octets (default 65535; UDP: 65507) */
  maxMessageSize?: number;
  clock?: Clock;
  /** pino or anything with the same methods; a `sip.transport.<protocol>` child is used */
  logger?: TransportLogger;
  /** least time between two log lines for the same drop reason (default 10000 ms) */
  dropLogIntervalMs?: number;
}

/** A transport as the manager drives it. */
export interface SipTransport {
  readonly protocol: TransportProtocol;
  readonly name: string;
  readonly maxMessageSize: number;
  readonly counters: TransportCounters;
  /** Binds/listens (when configured to) and starts timers. */
  start(host: TransportHost): Promise<void>;
  /** Sends one serialised message without a connectionId: reuses a connection or dials. */
  sendBytes(data: Buffer, destination: Destination): Promise<void>;
  /** Closes listeners and every connection of this transport; resolves when all are closed. */
  stop(): Promise<void>;
  /** Local address and port once listening (undefined when not listening). */
  address(): { address: string; port: number } | undefined;
}

export const DEFAULT_MAX_MESSAGE_SIZE = 65535;

/** State every transport keeps: counters, rate-limited drop log, clock, logger, owner. */
export abstract class TransportBase {
  readonly name: string;
  readonly maxMessageSize: number;
  readonly counters: TransportCounters = createCounters();
  readonly clock: Clock;
  readonly logger: TransportLogger;
  readonly drops: DropLog;
  host: TransportHost | undefined = undefined;

  constructor(
    protocol: TransportProtocol,
    options: CommonTransportOptions,
    defaultMax = DEFAULT_MAX_MESSAGE_SIZE,
  ) {
    this.name = options.name ?? protocol;
    this.maxMessageSize = options.maxMessageSize ?? defaultMax;
    if (!Number.isInteger(this.maxMessageSize) || this.maxMessageSize < 64)
      throw new RangeError(`maxMessageSize must be an integer >= 64, got ${options.maxMessageSize}`);
    this.clock = options.clock ?? systemClock;
    this.logger = moduleLogger(options.logger ?? silentLogger, `sip.transport.${protocol}`);
    this.drops = new DropLog(this.counters, this.logger, this.clock, options.dropLogIntervalMs ?? 10_000);
  }
}
