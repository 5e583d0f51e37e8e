/**
 * The lockdown record as kept in the store (meta keys `lockdown:<n>` and `lockdown:<n>:lifted`), and the
 * gate that enforces a lockdown in force by itself, independently of each agent's own status: token
 * issuance, token verification and the pipeline's suspension stage ask it about every non-excepted
 * agent. It reads the store at most once per cache period (250 ms by default) and fails closed: when
 * the state cannot be read, every agent is refused until it can.
 */
import { WardenError } from '../core/index.js';
import type { MetaStore } from '../store/index.js';

/** Meta keys `lockdown:<n>` (started) and `lockdown:<n>:lifted`, n = 1, 2, 3, ... (written once each). */
export const LOCKDOWN_META_PREFIX = 'lockdown:';

/** What is stored under `lockdown:<n>`. */
export interface StoredLockdown {
  id: string;
  since: string;
  by: string;
  reason: string;
  except: string[];
}

/** The newest lockdown ever started, and whether it was lifted. */
export interface LatestLockdown {
  generation: number;
  record: StoredLockdown | null;
  lifted: boolean;
}

/**
 * Finds the newest `lockdown:<n>` key: they are written 1, 2, 3, ... with no gap, so an exponential then
 * binary search needs about 2·log2(n) reads. An unreadable record counts as a lockdown in force whose
 * details are unknown (fail closed).
 */
export async function readLatestLockdown(meta: MetaStore): Promise<LatestLockdown> {
  const exists = async (generation: number): Promise<boolean> =>
    (await meta.get(`${LOCKDOWN_META_PREFIX}${generation}`)) !== null;
  if (!(await exists(1))) return { generation: 0, record: null, lifted: false };
  let low = 1;
  let high = 2;
  while (await exists(high)) {
    low = high;
    high *= 2;
  }
  // exists(low) and !exists(high)
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (await exists(middle)) low = middle;
    else high = middle;
  }
  const text = await meta.get(`${LOCKDOWN_META_PREFIX}${low}`);
  const record = text === null ? null : parseLockdown(text);
  if (record === null) {
    return {
      generation: low,
      record: { id: 'unknown', since: '', by: 'unknown', reason: 'unreadable lockdown record', except: [] },
      lifted: false,
    };
  }
  const lifted = (await meta.get(`${LOCKDOWN_META_PREFIX}${low}:lifted`)) !== null;
  return { generation: low, record, lifted };
}

/** The lockdown in force in `latest`, or null. */
export function lockdownInForce(latest: LatestLockdown): StoredLockdown | null {
  return latest.record !== null && !latest.lifted ? latest.record : null;
}

/** The suspension reason of agents a lockdown suspended: it names the lockdown, so lifting finds them. */
export function lockdownReason(record: StoredLockdown): string {
  return `lockdown ${record.id}: ${record.reason}`;
}

/** Whether a suspension reason is that of some lockdown (any, not only the current one). */
export function isLockdownReason(reason: string | null): boolean {
  return reason !== null && /^lockdown lck_[A-Za-z0-9]+: /.test(reason);
}

export function parseLockdown(text: string): StoredLockdown | null {
  try {
    const value = JSON.parse(text) as Partial<StoredLockdown> | null;
    if (
      value === null ||
      typeof value !== 'object' ||
      typeof value.id !== 'string' ||
      typeof value.since !== 'string' ||
      typeof value.by !== 'string' ||
      typeof value.reason !== 'string' ||
      !Array.isArray(value.except) ||
      !value.except.every((name) => typeof name === 'string')
    ) {
      return null;
    }
    return { id: value.id, since: value.since, by: value.by, reason: value.reason, except: value.except };
  } catch {
    return null;
  }
}

/** The refusal of a non-excepted agent while `record` is in force (the same on every path). */
export function lockdownSuspendedError(agentName: string, record: StoredLockdown): WardenError {
  return new WardenError(
    'WARDEN_AGENT_SUSPENDED',
    `agent "${agentName}" is suspended by lockdown ${record.id} (since ${record.since || '?'} by ${record.by}): ${record.reason}. An administrator lifts the lockdown with \`warden lockdown --lift\` (or DELETE /admin/lockdown)`,
    { agent: agentName, reason: lockdownReason(record), lockdown: record.id },
  );
}

