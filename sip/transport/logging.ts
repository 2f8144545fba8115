import type { Clock } from '../clock/clock.ts';
import type { TransportCounters } from './counters.ts';

/** The part of a pino logger the transports use; a pino Logger satisfies it. */
export interface TransportLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child?(bindings: Record<string, unknown>): TransportLogger;
}

const noop = (): void => {};

/** Writes nothing: the default when no logger is given. */
export const silentLogger: TransportLogger = { debug: noop, info: noop, warn: noop, error: noop };

/** A child logger for one module category (`sip.transport.ws`), or the logger itself. */
export function moduleLogger(logger: TransportLogger, module: string): TransportLogger {
  return logger.child === undefined ? logger : logger.child({ module });
}

/**
 * Counts every message or connection the transport refuses, by reason, and logs it at most
 * once per interval and reason, with the number of occurrences not logged since (STYLE.md:
 * what cannot be answered is dropped with a counted, rate-limited log line).
 */
export class DropLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly counters: TransportCounters,
    private readonly logger: TransportLogger,
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  /** `reason` is one of a fixed set of codes (it keys the counters); details go in `fields`. */
  drop(reason: string, level: 'debug' | 'warn', fields: Record<string, unknown>): void {
    this.counters.drops[reason] = (this.counters.drops[reason] ?? 0) + 1;
    const now = this.clock.now();
    const seen = this.last.get(reason);
    if (seen !== undefined && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.last.set(reason, { at: now, suppressed: 0 });
    this.logger[level]({ ...fields, reason, suppressed }, 'sip transport drop');
  }
}
