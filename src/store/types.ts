/**
 * The Store interfaces: every service reaches storage only through these. They are asynchronous on
 * both implementations (SQLite and PostgreSQL) so services never depend on which one runs.
 */
import type { JsonObject } from '../core/index.js';

/** Times are ISO-8601 UTC strings with milliseconds everywhere in the store. */
export type IsoTime = string;

export type AgentStatus = 'active' | 'suspended';

export interface AgentRecord {
  /** Stable unique id, `agt_...`. */
  id: string;
  /** Unique, human-chosen name; also the OAuth client_id. */
  name: string;
  /** The accountable person (an email address). */
  owner: string;
  roles: string[];
  /** Highest data class this agent may read (a data class name from config). */
  clearance: string;
  description: string | null;
  status: AgentStatus;
  suspendedReason: string | null;
  suspendedBy: string | null;
  suspendedAt: IsoTime | null;
  /** scrypt hash of the client secret (`scrypt$N$r$p$salt$hash`), null until a secret is issued. */
  secretHash: string | null;
  /** Credential generation: incremented on every secret rotation and suspension; tokens carry it and are refused once it moves on. */
  secretVersion: number;
  secretRotatedAt: IsoTime | null;
  /** Where the agent is defined: the config file, or created at run time by the CLI or API. */
  source: 'config' | 'cli';
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export type AgentChanges = Partial<
  Pick<
    AgentRecord,
    | 'owner'
    | 'roles'
    | 'clearance'
    | 'description'
    | 'status'
    | 'suspendedReason'
    | 'suspendedBy'
    | 'suspendedAt'
    | 'secretHash'
    | 'secretVersion'
    | 'secretRotatedAt'
    | 'source'
    | 'updatedAt'
  >
>;

/** What an optimistic update expects the stored agent to still be. */
export interface AgentExpectation {
  updatedAt: IsoTime;
  secretVersion: number;
  status: AgentStatus;
}

export interface AgentStore {
  /** Inserts a new agent; throws WARDEN_AGENT_EXISTS when the name or id is taken. */
  create(agent: AgentRecord): Promise<void>;
  getById(id: string): Promise<AgentRecord | null>;
  getByName(name: string): Promise<AgentRecord | null>;
  /** All agents, ordered by name. */
  list(): Promise<AgentRecord[]>;
  /**
   * Applies `changes` to the agent and returns the updated record, or null if it does not exist or,
   * when `expected` is given, no longer has those values (someone changed it meanwhile).
   */
  update(id: string, changes: AgentChanges, expected?: AgentExpectation): Promise<AgentRecord | null>;
}

export type KeyPurpose = 'token' | 'audit';
export type KeyStatus = 'active' | 'retired';

export interface SigningKeyRecord {
  /** Key id, published as `kid` in JWT headers and JWKS. */
  kid: string;
  purpose: KeyPurpose;
  /** Always 'EdDSA' (Ed25519) today. */
  algorithm: 'EdDSA';
  /** Public key as a JWK JSON string. */
  publicJwk: string;
  /** Private key sealed under the master key (an envelope JSON string); never stored in the clear. */
  privateKeySealed: string;
  status: KeyStatus;
  createdAt: IsoTime;
  retiredAt: IsoTime | null;
}

export interface SigningKeyStore {
  /** Every key of a purpose, newest first. */
  list(purpose: KeyPurpose): Promise<SigningKeyRecord[]>;
  get(kid: string): Promise<SigningKeyRecord | null>;
  /**
   * Atomically retires every active key of `key.purpose` (setting retiredAt to `key.createdAt`) and
   * inserts `key` as the new active key.
   */
  rotate(key: SigningKeyRecord): Promise<void>;
}

/** Store-wide key/value settings: the install id, the master key check value. */
export interface MetaStore {
  get(key: string): Promise<string | null>;
  /** Sets `key` only if it has no value yet; returns the value that is stored afterwards. */
  setIfAbsent(key: string, value: string): Promise<string>;
}

/** The hash every chain starts from (before seq 1). */
export const GENESIS_HASH = '0'.repeat(64);

/** One audit entry as stored. `hash` covers every other field and `prevHash`. */
export interface AuditEntryRecord {
  /** 1, 2, 3, ... with no gaps. */
  seq: number;
  time: IsoTime;
  /** noun-verb, e.g. `agent-suspended`. */
  type: string;
  /** Who did it: `agent:<name>`, `admin:<name>`, `cli:<os user>`, `system`. */
  actor: string;
  session: string | null;
  /** What it was done to: `agent:<name>`, `key:<kid>`, `tool:<name>`. */
  subject: string | null;
  decision: string | null;
  policyIds: string[];
  /** The detail with secrets and personal data redacted. */
  detail: JsonObject;
  /** HMAC-SHA256 (hex) of the canonical unredacted detail. */
  detailDigest: string;
  prevHash: string;
  hash: string;
}

/** The last link of the chain: seq 0 and GENESIS_HASH when nothing was ever written. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** A signed statement "the chain up to `seq` ends in `hash`". */
export interface AuditCheckpointRecord {
  seq: number;
  hash: string;
  time: IsoTime;
  /** kid of the audit signing key. */
  keyId: string;
  /** base64url Ed25519 signature over the canonical {seq, hash, time, keyId}. */
  signature: string;
}

/** Record of a prune: entries 1..upToSeq were removed; `anchorHash` is the hash of entry upToSeq. */
export interface AuditPruneRecord {
  upToSeq: number;
  anchorHash: string;
  time: IsoTime;
  actor: string;
}

export interface AuditQuery {
  /** Inclusive lower bound on seq. */
  fromSeq?: number;
  /** Inclusive upper bound on seq. */
  toSeq?: number;
  /** Inclusive lower bound on time. */
  sinceTime?: IsoTime;
  /** Exclusive upper bound on time. */
  beforeTime?: IsoTime;
  types?: string[];
  actor?: string;
  subject?: string;
  /** Entries whose actor or subject is exactly this (e.g. `agent:support-bot`: by it or about it). */
  involving?: string;
  /** Entries whose decision is one of these (`allow`, `deny`, `approval_required`). */
  decisions?: string[];
  /** Ascending seq by default. */
  order?: 'asc' | 'desc';
  /** At most this many entries (default and maximum 10,000). */
  limit?: number;
}

export interface AuditStore {
  /**
   * Appends entries atomically: reads the current head under an exclusive lock (so concurrent writers
   * and replicas serialize), calls `build(head)` to make the new entries, inserts them, and commits
   * durably before resolving. `build` must return entries whose seqs follow `head.seq` with no gap.
   */
  append(build: (head: ChainHead) => AuditEntryRecord[]): Promise<AuditEntryRecord[]>;
  /** The current head: the last entry, else the last prune anchor, else seq 0 and GENESIS_HASH. */
  head(): Promise<ChainHead>;
  query(query: AuditQuery): Promise<AuditEntryRecord[]>;
  /** Number of entries held (after pruning). */
  count(): Promise<number>;
  addCheckpoint(checkpoint: AuditCheckpointRecord): Promise<void>;
  /** Checkpoints in ascending seq, optionally from a seq on. */
  checkpoints(fromSeq?: number): Promise<AuditCheckpointRecord[]>;
  latestCheckpoint(): Promise<AuditCheckpointRecord | null>;
  /**
   * Removes entries 1..prune.upToSeq and records the prune, in one transaction. The store refuses
   * (WARDEN_AUDIT_PRUNE_REFUSED) unless a checkpoint exists at exactly `upToSeq` with `anchorHash`.
   */
  prune(prune: AuditPruneRecord): Promise<number>;
  /** Prune records in ascending upToSeq. */
  prunes(): Promise<AuditPruneRecord[]>;
}

export type ApprovalStatus =
  'pending' | 'approved' | 'denied' | 'expired' | 'executing' | 'executed' | 'failed';

/** One person's answer to an approval request. */
export interface ApprovalVote {
  /** `admin:<name>`, `cli:<os user>`, or `elicitation:<agent>` for an interactive answer from the agent's client. */
  by: string;
  /** The admin user's email, when known (separation of duties compares it with the agent's owner). */
  email: string | null;
  decision: 'approve' | 'deny';
  reason: string;
  at: IsoTime;
}

/** A call held for a person's approval, and what became of it. */
export interface ApprovalRecord {
  /** `apr_...` */
  id: string;
  agentId: string;
  agentName: string;
  /** The agent's owner (email) when the request was made. */
  agentOwner: string;
  /** Exposed tool name, `<server>__<tool>`. */
  tool: string;
  risk: string;
  /** HMAC-SHA256 (hex) of the canonical arguments: how a retry with the same arguments finds this request. */
  argumentsDigest: string;
  /** The arguments as sent, sealed under the master key (an envelope JSON string). */
  argumentsSealed: string;
  /** The arguments with secrets and personal data masked: what approvers see by default. */
  argumentsRedacted: JsonObject;
  policyIds: string[];
  /** The `@approval` reasons of the determining policies. */
  reason: string;
  /** Approvals needed (`@approvals("2")`); 1 by default. */
  required: number;
  /** Groups whose members may decide; empty = any approver. Grows with escalation. */
  groups: string[];
  /** The policy asked for the agent's client to be asked (MCP elicitation). */
  interactive: boolean;
  /** Session the call came from, and its last calls (tool, decision, time) when the request was made. */
  sessionId: string | null;
  recentCalls: JsonObject[];
  /** Risk labels of the call and session (e.g. `financial`, later `untrusted`). */
  labels: string[];
  status: ApprovalStatus;
  votes: ApprovalVote[];
  requestedAt: IsoTime;
  /** When a pending request expires; after approval, the deadline for executing it. */
  expiresAt: IsoTime;
  /** When a pending request escalates, or null (no escalation configured, or already escalated). */
  escalateAt: IsoTime | null;
  escalated: boolean;
  decidedAt: IsoTime | null;
  executedAt: IsoTime | null;
  /** The call's result (CallToolResult JSON), sealed, once executed: later retries get it back. */
  resultSealed: string | null;
  /** Incremented on every update; updates are optimistic on it. */
  version: number;
}

export type ApprovalChanges = Partial<
  Pick<
    ApprovalRecord,
    | 'status'
    | 'votes'
    | 'groups'
    | 'expiresAt'
    | 'escalateAt'
    | 'escalated'
    | 'decidedAt'
    | 'executedAt'
    | 'resultSealed'
  >
>;

export interface ApprovalQuery {
  statuses?: ApprovalStatus[];
  agentId?: string;
  /** Newest first by default. */
  order?: 'asc' | 'desc';
  /** Default and maximum 1,000. */
  limit?: number;
}

export interface ApprovalStore {
  create(approval: ApprovalRecord): Promise<void>;
  get(id: string): Promise<ApprovalRecord | null>;
  list(query: ApprovalQuery): Promise<ApprovalRecord[]>;
  /** The newest request of this agent for this tool with these arguments whose expiresAt is after `now`. */
  findMatching(
    agentId: string,
    tool: string,
    argumentsDigest: string,
    now: IsoTime,
  ): Promise<ApprovalRecord | null>;
  /** Pending or approved requests past expiresAt, and pending ones past escalateAt (for the sweeper). */
  due(now: IsoTime): Promise<ApprovalRecord[]>;
  /**
   * Applies `changes` (and version + 1) only if the stored version is still `expectedVersion`;
   * returns the updated record, or null when someone else changed it first (the caller re-reads).
   */
  update(id: string, changes: ApprovalChanges, expectedVersion: number): Promise<ApprovalRecord | null>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** A description for logs and errors without credentials, e.g. the file path or host/db/schema. */
  readonly location: string;
  readonly agents: AgentStore;
  readonly keys: SigningKeyStore;
  readonly meta: MetaStore;
  readonly audit: AuditStore;
  readonly approvals: ApprovalStore;
  /** The schema version after migrations. */
  schemaVersion(): Promise<number>;
  /** Resolves when the store answers; throws WARDEN_STORE_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
