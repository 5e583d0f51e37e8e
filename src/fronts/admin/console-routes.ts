/**
 * The console's routes of the admin API: sign-in (cookie sessions), the audit log (search, one entry,
 * chain status), agents (list, show, suspend, resume, rotate the secret), lockdown, the gateway's
 * sessions, alerts, policies and the "what if". They translate HTTP into the services' calls; the
 * rules (who may do what, what is recorded) are checked here only as roles, the rest is the services'.
 * Every change is recorded in the audit log with the actor `admin:<name>`.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuditStatusChecker, evaluateWhatIf, requireRole } from '../../admin/index.js';
import type { AdminDirectory, AdminPrincipal, WhatIfPolicies } from '../../admin/index.js';
import { canonicalJson } from '../../audit/index.js';
import type { AuditRecorder, CheckpointVerifier } from '../../audit/index.js';
import type { WardenConfig } from '../../config/index.js';
import { WardenError, systemClock } from '../../core/index.js';
import type { Clock, JsonObject } from '../../core/index.js';
import type { PolicyLoadSummary } from '../../policy/index.js';
import type { AgentRecord, AuditEntryRecord, AuditQuery, AuditStore } from '../../store/index.js';
import { clearSessionCookie, checkOrigin, setSessionCookie } from './console-auth.js';
import type { ConsoleSettings } from './console-auth.js';
import {
  AUDIT_SCAN_WINDOW,
  DEFAULT_AUDIT_LIMIT,
  agentParams,
  auditQuery,
  lockdownBody,
  pageQuery,
  resumeBody,
  seqParams,
  sessionParams,
  signInBody,
  suspendBody,
  whatIfBody,
} from './console-schemas.js';
import { AUTH_ERRORS, VALIDATION_ERROR } from './schemas.js';

/** What the admin API needs of the agent service (`AgentService` provides it). */
export interface AdminAgents {
  get(name: string): Promise<AgentRecord>;
  list(): Promise<AgentRecord[]>;
  suspend(name: string, options: { actor: string; reason: string }): Promise<AgentRecord>;
  /** `reason` is recorded with `agent-resumed` by an agent service that takes one. */
  resume(name: string, options: { actor: string; reason?: string }): Promise<AgentRecord>;
  rotateSecret(name: string, actor: string): Promise<{ agent: AgentRecord; secret: string }>;
  lockdown(options: { actor: string; reason: string; except?: string[] }): Promise<{ suspended: string[] }>;
  liftLockdown(options: { actor: string }): Promise<{ resumed: string[] }>;
  lockdownState(): Promise<{
    active: boolean;
    since: string | null;
    by: string | null;
    reason: string | null;
    except: string[];
  }>;
}

/** What the admin API needs of the policy service (`PolicyService` provides it). */
export interface AdminPolicies extends WhatIfPolicies {
  readonly summary: PolicyLoadSummary;
  policyTexts(): { id: string; text: string; annotations: Record<string, string> }[];
}

/** The gateway's session tracker (`SessionTracker` provides it). */
export interface AdminSessionSource {
  list(): readonly object[];
  get(id: string): object | null;
}

/** The services behind the console's routes; each route answers 503 when its service is absent. */
export interface ConsoleRoutesOptions {
  /** Cookie sign-in; without it POST /admin/session answers 503. */
  console?: ConsoleSettings;
  /** The configuration (agent modes, declared tools for the what-if). */
  config?: WardenConfig;
  clock?: Clock;
  /** The audit store and a checkpoint verifier: audit search, entries, status, alerts, last activity. */
  auditLog?: { store: AuditStore; verifier: CheckpointVerifier };
  agents?: AdminAgents;
  /** The loaded policies; null while this process runs no gateway. */
  policies?: () => AdminPolicies | null;
  /** The gateway's sessions; null while this process runs no gateway. */
  sessions?: () => AdminSessionSource | null;
  /**
   * Masks personal data in what-if arguments before they are recorded (content inspection's masks,
   * as approvals use). Without it only the argument names and a digest of the arguments are recorded.
   */
  maskArguments?: (args: JsonObject) => JsonObject;
}