/** Default (and longest sensible) age of the cached lockdown state, in milliseconds. */
export const LOCKDOWN_CACHE_MS = 250;

export interface LockdownGateOptions {
  /** Where the lockdown is kept (store.meta); without it there is never a lockdown to enforce. */
  meta: MetaStore | null;
  /** How long a read of the state is reused, in milliseconds (at most 250). */
  cacheMs?: number;
  /** Monotonic milliseconds; performance.now by default. */
  now?: () => number;
}

/**
 * Enforces the lockdown in force, read through a short cache. One instance is shared by every check of
 * a process (the AgentService owns it and forgets the cached state when it starts or lifts a lockdown).
 *
 * @example
 * const refusal = await gate.refusal(agent.name);
 * if (refusal !== null) throw refusal;
 */
export class LockdownGate {
  readonly #meta: MetaStore | null;
  readonly #cacheMs: number;
  readonly #now: () => number;
  /** The last state read (null: never read, or the last read failed) and when. */
  #cached: { record: StoredLockdown | null; at: number } | null = null;
  #failed = false;
  #reading: Promise<StoredLockdown | null> | null = null;
  /** Bumped by invalidate, so a read started before it does not fill the cache. */
  #epoch = 0;

  constructor(options: LockdownGateOptions) {
    this.#meta = options.meta;
    this.#cacheMs = Math.min(LOCKDOWN_CACHE_MS, Math.max(0, options.cacheMs ?? LOCKDOWN_CACHE_MS));
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * The refusal for `agentName` (WARDEN_AGENT_SUSPENDED naming the lockdown), WARDEN_STORE_UNAVAILABLE
   * when the state cannot be read (fail closed), or null when the agent may go on.
   */
  async refusal(agentName: string): Promise<WardenError | null> {
    if (this.#meta === null) return null;
    let record: StoredLockdown | null;
    try {
      record = await this.#current();
    } catch (error) {
      return new WardenError(
        'WARDEN_STORE_UNAVAILABLE',
        'Warden could not read whether a lockdown is in force, so the request is refused (fail closed); retry later, and an administrator should check the store',
        { agent: agentName },
        { cause: error },
      );
    }
    return record === null || record.except.includes(agentName)
      ? null
      : lockdownSuspendedError(agentName, record);
  }

  /**
   * Without waiting: whether `agentName` is refused by the last state read (true as well when the last
   * read failed). Used where a check cannot wait (tools/list); the awaited checks come first.
   */
  blocksNow(agentName: string): boolean {
    if (this.#meta === null) return false;
    if (this.#failed) return true;
    const record = this.#cached?.record ?? null;
    return record !== null && !record.except.includes(agentName);
  }

  /** Forgets the cached state, so the next check reads the store (after a lockdown starts or is lifted here). */
  invalidate(): void {
    this.#cached = null;
    this.#reading = null;
    this.#epoch += 1;
  }

  async #current(): Promise<StoredLockdown | null> {
    const cached = this.#cached;
    if (cached !== null && this.#now() - cached.at < this.#cacheMs) return cached.record;
    if (this.#reading !== null) return this.#reading;
    const reading = this.#read().finally(() => {
      if (this.#reading === reading) this.#reading = null;
    });
    this.#reading = reading;
    return reading;
  }

  async #read(): Promise<StoredLockdown | null> {
    const meta = this.#meta;
    if (meta === null) return null;
    const at = this.#now();
    const epoch = this.#epoch;
    try {
      const record = lockdownInForce(await readLatestLockdown(meta));
      if (epoch === this.#epoch) {
        this.#cached = { record, at };
        this.#failed = false;
      }
      return record;
    } catch (error) {
      if (epoch === this.#epoch) {
        this.#cached = null;
        this.#failed = true;
      }
      throw error;
    }
  }
}
