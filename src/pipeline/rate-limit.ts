/**
 * Per-agent token buckets for tool calls, from `agents.<name>.rateLimits`: one bucket per limited
 * tool and one for `*` (all of the agent's calls). A call takes a token from every bucket that
 * applies, or from none when any is empty, so a refused call never uses up another limit.
 */
import type { AgentConfig } from '../config/index.js';
import type { Clock } from '../core/index.js';

type RateLimitConfig = AgentConfig['rateLimits'][string];

/** What the limiter answers for one call. */
export type RateLimitResult =
  | { ok: true }
  | {
      ok: false;
      /** Whole seconds until the emptiest bucket holds a token again (at least 1). */
      retryAfterSeconds: number;
      /** The limit that refused: an exposed tool name or `*`. */
      key: string;
      requests: number;
      perSeconds: number;
    };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Token-bucket rate limiter over the limits the config declares per agent. */
export class ToolRateLimiter {
  readonly #limits: ReadonlyMap<string, Readonly<Record<string, RateLimitConfig>>>;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();

  constructor(agents: Readonly<Record<string, Pick<AgentConfig, 'rateLimits'>>>, clock: Clock) {
    this.#limits = new Map(
      Object.entries(agents)
        .filter(([, agent]) => Object.keys(agent.rateLimits).length > 0)
        .map(([name, agent]) => [name, agent.rateLimits]),
    );
    this.#clock = clock;
  }

  /** Takes one token for `agent` calling `tool` from each applicable bucket, or refuses. */
  take(agent: string, tool: string): RateLimitResult {
    const limits = this.#limits.get(agent);
    if (limits === undefined) return { ok: true };
    const now = this.#clock.now();
    const applicable: Array<{ key: string; limit: RateLimitConfig; bucket: Bucket }> = [];
    for (const key of [tool, '*']) {
      const limit = Object.hasOwn(limits, key) ? limits[key] : undefined;
      if (limit === undefined) continue;
      applicable.push({ key, limit, bucket: this.#refill(agent, key, limit, now) });
    }
    let refusal: Extract<RateLimitResult, { ok: false }> | null = null;
    for (const { key, limit, bucket } of applicable) {
      if (bucket.tokens >= 1) continue;
      const perMs = limit.requests / (limit.per * 1000);
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      if (refusal === null || retryAfterSeconds > refusal.retryAfterSeconds) {
        refusal = { ok: false, retryAfterSeconds, key, requests: limit.requests, perSeconds: limit.per };
      }
    }
    if (refusal !== null) return refusal;
    for (const { bucket } of applicable) bucket.tokens -= 1;
    return { ok: true };
  }

  #refill(agent: string, key: string, limit: RateLimitConfig, now: number): Bucket {
    const capacity = limit.burst ?? limit.requests;
    const id = `${agent}\u0000${key}`;
    let bucket = this.#buckets.get(id);
    if (bucket === undefined) {
      bucket = { tokens: capacity, updatedAt: now };
      this.#buckets.set(id, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(capacity, bucket.tokens + (elapsed * limit.requests) / (limit.per * 1000));
    bucket.updatedAt = now;
    return bucket;
  }
}
