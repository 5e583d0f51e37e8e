/**
 * Row mapping and input checks shared by both engines, so SQLite and PostgreSQL read and write the
 * same records and refuse the same bad appends with the same errors.
 */
import { WardenError } from '../core/index.js';
import type { JsonObject } from '../core/index.js';
import type {
  AgentChanges,
  AgentRecord,
  ApprovalChanges,
  ApprovalQuery,
  ApprovalRecord,
  ApprovalVote,
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
 * `inList(column, values)` is the engine's "column is one of these" condition (an empty list matches
 * nothing).
 */
export function auditQuerySql(
  query: AuditQuery,
  bind: (value: unknown) => string,
  inList: (column: 'type' | 'decision', values: string[]) => string,
): string {
  const conditions: string[] = [];
  if (query.fromSeq !== undefined) conditions.push(`seq >= ${bind(query.fromSeq)}`);
  if (query.toSeq !== undefined) conditions.push(`seq <= ${bind(query.toSeq)}`);
  if (query.sinceTime !== undefined) conditions.push(`time >= ${bind(query.sinceTime)}`);
  if (query.beforeTime !== undefined) conditions.push(`time < ${bind(query.beforeTime)}`);
  if (query.types !== undefined) conditions.push(inList('type', query.types));
  if (query.actor !== undefined) conditions.push(`actor = ${bind(query.actor)}`);
  if (query.subject !== undefined) conditions.push(`subject = ${bind(query.subject)}`);
  if (query.involving !== undefined) {
    conditions.push(`(actor = ${bind(query.involving)} OR subject = ${bind(query.involving)})`);
  }
  if (query.decisions !== undefined) conditions.push(inList('decision', query.decisions));
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

/** The most approval requests one list() returns, and the default. */
export const MAX_APPROVAL_LIST_LIMIT = 1000;

/** The most due requests one due() returns (the sweeper takes the rest on its next round). */
export const MAX_DUE_APPROVALS = 1000;

/** The approvals columns in insert order. */
export const APPROVAL_COLUMNS = [
  'id',
  'agent_id',
  'agent_name',
  'agent_owner',
  'tool',
  'risk',
  'arguments_digest',
  'arguments_sealed',
  'arguments_redacted',
  'policy_ids',
  'reason',
  'required',
  'approver_groups',
  'interactive',
  'session_id',
  'recent_calls',
  'labels',
  'status',
  'votes',
  'requested_at',
  'expires_at',
  'escalate_at',
  'escalated',
  'decided_at',
  'executed_at',
  'result_sealed',
  'version',
] as const;

export const APPROVAL_SELECT = APPROVAL_COLUMNS.join(', ');

/** Values of an approval in APPROVAL_COLUMNS order (booleans as booleans: SQLite binds them as 0/1). */
export function approvalValues(approval: ApprovalRecord): unknown[] {
  return [
    approval.id,
    approval.agentId,
    approval.agentName,
    approval.agentOwner,
    approval.tool,
    approval.risk,
    approval.argumentsDigest,
    approval.argumentsSealed,
    JSON.stringify(approval.argumentsRedacted),
    JSON.stringify(approval.policyIds),
    approval.reason,
    approval.required,
    JSON.stringify(approval.groups),
    approval.interactive,
    approval.sessionId,
    JSON.stringify(approval.recentCalls),
    JSON.stringify(approval.labels),
    approval.status,
    JSON.stringify(approval.votes),
    approval.requestedAt,
    approval.expiresAt,
    approval.escalateAt,
    approval.escalated,
    approval.decidedAt,
    approval.executedAt,
    approval.resultSealed,
    approval.version,
  ];
}

/** SQLite holds booleans as 0/1, PostgreSQL as true/false. */
function flag(row: Row, column: string): boolean {
  const value = row[column];
  return value === true || value === 1 || value === 1n;
}

export function approvalFromRow(row: Row): ApprovalRecord {
  return {
    id: text(row, 'id'),
    agentId: text(row, 'agent_id'),
    agentName: text(row, 'agent_name'),
    agentOwner: text(row, 'agent_owner'),
    tool: text(row, 'tool'),
    risk: text(row, 'risk'),
    argumentsDigest: text(row, 'arguments_digest'),
    argumentsSealed: text(row, 'arguments_sealed'),
    argumentsRedacted: JSON.parse(text(row, 'arguments_redacted')) as JsonObject,
    policyIds: JSON.parse(text(row, 'policy_ids')) as string[],
    reason: text(row, 'reason'),
    required: integer(row, 'required'),
    groups: JSON.parse(text(row, 'approver_groups')) as string[],
    interactive: flag(row, 'interactive'),
    sessionId: nullableText(row, 'session_id'),
    recentCalls: JSON.parse(text(row, 'recent_calls')) as JsonObject[],
    labels: JSON.parse(text(row, 'labels')) as string[],
    status: text(row, 'status') as ApprovalRecord['status'],
    votes: JSON.parse(text(row, 'votes')) as ApprovalVote[],
    requestedAt: text(row, 'requested_at'),
    expiresAt: text(row, 'expires_at'),
    escalateAt: nullableText(row, 'escalate_at'),
    escalated: flag(row, 'escalated'),
    decidedAt: nullableText(row, 'decided_at'),
    executedAt: nullableText(row, 'executed_at'),
    resultSealed: nullableText(row, 'result_sealed'),
    version: integer(row, 'version'),
  };
}

const APPROVAL_CHANGE_COLUMNS: Record<keyof ApprovalChanges, string> = {
  status: 'status',
  votes: 'votes',
  groups: 'approver_groups',
  expiresAt: 'expires_at',
  escalateAt: 'escalate_at',
  escalated: 'escalated',
  decidedAt: 'decided_at',
  executedAt: 'executed_at',
  resultSealed: 'result_sealed',
};

/** The columns and values an ApprovalChanges sets, in a stable order; keys set to undefined are skipped. */
export function approvalChangeColumns(changes: ApprovalChanges): { columns: string[]; values: unknown[] } {
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const [field, column] of Object.entries(APPROVAL_CHANGE_COLUMNS) as [
    keyof ApprovalChanges,
    string,
  ][]) {
    if (!Object.hasOwn(changes, field) || changes[field] === undefined) continue;
    columns.push(column);
    values.push(field === 'votes' || field === 'groups' ? JSON.stringify(changes[field]) : changes[field]);
  }
  return { columns, values };
}

