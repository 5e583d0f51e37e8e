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
}

export type ToolCallOutcome =
  { kind: 'result'; result: CallToolResult } | { kind: 'refused'; error: WardenError };

/** Hooks the content-inspection issue plugs in; each may transform or refuse (throw a WardenError). */
export interface InspectionHooks {
  inspectArguments?(request: ToolCallRequest, tool: UpstreamTool): Promise<JsonObject> | JsonObject;
  inspectResult?(
    request: ToolCallRequest,
    tool: UpstreamTool,
    result: CallToolResult,
  ): Promise<CallToolResult> | CallToolResult;
}
