/**
 * The admin API front: admin users list, read and decide approval requests over HTTP. It
 * authenticates the admin user and checks their role; which request they may decide, and what is
 * recorded, is the approval service's business. Every route but the OpenAPI document needs an admin
 * user, every input is validated against the schemas the document is generated from, and every
 * answer says `cache-control: no-store`.
 */
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { FastifyError, FastifyInstance } from 'fastify';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import { hasRole, requireRole, toDecider } from '../../admin/index.js';
import type { AdminDirectory, AdminPrincipal, ConsoleSession } from '../../admin/index.js';
import type { ApprovalView, Decider } from '../../approvals/types.js';
import type { AuditRecorder } from '../../audit/index.js';
import { WardenError } from '../../core/index.js';
import type { JsonObject } from '../../core/index.js';
import type { ApprovalQuery, ApprovalRecord, ApprovalStatus } from '../../store/index.js';
import { toHttpError } from '../http-errors.js';
import {
  checkCsrfToken,
  checkOrigin,
  clearSessionCookie,
  isBackgroundRequest,
  isSafeMethod,
  sessionCookieName,
  setSessionCookie,
} from './console-auth.js';
import { registerConsoleRoutes, signedIn } from './console-routes.js';
import type { ConsoleRoutesOptions } from './console-routes.js';
import { CONSOLE_SCHEMAS } from './console-schemas.js';
import {
  AUTH_ERRORS,
  DEFAULT_LIST_LIMIT,
  SHARED_SCHEMAS,
  VALIDATION_ERROR,
  decisionBody,
  idParams,
  listQuery,
  openApiDefinition,
} from './schemas.js';

/** What the admin API needs of the approval service (`ApprovalService` provides it). */
export interface AdminApprovals {
  get(id: string): Promise<ApprovalRecord | null>;
  view(id: string): Promise<ApprovalView>;
  list(query?: ApprovalQuery): Promise<ApprovalView[]>;
  eligibility(approval: ApprovalRecord, decider: Decider): { ok: true } | { ok: false; reason: string };
  decide(id: string, decider: Decider, decision: 'approve' | 'deny', reason: string): Promise<ApprovalView>;
  reveal(id: string, decider: Decider): Promise<JsonObject>;
  canReveal(decider: Decider): boolean;
}

export interface AdminRoutesOptions extends ConsoleRoutesOptions {
  directory: AdminDirectory;
  approvals: AdminApprovals;
  /** Records addresses locked out after repeated failed sign-ins (`admin-sign-in-blocked`). */
  audit: AuditRecorder;
  /** Warden's public URL: the `servers` entry of the OpenAPI document. */
  publicUrl: string;
  bodyLimit: number;
}

/** An approval request as the admin API answers it: the view plus what the signed-in user may do. */
export type AdminApprovalItem = ApprovalView & {
  canDecide: boolean;
  cannotDecideReason: string | null;
  canReveal: boolean;
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in admin user (routes under the admin plugin only; null before authentication). */
    admin: AdminPrincipal | null;
    /** The console session, when the request was authenticated by the session cookie. */
    consoleSession: ConsoleSession | null;
  }
  interface FastifyContextConfig {
    /** The route answers without an admin user (the OpenAPI document). */
    publicRoute?: boolean;
  }
}

const READ_ROLES = ['admin', 'approver', 'auditor'] as const;
const DECIDE_ROLES = ['admin', 'approver'] as const;

/**
 * Fastify plugin with the admin API; register it under the prefix `/admin`.
 *
 * @example
 * await app.register(adminRoutes, { prefix: '/admin', directory, approvals, audit, publicUrl, bodyLimit });
 * // GET /admin/openapi.json describes every route
 */