/** The error for an approval request whose id is taken. */
export function approvalExists(approval: ApprovalRecord): WardenError {
  return new WardenError(
    'WARDEN_STORE_CONFLICT',
    `An approval request with id "${approval.id}" already exists, so it was not created again; create the request with a new id.`,
    { id: approval.id },
  );
}

/** The effective limit of an approval list: default and maximum MAX_APPROVAL_LIST_LIMIT. */
export function approvalListLimit(query: ApprovalQuery): number {
  if (query.limit === undefined) return MAX_APPROVAL_LIST_LIMIT;
  if (!Number.isSafeInteger(query.limit) || query.limit < 0) {
    throw new WardenError(
      'WARDEN_BAD_REQUEST',
      `Approval list limit must be a whole number from 0 to ${MAX_APPROVAL_LIST_LIMIT}, got ${String(query.limit)}.`,
      { limit: query.limit },
    );
  }
  return Math.min(query.limit, MAX_APPROVAL_LIST_LIMIT);
}

/**
 * Builds the SQL of an approval list. `bind(value)` records a parameter and returns its placeholder;
 * `statusCondition(statuses)` is the engine's "status is one of these" condition (an empty list
 * matches nothing). Newest first by default; ties in requested_at are broken by id.
 */
export function approvalListSql(
  query: ApprovalQuery,
  bind: (value: unknown) => string,
  statusCondition: (statuses: string[]) => string,
): string {
  const conditions: string[] = [];
  if (query.statuses !== undefined) conditions.push(statusCondition(query.statuses));
  if (query.agentId !== undefined) conditions.push(`agent_id = ${bind(query.agentId)}`);
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  const order = query.order === 'asc' ? 'ASC' : 'DESC';
  return `SELECT ${APPROVAL_SELECT} FROM approvals${where} ORDER BY requested_at ${order}, id ${order} LIMIT ${bind(approvalListLimit(query))}`;
}
