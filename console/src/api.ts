/**
 * The console's only way to Warden: the admin REST API under /admin, with the session cookie and the
 * CSRF token for every change. The server decides what is allowed; this module only carries requests
 * and turns Warden's error shape into an ApiError a page can show.
 */

/** An admin user as the session endpoint returns them. */
export interface AdminUser {
  name: string;
  email: string;
  roles: string[];
  groups: string[];
}

export interface SignedIn {
  user: AdminUser;
  csrfToken: string;
}

export interface ApprovalVote {
  by: string;
  decision: 'approve' | 'deny';
  reason: string;
  at: string;
}

export interface Approval {
  id: string;
  agent: string;
  agentOwner: string;
  tool: string;
  risk: string;
  arguments: Record<string, unknown>;
  argumentsRevealed: boolean;
  policyIds: string[];
  reason: string;
  required: number;
  approvals: number;
  groups: string[];
  interactive: boolean;
  sessionId: string | null;
  recentCalls: Record<string, unknown>[];
  labels: string[];
  status: string;
  votes: ApprovalVote[];
  requestedAt: string;
  expiresAt: string;
  escalated: boolean;
  escalateAt: string | null;
  decidedAt: string | null;
  executedAt: string | null;
  canDecide: boolean;
  cannotDecideReason: string | null;
  canReveal: boolean;
}

export interface AuditEntry {
  seq: number;
  time: string;
  type: string;
  actor: string;
  session: string | null;
  subject: string | null;
  decision: string | null;
  policyIds: string[];
  detail: Record<string, unknown>;
  [other: string]: unknown;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextBefore: number | null;
}

export interface AuditStatus {
  ok: boolean;
  entries: number;
  problems: string[];
  lastCheckpoint: { seq: number; at: string; keyId: string } | null;
}

export interface Agent {
  name: string;
  status: string;
  roles: string[];
  owner: string;
  mode?: string;
  description?: string | null;
  suspendedReason: string | null;
  suspendedBy: string | null;
  suspendedAt: string | null;
  lastActivityAt: string | null;
}

export interface LockdownState {
  active: boolean;
  since: string | null;
  by: string | null;
  reason: string | null;
  except: string[];
}

export interface SessionSummary {
  id: string;
  kind: 'mcp' | 'task';
  agent: string;
  startedAt: string;
  lastActivityAt: string;
  labels: {
    untrusted: boolean;
    maxClassification: string | null;
    toolCounts: Record<string, number>;
    riskCounts: Record<string, number>;
    bytesRead: number;
  };
  recentCalls: { tool: string; decision: string; at: string }[];
}

export interface PolicySummary {
  id: string;
  file: string;
  line: number;
  effect: string;
  annotations: Record<string, string>;
  text: string;
}

export interface PolicySet {
  version: string;
  valid: boolean;
  warnings: string[];
  policies: PolicySummary[];
}

export interface WhatIfResult {
  decision: 'allow' | 'deny' | 'approval_required';
  policyIds: string[];
  reasons: string[];
  message: string;
}

/** A refusal or failure from Warden, with its error code and the message meant for a person. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let csrfToken: string | null = null;
/** Above zero while `inBackground` runs its callback: requests started then are marked as polling. */
let backgroundDepth = 0;
const unauthenticatedListeners = new Set<() => void>();

/** Remembers the CSRF token of the current session (null after sign-out). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Calls `listener` when Warden says the session is gone (401), so the app can show the sign-in page. */
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => {
    unauthenticatedListeners.delete(listener);
  };
}

type Method = 'GET' | 'POST' | 'DELETE';

/**
 * Runs `start` with every request it starts synchronously marked `x-warden-background: 1`: the
 * console's own polling, which Warden accepts without renewing the session's idle timer (so an open
 * tab nobody looks at still times out). Requests a person causes are sent without it.
 */
export function inBackground<T>(start: () => T): T {
  backgroundDepth += 1;
  try {
    return start();
  } finally {
    backgroundDepth -= 1;
  }
}

/**
 * One admin API call. GETs send no body; changes carry the CSRF header. Resolves with the parsed
 * answer or rejects with an ApiError.
 */
export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-warden-csrf'] = csrfToken;
  if (backgroundDepth > 0) headers['x-warden-background'] = '1';
  let response: Response;
  try {
    response = await fetch(`/admin${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'Warden does not answer; check that it is running and reachable.');
  }
  const text = await response.text();
  let parsed: unknown = null;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`;
    const message = typeof error?.message === 'string' ? error.message : `Warden answered ${response.status}`;
    const details = { ...(error as Record<string, unknown> | undefined) };
    if (response.status === 401 && path !== '/session') {
      for (const listener of unauthenticatedListeners) listener();
    }
    throw new ApiError(response.status, code, message, details);
  }
  return parsed as T;
}

/** Builds a query string from the non-empty values. */
export function query(values: Record<string, string | number | null | undefined>): string {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') parameters.set(key, String(value));
  }
  const text = parameters.toString();
  return text === '' ? '' : `?${text}`;
}

/** What the signed-in user's roles let them do; the server checks again on every call. */
export interface Permissions {
  decide: boolean;
  manage: boolean;
  readOnly: boolean;
}

export function permissionsOf(user: AdminUser): Permissions {
  const admin = user.roles.includes('admin');
  const decide = admin || user.roles.includes('approver');
  return { decide, manage: admin, readOnly: !decide && !admin };
}
