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
/** Meta keys `lockdown:<n>` (started) and `lockdown:<n>:lifted`, n = 1, 2, 3, ... (written once each). */
const LOCKDOWN_META_PREFIX = 'lockdown:';

/** What is stored under `lockdown:<n>`. */
interface StoredLockdown {
  id: string;
  since: string;
  by: string;
  reason: string;
  except: string[];
}

/** The newest lockdown ever started, and whether it was lifted. */
interface LatestLockdown {
  generation: number;
  record: StoredLockdown | null;
  lifted: boolean;
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

  constructor(options: AgentServiceOptions) {
    this.#store = options.store;
    this.#audit = options.audit;
    this.#clock = options.clock;
    this.#dataClasses = [...options.dataClasses];
    this.#roles = [...options.roles];
    this.#meta = options.meta ?? null;
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
   * Lifts a suspension. Resuming an active agent changes and records nothing.
   *
   * @throws WARDEN_AGENT_NOT_FOUND
   */
  async resume(name: string, options: { actor: string }): Promise<AgentRecord> {
    return this.#resume(await this.get(name), options.actor, {});
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
   * the store, for every process) until it is lifted: agents created or synced from config meanwhile
   * come up suspended. Agents already suspended keep their own suspension. Records `lockdown-started`,
   * then one `agent-suspended` per agent (detail `lockdown: <id>`).
   *
   * @throws WARDEN_AGENT_INVALID without a reason; WARDEN_AGENT_NOT_FOUND for an unknown name in
   *   `except`; WARDEN_LOCKDOWN_ACTIVE when a lockdown is already in force.
   * @example
   * const { suspended } = await agents.lockdown({ actor: 'cli:alice', reason: 'incident 42', except: ['support-bot'] });
   */
  async lockdown(options: {
    actor: string;
    reason: string;
    except?: string[];
  }): Promise<{ suspended: string[] }> {
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
    if (latest.record !== null && !latest.lifted) throw lockdownActive(latest.record);
    const record: StoredLockdown = {
      id: newId('lck'),
      since: isoTime(this.#clock),
      by: options.actor,
      reason,
      except,
    };
    const agents = await this.#store.list();
    const targets = agents.filter((agent) => agent.status === 'active' && !except.includes(agent.name));
    await this.#audit.record({
      type: 'lockdown-started',
      actor: options.actor,
      detail: {
        id: record.id,
        reason,
        except,
        agents: targets.map((agent) => agent.name),
        alreadySuspended: agents.filter((agent) => agent.status !== 'active').map((agent) => agent.name),
      },
    });
    const text = JSON.stringify(record);
    const key = `${LOCKDOWN_META_PREFIX}${latest.generation + 1}`;
    const stored = await meta.setIfAbsent(key, text);
    if (stored !== text) {
      // Another operator started one at the same moment: theirs is in force.
      throw lockdownActive(parseLockdown(stored) ?? record);
    }
    const suspensionReason = lockdownReason(record);
    const suspended: string[] = [];
    for (const target of targets) {
      let current: AgentRecord | null = target;
      for (let attempt = 0; attempt < 3 && current !== null && current.status === 'active'; attempt += 1) {
        try {
          await this.#suspend(current, options.actor, suspensionReason, { lockdown: record.id });
          suspended.push(current.name);
          break;
        } catch (error) {
          if (!isWardenError(error, 'WARDEN_STORE_CONFLICT')) throw error;
          current = await this.#store.getById(current.id);
        }
      }
    }
    return { suspended };
  }

  /**
   * Lifts the lockdown: records `lockdown-lifted`, then resumes the agents the lockdown suspended (and
   * those created suspended during it) that are still suspended for it; an agent suspended meanwhile for
   * another reason stays suspended. Without a lockdown in force it records nothing and only resumes
   * agents a previous lift left suspended (say the process stopped half way).
   */
  async liftLockdown(options: { actor: string }): Promise<{ resumed: string[] }> {
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
    }
    const suspensionReason = lockdownReason(record);
    const resumed: string[] = [];
    for (const agent of await this.#store.list()) {
      if (agent.status !== 'suspended' || agent.suspendedReason !== suspensionReason) continue;
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

  /**
   * Finds the newest `lockdown:<n>` key: they are written 1, 2, 3, ... with no gap, so an exponential
   * then binary search needs about 2·log2(n) reads.
   */
  async #latestLockdown(meta: MetaStore): Promise<LatestLockdown> {
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
      // Fail closed: an unreadable lockdown record is a lockdown whose details are unknown.
      return {
        generation: low,
        record: { id: 'unknown', since: '', by: 'unknown', reason: 'unreadable lockdown record', except: [] },
        lifted: false,
      };
    }
    const lifted = (await meta.get(`${LOCKDOWN_META_PREFIX}${low}:lifted`)) !== null;
    return { generation: low, record, lifted };
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

/** The suspension reason of agents a lockdown suspended: it names the lockdown, so lifting finds them. */
function lockdownReason(record: StoredLockdown): string {
  return `lockdown ${record.id}: ${record.reason}`;
}

function parseLockdown(text: string): StoredLockdown | null {
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

function lockdownActive(record: StoredLockdown): WardenError {
  return new WardenError(
    'WARDEN_LOCKDOWN_ACTIVE',
    `a lockdown is already in force (${record.id}, since ${record.since} by ${record.by}: ${record.reason}); lift it first with \`warden lockdown --lift\`, or suspend single agents with \`warden agents suspend\``,
    { lockdown: record.id },
  );
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
