/**
 * Agent identities: create, rotate secrets, suspend, resume, lock down and sync from config. Every
 * change is in the audit log before it is applied, secrets are returned once and stored only as scrypt
 * hashes, and no audit detail or public view ever holds a secret or a hash. A lockdown is kept in the
 * store, so it holds in every process and replica: agents created or synced while it lasts come up
 * suspended, and lifting it resumes only the agents it suspended.
 */
import type { AuditRecorder } from '../audit/index.js';
import { NAME_PATTERN, WardenError, isWardenError, isoTime, newId } from '../core/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import type { AgentChanges, AgentRecord, AgentStore, MetaStore } from '../store/index.js';
import {
  LOCKDOWN_META_PREFIX,
  LockdownGate,
  isLockdownReason,
  lockdownInForce,
  lockdownReason,
  parseLockdown,
  readLatestLockdown,
} from './lockdown.js';
import type { LatestLockdown, StoredLockdown } from './lockdown.js';
import { MAX_SECRET_LENGTH, generateClientSecret, hashSecret, verifySecret } from './secrets.js';

/** An agent as shown to people and API clients: everything but the secret hash. */
export type PublicAgent = Omit<AgentRecord, 'secretHash'> & {
  /** Whether a client secret has been issued. */
  hasSecret: boolean;
};

/** Drops the secret hash from an agent record. */
export function publicAgent(record: AgentRecord): PublicAgent {
  const { secretHash, ...rest } = record;
  return { ...rest, hasSecret: secretHash !== null };
}

/** How the config describes one agent (`agents.<name>` in warden.yaml, secret reference resolved). */
export interface ConfigAgent {
  owner: string;
  roles: string[];
  clearance: string;
  description?: string | undefined;
  /** The resolved secret value, when the config fixes one. */
  secret?: string | undefined;
}

export interface AgentServiceOptions {
  store: AgentStore;
  audit: AuditRecorder;
  clock: Clock;
  /** Data class names from the config, least to most sensitive. */
  dataClasses: string[];
  /** Role names from the config. */
  roles: string[];
  /** Where the lockdown state is kept (store.meta). Without it, lockdown is refused. */
  meta?: MetaStore;
}

/** The lockdown in force, as {@link AgentService.lockdownState} reports it. */
export interface LockdownState {
  active: boolean;
  /** When the current (or, once lifted, null) lockdown started. */
  since: string | null;
  by: string | null;
  reason: string | null;
  /** Agents the lockdown left running. */
  except: string[];
}

/** Told when an agent is found suspended (here or by another process); see {@link AgentService.onSuspended}. */
export type SuspensionListener = (agent: AgentRecord) => void;

export interface CreateAgentInput {
  name: string;
  owner: string;
  roles: string[];
  clearance: string;
  description?: string | null;
  /** Who is acting, e.g. `cli:alice` or `admin:bob`. */
  actor: string;
}

/** What {@link AgentService.syncFromConfig} did, by agent name. */
export interface SyncResult {
  created: string[];
  updated: string[];
  /** Agents whose secret hash was set from the config. */
  secretsSet: string[];
}

/** Shortest client secret accepted from the config. */
export const MIN_CONFIG_SECRET_LENGTH = 16;
const MAX_DESCRIPTION_LENGTH = 2000;
const MAX_REASON_LENGTH = 1000;
/** Longest lockdown reason (the suspension reason adds the lockdown id in front). */
const MAX_LOCKDOWN_REASON_LENGTH = 900;
const MAX_LOCKDOWN_EXCEPTIONS = 1000;
/** Attempts per agent when a lockdown's suspension meets a concurrent change (WARDEN_STORE_CONFLICT). */
const LOCKDOWN_ATTEMPTS = 5;

/** An agent a lockdown could not suspend, and why. */
export interface LockdownFailure {
  agent: string;
  code: string;
  message: string;
}

