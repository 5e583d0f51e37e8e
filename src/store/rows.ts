/**
 * Row mapping and input checks shared by both engines, so SQLite and PostgreSQL read and write the
 * same records and refuse the same bad appends with the same errors.
 */
import { WardenError } from '../core/index.js';
import type { JsonObject } from '../core/index.js';
import type {
  AgentChanges,
  AgentRecord,
  AuditCheckpointRecord,
  AuditEntryRecord,
  AuditPruneRecord,
  AuditQuery,
  ChainHead,
  SigningKeyRecord,
} from './types.js';

/** The most entries one query returns, and the default. */
export const MAX_QUERY_LIMIT = 10_000;

type Row = Record<string, unknown>;

function text(row: Row, column: string): string {
  return row[column] as string;
}

function nullableText(row: Row, column: string): string | null {
  const value = row[column];
  return value === null || value === undefined ? null : (value as string);
}

function integer(row: Row, column: string): number {
  return Number(row[column]);
}

/** The agents columns in insert order. */
export const AGENT_COLUMNS = [
  'id',
  'name',
  'owner',
  'roles',
  'clearance',
  'description',
  'status',
  'suspended_reason',
  'suspended_by',
  'suspended_at',
  'secret_hash',
  'secret_version',
  'secret_rotated_at',
  'source',
  'created_at',
  'updated_at',
] as const;

/** Column lists for SELECT, so a column added by a later migration never changes what a query returns. */
export const AGENT_SELECT = AGENT_COLUMNS.join(', ');

/** Values of an agent in AGENT_COLUMNS order. */
export function agentValues(agent: AgentRecord): unknown[] {
  return [
    agent.id,
    agent.name,
    agent.owner,
    JSON.stringify(agent.roles),
    agent.clearance,
    agent.description,
    agent.status,
    agent.suspendedReason,
    agent.suspendedBy,
    agent.suspendedAt,
    agent.secretHash,
    agent.secretVersion,
    agent.secretRotatedAt,
    agent.source,
    agent.createdAt,
    agent.updatedAt,
  ];
}

export function agentFromRow(row: Row): AgentRecord {
  return {
    id: text(row, 'id'),
    name: text(row, 'name'),
    owner: text(row, 'owner'),
    roles: JSON.parse(text(row, 'roles')) as string[],
    clearance: text(row, 'clearance'),
    description: nullableText(row, 'description'),
    status: text(row, 'status') as AgentRecord['status'],
    suspendedReason: nullableText(row, 'suspended_reason'),
    suspendedBy: nullableText(row, 'suspended_by'),
    suspendedAt: nullableText(row, 'suspended_at'),
    secretHash: nullableText(row, 'secret_hash'),
    secretVersion: integer(row, 'secret_version'),
    secretRotatedAt: nullableText(row, 'secret_rotated_at'),
    source: text(row, 'source') as AgentRecord['source'],
    createdAt: text(row, 'created_at'),
    updatedAt: text(row, 'updated_at'),
  };
}

const AGENT_CHANGE_COLUMNS: Record<keyof AgentChanges, string> = {
  owner: 'owner',
  roles: 'roles',
  clearance: 'clearance',
  description: 'description',
  status: 'status',
  suspendedReason: 'suspended_reason',
  suspendedBy: 'suspended_by',
  suspendedAt: 'suspended_at',
  secretHash: 'secret_hash',
  secretVersion: 'secret_version',
  secretRotatedAt: 'secret_rotated_at',
  source: 'source',
  updatedAt: 'updated_at',
};

/** The columns and values an AgentChanges sets, in a stable order; keys set to undefined are skipped. */
export function agentChangeColumns(changes: AgentChanges): { columns: string[]; values: unknown[] } {
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const [field, column] of Object.entries(AGENT_CHANGE_COLUMNS) as [keyof AgentChanges, string][]) {
    if (!Object.hasOwn(changes, field) || changes[field] === undefined) continue;
    columns.push(column);
    values.push(field === 'roles' ? JSON.stringify(changes.roles) : changes[field]);
  }
  return { columns, values };
}

/** The error for an agent whose name or id is taken. */
export function agentExists(agent: AgentRecord, by: 'name' | 'id'): WardenError {
  return by === 'name'
    ? new WardenError(
        'WARDEN_AGENT_EXISTS',
        `An agent named "${agent.name}" already exists; choose another name, or see it with \`warden agents show ${agent.name}\`.`,
        { agent: agent.name },
      )
    : new WardenError(
        'WARDEN_AGENT_EXISTS',
        `An agent with id "${agent.id}" already exists, so agent "${agent.name}" was not created; create it again with a new id.`,
        { agent: agent.name, id: agent.id },
      );
}

/** The signing_keys columns in insert order (without the ordinal, which the database assigns). */
export const KEY_COLUMNS = [
  'kid',
  'purpose',
  'algorithm',
  'public_jwk',
  'private_key_sealed',
  'status',
  'created_at',
  'retired_at',
] as const;