export async function adminRoutes(app: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const { directory, approvals } = options;
  const principalView = (admin: AdminPrincipal): JsonObject => ({
    name: admin.name,
    email: admin.email,
    roles: [...admin.roles],
    groups: [...admin.groups],
    permissions: {
      read: hasRole(admin, ...READ_ROLES),
      decide: hasRole(admin, ...DECIDE_ROLES),
      reveal: approvals.canReveal(toDecider(admin)),
      manage: hasRole(admin, 'admin'),
    },
  });

  await app.register(swagger, {
    openapi: openApiDefinition(options.publicUrl),
    // Shared schemas appear under components.schemas by their $id.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) =>
        typeof json.$id === 'string' ? json.$id : `def-${index}`,
    },
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  for (const schema of CONSOLE_SCHEMAS) app.addSchema(schema);
  await app.register(cookie);

  setValidation(app);

  app.setErrorHandler((error: FastifyError | WardenError, request, reply) => {
    const wardenError = toHttpError(error, options.bodyLimit);
    if (wardenError.status >= 500) {
      request.log.error({ code: wardenError.code, err: error }, 'admin request failed');
    }
    if (wardenError.code === 'WARDEN_ADMIN_UNAUTHENTICATED') {
      // Basic only when the client used it: a Basic challenge makes browsers open a login dialog.
      const basic = /^Basic\s/i.test(request.headers.authorization ?? '');
      void reply.header('www-authenticate', `${basic ? 'Basic' : 'Bearer'} realm="warden-admin"`);
    }
    const retryAfter = wardenError.details.retryAfterSeconds;
    if (wardenError.code === 'WARDEN_RATE_LIMITED' && typeof retryAfter === 'number') {
      void reply.header('retry-after', String(retryAfter));
    }
    return reply.code(wardenError.status).send({ error: wardenError.toJSON() });
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.headers({
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
    return payload;
  });

  const unsubscribe = directory.onBlocked((event) => {
    options.audit
      .record({
        type: 'admin-sign-in-blocked',
        actor: 'system',
        detail: {
          address: event.address,
          failures: event.failures,
          retryAfterSeconds: event.retryAfterSeconds,
          ...(event.user === undefined ? {} : { user: event.user }),
        },
      })
      .catch((error: unknown) => {
        app.log.error({ err: error }, 'could not record a blocked admin sign-in in the audit log');
      });
  });
  app.addHook('onClose', async () => unsubscribe());

  app.decorateRequest('admin', null);
  app.decorateRequest('consoleSession', null);
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.publicRoute === true) return;
    const authorization = request.headers.authorization;
    const settings = options.console;
    // Every change is refused from another site, whatever the authentication: browsers attach cached
    // HTTP Basic credentials to cross-site form posts as they do cookies. Non-browser clients send
    // neither Origin nor Sec-Fetch-Site and pass.
    if (!isSafeMethod(request.method))
      checkOrigin(request, { allowedOrigins: settings?.allowedOrigins ?? [] });
    const sessionCookie = settings === undefined ? undefined : request.cookies[sessionCookieName(settings)];
    // An Authorization header wins; the cookie is used only without one (the console's requests).
    if ((authorization === undefined || authorization === '') && sessionCookie !== undefined && settings) {
      let opened;
      try {
        // The console's background polling is accepted but does not renew the idle timer.
        opened = settings.sessions.open(sessionCookie, (name) => directory.account(name), {
          renew: !isBackgroundRequest(request),
        });
      } catch (error) {
        clearSessionCookie(reply, settings);
        throw error;
      }
      request.admin = opened.principal;
      request.consoleSession = opened.session;
      if (!isSafeMethod(request.method)) checkCsrfToken(request, settings, opened.session);
      if (opened.renewedCookie !== null) setSessionCookie(reply, settings, opened.renewedCookie);
      return;
    }
    request.admin = await directory.authenticate(authorization, { address: request.ip });
  });

  app.get(
    '/openapi.json',
    {
      config: { publicRoute: true },
      schema: {
        tags: ['meta'],
        summary: 'This OpenAPI document',
        description: 'The OpenAPI 3.1 description of the admin API. Needs no sign-in.',
        security: [],
        response: { 200: { description: 'The document.', type: 'object', additionalProperties: true } },
      },
    },
    async () => app.swagger(),
  );

  app.get(
    '/whoami',
    {
      schema: {
        tags: ['session'],
        summary: 'The signed-in admin user',
        description: 'Who you are signed in as, your roles and groups, and what they let you do.',
        response: { 200: { description: 'The admin user.', $ref: 'AdminPrincipal#' }, ...AUTH_ERRORS },
      },
    },
    async (request) => principalView(signedIn(request)),
  );

  registerConsoleRoutes(app, options, principalView);

  app.get<{ Querystring: { status?: ApprovalStatus; limit?: number } }>(
    '/approvals',
    {
      schema: {
        tags: ['approvals'],
        summary: 'List approval requests',
        description:
          'Requests newest first, optionally of one status, with what you may do with each (`canDecide`, `cannotDecideReason`, `canReveal`). Roles: admin, approver, auditor.',
        querystring: listQuery,
        response: {
          200: { description: 'The requests.', $ref: 'ApprovalList#' },
          ...VALIDATION_ERROR,
          ...AUTH_ERRORS,
          403: {
            description: 'WARDEN_ADMIN_FORBIDDEN: your role may not read requests.',
            $ref: 'WardenError#',
          },
        },
      },
    },
    async (request) => {
      const admin = signedIn(request);
      requireRole(admin, ...READ_ROLES);
      const { status, limit = DEFAULT_LIST_LIMIT } = request.query;
      const views = await approvals.list({ ...(status === undefined ? {} : { statuses: [status] }), limit });
      const decider = toDecider(admin);
      const items: AdminApprovalItem[] = [];
      for (const view of views) items.push(await withPermissions(approvals, view, admin, decider));
      return { approvals: items };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/approvals/:id',
    {
      schema: {
        tags: ['approvals'],
        summary: 'Show one approval request',
        description:
          'The request with its redacted arguments, votes and deadlines, and what you may do with it. Roles: admin, approver, auditor.',
        params: idParams,
        response: {
          200: { description: 'The request.', $ref: 'Approval#' },
          ...VALIDATION_ERROR,
          ...AUTH_ERRORS,
          403: {
            description: 'WARDEN_ADMIN_FORBIDDEN: your role may not read requests.',
            $ref: 'WardenError#',
          },
          404: { description: 'WARDEN_APPROVAL_NOT_FOUND: no request with this id.', $ref: 'WardenError#' },
        },
      },
    },
    async (request) => {
      const admin = signedIn(request);
      requireRole(admin, ...READ_ROLES);
      const view = await approvals.view(request.params.id);
      return withPermissions(approvals, view, admin, toDecider(admin));
    },
  );

  for (const decision of ['approve', 'deny'] as const) {
    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      `/approvals/:id/${decision}`,
      {
        schema: {
          tags: ['approvals'],
          summary: decision === 'approve' ? 'Approve a request' : 'Deny a request',
          description:
            decision === 'approve'
              ? 'Adds your approval. The request is approved once it has as many distinct approvals as it requires; the agent then (re)tries the exact call. Roles: admin, approver; you must be eligible (see canDecide).'
              : 'Denies the request at once (one denial is enough); the agent is told your reason. Roles: admin, approver; you must be eligible (see canDecide).',
          params: idParams,
          body: decisionBody,
          response: {
            200: { description: 'The request after your decision.', $ref: 'Approval#' },
            ...VALIDATION_ERROR,
            ...AUTH_ERRORS,
            403: {
              description:
                'WARDEN_ADMIN_FORBIDDEN (your role may not decide), WARDEN_APPROVAL_NOT_ALLOWED (not eligible for this request: separation of duties, group, already voted) or WARDEN_APPROVAL_EXPIRED.',
              $ref: 'WardenError#',
            },
            404: { description: 'WARDEN_APPROVAL_NOT_FOUND: no request with this id.', $ref: 'WardenError#' },
            409: {
              description: 'WARDEN_APPROVAL_ALREADY_DECIDED: it is no longer pending.',
              $ref: 'WardenError#',
            },
          },
        },
      },
      async (request) => {
        const admin = signedIn(request);
        requireRole(admin, ...DECIDE_ROLES);
        const decider = toDecider(admin);
        const view = await approvals.decide(request.params.id, decider, decision, request.body.reason);
        return withPermissions(approvals, view, admin, decider);
      },
    );
  }

  app.post<{ Params: { id: string } }>(
    '/approvals/:id/reveal',
    {
      schema: {
        tags: ['approvals'],
        summary: 'Reveal the raw arguments',
        description:
          'The arguments exactly as the agent sent them. Only for roles in `approvals.revealRoles` (admin by default); every reveal is recorded in the audit log. Send no body.',
        params: idParams,
        response: {
          200: { description: 'The raw arguments.', $ref: 'RevealedArguments#' },
          ...VALIDATION_ERROR,
          ...AUTH_ERRORS,
          403: {
            description: 'WARDEN_APPROVAL_NOT_ALLOWED: your role is not in approvals.revealRoles.',
            $ref: 'WardenError#',
          },
          404: { description: 'WARDEN_APPROVAL_NOT_FOUND: no request with this id.', $ref: 'WardenError#' },
        },
      },
    },
    async (request) => {
      const admin = signedIn(request);
      requireRole(admin, ...READ_ROLES);
      const revealed = await approvals.reveal(request.params.id, toDecider(admin));
      return { id: request.params.id, arguments: revealed };
    },
  );
}