/** What {@link AgentService.lockdown} did. */
export interface LockdownResult {
  /** Agents suspended by this call. */
  suspended: string[];
  /** Agents that could not be suspended (the lockdown still refuses them: it is enforced by itself). */
  failed: LockdownFailure[];
  /** The lockdown in force. */
  lockdown: string;
  /** True when a lockdown was already in force and this call completed it. */
  alreadyInForce: boolean;
}
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Agent lifecycle. Methods return full records (for the caller's checks); show people {@link publicAgent}. */
export class AgentService {
  readonly #store: AgentStore;
  readonly #audit: AuditRecorder;
  readonly #clock: Clock;
  readonly #dataClasses: string[];
  readonly #roles: string[];
  readonly #meta: MetaStore | null;
  readonly #listeners = new Set<SuspensionListener>();
  /** Last status seen per agent id by the suspension watch (and by suspensions made here). */
  readonly #seen = new Map<string, { status: string; secretVersion: number }>();
  #watch: { timer: NodeJS.Timeout; polling: boolean } | null = null;
  #polled = false;
  /**
   * Enforces the lockdown in force by itself (token issuance and verification, the pipeline's
   * suspension stage), whatever each agent's own status says. Shared by every check of the process.
   */
  readonly lockdownGate: LockdownGate;

  constructor(options: AgentServiceOptions) {
    this.#store = options.store;
    this.#audit = options.audit;
    this.#clock = options.clock;
    this.#dataClasses = [...options.dataClasses];
    this.#roles = [...options.roles];
    this.#meta = options.meta ?? null;
    this.lockdownGate = new LockdownGate({ meta: this.#meta });
  }

  /**
   * Creates an agent with a new client secret. The secret is returned here once and stored only as a
   * hash.
   *
   * @throws WARDEN_AGENT_INVALID for a bad name, owner, role, clearance or description;
   *   WARDEN_AGENT_EXISTS when the name is taken.
   */
  async create(input: CreateAgentInput): Promise<{ agent: AgentRecord; secret: string }> {
    const fields = this.#validate(input.name, {
      owner: input.owner,
      roles: input.roles,
      clearance: input.clearance,
      description: input.description ?? undefined,
    });
    if ((await this.#store.getByName(input.name)) !== null) throw agentExists(input.name);
    const secret = generateClientSecret();
    const now = isoTime(this.#clock);
    const record: AgentRecord = {
      id: newId('agt'),
      name: input.name,
      ...fields,
      ...(await this.#initialStatus(input.name, now)),
      secretHash: await hashSecret(secret),
      secretVersion: 1,
      secretRotatedAt: now,
      source: 'cli',
      createdAt: now,
      updatedAt: now,
    };
    await this.#recordCreated(record, input.actor);
    await this.#store.create(record);
    return { agent: record, secret };
  }

  /** @throws WARDEN_AGENT_NOT_FOUND */
  async get(name: string): Promise<AgentRecord> {
    const record = typeof name === 'string' ? await this.#store.getByName(name) : null;
    if (record === null) throw agentNotFound(name);
    return record;
  }

  /** Every agent, ordered by name. */
  list(): Promise<AgentRecord[]> {
    return this.#store.list();
  }

  /**
   * Issues a new client secret (returned once) and increments the secret version, so every token issued
   * before is refused with WARDEN_TOKEN_REVOKED.
   *
   * @throws WARDEN_AGENT_NOT_FOUND
   */
  async rotateSecret(name: string, actor: string): Promise<{ agent: AgentRecord; secret: string }> {
    const current = await this.get(name);
    const secret = generateClientSecret();
    const agent = await this.#setSecret(current, await hashSecret(secret), actor, 'rotate');
    return { agent, secret };
  }

  /**
   * Suspends an agent: its next token request and its next call with an existing token are refused with
   * WARDEN_AGENT_SUSPENDED and the reason. Suspending a suspended agent replaces the reason.
   *
   * @throws WARDEN_AGENT_INVALID without a reason; WARDEN_AGENT_NOT_FOUND
   */
  async suspend(name: string, options: { actor: string; reason: string }): Promise<AgentRecord> {
    const reason = typeof options.reason === 'string' ? options.reason.trim() : '';
    if (reason === '' || reason.length > MAX_REASON_LENGTH) {
      throw new WardenError(
        'WARDEN_AGENT_INVALID',
        `suspending an agent needs a reason of 1 to ${MAX_REASON_LENGTH} characters (it is shown to the agent and recorded)`,
        { agent: name },
      );
    }
    return this.#suspend(await this.get(name), options.actor, reason, {});
  }

  async #suspend(
    current: AgentRecord,
    actor: string,
    reason: string,
    extra: JsonObject,
  ): Promise<AgentRecord> {
    const now = isoTime(this.#clock);
    await this.#audit.record({
      type: 'agent-suspended',
      actor,
      subject: `agent:${current.name}`,
      detail: { id: current.id, reason, previousStatus: current.status, ...extra },
    });
    const updated = await this.#update(current, {
      status: 'suspended',
      // Tokens issued before the suspension stay refused after a resume: the agent must ask anew.
      secretVersion: current.secretVersion + 1,
      suspendedReason: reason,
      suspendedBy: actor,
      suspendedAt: now,
      updatedAt: now,
    });
    this.#noticed(updated);
    return updated;
  }

  /**
   * Lifts a suspension; `reason`, when given, is recorded with `agent-resumed`. Resuming an active
   * agent changes and records nothing.
   *
   * @throws WARDEN_AGENT_INVALID for a reason longer than 1000 characters; WARDEN_AGENT_NOT_FOUND
   */
  async resume(name: string, options: { actor: string; reason?: string }): Promise<AgentRecord> {
    const reason = typeof options.reason === 'string' ? options.reason.trim() : '';
    if (reason.length > MAX_REASON_LENGTH) {
      throw new WardenError(
        'WARDEN_AGENT_INVALID',
        `a resume reason may be at most ${MAX_REASON_LENGTH} characters (it is recorded); shorten it`,
        { agent: name },
      );
    }
    return this.#resume(await this.get(name), options.actor, reason === '' ? {} : { reason });
  }

  async #resume(current: AgentRecord, actor: string, extra: JsonObject): Promise<AgentRecord> {
    if (current.status === 'active') return current;
    await this.#audit.record({
      type: 'agent-resumed',
      actor,
      subject: `agent:${current.name}`,
      detail: {
        id: current.id,
        suspendedReason: current.suspendedReason,
        suspendedBy: current.suspendedBy,
        ...extra,
      },
    });
    return this.#update(current, {
      status: 'active',
      suspendedReason: null,
      suspendedBy: null,
      suspendedAt: null,
      updatedAt: isoTime(this.#clock),
    });
  }

  /**
   * Suspends every agent at once, except those named in `except`, and keeps the lockdown in force (in
   * the store, for every process) until it is lifted. The lockdown is enforced by itself: while it is
   * in force, token issuance, token verification and every tool call refuse each non-excepted agent
   * whatever its own status, so an agent created meanwhile, or one a suspension failed for, is refused
   * too. Order: the lockdown record is written first (the one write that decides which of two
   * concurrent operators wins; `lockdown-started` is recorded only by the winner), then every active
   * non-excepted agent is suspended (one `agent-suspended` each, detail `lockdown: <id>`), then the
   * agents are listed again to catch late creations. Agents still suspended by an older lockdown are
   * taken over (their suspension names this one, so lifting it resumes them).
   *
   * When a lockdown is already in force (or another operator's wins the race), this completes it
   * instead: the remaining active non-excepted agents are suspended for it (its reason and exceptions
   * stand). Every target is tried; conflicts are retried; what could not be done is in `failed`.
   *
   * @throws WARDEN_AGENT_INVALID without a reason; WARDEN_AGENT_NOT_FOUND for an unknown name in
   *   `except`; WARDEN_AUDIT_UNAVAILABLE / WARDEN_STORE_UNAVAILABLE when the lockdown record itself
   *   could not be written (then nothing changed).
   * @example
   * const { suspended, failed } = await agents.lockdown({ actor: 'cli:alice', reason: 'incident 42', except: ['support-bot'] });
   */
  async lockdown(options: { actor: string; reason: string; except?: string[] }): Promise<LockdownResult> {
    const meta = this.#requireMeta();
    const reason = typeof options.reason === 'string' ? options.reason.trim() : '';
    if (reason === '' || reason.length > MAX_LOCKDOWN_REASON_LENGTH) {
      throw new WardenError(
        'WARDEN_AGENT_INVALID',
        `a lockdown needs a reason of 1 to ${MAX_LOCKDOWN_REASON_LENGTH} characters (it is shown to every suspended agent and recorded)`,
      );
    }
    const given = options.except ?? [];
    if (!Array.isArray(given) || given.length > MAX_LOCKDOWN_EXCEPTIONS) {
      throw new WardenError(
        'WARDEN_AGENT_INVALID',
        `the agents to leave running must be a list of at most ${MAX_LOCKDOWN_EXCEPTIONS} agent names`,
      );
    }
    const except: string[] = [];
    for (const name of given) {
      const agent = await this.get(name);
      if (!except.includes(agent.name)) except.push(agent.name);
    }
    const latest = await this.#latestLockdown(meta);
    let record = lockdownInForce(latest);
    const failed: LockdownFailure[] = [];
    let alreadyInForce = record !== null;
    if (record === null) {
      const fresh: StoredLockdown = {
        id: newId('lck'),
        since: isoTime(this.#clock),
        by: options.actor,
        reason,
        except,
      };
      const text = JSON.stringify(fresh);
      const stored = await meta.setIfAbsent(`${LOCKDOWN_META_PREFIX}${latest.generation + 1}`, text);
      this.lockdownGate.invalidate();
      if (stored === text) {
        record = fresh;
        try {
          await this.#audit.record({
            type: 'lockdown-started',
            actor: options.actor,
            detail: { id: fresh.id, reason, except },
          });
        } catch (error) {
          // The lockdown is in force (and enforced) already: go on suspending, and report this.
          failed.push(failure('(lockdown-started)', error));
        }
      } else {
        // Another operator started one at the same moment: theirs is in force; complete it.
        record = parseLockdown(stored) ?? (await this.#latestLockdown(meta)).record;
        alreadyInForce = true;
        if (record === null) throw new WardenError('WARDEN_INTERNAL', 'the lockdown record vanished');
      }
    }
    const suspensionReason = lockdownReason(record);
    const inForce = record;
    const suspended: string[] = [];
    const tried = new Set<string>();
    // Two passes: the second catches agents created (or resumed) while the first ran.
    for (let pass = 0; pass < 2; pass += 1) {
      const agents = await this.#store.list();
      for (const agent of agents) {
        if (tried.has(agent.id) || !this.#lockdownTarget(agent, inForce, suspensionReason)) continue;
        tried.add(agent.id);
        const outcome = await this.#suspendForLockdown(agent, options.actor, inForce, suspensionReason);
        if (outcome === 'suspended') suspended.push(agent.name);
        else if (outcome !== 'skipped') failed.push(outcome);
      }
    }
    return { suspended, failed, lockdown: inForce.id, alreadyInForce };
  }

  /** Whether a lockdown should suspend `agent`: active, or still suspended by an older lockdown. */
  #lockdownTarget(agent: AgentRecord, record: StoredLockdown, suspensionReason: string): boolean {
    if (record.except.includes(agent.name)) return false;
    if (agent.status === 'active') return true;
    return (
      agent.status === 'suspended' &&
      agent.suspendedReason !== suspensionReason &&
      isLockdownReason(agent.suspendedReason)
    );
  }

  /** Suspends one agent for a lockdown, retrying conflicts with the agent read anew. */
  async #suspendForLockdown(
    agent: AgentRecord,
    actor: string,
    record: StoredLockdown,
    suspensionReason: string,
  ): Promise<'suspended' | 'skipped' | LockdownFailure> {
    let current: AgentRecord | null = agent;
    let last: unknown = null;
    for (let attempt = 0; attempt < LOCKDOWN_ATTEMPTS; attempt += 1) {
      if (current === null || !this.#lockdownTarget(current, record, suspensionReason)) return 'skipped';
      try {
        await this.#suspend(current, actor, suspensionReason, { lockdown: record.id });
        return 'suspended';
      } catch (error) {
        last = error;
        if (isWardenError(error, 'WARDEN_AGENT_NOT_FOUND')) return 'skipped';
        if (!isWardenError(error, 'WARDEN_STORE_CONFLICT')) return failure(agent.name, error);
        try {
          current = await this.#store.getById(agent.id);
        } catch (readError) {
          return failure(agent.name, readError);
        }
      }
    }
    return failure(agent.name, last);
  }

  /**
   * Lifts the lockdown: records `lockdown-lifted`, then resumes the agents the lockdown suspended (and
   * those created suspended during it) that are still suspended for it; an agent suspended meanwhile for
   * another reason stays suspended. Before each resume the newest lockdown is read again: if a newer one
   * is in force, lifting stops there (the new lockdown takes over the agents still suspended). Without a
   * lockdown in force it records nothing and only resumes agents a previous lift left suspended (say
   * the process stopped half way).
   */
  async liftLockdown(options: { actor: string }): Promise<{ resumed: string[]; interruptedBy?: string }> {
    const meta = this.#requireMeta();
    const latest = await this.#latestLockdown(meta);
    const record = latest.record;
    if (record === null) return { resumed: [] };
    if (!latest.lifted) {
      await this.#audit.record({
        type: 'lockdown-lifted',
        actor: options.actor,
        detail: { id: record.id, since: record.since, by: record.by, reason: record.reason },
      });
      await meta.setIfAbsent(
        `${LOCKDOWN_META_PREFIX}${latest.generation}:lifted`,
        JSON.stringify({ at: isoTime(this.#clock), by: options.actor }),
      );
      this.lockdownGate.invalidate();
    }
    const suspensionReason = lockdownReason(record);
    const resumed: string[] = [];
    for (const agent of await this.#store.list()) {
      if (agent.status !== 'suspended' || agent.suspendedReason !== suspensionReason) continue;
      const newer = lockdownInForce(await this.#latestLockdown(meta));
      if (newer !== null && newer.id !== record.id) {
        this.lockdownGate.invalidate();
        return { resumed, interruptedBy: newer.id };
      }
      try {
        await this.#resume(agent, options.actor, { lockdown: record.id });
        resumed.push(agent.name);
      } catch (error) {
        // Changed at the same moment (say suspended anew): leave it as the other change made it.
        if (!isWardenError(error, 'WARDEN_STORE_CONFLICT')) throw error;
      }
    }
    return { resumed };
  }

  /** The lockdown in force, read from the store (so it reflects every process). */
  async lockdownState(): Promise<LockdownState> {
    const latest = this.#meta === null ? null : await this.#latestLockdown(this.#meta);
    const record = latest?.record ?? null;
    if (latest === null || record === null || latest.lifted) {
      return { active: false, since: null, by: null, reason: null, except: [] };
    }
    return {
      active: true,
      since: record.since,
      by: record.by,
      reason: record.reason,
      except: [...record.except],
    };
  }

  /**
   * Subscribes to suspensions: the listener is told of every agent suspended through this service at
   * once, and, while {@link startSuspensionWatch} runs, of agents found suspended by another process
   * (the CLI, another replica). Returns the unsubscribe function.
   */
  onSuspended(listener: SuspensionListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Polls the store every `intervalMs` (default 250) for agents that became suspended since the last
   * look, and tells the {@link onSuspended} listeners. One store query per poll; a poll is skipped while
   * the previous one runs. Failures go to `onError` and the watch goes on.
   */
  startSuspensionWatch(options: { intervalMs?: number; onError?: (error: unknown) => void } = {}): void {
    if (this.#watch !== null) return;
    const intervalMs = Math.max(20, options.intervalMs ?? 250);
    const watch = {
      polling: false,
      timer: setInterval(() => {
        if (watch.polling) return;
        watch.polling = true;
        this.pollSuspensions()
          .catch((error: unknown) => options.onError?.(error))
          .finally(() => {
            watch.polling = false;
          });
      }, intervalMs),
    };
    watch.timer.unref();
    this.#watch = watch;
    void this.pollSuspensions().catch((error: unknown) => options.onError?.(error));
  }

  /** Stops the suspension watch (idempotent). */
  stopSuspensionWatch(): void {
    if (this.#watch === null) return;
    clearInterval(this.#watch.timer);
    this.#watch = null;
  }

  /**
   * Looks once for agents suspended since the last look (a new suspension, or a suspension renewed
   * with a new credential generation) and tells the listeners. The first look only learns the state.
   */
  async pollSuspensions(): Promise<void> {
    const first = !this.#polled;
    this.#polled = true;
    for (const agent of await this.#store.list()) {
      const before = this.#seen.get(agent.id);
      this.#seen.set(agent.id, { status: agent.status, secretVersion: agent.secretVersion });
      if (agent.status !== 'suspended') continue;
      if (first && before === undefined) continue;
      if (
        before !== undefined &&
        before.status === 'suspended' &&
        before.secretVersion === agent.secretVersion
      )
        continue;
      this.#tell(agent);
    }
  }

  /** A suspension made here: tell the listeners now, and remember it so the watch does not tell again. */
  #noticed(agent: AgentRecord): void {
    this.#seen.set(agent.id, { status: agent.status, secretVersion: agent.secretVersion });
    this.#tell(agent);
  }

  #tell(agent: AgentRecord): void {
    for (const listener of this.#listeners) {
      try {
        listener(agent);
      } catch {
        // A listener's failure must not stop the others, nor the suspension itself.
      }
    }
  }

  /** Status fields of a new agent: suspended while a lockdown is in force, unless excepted. */
  async #initialStatus(
    name: string,
    now: string,
  ): Promise<Pick<AgentRecord, 'status' | 'suspendedReason' | 'suspendedBy' | 'suspendedAt'>> {
    const latest = this.#meta === null ? null : await this.#latestLockdown(this.#meta);
    const record = latest?.record ?? null;
    if (latest !== null && record !== null && !latest.lifted && !record.except.includes(name)) {
      return {
        status: 'suspended',
        suspendedReason: lockdownReason(record),
        suspendedBy: record.by,
        suspendedAt: now,
      };
    }
    return { status: 'active', suspendedReason: null, suspendedBy: null, suspendedAt: null };
  }

  #requireMeta(): MetaStore {
    if (this.#meta === null) {
      throw new WardenError('WARDEN_INTERNAL', 'this agent service was opened without the store meta table');
    }
    return this.#meta;
  }

  /** The newest lockdown ever started (see readLatestLockdown; unreadable counts as in force). */
  #latestLockdown(meta: MetaStore): Promise<LatestLockdown> {
    return readLatestLockdown(meta);
  }

  /**
   * Brings the store in line with the config's agents: creates missing ones, updates owner, roles,
   * clearance and description where they differ (recording `agent-updated` with before and after), and
   * sets the secret hash when the config fixes a secret that does not match the stored hash. Never
   * deletes an agent. Running it twice changes nothing the second time.
   *
   * @throws WARDEN_AGENT_INVALID for a config agent with an unknown role or clearance or a short secret.
   */
  async syncFromConfig(agents: Readonly<Record<string, ConfigAgent>>, actor: string): Promise<SyncResult> {
    // Validate every agent first, so a bad entry changes nothing.
    const wanted = Object.entries(agents).map(([name, configured]) => {
      const fields = this.#validate(name, configured);
      const secret = configured.secret;
      if (
        secret !== undefined &&
        (secret.length < MIN_CONFIG_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH)
      ) {
        throw new WardenError(
          'WARDEN_AGENT_INVALID',
          `the secret configured for agent "${name}" is ${secret.length < MIN_CONFIG_SECRET_LENGTH ? `shorter than ${MIN_CONFIG_SECRET_LENGTH}` : `longer than ${MAX_SECRET_LENGTH}`} characters; use a long random value (e.g. \`openssl rand -base64 32\`)`,
          { agent: name },
        );
      }
      return { name, fields, secret };
    });
    const result: SyncResult = { created: [], updated: [], secretsSet: [] };
    for (const { name, fields, secret } of wanted) {
      let current = await this.#store.getByName(name);
      if (current === null) {
        const created = await this.#createFromConfig(name, fields, secret, actor);
        if (created !== null) {
          result.created.push(name);
          if (secret !== undefined) result.secretsSet.push(name);
          continue;
        }
        // Another process created it at the same moment: compare against theirs.
        current = await this.get(name);
      }
      const changes = diff(current, fields);
      if (Object.keys(changes.changes).length > 0) {
        await this.#audit.record({
          type: 'agent-updated',
          actor,
          subject: `agent:${name}`,
          detail: { id: current.id, before: changes.before, after: changes.after, source: 'config' },
        });
        current = await this.#update(current, { ...changes.changes, updatedAt: isoTime(this.#clock) });
        result.updated.push(name);
      }
      if (
        secret !== undefined &&
        (current.secretHash === null || !(await verifySecret(secret, current.secretHash)))
      ) {
        await this.#setSecret(current, await hashSecret(secret), actor, 'config');
        result.secretsSet.push(name);
      }
    }
    return result;
  }

  /** Creates a config agent; returns null when another process created it first. */
  async #createFromConfig(
    name: string,
    fields: AgentFields,
    secret: string | undefined,
    actor: string,
  ): Promise<AgentRecord | null> {
    const now = isoTime(this.#clock);
    const record: AgentRecord = {
      id: newId('agt'),
      name,
      ...fields,
      ...(await this.#initialStatus(name, now)),
      secretHash: secret === undefined ? null : await hashSecret(secret),
      secretVersion: secret === undefined ? 0 : 1,
      secretRotatedAt: secret === undefined ? null : now,
      source: 'config',
      createdAt: now,
      updatedAt: now,
    };
    await this.#recordCreated(record, actor);
    try {
      await this.#store.create(record);
    } catch (error) {
      if (isWardenError(error, 'WARDEN_AGENT_EXISTS')) return null;
      throw error;
    }
    return record;
  }

  async #recordCreated(record: AgentRecord, actor: string): Promise<void> {
    await this.#audit.record({
      type: 'agent-created',
      actor,
      subject: `agent:${record.name}`,
      detail: {
        id: record.id,
        owner: record.owner,
        roles: record.roles,
        clearance: record.clearance,
        description: record.description,
        source: record.source,
        secretVersion: record.secretVersion,
        ...(record.status === 'suspended'
          ? { status: record.status, suspendedReason: record.suspendedReason }
          : {}),
      },
    });
  }

  async #setSecret(
    current: AgentRecord,
    secretHash: string,
    actor: string,
    origin: 'rotate' | 'config',
  ): Promise<AgentRecord> {
    const secretVersion = current.secretVersion + 1;
    const now = isoTime(this.#clock);
    await this.#audit.record({
      type: 'agent-secret-rotated',
      actor,
      subject: `agent:${current.name}`,
      detail: { id: current.id, secretVersion, origin },
    });
    return this.#update(current, { secretHash, secretVersion, secretRotatedAt: now, updatedAt: now });
  }

  /**
   * Applies `changes` only if the agent is still as `current` was read (optimistic concurrency):
   * two operators rotating or suspending at once must not silently overwrite each other.
   */
  async #update(current: AgentRecord, changes: AgentChanges): Promise<AgentRecord> {
    const updated = await this.#store.update(current.id, changes, {
      updatedAt: current.updatedAt,
      secretVersion: current.secretVersion,
      status: current.status,
    });
    if (updated !== null) return updated;
    if ((await this.#store.getById(current.id)) === null) throw agentNotFound(current.name);
    throw new WardenError(
      'WARDEN_STORE_CONFLICT',
      `agent "${current.name}" was changed by someone else at the same time, so this change was not applied (its audit entry stands as the attempt); check \`warden agents show ${current.name}\` and retry`,
      { agent: current.name },
    );
  }

  /** Checks the fields of an agent against the config; returns them normalised. */
  #validate(
    name: string,
    input: { owner: string; roles: string[]; clearance: string; description?: string | null | undefined },
  ): AgentFields {
    const invalid = (message: string): WardenError =>
      new WardenError('WARDEN_AGENT_INVALID', message, { agent: name });
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      throw new WardenError(
        'WARDEN_AGENT_INVALID',
        `agent name ${quote(name)} is not valid: use 1 to 64 lower-case letters, digits and dashes, starting with a letter (e.g. support-bot)`,
      );
    }
    if (typeof input.owner !== 'string' || input.owner.length > 254 || !EMAIL_PATTERN.test(input.owner)) {
      throw invalid(
        `owner ${quote(input.owner)} of agent "${name}" is not an email address; give the email of the accountable person (e.g. --owner alice@example.com)`,
      );
    }
    if (!Array.isArray(input.roles) || input.roles.length === 0) {
      throw invalid(`agent "${name}" needs at least one role; defined roles: ${listOf(this.#roles)}`);
    }
    const roles: string[] = [];
    for (const role of input.roles) {
      if (typeof role !== 'string' || !this.#roles.includes(role)) {
        throw invalid(
          `role ${quote(role)} of agent "${name}" is not defined in the config (defined: ${listOf(this.#roles)}); add it under roles: in warden.yaml or use a defined one`,
        );
      }
      if (!roles.includes(role)) roles.push(role);
    }
    if (typeof input.clearance !== 'string' || !this.#dataClasses.includes(input.clearance)) {
      throw invalid(
        `clearance ${quote(input.clearance)} of agent "${name}" is not a data class (defined: ${listOf(this.#dataClasses)})`,
      );
    }
    const description = input.description ?? null;
    if (
      description !== null &&
      (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH)
    ) {
      throw invalid(
        `the description of agent "${name}" must be text of at most ${MAX_DESCRIPTION_LENGTH} characters`,
      );
    }
    return { owner: input.owner, roles, clearance: input.clearance, description };
  }
}

