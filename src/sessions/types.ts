/**
 * Contract of session labels: what Warden remembers about an MCP session or a declared task (what it
 * read, whether it saw untrusted content, what it did), as the admin API and the console show it.
 */

/** One call as a session summary lists it. */
export interface SessionCall {
  /** Exposed tool name, `<server>__<tool>`. */
  tool: string;
  /** `allow`, `deny` or `approval_required` (`allow` for an agent in shadow mode). */
  decision: string;
  /** ISO 8601. */
  at: string;
}

/** The labels of a session or task, for people (class names, counts by name). */
export interface SessionLabelsSummary {
  /** It received output of a tool marked `untrustedOutput`, or output with injection findings. */
  untrusted: boolean;
  /** The most sensitive data class it read, or null when none. */
  maxClassification: string | null;
  /** Calls made per exposed tool name. */
  toolCounts: Record<string, number>;
  /** Calls made per risk (`read`, `write`, `delete`, `external_communication`, `financial`). */
  riskCounts: Record<string, number>;
  /** Bytes of tool results received. */
  bytesRead: number;
}

/** A tracked MCP session (`kind: 'mcp'`, also a `warden wrap` session) or task (`kind: 'task'`). */
export interface SessionSummary {
  /** The MCP session id, or `task:<agent>:<task id>` for a task. */
  id: string;
  kind: 'mcp' | 'task';
  /** The agent's name. */
  agent: string;
  /** ISO 8601: its first call through the pipeline. */
  startedAt: string;
  /** ISO 8601: its latest call. */
  lastActivityAt: string;
  labels: SessionLabelsSummary;
  /** Its latest calls, oldest first (at most 20). */
  recentCalls: SessionCall[];
}

/** What a tool result (or a withheld one) tells the labels. */
export interface ResultLabels {
  /** The data classes of what was read: the tool's `classification` and the result's findings. */
  classes: ReadonlyArray<string | null>;
  /** Bytes received (0 when the result was withheld). */
  bytes: number;
  /** The tool is marked `untrustedOutput`, or the result carried a prompt injection. */
  untrusted: boolean;
  /** The result carried a prompt injection (found by content inspection). */
  injection: boolean;
}
