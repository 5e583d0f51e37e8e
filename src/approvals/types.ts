/**
 * Contract of human-in-the-loop approvals: what the pipeline asks of the approval service, who may
 * decide, and what notifiers receive. The service is the only writer of approval records.
 */
import type { AdminRole } from '../config/index.js';
import type { JsonObject } from '../core/index.js';
import type { AgentRecord, ApprovalRecord, ApprovalStatus } from '../store/index.js';

/** What a determining `@approval` policy asked for (from the policy's annotations). */
export interface ApprovalRequirement {
  /** The `@approval("...")` texts with their policy ids, joined. */
  reason: string;
  policyIds: string[];
  /** `@approvals("2")`: how many distinct people must approve (highest over the policies); default 1. */
  required: number;
  /** `@approvalExpiry("30m")`, seconds; null = `approvals.expiry` from config. */
  expirySeconds: number | null;
  /** `@interactive`: the agent's client may be asked (MCP elicitation). */
  interactive: boolean;
  /** `@approvers("finance,security")`: groups that may decide; empty = any approver. */
  groups: string[];
}

/** A person (or channel) deciding a request. */
export interface Decider {
  /** `admin:<name>`, `cli:<os user>`, `elicitation:<agent>`: recorded as the audit actor and in votes. */
  actor: string;
  /** The person's email when known; separation of duties compares it with the agent's owner. */
  email: string | null;
  roles: readonly AdminRole[];
  groups: readonly string[];
}

/** One earlier call of the same session, shown to approvers. */
export interface RecentCall {
  tool: string;
  decision: string;
  at: string;
}

export interface NewApprovalRequest {
  agent: AgentRecord;
  /** Exposed tool name. */
  tool: string;
  risk: string;
  /** The arguments exactly as the agent sent them. */
  arguments: JsonObject;
  requirement: ApprovalRequirement;
  sessionId: string | null;
  recentCalls: RecentCall[];
  labels: string[];
  /** `_meta["warden/approvalId"]` from the call, when the agent named the request it is retrying. */
  approvalId?: string;
}

/** What `ApprovalService.request` found or made for a call. */
export interface ApprovalLookup {
  approval: ApprovalRecord;
  /** True when this call created the request (false: a retry matched an existing one). */
  created: boolean;
}

/** The outcome of trying to run an approved call. */
export type ExecutionClaim =
  | { kind: 'claimed'; approval: ApprovalRecord } // this caller runs it now, then calls recordExecution
  | {
      kind: 'executed';
      approval: ApprovalRecord;
      result: JsonObject | null;
      /** Whether inspection found an injection in the result (undefined: recorded before this was kept). */
      injection?: boolean;
    } // ran before: the recorded result
  | { kind: 'executing'; approval: ApprovalRecord } // another caller is running it right now
  | { kind: 'not-approved'; approval: ApprovalRecord }; // pending, denied, expired or failed

/** A change worth telling people about (webhooks), emitted after it is recorded. */
export interface ApprovalNotice {
  event:
    | 'approval-requested'
    | 'approval-approved'
    | 'approval-denied'
    | 'approval-expired'
    | 'approval-escalated'
    | 'approval-executed';
  approval: ApprovalRecord;
  /** Who caused it (`system` for expiry and escalation). */
  actor: string;
  /** The decider's reason, for approved and denied. */
  reason?: string;
}

/** Receives notices; must not throw or block (deliveries run in the background). */
export interface ApprovalNotifier {
  notify(notice: ApprovalNotice): void;
  /** Waits for deliveries in flight (for shutdown and tests). */
  flush(): Promise<void>;
}

/** The view of a request approvers get: no sealed fields, arguments redacted. */
export interface ApprovalView {
  id: string;
  agent: string;
  agentOwner: string;
  tool: string;
  risk: string;
  arguments: JsonObject;
  argumentsRevealed: boolean;
  policyIds: string[];
  reason: string;
  required: number;
  approvals: number;
  groups: string[];
  interactive: boolean;
  sessionId: string | null;
  recentCalls: JsonObject[];
  labels: string[];
  status: ApprovalStatus;
  votes: { by: string; decision: 'approve' | 'deny'; reason: string; at: string }[];
  requestedAt: string;
  expiresAt: string;
  escalated: boolean;
  escalateAt: string | null;
  decidedAt: string | null;
  executedAt: string | null;
}
