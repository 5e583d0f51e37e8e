/**
 * Contract of the policy service: what an authorization request holds and what a decision is.
 * Unknown or malformed outcomes map to deny, never to "not applicable".
 */
import type { Risk } from '../config/index.js';
import type { JsonObject } from '../core/index.js';

/** The agent as policies see it (Cedar `Agent` entity, parents: its roles). */
export interface PolicyAgent {
  id: string;
  name: string;
  roles: string[];
  /** Data class name; policies compare ranks. */
  clearance: string;
  owner: string;
}

/** The tool as policies see it (Cedar `Tool` entity, parent: its `Server`; action `Action::"<exposed name>"`). */
export interface PolicyTool {
  /** `<server>__<tool>`, also the Cedar action id. */
  name: string;
  server: string;
  /** The tool's own name on its server. */
  tool: string;
  risk: Risk;
  /** Data class of its output, or null when the config gives none. */
  classification: string | null;
  untrustedOutput: boolean;
}

export interface PolicySessionContext {
  id: string | null;
  /** Calls this session made before this one. */
  callCount: number;
  /** Calls of this same tool this session made before this one. */
  toolCallCount: number;
  /**
   * The labels of the session (and of its task, merged) before this call, from the session tracker
   * (src/sessions). Absent = a fresh session: nothing read, trusted, no task.
   */
  labels?: PolicySessionLabels;
}

/** What a session has been through, as policies see it (`context.session`, besides the counts). */
export interface PolicySessionLabels {
  /** It received output of a tool marked `untrustedOutput`, or output with injection findings. */
  untrusted: boolean;
  /** The most sensitive data class it read, or null when none. */
  maxClassification: string | null;
  /** Label names (`untrusted`, `injection`, `read:<class>`). */
  labels: readonly string[];
  /** Calls made per risk (`read`, `write`, `delete`, `external_communication`, `financial`). */
  riskCounts: Readonly<Partial<Record<Risk, number>>>;
  /** Bytes of tool results received. */
  bytesRead: number;
  /** The task id (`_meta["warden/taskId"]`) of this call, or null when none. */
  task: string | null;
}

/**
 * What content inspection found in a call's arguments, as policies see it (`context.findings`):
 * types and counts only, never values.
 */
export interface PolicyFindings {
  /** Count per finding type present (`email`, `vn_cccd`, `aws_key`, ...). */
  counts: Readonly<Record<string, number>>;
  /** Data classes of the findings present. */
  classes: readonly string[];
  /** The most sensitive of `classes`, or null when nothing was found. */
  maxClass: string | null;
  pii: number;
  secrets: number;
  /** 0..1 */
  injectionScore: number;
}

export interface AuthorizationRequest {
  agent: PolicyAgent;
  tool: PolicyTool;
  /** The call's arguments as sent; only the arguments the tool declares in config reach Cedar. */
  arguments: JsonObject;
  /** Epoch milliseconds; hour and weekday are derived in `policy.timezone`. */
  time: number;
  clientIp: string | null;
  session: PolicySessionContext;
  /** Content inspection's findings in the arguments; absent = nothing found (or inspection off). */
  findings?: PolicyFindings;
}

/** One policy that determined a decision. */
export interface DeterminingPolicy {
  /** The policy id: `@id("...")` when given, else `<file>:<line>`. */
  id: string;
  /** The policy's `@reason("...")`, when it has one. */
  reason: string | null;
}

export type Decision =
  | { kind: 'allow'; policies: DeterminingPolicy[] }
  | { kind: 'deny'; policies: DeterminingPolicy[]; message: string }
  | { kind: 'approval_required'; policies: DeterminingPolicy[]; message: string; approval: RequiredApproval };

/**
 * What the determining `@approval` policies (permits, and holds: forbids with `@approval`) ask for,
 * merged: the strictest of each.
 */
export interface RequiredApproval {
  /** The `@approval` texts, each with its policy id. */
  reason: string;
  /** Ids of the `@approval` policies: the permits, then the holds. */
  policyIds: string[];
  /** Most people any of them requires (`@approvals`), at least 1. */
  required: number;
  /** Shortest `@approvalExpiry`, seconds, or null for the configured default. */
  expirySeconds: number | null;
  /** Every one of them is `@interactive`. */
  interactive: boolean;
  /** Union of their `@approvers` groups; empty = any approver. */
  groups: string[];
}

/** The part of the policy service the pipeline depends on. Decisions are synchronous and never throw. */
export interface Authorizer {
  /** Returns a decision; an evaluation error becomes a deny with the error in the message (fail closed). */
  decide(request: AuthorizationRequest): Decision;
  /** Identifies the loaded policy set (a digest), recorded with every decision. */
  readonly version: string;
}