export const KEY_SELECT = KEY_COLUMNS.join(', ');

/** Checks that `key` is a new active key and returns its values in KEY_COLUMNS order. */
export function rotationValues(key: SigningKeyRecord): unknown[] {
  if (key.status !== 'active' || key.retiredAt !== null) {
    throw new WardenError(
      'WARDEN_INTERNAL',
      `keys.rotate() takes the new active key, but key "${key.kid}" has status "${key.status}" and retiredAt ${String(key.retiredAt)}.`,
      { kid: key.kid },
    );
  }
  return [
    key.kid,
    key.purpose,
    key.algorithm,
    key.publicJwk,
    key.privateKeySealed,
    key.status,
    key.createdAt,
    key.retiredAt,
  ];
}

export function keyExists(key: SigningKeyRecord): WardenError {
  return new WardenError(
    'WARDEN_STORE_CONFLICT',
    `A signing key with kid "${key.kid}" already exists; rotate again to generate a new key.`,
    { kid: key.kid },
  );
}

export function keyFromRow(row: Row): SigningKeyRecord {
  return {
    kid: text(row, 'kid'),
    purpose: text(row, 'purpose') as SigningKeyRecord['purpose'],
    algorithm: text(row, 'algorithm') as SigningKeyRecord['algorithm'],
    publicJwk: text(row, 'public_jwk'),
    privateKeySealed: text(row, 'private_key_sealed'),
    status: text(row, 'status') as SigningKeyRecord['status'],
    createdAt: text(row, 'created_at'),
    retiredAt: nullableText(row, 'retired_at'),
  };
}

/** The audit_entries columns in insert order. */
export const ENTRY_COLUMNS = [
  'seq',
  'time',
  'type',
  'actor',
  'session',
  'subject',
  'decision',
  'policy_ids',
  'detail',
  'detail_digest',
  'prev_hash',
  'hash',
] as const;

export const ENTRY_SELECT = ENTRY_COLUMNS.join(', ');
export const CHECKPOINT_SELECT = 'seq, hash, time, key_id, signature';
export const PRUNE_SELECT = 'up_to_seq, anchor_hash, time, actor';

/** Values of an entry in ENTRY_COLUMNS order. */
export function entryValues(entry: AuditEntryRecord): unknown[] {
  return [
    entry.seq,
    entry.time,
    entry.type,
    entry.actor,
    entry.session,
    entry.subject,
    entry.decision,
    JSON.stringify(entry.policyIds),
    JSON.stringify(entry.detail),
    entry.detailDigest,
    entry.prevHash,
    entry.hash,
  ];
}

export function entryFromRow(row: Row): AuditEntryRecord {
  return {
    seq: integer(row, 'seq'),
    time: text(row, 'time'),
    type: text(row, 'type'),
    actor: text(row, 'actor'),
    session: nullableText(row, 'session'),
    subject: nullableText(row, 'subject'),
    decision: nullableText(row, 'decision'),
    policyIds: JSON.parse(text(row, 'policy_ids')) as string[],
    detail: JSON.parse(text(row, 'detail')) as JsonObject,
    detailDigest: text(row, 'detail_digest'),
    prevHash: text(row, 'prev_hash'),
    hash: text(row, 'hash'),
  };
}

export function checkpointFromRow(row: Row): AuditCheckpointRecord {
  return {
    seq: integer(row, 'seq'),
    hash: text(row, 'hash'),
    time: text(row, 'time'),
    keyId: text(row, 'key_id'),
    signature: text(row, 'signature'),
  };
}

export function checkpointExists(checkpoint: AuditCheckpointRecord): WardenError {
  return new WardenError(
    'WARDEN_STORE_CONFLICT',
    `A checkpoint at seq ${checkpoint.seq} already exists; checkpoints are written once per seq.`,
    { seq: checkpoint.seq },
  );
}

export function pruneFromRow(row: Row): AuditPruneRecord {
  return {
    upToSeq: integer(row, 'up_to_seq'),
    anchorHash: text(row, 'anchor_hash'),
    time: text(row, 'time'),
    actor: text(row, 'actor'),
  };
}

export function headFromRow(row: Row): ChainHead {
  return { seq: integer(row, 'seq'), hash: text(row, 'hash') };
}

/**
 * Checks that `entries` continue the chain at `head`: seqs head.seq+1, +2, ... and each prevHash
 * equal to the hash before it. Throws WARDEN_STORE_CONFLICT otherwise.
 */
