/**
 * The one logger (pino). Request lines carry the path without its query string, and any field that
 * could carry a credential is censored, so no secret reaches a log line.
 */
import { pino } from 'pino';
import type { Logger, LevelWithSilent, DestinationStream } from 'pino';

/** Paths pino censors wherever they appear in a logged object. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'body.client_secret',
  'body.password',
  'client_secret',
  'clientSecret',
  'secret',
  'password',
  'token',
  'accessToken',
  'access_token',
  'authorization',
];

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Where lines go; standard output by default. */
  destination?: DestinationStream;
  /** Write to standard error instead of standard output (the stdio front keeps stdout for MCP). */
  toStderr?: boolean;
}

/** Creates the process logger. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_LOG_PATHS, censor: '[REDACTED]' },
      base: { service: 'warden' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: options.toStderr === true ? 2 : 1, sync: false }),
  );
}

/** Strips the query string: queries can carry credentials a careless client put there. */
export function pathOnly(url: string): string {
  const index = url.indexOf('?');
  return index < 0 ? url : `${url.slice(0, index)}?[query omitted]`;
}

export type { Logger };
