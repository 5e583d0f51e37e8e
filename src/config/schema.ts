/**
 * The shape of warden.yaml, strict: unknown keys and wrong types are errors, and references between
 * sections (an agent's role, a tool's data class) must name something that exists.
 */
import { z } from 'zod';
import { FINDING_TYPES, FINDING_TYPE_NAMES } from '../inspect/types.js';
import { checkLlmReferences, llmSchema } from './llm-schema.js';
import { ALERT_EVENTS, monitoringSchema } from './monitoring-schema.js';
import { SECRET_REFERENCE_PATTERN, duration, isTimeZone, name, secretReference } from './primitives.js';

export { SECRET_REFERENCE_PATTERN } from './primitives.js';

/** Keys of headers and env maps whose values are secrets and so must be references. */
export const SECRET_KEY_PATTERN = /secret|token|passw|pwd|api[-_]?key|auth|cookie|credential|private/i;

/** Header or environment maps: literal values are allowed unless the key names a secret. */
const referenceMap = z
  .record(z.string().min(1).max(256), z.string().max(8192))
  .superRefine((map, context) => {
    for (const [key, value] of Object.entries(map)) {
      if (SECRET_KEY_PATTERN.test(key) && !SECRET_REFERENCE_PATTERN.test(value)) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: `"${key}" holds a secret, so its value must be a reference such as "\${env:NAME}" or "\${file:path}"`,
        });
      }
    }
  });

export const RISKS = ['read', 'write', 'delete', 'external_communication', 'financial'] as const;

/** What content inspection does with a finding of a data class: pass it, mask it, tokenize it, refuse the call. */
export const INSPECTION_ACTIONS = ['allow', 'mask', 'tokenize', 'block'] as const;
/** What happens to a tool result whose injection score reaches the threshold. */
export const INJECTION_ACTIONS = ['block', 'neutralize', 'log'] as const;

/** Data class → action. Classes not listed are allowed; names are checked against dataClasses. */
const actionsByClass = z.record(name, z.enum(INSPECTION_ACTIONS));

const toolInspectionSchema = z
  .object({
    /** Overrides of inspection.arguments for this tool, per data class. */
    arguments: actionsByClass.optional(),
    /** Overrides of inspection.results for this tool, per data class. */
    results: actionsByClass.optional(),
    /** Override of inspection.injection.action for this tool's results. */
    injection: z.enum(INJECTION_ACTIONS).optional(),
  })
  .strict();

const toolSchema = z
  .object({
    description: z.string().max(2000).optional(),
    risk: z.enum(RISKS).default('read'),
    /** Data class of what the tool returns. */
    classification: z.string().optional(),
    /** Output comes from outside the organisation (mail, web) and may carry injected instructions. */
    untrustedOutput: z.boolean().default(false),
    /**
     * Arguments policies may look at, with their Cedar types (`context.arguments.<name>`). Only these
     * reach the policy engine; a declared argument of the wrong type is refused as invalid arguments.
     */
    arguments: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'argument names are letters, digits and _'),
        z.enum(['string', 'long', 'decimal', 'boolean', 'string-set']),
      )
      .default({}),
    /** Per-tool overrides of the inspection actions. */
    inspection: toolInspectionSchema.optional(),
  })
  .strict();

const serverBase = {
  description: z.string().max(2000).optional(),
  /** Tools this server offers that Warden knows about, with their risk and data class. */
  tools: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'tool names are letters, digits, _ . -'), toolSchema)
    .default({}),
  /** Per-call timeout: a call still unanswered after this is refused with WARDEN_UPSTREAM_TIMEOUT. */
  timeout: duration.default(30).pipe(z.number().min(0.1, 'at least 0.1 seconds').max(3600, 'at most 1 hour')),
  /** Largest tool result passed back, in bytes of JSON; larger ones become WARDEN_UPSTREAM_RESULT_TOO_LARGE. */
  maxResultBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
};

const stdioServerSchema = z
  .object({
    transport: z.literal('stdio'),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: referenceMap.default({}),
    cwd: z.string().optional(),
    ...serverBase,
  })
  .strict();