interface AgentFields {
  owner: string;
  roles: string[];
  clearance: string;
  description: string | null;
}

/** The fields (and source) where the config differs from the stored agent, as audit detail and as changes. */
function diff(
  current: AgentRecord,
  fields: AgentFields,
): { before: JsonObject; after: JsonObject; changes: AgentChanges } {
  const before: JsonObject = {};
  const after: JsonObject = {};
  const changes: AgentChanges = {};
  if (current.owner !== fields.owner) {
    before.owner = current.owner;
    after.owner = changes.owner = fields.owner;
  }
  if ([...current.roles].sort().join('\n') !== [...fields.roles].sort().join('\n')) {
    before.roles = current.roles;
    after.roles = changes.roles = fields.roles;
  }
  if (current.clearance !== fields.clearance) {
    before.clearance = current.clearance;
    after.clearance = changes.clearance = fields.clearance;
  }
  if (current.description !== fields.description) {
    before.description = current.description;
    after.description = changes.description = fields.description;
  }
  if (current.source !== 'config') {
    before.source = current.source;
    after.source = changes.source = 'config';
  }
  return { before, after, changes };
}

/** A lockdown target that could not be suspended, as reported. */
function failure(agent: string, error: unknown): LockdownFailure {
  if (isWardenError(error)) return { agent, code: error.code, message: error.message.slice(0, 500) };
  return {
    agent,
    code: 'WARDEN_INTERNAL',
    message: error instanceof Error ? error.message.slice(0, 500) : 'unknown error',
  };
}

function agentNotFound(name: unknown): WardenError {
  return new WardenError(
    'WARDEN_AGENT_NOT_FOUND',
    `there is no agent named ${quote(name)}; run \`warden agents list\` to see the agents`,
    { agent: typeof name === 'string' ? name.slice(0, 64) : null },
  );
}

function agentExists(name: string): WardenError {
  return new WardenError(
    'WARDEN_AGENT_EXISTS',
    `an agent named "${name}" already exists; see it with \`warden agents show ${name}\` or choose another name`,
    { agent: name },
  );
}

function quote(value: unknown): string {
  return JSON.stringify(typeof value === 'string' ? value.slice(0, 64) : String(value));
}

function listOf(values: string[]): string {
  return values.length === 0 ? '(none)' : values.join(', ');
}
