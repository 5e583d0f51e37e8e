/**
 * JSON Schemas of the admin API. The same objects validate requests (bounded strings, id patterns,
 * enums) and generate the OpenAPI document, so the document cannot drift from what is enforced.
 */
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { ADMIN_ROLES } from '../../config/index.js';
import { consoleCookieName } from '../../admin/index.js';

type OpenApiDefinition = NonNullable<FastifyDynamicSwaggerOptions['openapi']>;

/** Request statuses a list may filter on. */
export const APPROVAL_STATUSES = [
  'pending',
  'approved',
  'denied',
  'expired',
  'executing',
  'executed',
  'failed',
] as const;

/** Longest decision reason, in characters. */
export const MAX_REASON_LENGTH = 2000;
/** Most requests one list returns. */
export const MAX_LIST_LIMIT = 1000;
/** Requests a list returns when no limit is given. */
export const DEFAULT_LIST_LIMIT = 100;

const isoTime = { type: 'string', format: 'date-time' } as const;
const nullableIsoTime = { type: ['string', 'null'], format: 'date-time' } as const;
const jsonObject = { type: 'object', additionalProperties: true } as const;

/** `apr_` and up to 64 URL-safe characters. */
const approvalId = {
  type: 'string',
  pattern: '^apr_[A-Za-z0-9_-]{1,64}$',
  description: 'The request id (`apr_...`), as shown in lists, webhooks and the agent\'s "pending" answer.',
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: approvalId },
} as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: {
      type: 'string',
      enum: APPROVAL_STATUSES,
      description: 'Only requests in this status (all statuses when absent).',
    },
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_LIST_LIMIT,
      default: DEFAULT_LIST_LIMIT,
      description: `At most this many requests, newest first (1 to ${MAX_LIST_LIMIT}).`,
    },
  },
} as const;

export const decisionBody = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_REASON_LENGTH,
      pattern: '\\S',
      description:
        'Why you decide so, in words the agent owner and an auditor can follow. Recorded in the audit log and shown to the agent on a denial.',
    },
  },
} as const;

/** Schemas the OpenAPI document lists under components.schemas (each `$id` is its name there). */
export const SHARED_SCHEMAS = [
  {
    $id: 'WardenError',
    type: 'object',
    description:
      'Every refusal: a stable code (see docs/errors.md), a message saying what to do, and context.',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', description: 'A WARDEN_* code that never changes meaning.' },
          message: { type: 'string' },
          details: jsonObject,
        },
      },
    },
  },
  {
    $id: 'AdminPrincipal',
    type: 'object',
    description: 'The signed-in admin user and what they may do.',
    required: ['name', 'email', 'roles', 'groups', 'permissions'],
    properties: {
      name: { type: 'string' },
      email: { type: 'string' },
      roles: { type: 'array', items: { type: 'string', enum: ADMIN_ROLES } },
      groups: { type: 'array', items: { type: 'string' } },
      permissions: {
        type: 'object',
        required: ['read', 'decide', 'reveal', 'manage'],
        properties: {
          read: { type: 'boolean', description: 'May list and show requests (every role).' },
          decide: {
            type: 'boolean',
            description:
              'May approve or deny (roles admin and approver), subject to each request’s groups and separation of duties.',
          },
          reveal: { type: 'boolean', description: 'May see raw arguments (roles in approvals.revealRoles).' },
          manage: {
            type: 'boolean',
            description: 'May suspend, resume and rotate agents and start or lift a lockdown (role admin).',
          },
        },
      },
    },
  },
  {
    $id: 'ApprovalVote',
    type: 'object',
    required: ['by', 'decision', 'reason', 'at'],
    properties: {
      by: { type: 'string', description: '`admin:<name>`, `cli:<os user>` or `elicitation:<agent>`.' },
      decision: { type: 'string', enum: ['approve', 'deny'] },
      reason: { type: 'string' },
      at: isoTime,
    },
  },
  {
    $id: 'Approval',
    type: 'object',
    description:
      "A tool call held for a person's approval, as approvers see it: arguments redacted unless revealed, plus what the signed-in user may do with it.",
    required: [
      'id',
      'agent',
      'agentOwner',
      'tool',
      'risk',
      'arguments',
      'argumentsRevealed',
      'policyIds',
      'reason',
      'required',
      'approvals',
      'groups',
      'interactive',
      'sessionId',
      'recentCalls',
      'labels',
      'status',
      'votes',
      'requestedAt',
      'expiresAt',
      'escalated',
      'escalateAt',
      'decidedAt',
      'executedAt',
      'canDecide',
      'cannotDecideReason',
      'canReveal',
    ],
    properties: {
      id: approvalId,
      agent: { type: 'string', description: 'The agent that made the call.' },
      agentOwner: { type: 'string', description: "The agent's owner (email) when the request was made." },
      tool: { type: 'string', description: 'Exposed tool name, `<server>__<tool>`.' },
      risk: { type: 'string' },
      arguments: {
        ...jsonObject,
        description: 'The arguments with secrets and personal data masked; POST .../reveal for the raw ones.',
      },
      argumentsRevealed: { type: 'boolean' },
      policyIds: { type: 'array', items: { type: 'string' } },
      reason: { type: 'string', description: "The policies' `@approval` reasons." },
      required: { type: 'integer', description: 'Distinct approvals needed.' },
      approvals: { type: 'integer', description: 'Approvals so far.' },
      groups: {
        type: 'array',
        items: { type: 'string' },
        description: 'Approver groups that may decide; empty means any approver.',
      },
      interactive: { type: 'boolean' },
      sessionId: { type: ['string', 'null'] },
      recentCalls: { type: 'array', items: jsonObject, description: "The session's calls before this one." },
      labels: { type: 'array', items: { type: 'string' } },
      status: { type: 'string', enum: APPROVAL_STATUSES },
      votes: { type: 'array', items: { $ref: 'ApprovalVote#' } },
      requestedAt: isoTime,
      expiresAt: {
        ...isoTime,
        description: 'When a pending request expires; once approved, the deadline to run it.',
      },
      escalated: { type: 'boolean' },
      escalateAt: nullableIsoTime,
      decidedAt: nullableIsoTime,
      executedAt: nullableIsoTime,
      canDecide: { type: 'boolean', description: 'Whether the signed-in user may approve or deny it now.' },
      cannotDecideReason: {
        type: ['string', 'null'],
        description:
          'Why not, when canDecide is false (already decided, separation of duties, group, role, already voted).',
      },
      canReveal: { type: 'boolean', description: 'Whether the signed-in user may reveal the raw arguments.' },
    },
  },
  {
    $id: 'ApprovalList',
    type: 'object',
    required: ['approvals'],
    properties: { approvals: { type: 'array', items: { $ref: 'Approval#' } } },
  },
  {
    $id: 'RevealedArguments',
    type: 'object',
    required: ['id', 'arguments'],
    properties: {
      id: approvalId,
      arguments: { ...jsonObject, description: 'The arguments exactly as the agent sent them.' },
    },
  },
] as const;