const READ_ROLES = ['admin', 'approver', 'auditor'] as const;
/** Entries scanned for the agents list's last activity. */
const ACTIVITY_WINDOW_LIST = 10_000;
/** How long the agents list's last activity is reused (each computation reads up to 10,000 entries). */
const ACTIVITY_CACHE_MS = 5000;
/** Entries scanned for one agent's last activity and recent entries. */
const ACTIVITY_WINDOW_ONE = 100_000;

const error = (description: string) => ({ description, $ref: 'WardenError#' }) as const;
const FORBIDDEN = {
  403: error('WARDEN_ADMIN_FORBIDDEN: your role may not do this; the message names the role needed.'),
};
const CHANGE_ERRORS = {
  ...VALIDATION_ERROR,
  ...AUTH_ERRORS,
  403: error(
    'WARDEN_ADMIN_FORBIDDEN (your role may not do this) or WARDEN_CSRF_INVALID (a console request without the x-warden-csrf token, or from another origin).',
  ),
} as const;
const UNAVAILABLE = {
  503: error('WARDEN_FEATURE_UNAVAILABLE: this Warden process does not run what the route needs.'),
};
const AGENT_NOT_FOUND = { 404: error('WARDEN_AGENT_NOT_FOUND: no agent with this name.') };

/** Registers the console's routes on the admin plugin (its hooks authenticate and check CSRF first). */
export function registerConsoleRoutes(
  app: FastifyInstance,
  options: ConsoleRoutesOptions & { directory: AdminDirectory; audit: AuditRecorder },
  principalView: (admin: AdminPrincipal) => JsonObject,
): void {
  const clock = options.clock ?? systemClock;
  const statusChecker =
    options.auditLog === undefined
      ? null
      : new AuditStatusChecker({ store: options.auditLog.store, verifier: options.auditLog.verifier, clock });

  const need = <T>(value: T | null | undefined, what: string): T => {
    if (value === undefined || value === null) {
      throw new WardenError(
        'WARDEN_FEATURE_UNAVAILABLE',
        `${what}; this Warden process does not provide it`,
        {
          feature: what,
        },
      );
    }
    return value;
  };
  const consoleSettings = (): ConsoleSettings =>
    need(
      options.console,
      'console sign-in is not configured (the admin API was started without a session key)',
    );
  const auditStore = (): AuditStore =>
    need(options.auditLog, 'the audit log is not available to the admin API').store;
  const agents = (): AdminAgents =>
    need(options.agents, 'agent management is not available to the admin API');
  const policies = (): AdminPolicies =>
    need(
      options.policies?.() ?? null,
      'policies are loaded only by `warden serve` with its gateway; this process runs none',
    );
  const sessions = (): AdminSessionSource =>
    need(
      options.sessions?.() ?? null,
      'sessions are tracked only by `warden serve` with its gateway; this process runs none',
    );
  const actorOf = (request: FastifyRequest): string => `admin:${signedIn(request).name}`;

  // ---- sign-in ----

  app.post<{ Body: { username: string; password: string } }>(
    '/session',
    {
      config: { publicRoute: true },
      schema: {
        tags: ['session'],
        summary: 'Sign in to the console',
        description:
          'Checks the user name and password (as configured under `admins`) and sets the session cookie `warden_admin` (`__Host-warden_admin` over https; httpOnly, SameSite=Strict). Answers the user and the CSRF token to send as `x-warden-csrf` on every change. Failed sign-ins count toward the per-address limit (10 a minute by default).',
        security: [],
        body: signInBody,
        response: {
          200: { description: 'Signed in.', $ref: 'ConsoleSession#' },
          ...VALIDATION_ERROR,
          401: error('WARDEN_ADMIN_UNAUTHENTICATED: wrong user name or password.'),
          403: error('WARDEN_CSRF_INVALID: the form was posted from another origin.'),
          429: AUTH_ERRORS[429],
          ...UNAVAILABLE,
        },
      },
    },
    async (request, reply) => {
      const settings = consoleSettings();
      checkOrigin(request, settings);
      const admin = await options.directory.signIn(request.body.username, request.body.password, {
        address: request.ip,
      });
      const account = options.directory.account(admin.name);
      if (account === null) throw new WardenError('WARDEN_INTERNAL', 'a signed-in admin user has no account');
      const { cookie, session } = settings.sessions.issue(account);
      await options.audit.record({
        type: 'admin-signed-in',
        actor: `admin:${admin.name}`,
        subject: `admin:${admin.name}`,
        detail: { method: 'password', consoleSession: session.id, address: request.ip },
      });
      setSessionCookie(reply, settings, cookie);
      return {
        user: principalView(admin),
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt,
        idleExpiresAt: session.idleExpiresAt,
      };
    },
  );

  app.get(
    '/session',
    {
      schema: {
        tags: ['session'],
        summary: 'The console session',
        description:
          'Who is signed in with the session cookie, and the CSRF token (for a console page that was reloaded). 401 without a valid session cookie.',
        response: { 200: { description: 'The session.', $ref: 'ConsoleSession#' }, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const session = consoleSessionOf(request);
      return {
        user: principalView(signedIn(request)),
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt,
        idleExpiresAt: session.idleExpiresAt,
      };
    },
  );

  app.delete(
    '/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Sign out of the console',
        description:
          'Ends the session: this Warden process refuses its cookie from now on, and the browser is told to delete it. Needs `x-warden-csrf`.',
        response: {
          200: {
            description: 'Signed out.',
            type: 'object',
            required: ['signedOut'],
            properties: { signedOut: { type: 'boolean' } },
          },
          ...CHANGE_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const settings = consoleSettings();
      const session = consoleSessionOf(request);
      settings.sessions.revoke(session);
      await options.audit.record({
        type: 'admin-signed-out',
        actor: actorOf(request),
        subject: actorOf(request),
        detail: { consoleSession: session.id },
      });
      clearSessionCookie(reply, settings);
      return { signedOut: true };
    },
  );

  // ---- audit ----

  app.get<{
    Querystring: {
      agent?: string;
      tool?: string;
      type?: string;
      decision?: string;
      since?: string;
      until?: string;
      limit?: number;
      before?: number;
    };
  }>(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Search the audit log',
        description: `Entries newest first, filtered by agent, tool, event type, decision and time. Each page scans at most ${AUDIT_SCAN_WINDOW} entries: a page can hold fewer than \`limit\` entries and still have a \`nextBefore\` (keep paging). Roles: admin, approver, auditor.`,
        querystring: auditQuery,
        response: {
          200: { description: 'A page of entries.', $ref: 'AuditPage#' },
          ...VALIDATION_ERROR,
          ...AUTH_ERRORS,
          ...FORBIDDEN,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), ...READ_ROLES);
      const {
        agent,
        tool,
        type,
        decision,
        since,
        until,
        limit = DEFAULT_AUDIT_LIMIT,
        before,
      } = request.query;
      const filter: AuditQuery = {
        ...(agent === undefined ? {} : { involving: `agent:${agent}` }),
        ...(tool === undefined ? {} : { subject: `tool:${tool}` }),
        ...(type === undefined ? {} : { types: type.split(',') }),
        ...(decision === undefined ? {} : { decisions: [decision] }),
        ...(since === undefined ? {} : { sinceTime: isoParameter(since, 'since') }),
        ...(until === undefined ? {} : { beforeTime: isoParameter(until, 'until') }),
      };
      const page = await auditPage(auditStore(), filter, limit, before);
      return { entries: page.entries.map(entryView), nextBefore: page.nextBefore };
    },
  );

  app.get(
    '/audit/status',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit chain status',
        description:
          'Re-checks the newest 10,000 entries (hashes, links, the signed checkpoints among them) and the newest checkpoint’s signature; the answer is reused for up to 30 s even when entries are added meanwhile (`checkedAt` says when it was computed; `checked.toSeq` the newest entry it covers). `warden audit verify` checks the whole chain. Roles: admin, approver, auditor.',
        response: {
          200: { description: 'The status.', $ref: 'AuditStatus#' },
          ...AUTH_ERRORS,
          ...FORBIDDEN,
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), ...READ_ROLES);
      return need(statusChecker, 'the audit log is not available to the admin API').status();
    },
  );

  app.get<{ Params: { seq: number } }>(
    '/audit/:seq',
    {
      schema: {
        tags: ['audit'],
        summary: 'One audit entry',
        description: 'The entry with this sequence number. Roles: admin, approver, auditor.',
        params: seqParams,
        response: {
          200: { description: 'The entry.', $ref: 'AuditEntry#' },
          ...VALIDATION_ERROR,
          ...AUTH_ERRORS,
          ...FORBIDDEN,
          404: error('WARDEN_AUDIT_ENTRY_NOT_FOUND: no entry with this seq (not written yet, or pruned).'),
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), ...READ_ROLES);
      const { seq } = request.params;
      const [entry] = await auditStore().query({ fromSeq: seq, toSeq: seq, limit: 1 });
      if (entry === undefined) {
        throw new WardenError(
          'WARDEN_AUDIT_ENTRY_NOT_FOUND',
          `the audit log holds no entry ${seq}: it was not written yet, or it was pruned`,
          { seq },
        );
      }
      return entryView(entry);
    },
  );

  app.get<{ Querystring: { limit?: number; before?: number } }>(
    '/alerts',
    {
      schema: {
        tags: ['audit'],
        summary: 'Alerts',
        description:
          'Audit entries of type `alert-raised` (from monitoring), newest first; `detail` holds rule, severity, message, value, baseline and whether the agent was quarantined. Roles: admin, approver, auditor.',
        querystring: pageQuery,
        response: {
          200: { description: 'A page of alerts.', $ref: 'AlertPage#' },
          ...VALIDATION_ERROR,
          ...AUTH_ERRORS,
          ...FORBIDDEN,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), ...READ_ROLES);
      const { limit = DEFAULT_AUDIT_LIMIT, before } = request.query;
      const page = await auditPage(auditStore(), { types: ['alert-raised'] }, limit, before);
      return { alerts: page.entries.map(entryView), nextBefore: page.nextBefore };
    },
  );

  // ---- agents ----

  const agentView = (agent: AgentRecord, lastActivityAt: string | null): JsonObject => ({
    name: agent.name,
    status: agent.status,
    roles: agent.roles,
    owner: agent.owner,
    mode: options.config?.agents[agent.name]?.mode ?? 'enforce',
    description: agent.description,
    clearance: agent.clearance,
    source: agent.source,
    suspendedReason: agent.suspendedReason,
    suspendedBy: agent.suspendedBy,
    suspendedAt: agent.suspendedAt,
    secretRotatedAt: agent.secretRotatedAt,
    createdAt: agent.createdAt,
    lastActivityAt,
  });

  /**
   * The newest entries' time per acting agent, over a bounded window; reused for a few seconds, and
   * concurrent callers share one read, so polling consoles do not each read 10,000 entries.
   */
  let activityCache: { at: number; value: Promise<Map<string, string>> } | null = null;
  const lastActivity = async (): Promise<Map<string, string>> => {
    if (options.auditLog === undefined) return new Map();
    const now = clock.now();
    if (activityCache !== null && now - activityCache.at < ACTIVITY_CACHE_MS) return activityCache.value;
    const store = options.auditLog.store;
    const value = (async () => {
      const seen = new Map<string, string>();
      const entries = await store.query({ order: 'desc', limit: ACTIVITY_WINDOW_LIST });
      for (const entry of entries) {
        if (entry.actor.startsWith('agent:') && !seen.has(entry.actor)) seen.set(entry.actor, entry.time);
      }
      return seen;
    })();
    const cached = { at: now, value };
    activityCache = cached;
    // A failed read is not reused.
    void value.catch(() => {
      if (activityCache === cached) activityCache = null;
    });
    return value;
  };

  app.get(
    '/agents',
    {
      schema: {
        tags: ['agents'],
        summary: 'List agents',
        description:
          'Every agent with its status, roles, owner, mode and last activity (the newest audit entry it made among the newest 10,000; reused for up to 5 s). Roles: admin, approver, auditor.',
        response: {
          200: { description: 'The agents.', $ref: 'AgentList#' },
          ...AUTH_ERRORS,
          ...FORBIDDEN,
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), ...READ_ROLES);
      const [list, activity] = await Promise.all([agents().list(), lastActivity()]);
      return { agents: list.map((agent) => agentView(agent, activity.get(`agent:${agent.name}`) ?? null)) };
    },
  );

  app.get<{ Params: { name: string } }>(
    '/agents/:name',
    {
      schema: {
        tags: ['agents'],
        summary: 'Show one agent',
        description:
          'The agent and its 20 newest audit entries (by it or about it, among the newest 100,000). Roles: admin, approver, auditor.',
        params: agentParams,
        response: {
          200: { description: 'The agent.', $ref: 'AgentDetail#' },
          ...VALIDATION_ERROR,
          ...AUTH_ERRORS,
          ...FORBIDDEN,
          ...AGENT_NOT_FOUND,
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), ...READ_ROLES);
      const agent = await agents().get(request.params.name);
      let recent: AuditEntryRecord[] = [];
      let lastActivityAt: string | null = null;
      if (options.auditLog !== undefined) {
        const store = options.auditLog.store;
        const head = await store.head();
        const fromSeq = Math.max(1, head.seq - ACTIVITY_WINDOW_ONE + 1);
        const [entries, own] = await Promise.all([
          store.query({ involving: `agent:${agent.name}`, fromSeq, order: 'desc', limit: 20 }),
          store.query({ actor: `agent:${agent.name}`, fromSeq, order: 'desc', limit: 1 }),
        ]);
        recent = entries;
        lastActivityAt = own[0]?.time ?? null;
      }
      return { agent: agentView(agent, lastActivityAt), recent: recent.map(entryView) };
    },
  );

  app.post<{ Params: { name: string }; Body: { reason: string } }>(
    '/agents/:name/suspend',
    {
      schema: {
        tags: ['agents'],
        summary: 'Suspend an agent',
        description:
          'The agent’s next call and token request are refused with WARDEN_AGENT_SUSPENDED and your reason, on every replica; its tokens stay revoked after a resume. Recorded as `agent-suspended`. Role: admin.',
        params: agentParams,
        body: suspendBody,
        response: {
          200: { description: 'The agent, suspended.', $ref: 'Agent#' },
          ...CHANGE_ERRORS,
          ...AGENT_NOT_FOUND,
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), 'admin');
      const agent = await agents().suspend(request.params.name, {
        actor: actorOf(request),
        reason: request.body.reason,
      });
      return agentView(agent, null);
    },
  );

  app.post<{ Params: { name: string }; Body: { reason?: string } }>(
    '/agents/:name/resume',
    {
      // The body is optional: no body is an empty object.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags: ['agents'],
        summary: 'Resume an agent',
        description:
          'Lifts the suspension: the agent must ask for a new token. Resuming an active agent changes and records nothing. Recorded as `agent-resumed`. Role: admin.',
        params: agentParams,
        body: resumeBody,
        response: {
          200: { description: 'The agent, active.', $ref: 'Agent#' },
          ...CHANGE_ERRORS,
          ...AGENT_NOT_FOUND,
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), 'admin');
      // The reason goes to the agent service when it takes one (it is recorded with `agent-resumed`).
      const resumeOptions = {
        actor: actorOf(request),
        ...(request.body.reason === undefined ? {} : { reason: request.body.reason }),
      };
      const agent = await agents().resume(request.params.name, resumeOptions);
      return agentView(agent, null);
    },
  );

  app.post<{ Params: { name: string } }>(
    '/agents/:name/rotate-secret',
    {
      schema: {
        tags: ['agents'],
        summary: 'Rotate an agent’s secret',
        description:
          'Issues a new client secret and answers it this once (Warden keeps only its hash); every token issued before is refused. Recorded as `agent-secret-rotated` (without the secret). Role: admin. Send no body.',
        params: agentParams,
        response: {
          200: { description: 'The agent and its new secret.', $ref: 'AgentSecret#' },
          ...CHANGE_ERRORS,
          ...AGENT_NOT_FOUND,
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), 'admin');
      const { agent, secret } = await agents().rotateSecret(request.params.name, actorOf(request));
      return { agent: agentView(agent, null), secret };
    },
  );

  // ---- lockdown ----

  app.get(
    '/lockdown',
    {
      schema: {
        tags: ['agents'],
        summary: 'Lockdown state',
        description:
          'Whether a lockdown (every agent suspended at once) is in force. Roles: admin, approver, auditor.',
        response: {
          200: { description: 'The state.', $ref: 'LockdownState#' },
          ...AUTH_ERRORS,
          ...FORBIDDEN,
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), ...READ_ROLES);
      return agents().lockdownState();
    },
  );

  app.post<{ Body: { reason: string; except?: string[] } }>(
    '/lockdown',
    {
      schema: {
        tags: ['agents'],
        summary: 'Start a lockdown',
        description:
          'Suspends every active agent except those in `except`, with your reason, on every replica. Recorded as `lockdown-started`. Role: admin.',
        body: lockdownBody,
        response: {
          200: { description: 'The state, and who was suspended.', $ref: 'LockdownState#' },
          ...CHANGE_ERRORS,
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), 'admin');
      const service = agents();
      const { suspended } = await service.lockdown({
        actor: actorOf(request),
        reason: request.body.reason,
        except: request.body.except ?? [],
      });
      return { ...(await service.lockdownState()), suspended };
    },
  );

  app.delete(
    '/lockdown',
    {
      schema: {
        tags: ['agents'],
        summary: 'Lift the lockdown',
        description:
          'Resumes the agents the lockdown suspended (not those suspended for another reason). Recorded as `lockdown-lifted`. Role: admin.',
        response: {
          200: { description: 'The state, and who was resumed.', $ref: 'LockdownState#' },
          ...CHANGE_ERRORS,
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), 'admin');
      const service = agents();
      const { resumed } = await service.liftLockdown({ actor: actorOf(request) });
      return { ...(await service.lockdownState()), resumed };
    },
  );

  // ---- sessions ----

  app.get(
    '/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Sessions and tasks',
        description:
          'The MCP sessions and tasks this Warden process tracks, with their labels (untrusted content seen, highest data class read, counts) and recent calls. Each replica answers for its own sessions. Roles: admin, approver, auditor.',
        response: {
          200: { description: 'The sessions.', $ref: 'SessionList#' },
          ...AUTH_ERRORS,
          ...FORBIDDEN,
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), ...READ_ROLES);
      return { sessions: sessions().list() };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/sessions/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'One session or task',
        description: 'Roles: admin, approver, auditor.',
        params: sessionParams,
        response: {
          200: { description: 'The session.', $ref: 'SessionSummary#' },
          ...VALIDATION_ERROR,
          ...AUTH_ERRORS,
          ...FORBIDDEN,
          404: error(
            'WARDEN_SESSION_NOT_FOUND: this process tracks no such session (ended, or on another replica).',
          ),
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), ...READ_ROLES);
      const found = sessions().get(request.params.id);
      if (found === null) {
        throw new WardenError(
          'WARDEN_SESSION_NOT_FOUND',
          `this Warden process tracks no session "${request.params.id}": it ended, or it is on another replica; GET /admin/sessions lists the ones here`,
          { session: request.params.id },
        );
      }
      return found;
    },
  );

  // ---- policies ----

  app.get(
    '/policies',
    {
      schema: {
        tags: ['policies'],
        summary: 'The loaded policies',
        description:
          'The policy set in force: its version, validator warnings and every policy with its file, line, effect, annotations and text. Roles: admin, approver, auditor.',
        response: {
          200: { description: 'The policy set.', $ref: 'PolicySet#' },
          ...AUTH_ERRORS,
          ...FORBIDDEN,
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      requireRole(signedIn(request), ...READ_ROLES);
      const service = policies();
      const { summary } = service;
      const texts = new Map(service.policyTexts().map((policy) => [policy.id, policy]));
      return {
        version: summary.version,
        valid: true,
        warnings: summary.warnings,
        policies: summary.policies.map((policy) => ({
          id: policy.id,
          file: policy.file,
          line: policy.line,
          effect: policy.effect,
          annotations: texts.get(policy.id)?.annotations ?? {},
          text: texts.get(policy.id)?.text ?? '',
        })),
      };
    },
  );

  app.post<{ Body: { agent: string; tool: string; arguments: JsonObject } }>(
    '/policies/what-if',
    {
      schema: {
        tags: ['policies'],
        summary: 'What if an agent called a tool?',
        description:
          'Decides the call with the loaded policies and says why, without running it or recording a tool call: as `warden policy explain`, with the agent’s roles, a fresh session and no inspection findings. Recorded as `policy-what-if-evaluated` (who asked what). Roles: admin, approver, auditor.',
        body: whatIfBody,
        response: {
          200: { description: 'The decision and why.', $ref: 'WhatIfResult#' },
          ...CHANGE_ERRORS,
          404: error(
            'WARDEN_AGENT_NOT_FOUND or WARDEN_TOOL_NOT_FOUND (not a declared tool; the message lists them).',
          ),
          ...UNAVAILABLE,
        },
      },
    },
    async (request) => {
      const admin = signedIn(request);
      requireRole(admin, ...READ_ROLES);
      const service = policies();
      const agent = await agents().get(request.body.agent);
      const result = evaluateWhatIf(
        { policies: service, config: need(options.config, 'the configuration is not available'), clock },
        agent,
        request.body.tool,
        request.body.arguments,
      );
      await options.audit.record({
        type: 'policy-what-if-evaluated',
        actor: `admin:${admin.name}`,
        subject: `tool:${request.body.tool}`,
        policyIds: result.policyIds,
        detail: {
          agent: agent.name,
          tool: request.body.tool,
          ...recordedArguments(request.body.arguments, options.maskArguments),
          result: result.decision,
          policyVersion: result.policyVersion,
        },
      });
      return result;
    },
  );
}

/**
 * What a what-if records of its arguments: masked (no raw PII) when a mask is given; else only their
 * names and a SHA-256 digest of their canonical JSON, which tells equal arguments apart without them.
 */
function recordedArguments(
  args: JsonObject,
  mask: ((args: JsonObject) => JsonObject) | undefined,
): JsonObject {
  if (mask !== undefined) return { arguments: mask(args) };
  return {
    argumentNames: Object.keys(args).sort(),
    argumentsDigest: `sha256:${createHash('sha256').update(canonicalJson(args)).digest('hex')}`,
  };
}

/** The admin user the onRequest hook authenticated; a route without one is a wiring bug. */
export function signedIn(request: FastifyRequest): AdminPrincipal {
  if (request.admin === null) {
    throw new WardenError('WARDEN_INTERNAL', 'the admin route ran without an authenticated admin user');
  }
  return request.admin;
}

function consoleSessionOf(request: FastifyRequest): NonNullable<FastifyRequest['consoleSession']> {
  if (request.consoleSession === null) {
    throw new WardenError(
      'WARDEN_ADMIN_UNAUTHENTICATED',
      'there is no console session: this route is for the session cookie; sign in with POST /admin/session',
    );
  }
  return request.consoleSession;
}

/** An audit entry as the admin API answers it (the stored entry without its digests and links). */
function entryView(entry: AuditEntryRecord): JsonObject {
  return {
    seq: entry.seq,
    time: entry.time,
    type: entry.type,
    actor: entry.actor,
    session: entry.session,
    subject: entry.subject,
    decision: entry.decision,
    policyIds: entry.policyIds,
    detail: entry.detail,
    hash: entry.hash,
  };
}

/**
 * One page of entries newest first, scanning at most AUDIT_SCAN_WINDOW seqs below `before`; when the
 * window runs out before the page is full, `nextBefore` is the window's start (more may be older).
 */
async function auditPage(
  store: AuditStore,
  filter: AuditQuery,
  limit: number,
  before: number | undefined,
): Promise<{ entries: AuditEntryRecord[]; nextBefore: number | null }> {
  const upper = (before ?? (await store.head()).seq + 1) - 1;
  if (upper < 1) return { entries: [], nextBefore: null };
  const lower = Math.max(1, upper - AUDIT_SCAN_WINDOW + 1);
  const entries = await store.query({ ...filter, fromSeq: lower, toSeq: upper, order: 'desc', limit });
  const last = entries[entries.length - 1];
  if (entries.length === limit && last !== undefined) {
    return { entries, nextBefore: last.seq > 1 ? last.seq : null };
  }
  if (lower > 1) {
    // Older entries may exist below the window (unless they were pruned).
    const [older] = await store.query({ toSeq: lower - 1, order: 'desc', limit: 1 });
    if (older !== undefined && (filter.sinceTime === undefined || older.time >= filter.sinceTime)) {
      return { entries, nextBefore: lower };
    }
  }
  return { entries, nextBefore: null };
}

/** A validated ISO time parameter, as the store compares it (UTC with milliseconds). */
function isoParameter(value: string, name: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new WardenError(
      'WARDEN_INVALID_REQUEST',
      `query parameter "${name}" is not a valid time; write e.g. 2026-03-01T10:00:00Z`,
      {
        field: name,
        in: 'querystring',
      },
    );
  }
  return new Date(time).toISOString();
}
