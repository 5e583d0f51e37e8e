/**
 * Composition root: opens the store, loads the master key, and wires the audit log, signing keys,
 * agents and tokens together, and (for the gateway) the policy service, the upstream catalog and the
 * tool-call pipeline. The server and every CLI command get their services from here.
 */
import { ApprovalService, WebhookNotifier } from '../approvals/index.js';
import { AuditLog } from '../audit/index.js';
import { createGatewayInspection } from './inspection.js';
import type { GatewayInspection } from './inspection.js';
import type { LoadedConfig, ResolvedConfig } from '../config/index.js';
import { systemClock, toWardenError } from '../core/index.js';
import type { Clock, WardenError } from '../core/index.js';
import {
  AgentService,
  KeyManager,
  MASTER_KEY_CHECK_META_KEY,
  TokenService,
  checkMasterKey,
  loadMasterKey,
} from '../identity/index.js';
import { Monitor } from '../monitor/index.js';
import { ToolCallPipeline } from '../pipeline/index.js';
import { LlmService } from '../llm/index.js';
import { PolicyService } from '../policy/index.js';
import type { SessionTracker } from '../sessions/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { createUpstreamCatalog } from '../upstream/index.js';
import type { UpstreamCatalog } from '../upstream/index.js';

/** The gateway's services: policy, upstream catalog and the tool-call pipeline over them. */
export interface Gateway {
  readonly policy: PolicyService;
  /** Not started by openWarden: the server starts it (`catalog.start()`) before it listens. */
  readonly catalog: UpstreamCatalog;
  readonly pipeline: ToolCallPipeline;
  /** The LLM egress proxy (docs/llm-proxy.md); null when `llm.models` is empty. */
  readonly llm: LlmService | null;
  /**
   * Session and task labels (what each MCP session and declared task read and did), in this
   * process's memory: see docs/sessions.md.
   */
  readonly sessions: SessionTracker;
  /**
   * Reloads the policy files. A valid new set replaces the old one atomically and is recorded as
   * `policy-reloaded`; an invalid one is refused (the old set keeps serving) and recorded as
   * `policy-reload-failed`. Sessions are told their tool list may have changed.
   */
  reloadPolicies(actor: string): Promise<PolicyReloadResult>;
}

export type PolicyReloadResult =
  | { ok: true; previousVersion: string; version: string; policies: number; warnings: string[] }
  | { ok: false; version: string; error: WardenError };

/** The pino-compatible logger the gateway services write to. */
export interface GatewayLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface Warden {
  readonly loaded: LoadedConfig;
  readonly config: ResolvedConfig;
  readonly clock: Clock;
  readonly store: Store;
  readonly audit: AuditLog;
  readonly keys: KeyManager;
  readonly agents: AgentService;
  readonly tokens: TokenService;
  /**
   * Approval requests: held calls and the people who decide them. Its sweeper (expiry, escalation)
   * runs only when started (`approvals.start()`; the server does).
   */
  readonly approvals: ApprovalService;
  /** Outgoing webhooks for approval events. */
  readonly notifier: WebhookNotifier;
  /** Content inspection as configured: the gateway's inspector, and masking for what people see. */
  readonly inspection: GatewayInspection;
  /** Signs admin console session cookies (HKDF of the master key, so every replica accepts them). */
  readonly adminSessionKey: Uint8Array;
  /** Policy, upstreams and pipeline; null unless opened with `gateway: true`. */
  readonly gateway: Gateway | null;
  /**
   * Baselines, alert rules and Prometheus metrics over the audit log; null unless opened with
   * `gateway: true`. It watches entries from opening on; `monitor.start()` (the server calls it)
   * rebuilds the baselines and starts the rules.
   */
  readonly monitor: Monitor | null;
  /**
   * Closes the upstreams, flushes the audit log (signing a final checkpoint if this process wrote
   * entries) and closes the store.
   */
  close(): Promise<void>;
}

export interface OpenWardenOptions {
  /** Who is acting, for the audit log: `system` for the server, `cli:<user>` for the CLI. */
  actor: string;
  /**
   * Bring the store in line with the config: create missing signing keys and create or update
   * the agents the config defines. The server and mutating commands do; read-only commands do not.
   */
  sync: boolean;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Where background failures (an interval checkpoint that could not be written) are reported. */
  onBackgroundError?: (error: unknown) => void;
  /**
   * Also load the policies (refusing invalid ones with file:line) and build the upstream catalog and
   * the tool-call pipeline. The server does; CLI commands that only manage agents, keys or the audit
   * log do not, so a broken policy file never stops them.
   */
  gateway?: boolean;
  /** Where the gateway services log (upstream state changes, refused audit writes). */
  logger?: GatewayLogger;
  /**
   * Connect only these upstream servers (all by default). Policies still see every server in the
   * config, so a policy naming another server's tools stays valid (`warden wrap` uses this).
   */
  upstreams?: string[];
}

