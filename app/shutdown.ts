/**
 * Graceful stop on SIGINT/SIGTERM: stop the app, exit 0. A second signal, a failing stop or a
 * stop that outlasts the timeout exits 1 at once.
 */

import type { RunningApp } from './app.ts';
import type { Logger } from './logger.ts';

export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface ShutdownOptions {
  readonly app: RunningApp;
  readonly logger: Logger;
  readonly timeoutMs: number;
  /** process.exit in production; injected for tests. */
  readonly exit: (code: number) => void;
  /** Where the signal handlers are installed; the process in production. */
  readonly signals?: SignalSource;
}

export function installShutdown(options: ShutdownOptions): void {
  const logger = options.logger.child({ module: 'app.shutdown' });
  const signals = options.signals ?? process;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal during stop: exiting now');
      options.exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal, timeoutMs: options.timeoutMs }, `received ${signal}: stopping gracefully`);
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: options.timeoutMs }, 'graceful stop timed out: exiting');
      options.exit(1);
    }, options.timeoutMs);
    timer.unref();
    options.app.stop().then(
      () => {
        clearTimeout(timer);
        options.exit(0);
      },
      (error: unknown) => {
        clearTimeout(timer);
        logger.error({ err: error }, 'graceful stop failed');
        options.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) signals.on(signal, () => onSignal(signal));
}
