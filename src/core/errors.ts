/**
 * The one registry of Warden error codes. A code never changes meaning once shipped; each error
 * carries a message that tells a person what happened and what to do next.
 */

/** Every error code Warden can return, with the HTTP status a front should answer with. */
export const ERROR_CODES = {
  // configuration
  WARDEN_CONFIG_NOT_FOUND: 500,
  WARDEN_CONFIG_INVALID: 500,
  WARDEN_SECRET_UNRESOLVED: 500,
  // storage
  WARDEN_STORE_UNAVAILABLE: 503,
  WARDEN_STORE_NOT_WARDEN: 500,
  WARDEN_STORE_TOO_NEW: 500,
  WARDEN_STORE_MIGRATION_FAILED: 500,
  WARDEN_STORE_CONFLICT: 409,
  // keys and secrets at rest
  WARDEN_MASTER_KEY_INVALID: 500,
  WARDEN_MASTER_KEY_MISMATCH: 500,
  WARDEN_KEY_DECRYPT_FAILED: 500,
  // agents
  WARDEN_AGENT_NOT_FOUND: 404,
  WARDEN_AGENT_EXISTS: 409,
  WARDEN_AGENT_INVALID: 400,
  WARDEN_AGENT_SUSPENDED: 403,
  WARDEN_AGENT_NO_SECRET: 401,
  /** `warden lockdown` while a lockdown is already in force. */
  WARDEN_LOCKDOWN_ACTIVE: 409,
  /** `warden lockdown` left some agents unsuspended (the lockdown still refuses them). */
  WARDEN_LOCKDOWN_INCOMPLETE: 500,
  /** An incident bundle that cannot be read (not JSON, wrong shape, too large). */
  WARDEN_INCIDENT_BUNDLE_INVALID: 400,
  // OAuth token endpoint
  WARDEN_INVALID_REQUEST: 400,
  WARDEN_INVALID_CLIENT: 401,
  WARDEN_UNSUPPORTED_GRANT_TYPE: 400,
  WARDEN_INVALID_SCOPE: 400,
  // token verification
  WARDEN_TOKEN_MISSING: 401,
  WARDEN_TOKEN_MALFORMED: 401,
  WARDEN_TOKEN_ALGORITHM_REFUSED: 401,
  WARDEN_TOKEN_KEY_UNKNOWN: 401,
  WARDEN_TOKEN_SIGNATURE_INVALID: 401,
  WARDEN_TOKEN_EXPIRED: 401,
  WARDEN_TOKEN_NOT_YET_VALID: 401,
  WARDEN_TOKEN_AUDIENCE_INVALID: 401,
  WARDEN_TOKEN_ISSUER_INVALID: 401,
  WARDEN_TOKEN_AGENT_UNKNOWN: 401,
  WARDEN_TOKEN_REVOKED: 401,
  // policy and tool calls
  WARDEN_POLICY_INVALID: 500,
  WARDEN_POLICY_DENIED: 403,
  WARDEN_POLICY_EVALUATION_FAILED: 500,
  /** A policy test cases file (`warden policy test`) is malformed or names an unknown agent or tool. */
  WARDEN_POLICY_CASES_INVALID: 400,
  WARDEN_APPROVAL_REQUIRED: 403,
  // approvals: a held call and the people who decide it
  WARDEN_APPROVAL_PENDING: 409,
  WARDEN_APPROVAL_DENIED: 403,
  WARDEN_APPROVAL_EXPIRED: 403,
  WARDEN_APPROVAL_NOT_FOUND: 404,
  WARDEN_APPROVAL_ALREADY_DECIDED: 409,
  WARDEN_APPROVAL_ALREADY_EXECUTED: 409,
  WARDEN_APPROVAL_ARGUMENTS_CHANGED: 409,
  WARDEN_APPROVAL_NOT_ALLOWED: 403,
  // admin users and the admin API
  WARDEN_ADMIN_UNAUTHENTICATED: 401,
  WARDEN_ADMIN_FORBIDDEN: 403,
  /** A console (cookie) request that changes something without the session's CSRF token, or from another origin. */
  WARDEN_CSRF_INVALID: 403,
  /** The admin API route needs a part this process does not run (the gateway, a newer service). */
  WARDEN_FEATURE_UNAVAILABLE: 503,
  WARDEN_AUDIT_ENTRY_NOT_FOUND: 404,
  // content inspection
  WARDEN_INSPECTION_BLOCKED: 403,
  WARDEN_INSPECTION_FAILED: 422,
  WARDEN_INJECTION_BLOCKED: 403,
  WARDEN_TOOL_NOT_FOUND: 404,
  WARDEN_INVALID_ARGUMENTS: 400,
  WARDEN_SESSION_NOT_FOUND: 404,
  WARDEN_SESSION_AGENT_MISMATCH: 403,
  /** The MCP session ended (DELETE, idle, evicted, shutdown) while a call of it was in flight. */
  WARDEN_SESSION_ENDED: 410,
  /** `_meta["warden/taskId"]` is not a string of 1–128 characters [A-Za-z0-9._:-]. */
  WARDEN_TASK_ID_INVALID: 400,
  /** The agent already has `sessions.maxTasksPerAgent` live tasks; a new one waits until one expires. */
  WARDEN_TASK_LIMIT_REACHED: 429,
  // upstream MCP servers
  WARDEN_UPSTREAM_UNAVAILABLE: 502,
  WARDEN_UPSTREAM_TIMEOUT: 504,
  WARDEN_UPSTREAM_RESULT_TOO_LARGE: 502,
  WARDEN_UPSTREAM_INVALID_RESPONSE: 502,
  /** The upstream answered the call with a JSON-RPC error (e.g. invalid params); its message is kept. */
  WARDEN_UPSTREAM_ERROR: 502,
  /** The caller gave up (its request was aborted) while the upstream call was in flight. 499: client closed request. */
  WARDEN_CALL_CANCELLED: 499,
  // LLM egress proxy: model calls and providers
  WARDEN_MODEL_NOT_FOUND: 404,
  /** An OpenAI-format request for a model on an Anthropic provider, or the other way round. */
  WARDEN_MODEL_FORMAT_MISMATCH: 400,
  WARDEN_BUDGET_EXCEEDED: 429,
  /** A model response was withheld (it repeated the system prompt's canary). */
  WARDEN_MODEL_OUTPUT_BLOCKED: 403,
  WARDEN_PROVIDER_UNAVAILABLE: 502,
  WARDEN_PROVIDER_TIMEOUT: 504,
  /** The provider refused the request as malformed (4xx); its message is kept. */
  WARDEN_PROVIDER_REJECTED: 400,
  WARDEN_PROVIDER_ERROR: 502,
  // audit
  WARDEN_AUDIT_IMMUTABLE: 500,
  WARDEN_AUDIT_PRUNE_REFUSED: 400,
  WARDEN_AUDIT_UNAVAILABLE: 503,
  WARDEN_AUDIT_TAMPERED: 500,
  // HTTP and generic
  WARDEN_BODY_TOO_LARGE: 413,
  WARDEN_BAD_REQUEST: 400,
  WARDEN_RATE_LIMITED: 429,
  WARDEN_UNSUPPORTED_MEDIA_TYPE: 415,
  WARDEN_NOT_FOUND: 404,
  WARDEN_SHUTTING_DOWN: 503,
  WARDEN_USAGE: 400,
  WARDEN_INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Structured context an error may carry: which agent, which key, which file and line. Never secrets. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/**
 * The single error type Warden throws across module boundaries.
 *
 * @example
 * throw new WardenError('WARDEN_AGENT_NOT_FOUND', 'No agent named "x". Run `warden agents list` to see the agents.', { agent: 'x' });
 */
export class WardenError extends Error {
  override readonly name = 'WardenError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  /** The HTTP status a front answers with for this error. */
  get status(): number {
    return ERROR_CODES[this.code];
  }

  /** The JSON body fronts send: code, message and details, never a stack trace. */
  toJSON(): { code: ErrorCode; message: string; details?: ErrorDetails } {
    return Object.keys(this.details).length > 0
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

/** True when `error` is a WardenError, optionally with the given code. */
export function isWardenError(error: unknown, code?: ErrorCode): error is WardenError {
  return error instanceof WardenError && (code === undefined || error.code === code);
}

/** Wraps any thrown value into a WardenError, keeping WardenErrors as they are. */
export function toWardenError(error: unknown, fallback: ErrorCode = 'WARDEN_INTERNAL'): WardenError {
  if (error instanceof WardenError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new WardenError(fallback, message, {}, { cause: error });
}