const httpServerSchema = z
  .object({
    transport: z.literal('http'),
    url: z.url({ protocol: /^https?$/ }),
    headers: referenceMap.default({}),
    ...serverBase,
  })
  .strict();

const serverSchema = z.discriminatedUnion('transport', [stdioServerSchema, httpServerSchema]);

const roleSchema = z
  .object({
    description: z.string().max(2000).optional(),
  })
  .strict();

const dataClassSchema = z
  .object({
    name,
    description: z.string().max(2000).optional(),
  })
  .strict();

const rateLimitSchema = z
  .object({
    /** Calls allowed per `per` on average. */
    requests: z.number().int().min(1).max(1_000_000),
    per: duration.default(60).pipe(z.number().min(1, 'at least 1 second')),
    /** Calls allowed in a burst; defaults to `requests`. */
    burst: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

const agentSchema = z
  .object({
    owner: z.email('must be the email address of the accountable person'),
    roles: z.array(name).min(1, 'an agent needs at least one role'),
    /** The highest data class this agent may read. */
    clearance: name,
    description: z.string().max(2000).optional(),
    /** Optional fixed client secret (a reference); otherwise issue one with `warden agents rotate-secret`. */
    secret: secretReference.optional(),
    /** `enforce` applies decisions; `shadow` records them but lets calls through (for rolling out policy). */
    mode: z.enum(['enforce', 'shadow']).default('enforce'),
    /**
     * Token-bucket rate limits on tool calls, keyed by exposed tool name (`crm__read_customer`) or `*`
     * for all of this agent's calls together. Over the limit: WARDEN_RATE_LIMITED with a retry-after.
     */
    rateLimits: z
      .record(
        z.string().regex(/^(\*|[A-Za-z0-9_.-]{1,130})$/, 'a tool name such as crm__read_customer, or *'),
        rateLimitSchema,
      )
      .default({}),
  })
  .strict();

export const ADMIN_ROLES = ['admin', 'approver', 'auditor'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** A stored credential hash: a reference, or `scrypt$N$r$p$salt$hash` written out (hashes are not secrets). */
const credentialHash = z
  .string()
  .max(1024)
  .refine(
    (value) =>
      SECRET_REFERENCE_PATTERN.test(value) ||
      /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/.test(value),
    'must be a hash made by `warden admins hash` (scrypt$...), or a reference such as "${file:admin.hash}"',
  );

const adminSchema = z
  .object({
    /** The person's email address: separation of duties compares it with agents' owners. */
    email: z.email('must be the email address of the person'),
    roles: z
      .array(z.enum(ADMIN_ROLES))
      .min(1, 'an admin user needs at least one role: admin, approver or auditor'),
    /** Approver groups this person belongs to (policies may send approvals to a group; escalation widens to another). */
    groups: z.array(name).default([]),
    /** Hash of the password (console and HTTP Basic sign-in), from `warden admins hash`. */
    passwordHash: credentialHash.optional(),
    /** Hash of an API key (`Authorization: Bearer wak_...`), from `warden admins new-key`. */
    apiKeyHash: credentialHash.optional(),
  })
  .strict()
  .refine((admin) => admin.passwordHash !== undefined || admin.apiKeyHash !== undefined, {
    message: 'an admin user needs a passwordHash or an apiKeyHash to sign in with',
  });

export const APPROVAL_EVENTS = [
  'approval-requested',
  'approval-approved',
  'approval-denied',
  'approval-expired',
  'approval-escalated',
  'approval-executed',
] as const;

const webhookSchema = z
  .object({
    name,
    url: z.url({ protocol: /^https?$/ }),
    /** `json`: Warden's event, signed with X-Warden-Signature; `slack`: a Slack incoming-webhook message. */
    format: z.enum(['json', 'slack']).default('json'),
    /** HMAC-SHA256 key for X-Warden-Signature (a reference); required for `json`. */
    secret: secretReference.optional(),
    events: z
      .array(z.enum([...APPROVAL_EVENTS, ...ALERT_EVENTS]))
      .min(1)
      .default([...APPROVAL_EVENTS]),
    timeout: duration.default(5).pipe(z.number().min(0.1).max(60, 'at most 60 seconds')),
  })
  .strict()
  .refine((hook) => hook.format === 'slack' || hook.secret !== undefined, {
    message:
      'a json webhook needs a secret (a reference such as "${env:WEBHOOK_SECRET}") to sign its requests with',
    path: ['secret'],
  });

const postgresSchema = z
  .object({
    /** postgres://user@host:port/db; a password must come through a reference. */
    url: z.string().min(1),
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
      .default('warden'),
    poolSize: z.number().int().min(1).max(100).default(10),
    connectTimeout: duration.default(5),
  })
  .strict();

const sqliteSchema = z
  .object({
    path: z.string().min(1).default('.warden/warden.db'),
    /** `full` survives power loss; `normal` survives a killed process only. */
    synchronous: z.enum(['full', 'normal']).default('full'),
  })
  .strict();

const configObject = z
  .object({
    version: z.literal(1, 'the only configuration version is 1; write `version: 1`'),
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8787),
        /** The URL agents reach Warden at: token issuer and audience. Defaults to http://host:port. */
        publicUrl: z.url({ protocol: /^https?$/ }).optional(),
        bodyLimit: z
          .number()
          .int()
          .min(1024)
          .max(64 * 1024 * 1024)
          .default(1024 * 1024),
        /** How long SIGTERM waits for in-flight requests before closing. */
        drainTimeout: duration.default(10),
        trustProxy: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    logging: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        driver: z.enum(['sqlite', 'postgres']).default('sqlite'),
        sqlite: sqliteSchema.prefault({}),
        postgres: postgresSchema.optional(),
      })
      .strict()
      .prefault({}),
    secrets: z
      .object({
        /** Used when WARDEN_MASTER_KEY is not set; created 0600 on first start. */
        masterKeyFile: z.string().min(1).default('.warden/master.key'),
      })
      .strict()
      .prefault({}),
    identity: z
      .object({
        /** Access token lifetime; at most one hour. */
        tokenLifetime: duration
          .default(600)
          .pipe(z.number().min(30, 'at least 30 seconds').max(3600, 'at most 60 minutes (3600 seconds)')),
        /** Tolerated clock skew when checking exp and nbf. */
        clockTolerance: duration.default(30).pipe(z.number().max(300, 'at most 300 seconds')),
        /** Token requests allowed per client address per window; more get 429 WARDEN_RATE_LIMITED. */
        tokenRateLimit: z
          .object({
            max: z.number().int().min(1).max(1_000_000).default(60),
            window: duration.default(60).pipe(z.number().min(1, 'at least 1 second')),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    policy: z
      .object({
        /** Directory of `*.cedar` policy files, relative to the config file. */
        dir: z.string().min(1).default('policies'),
        /** IANA time zone for the hour and weekday policies see, e.g. Asia/Ho_Chi_Minh. */
        timezone: z
          .string()
          .default('UTC')
          .refine(isTimeZone, 'must be an IANA time zone such as UTC or Asia/Ho_Chi_Minh'),
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        /** A signed checkpoint after this many entries... */
        checkpointEvery: z.number().int().min(1).max(1_000_000).default(1000),
        /** ...or after this long, whichever comes first (when there are new entries). */
        checkpointInterval: duration.default(60).pipe(z.number().min(1, 'at least 1 second')),
      })
      .strict()
      .prefault({}),
    approvals: z
      .object({
        /** How long a tools/call needing approval stays open waiting for a decision (0: answer "pending" at once). */
        wait: duration.default(60).pipe(z.number().min(0).max(600, 'at most 10 minutes')),
        /** How long a request stays open when its policy sets no @approvalExpiry. */
        expiry: duration.default(900).pipe(
          z
            .number()
            .min(10)
            .max(7 * 86400, 'at most 7 days'),
        ),
        /** After approval, how long the agent has to (re)try the exact call. */
        executeWithin: duration.default(900).pipe(
          z
            .number()
            .min(10)
            .max(7 * 86400, 'at most 7 days'),
        ),
        /** Nobody approves a request of an agent they own (agent owner == admin email). */
        separationOfDuties: z.boolean().default(true),
        /** Admin roles that may reveal the raw arguments of a request. */
        revealRoles: z.array(z.enum(ADMIN_ROLES)).default(['admin']),
        /** After `after`, a request still pending may also be decided by the `to` groups. */
        escalation: z
          .object({
            after: duration.pipe(z.number().min(1)),
            to: z.array(name).min(1),
          })
          .strict()
          .optional(),
        /** How many of the session's previous calls a request shows. */
        recentCalls: z.number().int().min(0).max(50).default(10),
      })
      .strict()
      .prefault({}),
    admins: z.record(name, adminSchema).default({}),
    /** The admin API's console sign-in (cookie sessions); see docs/admin-api.md. */
    admin: z
      .object({
        /** A console session ends this long after sign-in, however active. */
        sessionLifetime: duration.default(8 * 3600).pipe(
          z
            .number()
            .min(300, 'at least 5 minutes')
            .max(7 * 86400, 'at most 7 days'),
        ),
        /** A console session ends after this long without a request. */
        sessionIdleTimeout: duration
          .default(30 * 60)
          .pipe(z.number().min(60, 'at least 1 minute').max(86400, 'at most 24 hours')),
        /** Origins (besides server.publicUrl's) the console may be served from, e.g. a dev server. */
        allowedOrigins: z
          .array(z.url({ protocol: /^https?$/ }).max(200))
          .max(20)
          .default([]),
      })
      .strict()
      .prefault({}),
    notifications: z
      .object({
        webhooks: z.array(webhookSchema).default([]),
      })
      .strict()
      .prefault({}),
    /** Session and task labels (docs/sessions.md). */
    sessions: z
      .object({
        /** A task's labels are forgotten after this long without a call in it. */
        taskIdleTimeout: duration.default(3600).pipe(
          z
            .number()
            .min(60, 'at least 1 minute')
            .max(7 * 86400, 'at most 7 days'),
        ),
        /** Tasks tracked per agent; a call naming one more task is refused until one expires. */
        maxTasksPerAgent: z.number().int().min(1).max(100_000).default(1000),
      })
      .strict()
      .prefault({}),
    monitoring: monitoringSchema.prefault({}),
    inspection: z
      .object({
        enabled: z.boolean().default(true),
        /** Findings below this confidence are ignored. */
        minConfidence: z.number().min(0).max(1).default(0.5),
        /** Moves finding types to another data class than their default, e.g. `email: internal`. */
        types: z.record(z.string(), name).default({}),
        /** Finding types never reported. */
        ignore: z.array(z.string()).default([]),
        /** Per data class, what happens to findings in arguments going upstream (unlisted classes: allow). */
        arguments: actionsByClass.default({}),
        /** Per data class, what happens to findings in results coming back (unlisted: allow; above the agent's clearance: at least mask). */
        results: actionsByClass.default({}),
        injection: z
          .object({
            /** Injection score (0..1) from which a tool result counts as carrying an injection. */
            threshold: z.number().min(0).max(1).default(0.5),
            action: z.enum(INJECTION_ACTIONS).default('neutralize'),
          })
          .strict()
          .prefault({}),
        limits: z
          .object({
            maxStringLength: z
              .number()
              .int()
              .min(1024)
              .max(64 * 1024 * 1024)
              .default(4 * 1024 * 1024),
            maxTotalLength: z
              .number()
              .int()
              .min(1024)
              .max(256 * 1024 * 1024)
              .default(16 * 1024 * 1024),
            maxDepth: z.number().int().min(1).max(1000).default(64),
            timeBudget: duration.default(2).pipe(z.number().min(0.01).max(60)),
          })
          .strict()
          .prefault({}),
        /** How long tokens of a session stay restorable after its last use. */
        tokenTtl: duration.default(3600).pipe(
          z
            .number()
            .min(10)
            .max(30 * 86400),
        ),
      })
      .strict()
      .prefault({}),
    /** Data classes from least to most sensitive. */
    dataClasses: z
      .array(dataClassSchema)
      .min(1)
      .default([{ name: 'public' }, { name: 'internal' }, { name: 'confidential' }, { name: 'restricted' }]),
    roles: z.record(name, roleSchema).default({}),
    agents: z.record(name, agentSchema).default({}),
    servers: z.record(name, serverSchema).default({}),
    /** The LLM egress proxy: providers, model aliases, data rules per provider (docs/llm-proxy.md). */
    llm: llmSchema.prefault({}),
  })
  .strict();

export const configSchema = configObject
  // Cross-references are checked even when other parts of the file have type errors, so every
  // problem is reported in one run; the check skips sections too malformed to read.
  .superRefine(
    (config, context) => {
      try {
        checkReferences(config, context);
      } catch (error) {
        // A section this malformed already has its own type errors reported; on a well-typed file
        // a throw is a bug, and must not let the config start without its reference checks.
        if (!hadTypeErrors) throw error;
      }
    },
    {
      when: (payload) => {
        hadTypeErrors = payload.issues.length > 0;
        return true;
      },
    },
  );

/** Set by the refinement's `when` just before it runs (parsing is synchronous). */
let hadTypeErrors = false;

type ConfigShape = z.output<typeof configObject>;

/** Agents' roles and clearances, tools' data classes, rate-limited tools and the store driver must name things that exist. */
function checkReferences(config: ConfigShape, context: z.RefinementCtx<ConfigShape>): void {
  if (!Array.isArray(config.dataClasses) || typeof config.agents !== 'object' || config.agents === null)
    return;
  const classes = new Set<string>();
  config.dataClasses.forEach((dataClass, index) => {
    if (classes.has(dataClass.name)) {
      context.addIssue({
        code: 'custom',
        path: ['dataClasses', index, 'name'],
        message: `data class "${dataClass.name}" is listed twice`,
      });
    }
    classes.add(dataClass.name);
  });
  const classList = [...classes].join(', ');
  const roleList = Object.keys(config.roles).join(', ') || '(none defined)';
  for (const [agentName, agent] of Object.entries(config.agents)) {
    agent.roles.forEach((role, index) => {
      if (!(role in config.roles)) {
        context.addIssue({
          code: 'custom',
          path: ['agents', agentName, 'roles', index],
          message: `agent "${agentName}" names role "${role}", which is not defined under roles (defined: ${roleList})`,
        });
      }
    });
    for (const toolName of Object.keys(agent.rateLimits)) {
      if (toolName === '*') continue;
      const separator = toolName.indexOf('__');
      const server = separator > 0 ? config.servers[toolName.slice(0, separator)] : undefined;
      if (server === undefined || !(toolName.slice(separator + 2) in server.tools)) {
        context.addIssue({
          code: 'custom',
          path: ['agents', agentName, 'rateLimits', toolName],
          message: `agent "${agentName}" has a rate limit for "${toolName}", which is not a declared tool (write <server>__<tool>, or * for all calls)`,
        });
      }
    }
    if (!classes.has(agent.clearance)) {
      context.addIssue({
        code: 'custom',
        path: ['agents', agentName, 'clearance'],
        message: `agent "${agentName}" has clearance "${agent.clearance}", which is not a data class (defined: ${classList})`,
      });
    }
  }
  for (const [serverName, server] of Object.entries(config.servers)) {
    for (const [toolName, tool] of Object.entries(server.tools)) {
      if (tool.classification !== undefined && !classes.has(tool.classification)) {
        context.addIssue({
          code: 'custom',
          path: ['servers', serverName, 'tools', toolName, 'classification'],
          message: `tool "${serverName}.${toolName}" has classification "${tool.classification}", which is not a data class (defined: ${classList})`,
        });
      }
    }
  }
  checkInspectionReferences(config, context, classes, classList);
  checkApprovalReferences(config, context);
  checkLlmReferences(config.llm, classes, new Set(Object.keys(config.agents)), context);
  if (config.store.driver === 'postgres' && config.store.postgres === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['store', 'driver'],
      message: 'store.driver is "postgres" but store.postgres.url is not set',
    });
  }
}

/** Inspection settings must name data classes and finding types that exist. */
function checkInspectionReferences(
  config: ConfigShape,
  context: z.RefinementCtx<ConfigShape>,
  classes: ReadonlySet<string>,
  classList: string,
): void {
  const inspection = config.inspection;
  if (typeof inspection !== 'object' || inspection === null) return;
  const typeList = FINDING_TYPE_NAMES.join(', ');
  for (const [type, dataClass] of Object.entries(inspection.types)) {
    if (!Object.hasOwn(FINDING_TYPES, type)) {
      context.addIssue({
        code: 'custom',
        path: ['inspection', 'types', type],
        message: `"${type}" is not a finding type (types: ${typeList})`,
      });
    }
    if (!classes.has(dataClass)) {
      context.addIssue({
        code: 'custom',
        path: ['inspection', 'types', type],
        message: `"${dataClass}" is not a data class (defined: ${classList})`,
      });
    }
  }
  inspection.ignore.forEach((type, index) => {
    if (!Object.hasOwn(FINDING_TYPES, type)) {
      context.addIssue({
        code: 'custom',
        path: ['inspection', 'ignore', index],
        message: `"${type}" is not a finding type (types: ${typeList})`,
      });
    }
  });
  const checkActions = (actions: Record<string, string> | undefined, path: PropertyKey[]): void => {
    for (const dataClass of Object.keys(actions ?? {})) {
      if (!classes.has(dataClass)) {
        context.addIssue({
          code: 'custom',
          path: [...path, dataClass],
          message: `"${dataClass}" is not a data class (defined: ${classList})`,
        });
      }
    }
  };
  checkActions(inspection.arguments, ['inspection', 'arguments']);
  checkActions(inspection.results, ['inspection', 'results']);
  for (const [serverName, server] of Object.entries(config.servers)) {
    for (const [toolName, tool] of Object.entries(server.tools)) {
      checkActions(tool.inspection?.arguments, [
        'servers',
        serverName,
        'tools',
        toolName,
        'inspection',
        'arguments',
      ]);
      checkActions(tool.inspection?.results, [
        'servers',
        serverName,
        'tools',
        toolName,
        'inspection',
        'results',
      ]);
    }
  }
}

/** Escalation must go to a group some admin user is in; admin emails must be distinct. */
function checkApprovalReferences(config: ConfigShape, context: z.RefinementCtx<ConfigShape>): void {
  if (typeof config.admins !== 'object' || config.admins === null) return;
  const groups = new Set(Object.values(config.admins).flatMap((admin) => admin.groups));
  const escalation = config.approvals?.escalation;
  escalation?.to.forEach((group, index) => {
    if (!groups.has(group)) {
      context.addIssue({
        code: 'custom',
        path: ['approvals', 'escalation', 'to', index],
        message: `no admin user is in group "${group}", so escalating to it would reach nobody (groups: ${[...groups].join(', ') || 'none'})`,
      });
    }
  });
  const emails = new Map<string, string>();
  for (const [name, admin] of Object.entries(config.admins)) {
    const email = admin.email.toLowerCase();
    const other = emails.get(email);
    if (other !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['admins', name, 'email'],
        message: `admin users "${other}" and "${name}" have the same email; each person gets one admin user (separation of duties compares emails)`,
      });
    }
    emails.set(email, name);
  }
}

/** The validated configuration with defaults applied and secret references resolved. */
export type WardenConfig = z.output<typeof configSchema>;
export type ServerConfig = WardenConfig['servers'][string];
export type AgentConfig = WardenConfig['agents'][string];
export type Risk = (typeof RISKS)[number];