async function withPermissions(
  approvals: AdminApprovals,
  view: ApprovalView,
  admin: AdminPrincipal,
  decider: Decider,
): Promise<AdminApprovalItem> {
  const canReveal = approvals.canReveal(decider);
  let cannotDecideReason: string | null = null;
  if (!hasRole(admin, ...DECIDE_ROLES)) {
    cannotDecideReason = `your roles (${admin.roles.join(', ')}) do not decide requests; admin or approver does`;
  } else if (view.status !== 'pending') {
    cannotDecideReason = `it is ${view.status}, no longer pending`;
  } else {
    const record = await approvals.get(view.id);
    const eligibility =
      record === null
        ? { ok: false as const, reason: 'it no longer exists' }
        : approvals.eligibility(record, decider);
    if (!eligibility.ok) cannotDecideReason = eligibility.reason;
  }
  return { ...view, canDecide: cannotDecideReason === null, cannotDecideReason, canReveal };
}

/**
 * Request validation with our own Ajv (no silent removal of unknown fields, numbers coerced only in
 * the query string and path) and failures as WARDEN_INVALID_REQUEST naming the field.
 */
function setValidation(app: FastifyInstance): void {
  const strictAjv = new Ajv2020({
    allErrors: false,
    strict: true,
    coerceTypes: false,
    useDefaults: true,
    logger: false,
  });
  const coercingAjv = new Ajv2020({
    allErrors: false,
    strict: true,
    coerceTypes: true,
    useDefaults: true,
    logger: false,
  });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema as object),
  );
  app.setSchemaErrorFormatter((errors, dataVar) => invalidRequest(errors as ErrorObject[], dataVar));
}

