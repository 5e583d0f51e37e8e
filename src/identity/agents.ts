/**
 * Agent identities: create, rotate secrets, suspend, resume and sync from config. Every change is in
 * the audit log before it is applied, secrets are returned once and stored only as scrypt hashes, and
 * no audit detail or public view ever holds a secret or a hash.
 */
import type { AuditRecorder } from '../audit/index.js';
import { NAME_PATTERN, WardenError, isWardenError, isoTime, newId } from '../core/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import type { AgentChanges, AgentRecord, AgentStore } from '../store/index.js';
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
}

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
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Agent lifecycle. Methods return full records (for the caller's checks); show people {@link publicAgent}. */
export class AgentService {
  readonly #store: AgentStore;
  readonly #audit: AuditRecorder;
  readonly #clock: Clock;
  readonly #dataClasses: string[];
  readonly #roles: string[];

  constructor(options: AgentServiceOptions) {
    this.#store = options.store;
    this.#audit = options.audit;
    this.#clock = options.clock;
    this.#dataClasses = [...options.dataClasses];
    this.#roles = [...options.roles];
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
      status: 'active',
      suspendedReason: null,
      suspendedBy: null,
      suspendedAt: null,
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
    const current = await this.get(name);
    const now = isoTime(this.#clock);
    await this.#audit.record({
      type: 'agent-suspended',
      actor: options.actor,
      subject: `agent:${current.name}`,
      detail: { id: current.id, reason, previousStatus: current.status },
    });
    return this.#update(current, {
      status: 'suspended',
      // Tokens issued before the suspension stay refused after a resume: the agent must ask anew.
      secretVersion: current.secretVersion + 1,
      suspendedReason: reason,
      suspendedBy: options.actor,
      suspendedAt: now,
      updatedAt: now,
    });
  }

  /**
   * Lifts a suspension. Resuming an active agent changes and records nothing.
   *
   * @throws WARDEN_AGENT_NOT_FOUND
   */
  async resume(name: string, options: { actor: string }): Promise<AgentRecord> {
    const current = await this.get(name);
    if (current.status === 'active') return current;
    await this.#audit.record({
      type: 'agent-resumed',
      actor: options.actor,
      subject: `agent:${current.name}`,
      detail: { id: current.id, suspendedReason: current.suspendedReason, suspendedBy: current.suspendedBy },
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
      status: 'active',
      suspendedReason: null,
      suspendedBy: null,
      suspendedAt: null,
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
