/**
 * Contract of the tool-call pipeline. Every front (MCP over HTTP, MCP over stdio) hands it the same
 * request and gets the same outcome, so a rule is enforced identically everywhere.
 */
import type { JsonObject } from '../core/index.js';
import type { WardenError } from '../core/index.js';
import type { AgentRecord } from '../store/index.js';
import type { CallToolResult, UpstreamTool } from '../upstream/index.js';

/** Who is calling: an agent authenticated by its front (bearer token, or the local agent of `warden wrap`). */
export interface CallerIdentity {
  agent: AgentRecord;
  /** Roles this caller may act with (a token may be narrowed to a subset). */
  roles: string[];
  /** How it authenticated: `token:<jti>` or `local:wrap`. */
  credential: string;
}

export interface CallSession {
  /** MCP session id, or a stdio wrap session id. */
  id: string;
  /** Calls made in this session so far, in total and per exposed tool name. */
  callCount: number;
  toolCallCounts: Map<string, number>;
  /** The session's latest calls, oldest first (the pipeline keeps the last few; approvers see them). */
  recentCalls?: { tool: string; decision: string; at: string }[];
}

/** What the client's own user answered when asked (MCP elicitation). */
export interface ElicitAnswer {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, unknown>;
}

export interface ToolCallRequest {
  caller: CallerIdentity;
  session: CallSession;
  /** Exposed name, `<server>__<tool>`. */
  toolName: string;
  arguments: JsonObject;
  clientIp: string | null;
  /** JSON-RPC request id or HTTP request id, for correlating logs and audit. */
  requestId: string;
  meta?: JsonObject;
  signal?: AbortSignal;
  /** Receives the upstream's progress updates while the call runs (the front relays them to its client). */
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
  /**
   * Asks the client's own user a yes/no question (MCP elicitation), when the client supports it.
   * Used for approvals a policy marks `@interactive`.
   */
  elicit?: (message: string, signal?: AbortSignal) => Promise<ElicitAnswer>;
}

export type ToolCallOutcome =
  { kind: 'result'; result: CallToolResult } | { kind: 'refused'; error: WardenError };

/**
 * What content inspection reports about one direction of a call: types, counts and actions only,
 * never values. Policies see it as `context.findings`; the audit log records it.
 */
export interface InspectionFindings {
  counts: Readonly<Record<string, number>>;
  classes: readonly string[];
  maxClass: string | null;
  pii: number;
  secrets: number;
  /** 0..1 */
  injectionScore: number;
  /** What was done per type: allow, mask, tokenize (block refuses the call instead). */
  actions: Readonly<Record<string, string>>;
  /** Tokens from earlier results that were restored to their values before the call went upstream. */
  restoredTokens: number;
}

/**
 * Content inspection as the pipeline uses it. Each method may transform what passes, or refuse by
 * throwing a WardenError (WARDEN_INSPECTION_BLOCKED, WARDEN_INJECTION_BLOCKED, WARDEN_INSPECTION_FAILED).
 */
export interface ContentInspector {
  inspectArguments(
    request: ToolCallRequest,
    tool: UpstreamTool,
    args: JsonObject,
    agent: { clearance: string },
  ): {
    arguments: JsonObject;
    findings: InspectionFindings;
    /** The arguments with personal data and secrets masked (`[EMAIL]`): what the audit log records. */
    masked?: JsonObject;
  };
  /** Masks personal data and secrets in a value for the audit log (refusals before inspection ran). */
  mask?(value: JsonObject): JsonObject;
  inspectResult(
    request: ToolCallRequest,
    tool: UpstreamTool,
    result: CallToolResult,
    agent: { clearance: string },
  ): { result: CallToolResult; findings: InspectionFindings; injection: boolean };
  /** Forgets what was kept for a session (its tokenization vault) once the session ended. */
  endSession?(sessionId: string): void;
}