/**
 * Opens every service for one configuration. Close it with `warden.close()`.
 *
 * @example
 * const warden = await openWarden(await loadConfig({ path: 'warden.yaml' }), { actor: 'system', sync: true });
 */
export async function openWarden(loaded: LoadedConfig, options: OpenWardenOptions): Promise<Warden> {
  const { config } = loaded;
  const clock = options.clock ?? systemClock;
  const store = await openStore(config.store, { baseDir: loaded.baseDir });
  try {
    const masterKey = await loadMasterKey({
      env: options.env ?? process.env,
      keyFile: config.secrets.masterKeyFile,
      baseDir: loaded.baseDir,
      // Only a new store may get a new key: an existing one holds values sealed under the old key.
      createIfMissing: (await store.meta.get(MASTER_KEY_CHECK_META_KEY)) === null,
    });
    await checkMasterKey(store.meta, masterKey);

    // The audit log signs checkpoints lazily, through the key manager created just below.
    const audit: AuditLog = new AuditLog({
      store: store.audit,
      clock,
      digestKey: masterKey.deriveKey('audit-digest'),
      signer: {
        keyId: (): Promise<string> => keys.checkpointSigner().keyId(),
        sign: (keyId: string, payload: Uint8Array) => keys.checkpointSigner().sign(keyId, payload),
      },
      verifier: { verify: (...check) => keys.checkpointVerifier().verify(...check) },
      checkpointEvery: config.audit.checkpointEvery,
      checkpointIntervalSeconds: config.audit.checkpointInterval,
      ...(options.onBackgroundError ? { onError: options.onBackgroundError } : {}),
    });
    const keys: KeyManager = new KeyManager({
      store: store.keys,
      masterKey,
      clock,
      audit,
      tokenLifetimeSeconds: config.identity.tokenLifetime,
      clockToleranceSeconds: config.identity.clockTolerance,
    });
    const agents = new AgentService({
      store: store.agents,
      audit,
      clock,
      dataClasses: config.dataClasses.map((dataClass) => dataClass.name),
      roles: Object.keys(config.roles),
      meta: store.meta,
    });
    if (options.sync) {
      await keys.ensureKeys(options.actor);
      await agents.syncFromConfig(config.agents, options.actor);
    }
    const tokens = new TokenService({
      agents: store.agents,
      keys,
      audit,
      clock,
      issuer: config.server.publicUrl,
      audience: config.server.publicUrl,
      lifetimeSeconds: config.identity.tokenLifetime,
      clockToleranceSeconds: config.identity.clockTolerance,
      // A lockdown in force refuses every non-excepted agent, whatever its own status.
      lockdown: agents.lockdownGate,
    });
    const notifier = new WebhookNotifier({
      webhooks: config.notifications.webhooks,
      audit,
      publicUrl: config.server.publicUrl,
      clock,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    const inspection = createGatewayInspection(config, clock);
    const approvals = new ApprovalService({
      store: store.approvals,
      audit,
      keys: masterKey,
      config,
      clock,
      notifier,
      // Approvers see the arguments with personal data and secrets masked unless they reveal them.
      maskArguments: (args) => inspection.mask(args),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    let gateway: Gateway | null = null;
    let monitor: Monitor | null = null;
    if (options.gateway === true) {
      try {
        gateway = await openGateway(loaded, clock, store, audit, approvals, inspection, options, agents);
        monitor = new Monitor({
          config,
          audit,
          auditStore: store.audit,
          agents,
          notifier,
          clock,
          ...(options.logger === undefined ? {} : { logger: options.logger }),
        });
      } catch (error) {
        // Invalid policies abort the start; what sync recorded is still checkpointed.
        await audit.close().catch(() => undefined);
        throw error;
      }
    }
    return {
      loaded,
      config,
      clock,
      store,
      audit,
      keys,
      agents,
      tokens,
      approvals,
      notifier,
      inspection,
      adminSessionKey: masterKey.deriveKey('admin-session'),
      gateway,
      monitor,
      async close() {
        try {
          // Alerts being raised are recorded (and their webhooks started) before the log closes.
          await monitor?.close().catch(() => undefined);
          // No new sweeps; deliveries in flight finish (they record their outcome in the audit log).
          await approvals.close().catch(() => undefined);
          await notifier.flush().catch(() => undefined);
          if (gateway !== null) {
            // The upstreams first: no call may still be running when the audit log closes.
            try {
              await gateway.catalog.close();
            } finally {
              gateway.policy.close();
            }
          }
        } finally {
          try {
            await audit.close();
          } finally {
            await store.close();
          }
        }
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function openGateway(
  loaded: LoadedConfig,
  clock: Clock,
  store: Store,
  audit: AuditLog,
  approvals: ApprovalService,
  inspection: GatewayInspection,
  options: OpenWardenOptions,
  agents: AgentService,
): Promise<Gateway> {
  const { config } = loaded;
  const { logger } = options;
  const policy = await PolicyService.load({ config, baseDir: loaded.baseDir, clock });
  for (const warning of policy.summary.warnings) logger?.warn({ dir: policy.summary.dir }, warning);
  const upstreams = options.upstreams;
  const catalog = createUpstreamCatalog({
    servers:
      upstreams === undefined
        ? config.servers
        : Object.fromEntries(Object.entries(config.servers).filter(([name]) => upstreams.includes(name))),
    baseDir: loaded.baseDir,
    clock,
    ...(options.env === undefined ? {} : { env: options.env }),
    // What upstreams print (stderr, error bodies) is logged; a child may echo a credential it was
    // given, so every resolved secret value of the config is masked in those lines.
    ...(logger === undefined ? {} : { logger: scrubbingLogger(logger, loaded.secretValues) }),
  });
  const pipeline = new ToolCallPipeline({
    config,
    authorizer: policy,
    argumentTypes: policy,
    // tools/list shows a tool when some arguments could be allowed or sent for approval
    listing: policy,
    catalog,
    audit,
    agents: store.agents,
    lockdown: agents.lockdownGate,
    clock,
    approvals,
    ...(inspection.inspector === null ? {} : { inspector: inspection.inspector }),
    ...(logger === undefined ? {} : { logger }),
  });
  const llm =
    Object.keys(config.llm.models).length === 0
      ? null
      : new LlmService({ config, policy, audit, clock, ...(logger === undefined ? {} : { logger }) });
  return {
    policy,
    catalog,
    pipeline,
    llm,
    sessions: pipeline.sessions,
    async reloadPolicies(actor: string): Promise<PolicyReloadResult> {
      const previousVersion = policy.version;
      let result: PolicyReloadResult;
      try {
        const summary = await policy.reload({
          beforeSwap: async (next) => {
            await audit.record({
              type: 'policy-reloaded',
              actor,
              detail: {
                previousVersion,
                version: next.version,
                policies: next.policies.length,
                warnings: next.warnings.slice(0, 50),
              },
            });
          },
        });
        result = {
          ok: true,
          previousVersion,
          version: summary.version,
          policies: summary.policies.length,
          warnings: summary.warnings,
        };
        if (result.version !== previousVersion) pipeline.notifyToolsChanged();
      } catch (error) {
        result = {
          ok: false,
          version: previousVersion,
          error: toWardenError(error, 'WARDEN_POLICY_INVALID'),
        };
        await audit.record({
          type: 'policy-reload-failed',
          actor,
          detail: {
            version: previousVersion,
            code: result.error.code,
            message: result.error.message.slice(0, 4000),
          },
        });
      }
      return result;
    },
  };
}

/** A logger that replaces each of `secrets` (at least 4 characters long) wherever it appears. */
export function scrubbingLogger(logger: GatewayLogger, secrets: readonly string[]): GatewayLogger {
  const values = [...new Set(secrets.filter((secret) => secret.length >= 4))].sort(
    (a, b) => b.length - a.length,
  );
  if (values.length === 0) return logger;
  const scrubText = (text: string): string =>
    values.reduce(
      (result, secret) => (result.includes(secret) ? result.split(secret).join('[REDACTED]') : result),
      text,
    );
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return scrubText(value);
    if (depth > 8 || value === null || typeof value !== 'object') return value;
    if (value instanceof Error) return scrubText(value.message);
    if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrub(item, depth + 1)]));
  };
  return {
    info: (fields, message) => logger.info(scrub(fields, 0) as object, scrubText(message)),
    warn: (fields, message) => logger.warn(scrub(fields, 0) as object, scrubText(message)),
    error: (fields, message) => logger.error(scrub(fields, 0) as object, scrubText(message)),
  };
}
