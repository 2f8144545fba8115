/**
 * The process logger: pino, JSON lines, ISO timestamps, secrets redacted. Modules receive a
 * child logger with their category (`logger.child({ module: 'epcscf.registration' })`); there
 * is no global logger.
 */

import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from './config.ts';

const SECRET_FIELDS = [
  'authorization',
  'Authorization',
  'proxyAuthorization',
  'Proxy-Authorization',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'secret',
  'clientSecret',
];

/** The fields redacted at the top level, one level down, and in `*.headers`. */
export const REDACT_PATHS: readonly string[] = SECRET_FIELDS.flatMap((field) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
  const join = (prefix: string) => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
  return [key, join('*'), join('*.headers')];
});

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where JSON lines go; stdout when absent. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: 'webrtc-ims',
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: '[Redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

export type { Logger };