const PART_NAMES: Record<string, string> = {
  body: 'body',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
};

/** One WARDEN_INVALID_REQUEST for the first problem, naming the field and what it must be. */
export function invalidRequest(errors: ErrorObject[], part: string): WardenError {
  const error = errors[0];
  const where = PART_NAMES[part] ?? part;
  if (error === undefined) return new WardenError('WARDEN_INVALID_REQUEST', `the ${where} is invalid`);
  const params = error.params as Record<string, unknown>;
  const path = error.instancePath.slice(1).replaceAll('/', '.');
  const field = (name: string): string => (path === '' ? name : `${path}.${name}`);
  let name = path;
  let problem: string;
  switch (error.keyword) {
    case 'required':
      name = field(String(params.missingProperty));
      problem = 'is required';
      break;
    case 'additionalProperties':
      name = field(String(params.additionalProperty));
      problem = 'is not a known field; remove it';
      break;
    case 'minLength':
      problem =
        params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`;
      break;
    case 'maxLength':
      problem = `must be at most ${String(params.limit)} characters long`;
      break;
    case 'enum':
      problem = `must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
      break;
    case 'pattern':
      problem =
        params.pattern === '\\S'
          ? 'must not be blank'
          : `must match ${String(params.pattern)}${name === 'id' ? ' (an approval id such as apr_01h...)' : ''}`;
      break;
    default:
      problem = error.message ?? 'is invalid';
  }
  if (name === '') {
    return new WardenError(
      'WARDEN_INVALID_REQUEST',
      part === 'body'
        ? `the body ${problem}; send a JSON object such as {"reason": "..."}`
        : `the ${where}s are invalid: ${problem}`,
    );
  }
  return new WardenError('WARDEN_INVALID_REQUEST', `${where} "${name}" ${problem}`, {
    field: name,
    in: part,
  });
}
