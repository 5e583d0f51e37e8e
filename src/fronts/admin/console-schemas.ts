/**
 * JSON Schemas of the console's admin API routes (sign-in, audit, agents, lockdown, sessions, alerts,
 * policies). Like schemas.ts, the same objects validate requests and generate the OpenAPI document.
 */

/** Most audit entries one page returns. */
export const MAX_AUDIT_LIMIT = 500;
export const DEFAULT_AUDIT_LIMIT = 50;
/** Audit entries one search page scans at most; when they run out first, `nextBefore` continues. */
export const AUDIT_SCAN_WINDOW = 50_000;
/** Longest suspension or lockdown reason (the agent service's limits). */
export const MAX_SUSPEND_REASON_LENGTH = 1000;
export const MAX_LOCKDOWN_REASON_LENGTH = 900;

const isoTime = { type: 'string', format: 'date-time' } as const;
const nullableIsoTime = { type: ['string', 'null'], format: 'date-time' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const jsonObject = { type: 'object', additionalProperties: true } as const;
const stringList = { type: 'array', items: { type: 'string' } } as const;

/** An ISO-8601 time with a zone, e.g. 2026-03-01T10:00:00Z (validated by pattern: no format plugins). */
const timeParameter = {
  type: 'string',
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
} as const;

const agentName = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z][a-z0-9-]{0,63}$',
  description: 'An agent name (lower-case letters, digits and dashes).',
} as const;

const toolName = {
  type: 'string',
  minLength: 1,
  maxLength: 130,
  pattern: '^[A-Za-z0-9_.-]{1,130}$',
  description: 'An exposed tool name, `<server>__<tool>`.',
} as const;

const reason = (maxLength: number, description: string) =>
  ({ type: 'string', minLength: 1, maxLength, pattern: '\\S', description }) as const;

export const signInBody = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'The admin user name (a key under admins).',
    },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export const auditQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    agent: {
      ...agentName,
      description: 'Entries by this agent or about it (actor or subject `agent:<name>`).',
    },
    tool: { ...toolName, description: 'Entries about this tool (subject `tool:<name>`): its calls.' },
    type: {
      type: 'string',
      maxLength: 1400,
      pattern: '^[a-z][a-z0-9-]{0,63}(,[a-z][a-z0-9-]{0,63}){0,19}$',
      description: 'An event type such as `tool-call-denied`, or up to 20 separated by commas.',
    },
    decision: {
      type: 'string',
      enum: ['allow', 'deny', 'approval_required'],
      description: 'Only entries with this policy decision (tool calls).',
    },
    since: { ...timeParameter, description: 'Entries at or after this time (ISO 8601 with a zone).' },
    until: { ...timeParameter, description: 'Entries before this time (ISO 8601 with a zone).' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_AUDIT_LIMIT, default: DEFAULT_AUDIT_LIMIT },
    before: {
      type: 'integer',
      minimum: 1,
      description: 'Only entries with a seq below this: pass the `nextBefore` of the previous page.',
    },
  },
} as const;

export const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: MAX_AUDIT_LIMIT, default: DEFAULT_AUDIT_LIMIT },
    before: { type: 'integer', minimum: 1, description: 'The `nextBefore` of the previous page.' },
  },
} as const;

export const seqParams = {
  type: 'object',
  required: ['seq'],
  additionalProperties: false,
  properties: { seq: { type: 'integer', minimum: 1, description: 'The entry’s sequence number.' } },
} as const;

export const agentParams = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: agentName },
} as const;

export const sessionParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' } },
} as const;

export const suspendBody = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: reason(MAX_SUSPEND_REASON_LENGTH, 'Why: shown to the agent on every refused call, and recorded.'),
  },
} as const;

export const resumeBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: reason(MAX_SUSPEND_REASON_LENGTH, 'Why (recorded in the audit log).'),
  },
} as const;

export const lockdownBody = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: reason(MAX_LOCKDOWN_REASON_LENGTH, 'Why: shown to every suspended agent, and recorded.'),
    except: {
      type: 'array',
      maxItems: 1000,
      uniqueItems: true,
      items: agentName,
      description: 'Agents the lockdown leaves running.',
    },
  },
} as const;