export function checkContinuation(head: ChainHead, entries: readonly AuditEntryRecord[]): void {
  let previous = head;
  entries.forEach((entry, index) => {
    const expectedSeq = previous.seq + 1;
    if (entry.seq !== expectedSeq) {
      throw new WardenError(
        'WARDEN_STORE_CONFLICT',
        `Audit append refused: entry ${index + 1} of the batch has seq ${entry.seq} but the chain continues at seq ${expectedSeq} (the head was at seq ${head.seq}); build entries from the head passed to build(). Nothing was written.`,
        { headSeq: head.seq, seq: entry.seq, expectedSeq },
      );
    }
    if (entry.prevHash !== previous.hash) {
      throw new WardenError(
        'WARDEN_STORE_CONFLICT',
        `Audit append refused: entry seq ${entry.seq} has prevHash ${entry.prevHash} but the hash before it is ${previous.hash}; build entries from the head passed to build(). Nothing was written.`,
        { headSeq: head.seq, seq: entry.seq },
      );
    }
    previous = entry;
  });
}

/** The effective limit of a query: default and maximum MAX_QUERY_LIMIT; refuses negative or fractional limits. */
export function queryLimit(query: AuditQuery): number {
  if (query.limit === undefined) return MAX_QUERY_LIMIT;
  if (!Number.isSafeInteger(query.limit) || query.limit < 0) {
    throw new WardenError(
      'WARDEN_BAD_REQUEST',
      `Audit query limit must be a whole number from 0 to ${MAX_QUERY_LIMIT}, got ${String(query.limit)}.`,
      { limit: query.limit },
    );
  }
  return Math.min(query.limit, MAX_QUERY_LIMIT);
}

/**
 * Builds the SQL of an audit query. `bind(value)` records a parameter and returns its placeholder;
 * `typeCondition(types)` is the engine's "type is one of these" condition (an empty list matches
 * nothing).
 */
export function auditQuerySql(
  query: AuditQuery,
  bind: (value: unknown) => string,
  typeCondition: (types: string[]) => string,
): string {
  const conditions: string[] = [];
  if (query.fromSeq !== undefined) conditions.push(`seq >= ${bind(query.fromSeq)}`);
  if (query.toSeq !== undefined) conditions.push(`seq <= ${bind(query.toSeq)}`);
  if (query.sinceTime !== undefined) conditions.push(`time >= ${bind(query.sinceTime)}`);
  if (query.beforeTime !== undefined) conditions.push(`time < ${bind(query.beforeTime)}`);
  if (query.types !== undefined) conditions.push(typeCondition(query.types));
  if (query.actor !== undefined) conditions.push(`actor = ${bind(query.actor)}`);
  if (query.subject !== undefined) conditions.push(`subject = ${bind(query.subject)}`);
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  const order = query.order === 'desc' ? 'DESC' : 'ASC';
  return `SELECT ${ENTRY_SELECT} FROM audit_entries${where} ORDER BY seq ${order} LIMIT ${bind(queryLimit(query))}`;
}

/** The refusal for a prune that no checkpoint covers, or that the log cannot honour. */
export function pruneRefused(prune: AuditPruneRecord, reason: string): WardenError {
  return new WardenError(
    'WARDEN_AUDIT_PRUNE_REFUSED',
    `Audit prune up to seq ${prune.upToSeq} refused: ${reason}`,
    {
      upToSeq: prune.upToSeq,
    },
  );
}

/**
 * Checks a prune against what the store holds, all read in the prune's transaction: a checkpoint at
 * exactly upToSeq with anchorHash, the entry at upToSeq with that hash, and no later prune already.
 */
export function checkPrune(
  prune: AuditPruneRecord,
  checkpoint: AuditCheckpointRecord | null,
  entryHash: string | null,
  lastPrunedSeq: number,
): void {
  if (!Number.isSafeInteger(prune.upToSeq) || prune.upToSeq < 1) {
    throw pruneRefused(prune, 'upToSeq must be a seq of the log (1 or more).');
  }
  if (prune.upToSeq <= lastPrunedSeq) {
    throw pruneRefused(prune, `entries up to seq ${lastPrunedSeq} were already pruned.`);
  }
  if (checkpoint === null) {
    throw pruneRefused(
      prune,
      `there is no checkpoint at seq ${prune.upToSeq}; only whole checkpointed segments can be removed, so prune up to a checkpoint's seq.`,
    );
  }
  if (checkpoint.hash !== prune.anchorHash) {
    throw pruneRefused(
      prune,
      `the checkpoint at seq ${prune.upToSeq} has hash ${checkpoint.hash}, not the anchor hash ${prune.anchorHash}; run \`warden audit verify\`.`,
    );
  }
  if (entryHash === null) {
    throw pruneRefused(prune, `entry ${prune.upToSeq} is not in the log; run \`warden audit verify\`.`);
  }
  if (entryHash !== prune.anchorHash) {
    throw pruneRefused(
      prune,
      `entry ${prune.upToSeq} has hash ${entryHash}, not the checkpointed hash ${prune.anchorHash}; run \`warden audit verify\`.`,
    );
  }
}
