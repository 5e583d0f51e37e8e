/** Reconnect delays: exponential with jitter, so a dead upstream is retried ever less often and restarts do not stampede. */

export interface BackoffOptions {
  /** Delay before the first retry, in milliseconds. */
  initialMs: number;
  /** Longest delay between retries, in milliseconds (before jitter). */
  maxMs: number;
}

/** 0.5 s, doubling on each failure, up to 30 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/**
 * The delay before retry number `attempt` (0 for the first retry): `initialMs * 2^attempt`, capped
 * at `maxMs`, then spread by ±20% so that upstreams which failed together do not retry together.
 *
 * @example
 * backoffDelay(0, DEFAULT_BACKOFF, () => 0.5); // 500
 * backoffDelay(10, DEFAULT_BACKOFF, () => 0.5); // 30000
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 40);
  const base = Math.min(options.maxMs, options.initialMs * 2 ** exponent);
  return Math.round(base * (0.8 + 0.4 * random()));
}
