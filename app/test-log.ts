/** Test helper: a pino destination that keeps every JSON line in memory. */

import type { Logger } from './logger.ts';
import { createLogger } from './logger.ts';

export type LogLine = Record<string, unknown> & { msg?: string; module?: string };

export function memoryLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (text: string) => lines.push(JSON.parse(text) as LogLine) },
  });
  return { logger, lines };
}
