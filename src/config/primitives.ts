/**
 * Zod building blocks every section of warden.yaml shares: names, durations, time zones and secret
 * references. One definition each, so a duration or a reference is read the same way everywhere.
 */
import { z } from 'zod';
import { NAME_PATTERN, parseDurationSeconds } from '../core/index.js';

/** A `${env:NAME}` or `${file:path}` reference; resolved to its value when the config is loaded. */
export const SECRET_REFERENCE_PATTERN = /^\$\{(env|file):([^}]+)\}$/;

/** Names of agents, servers, roles, models...: lower-case letters, digits and dashes. */
export const name = z
  .string()
  .regex(NAME_PATTERN, 'must be lower-case letters, digits and dashes, starting with a letter (at most 64)');

/** Durations: seconds, or `30s`, `10m`, `2h`, `7d`. */
export const duration = z.union([z.number(), z.string()]).transform((value, context) => {
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined) {
    context.addIssue({
      code: 'custom',
      message: `"${String(value)}" is not a duration; write e.g. 600, "90s", "10m", "2h"`,
    });
    return z.NEVER;
  }
  return seconds;
});

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A value that must be a secret reference, never the secret itself. */
export const secretReference = z
  .string()
  .regex(
    SECRET_REFERENCE_PATTERN,
    'must be a reference such as "${env:NAME}" or "${file:path}", never the secret itself',
  );