export const whatIfBody = {
  type: 'object',
  required: ['agent', 'tool'],
  additionalProperties: false,
  properties: {
    agent: agentName,
    tool: toolName,
    arguments: { ...jsonObject, maxProperties: 200, default: {}, description: 'The call’s arguments.' },
  },
} as const;

/** Response schemas the OpenAPI document lists under components.schemas. */
export const CONSOLE_SCHEMAS = [
  {
    $id: 'ConsoleSession',
    type: 'object',
    description: 'The console session: who is signed in, and the CSRF token to send as `x-warden-csrf`.',
    required: ['user', 'csrfToken', 'expiresAt', 'idleExpiresAt'],
    properties: {
      user: { $ref: 'AdminPrincipal#' },
      csrfToken: {
        type: 'string',
        description: 'Send it as `x-warden-csrf` on every POST, PUT, PATCH and DELETE.',
      },
      expiresAt: {
        ...isoTime,
        description: 'The session ends then, however active (admin.sessionLifetime).',
      },
      idleExpiresAt: { ...isoTime, description: 'The session ends then unless another request comes first.' },
    },
  },
  {
    $id: 'AuditEntry',
    type: 'object',
    description: 'One audit entry as stored: details with secrets and personal data redacted.',
    required: [
      'seq',
      'time',
      'type',
      'actor',
      'session',
      'subject',
      'decision',
      'policyIds',
      'detail',
      'hash',
    ],
    properties: {
      seq: { type: 'integer' },
      time: isoTime,
      type: { type: 'string', description: 'noun-verb, e.g. `tool-call-denied`; see docs/audit-log.md.' },
      actor: { type: 'string', description: '`agent:<name>`, `admin:<name>`, `cli:<user>`, `system`, ...' },
      session: nullableString,
      subject: { ...nullableString, description: '`agent:<name>`, `tool:<name>`, `approval:<id>`, ...' },
      decision: nullableString,
      policyIds: stringList,
      detail: jsonObject,
      hash: { type: 'string', description: 'The entry’s hash in the chain.' },
    },
  },
  {
    $id: 'AuditPage',
    type: 'object',
    required: ['entries', 'nextBefore'],
    properties: {
      entries: { type: 'array', items: { $ref: 'AuditEntry#' } },
      nextBefore: {
        type: ['integer', 'null'],
        description: 'Pass as `before` for older entries; null when there are none.',
      },
    },
  },
  {
    $id: 'AlertPage',
    type: 'object',
    required: ['alerts', 'nextBefore'],
    properties: {
      alerts: { type: 'array', items: { $ref: 'AuditEntry#' } },
      nextBefore: { type: ['integer', 'null'] },
    },
  },
  {
    $id: 'AuditStatus',
    type: 'object',
    description:
      'The chain’s integrity over the newest entries (see `checked`) and the newest signed checkpoint. Run `warden audit verify` for the whole chain.',
    required: [
      'ok',
      'entries',
      'problems',
      'lastCheckpoint',
      'checked',
      'unsignedTail',
      'checkedAt',
      'scope',
    ],
    properties: {
      ok: { type: 'boolean' },
      entries: { type: 'integer', description: 'Entries the store holds.' },
      problems: { ...stringList, description: 'What is wrong, naming the first broken seq.' },
      lastCheckpoint: {
        type: ['object', 'null'],
        required: ['seq', 'at', 'keyId', 'hash'],
        properties: {
          seq: { type: 'integer' },
          at: isoTime,
          keyId: { type: 'string' },
          hash: { type: 'string' },
        },
      },
      checked: {
        type: 'object',
        required: ['fromSeq', 'toSeq', 'entries'],
        properties: {
          fromSeq: { type: ['integer', 'null'] },
          toSeq: { type: ['integer', 'null'] },
          entries: { type: 'integer' },
        },
      },
      unsignedTail: { type: 'integer', description: 'Entries after the newest checkpoint.' },
      checkedAt: isoTime,
      scope: { type: 'string', enum: ['recent-window'] },
    },
  },
  {
    $id: 'Agent',
    type: 'object',
    required: [
      'name',
      'status',
      'roles',
      'owner',
      'mode',
      'description',
      'clearance',
      'source',
      'suspendedReason',
      'suspendedBy',
      'suspendedAt',
      'secretRotatedAt',
      'createdAt',
      'lastActivityAt',
    ],
    properties: {
      name: { type: 'string' },
      status: { type: 'string', enum: ['active', 'suspended'] },
      roles: stringList,
      owner: { type: 'string' },
      mode: { type: 'string', enum: ['enforce', 'shadow'] },
      description: nullableString,
      clearance: { type: 'string' },
      source: { type: 'string', enum: ['config', 'cli'] },
      suspendedReason: nullableString,
      suspendedBy: nullableString,
      suspendedAt: nullableIsoTime,
      secretRotatedAt: nullableIsoTime,
      createdAt: isoTime,
      lastActivityAt: {
        ...nullableIsoTime,
        description:
          'Time of the newest audit entry the agent made, among the newest 10,000 entries (list) or 100,000 (one agent); null when none.',
      },
    },
  },
  {
    $id: 'AgentDetail',
    type: 'object',
    required: ['agent', 'recent'],
    properties: {
      agent: { $ref: 'Agent#' },
      recent: {
        type: 'array',
        items: { $ref: 'AuditEntry#' },
        description: 'The newest 20 audit entries by or about the agent (among the newest 100,000).',
      },
    },
  },
  {
    $id: 'AgentList',
    type: 'object',
    required: ['agents'],
    properties: { agents: { type: 'array', items: { $ref: 'Agent#' } } },
  },
  {
    $id: 'AgentSecret',
    type: 'object',
    required: ['agent', 'secret'],
    properties: {
      agent: { $ref: 'Agent#' },
      secret: {
        type: 'string',
        description: 'The new client secret. Shown this once: Warden keeps only its hash.',
      },
    },
  },
  {
    $id: 'LockdownState',
    type: 'object',
    required: ['active', 'since', 'by', 'reason', 'except'],
    properties: {
      active: { type: 'boolean' },
      since: nullableIsoTime,
      by: nullableString,
      reason: nullableString,
      except: stringList,
      suspended: { ...stringList, description: 'After POST: the agents this lockdown suspended.' },
      resumed: { ...stringList, description: 'After DELETE: the agents lifting it resumed.' },
    },
  },
  {
    $id: 'SessionSummary',
    type: 'object',
    description: 'An MCP session or a task of the gateway, with its labels and recent calls.',
    additionalProperties: true,
    required: ['id', 'kind', 'agent', 'startedAt', 'lastActivityAt', 'labels', 'recentCalls'],
    properties: {
      id: { type: 'string' },
      kind: { type: 'string', enum: ['mcp', 'task'] },
      agent: { type: 'string' },
      startedAt: isoTime,
      lastActivityAt: isoTime,
      labels: jsonObject,
      recentCalls: { type: 'array', items: jsonObject },
    },
  },
  {
    $id: 'SessionList',
    type: 'object',
    required: ['sessions'],
    properties: { sessions: { type: 'array', items: { $ref: 'SessionSummary#' } } },
  },
  {
    $id: 'PolicySet',
    type: 'object',
    required: ['version', 'valid', 'warnings', 'policies'],
    properties: {
      version: { type: 'string' },
      valid: {
        type: 'boolean',
        description:
          'Always true: an invalid set is refused at start and on reload (the old one keeps serving).',
      },
      warnings: stringList,
      policies: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'file', 'line', 'effect', 'annotations', 'text'],
          properties: {
            id: { type: 'string' },
            file: { type: 'string' },
            line: { type: 'integer' },
            effect: { type: 'string', enum: ['permit', 'forbid'] },
            annotations: { type: 'object', additionalProperties: { type: 'string' } },
            text: { type: 'string' },
          },
        },
      },
    },
  },
  {
    $id: 'WhatIfResult',
    type: 'object',
    required: ['decision', 'policyIds', 'reasons', 'message', 'mode', 'policyVersion', 'approval'],
    properties: {
      decision: { type: 'string', enum: ['allow', 'deny', 'approval_required'] },
      policyIds: stringList,
      reasons: stringList,
      message: { type: 'string' },
      mode: { type: 'string', enum: ['enforce', 'shadow'] },
      policyVersion: { type: 'string' },
      approval: {
        type: ['object', 'null'],
        required: ['required', 'groups', 'reason'],
        properties: { required: { type: 'integer' }, groups: stringList, reason: { type: 'string' } },
      },
    },
  },
] as const;