const error = (description: string) => ({ description, $ref: 'WardenError#' }) as const;

/** Error responses every authenticated route can give. */
export const AUTH_ERRORS = {
  401: error('WARDEN_ADMIN_UNAUTHENTICATED: no or wrong credentials.'),
  429: error('WARDEN_RATE_LIMITED: too many failed sign-ins from this address; see Retry-After.'),
} as const;

export const VALIDATION_ERROR = {
  400: error('WARDEN_INVALID_REQUEST: a parameter or the body is invalid; the message names the field.'),
} as const;

/** The OpenAPI document's fixed parts; paths come from the routes. */
export function openApiDefinition(publicUrl: string): OpenApiDefinition {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Warden admin API',
      version: '1',
      description:
        'The admin side of Warden, as the web console uses it: approvals (list, read with arguments redacted, approve or deny with a reason, reveal where your role allows), the audit log (search, chain status, alerts), agents (suspend, resume, rotate secrets, lockdown), sessions, policies and a "what if". Sign in with an admin API key (`warden admins new-key NAME`), an admin user name and password (HTTP Basic), or the console session cookie (`POST /admin/session`; changes then need `x-warden-csrf`). Roles: admin does everything, approver reads and decides approvals, auditor only reads. Every change is recorded in the audit log as `admin:<name>`. Errors have the shape `{ "error": { "code", "message", "details" } }`.',
    },
    servers: [{ url: publicUrl.replace(/\/+$/, ''), description: 'This Warden' }],
    tags: [
      { name: 'approvals', description: 'Tool calls held for a human decision.' },
      { name: 'session', description: 'The signed-in admin user and console sign-in.' },
      { name: 'audit', description: 'The audit log: search, entries, chain status, alerts.' },
      { name: 'agents', description: 'Agents: status, suspension, secrets, lockdown.' },
      { name: 'sessions', description: 'The gateway’s MCP sessions and tasks with their labels.' },
      { name: 'policies', description: 'The loaded policies and the “what if”.' },
      { name: 'meta', description: 'This document.' },
    ],
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'wak_...',
          description: 'An admin API key from `warden admins new-key NAME`: `Authorization: Bearer wak_...`.',
        },
        password: {
          type: 'http',
          scheme: 'basic',
          description: 'An admin user name and password (`admins.<name>.passwordHash`).',
        },
        consoleSession: {
          type: 'apiKey',
          in: 'cookie',
          name: consoleCookieName(publicUrl.startsWith('https:')),
          description:
            'The console session cookie from `POST /admin/session` (named `__Host-warden_admin` when Warden is served over https, `warden_admin` otherwise). With it, every POST, PUT, PATCH and DELETE also needs the header `x-warden-csrf` (the csrfToken of the session).',
        },
      },
    },
    security: [{ apiKey: [] }, { password: [] }, { consoleSession: [] }],
  };
}
