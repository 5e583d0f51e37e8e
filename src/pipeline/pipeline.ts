/**
 * The tool-call pipeline: every call from every front passes resolve → suspension → rate limit →
 * validate → inspect arguments → authorize → record intent → execute → inspect result → record
 * outcome. It fails closed: an error in any stage refuses the call, and the upstream is called only
 * after the intent is durably in the audit log.
 */
import { performance } from 'node:perf_hooks';
import type { AuditEvent, AuditRecorder } from '../audit/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { WardenError, isWardenError } from '../core/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import type {
  AuthorizationRequest,
  Authorizer,
  Decision,
  PolicyAgent,
  PolicySessionLabels,
  PolicyTool,
} from '../policy/index.js';
import { suspendedError } from '../identity/index.js';
import { SessionTracker } from '../sessions/index.js';
import type { CallLabels, ResultLabels } from '../sessions/index.js';
import type { AgentRecord, AgentStore } from '../store/index.js';
import type { CallToolResult, UpstreamCatalog, UpstreamTool } from '../upstream/index.js';
import { ArgumentValidator } from './arguments.js';
import { ToolRateLimiter } from './rate-limit.js';
import { closestNames } from './suggest.js';
import type {
  ApprovalLookup,
  ApprovalRequirement,
  Decider,
  ExecutionClaim,
  NewApprovalRequest,
} from '../approvals/types.js';
import type { ApprovalRecord } from '../store/index.js';
import type {
  CallSession,
  CallerIdentity,
  ContentInspector,
  InspectionFindings,
  ToolCallOutcome,
  ToolCallRequest,
} from './types.js';

/** What the pipeline needs of the approval service (ApprovalService) to hold calls for a person's decision. */
export interface ApprovalGate {
  request(input: NewApprovalRequest): Promise<ApprovalLookup>;
  waitForDecision(
    id: string,
    options: { timeoutMs: number; signal?: AbortSignal; onTick?: (elapsedMs: number) => void },
  ): Promise<ApprovalRecord>;
  claimExecution(id: string): Promise<ExecutionClaim>;
  recordExecution(
    id: string,
    outcome: { result: JsonObject; injection?: boolean } | { error: { code: string; message: string } },
    actor: string,
  ): Promise<void>;
  waitForExecution(id: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<ExecutionClaim>;
  decide(id: string, decider: Decider, decision: 'approve' | 'deny', reason: string): Promise<unknown>;
}

/** The pino-compatible subset of a logger the pipeline writes to. */
export interface PipelineLogger {
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

export interface ToolCallPipelineOptions {
  config: ResolvedConfig;
  authorizer: Authorizer;
  catalog: UpstreamCatalog;
  audit: AuditRecorder;
  /** Where the caller's current status is read on every call, so suspension takes effect on the next call. */
  agents: Pick<AgentStore, 'getById'>;
  /**
   * The lockdown in force (AgentService.lockdownGate): the suspension stage refuses a non-excepted
   * agent while one is, whatever its own status, and tools/list shows it nothing.
   */
  lockdown?: {
    refusal(agentName: string): Promise<WardenError | null>;
    blocksNow(agentName: string): boolean;
  };
  /**
   * Checks that the arguments a tool declares for policy have their declared types
   * (PolicyService.checkArguments). Without it a mismatch is still denied by the authorizer, but
   * as WARDEN_POLICY_DENIED rather than WARDEN_INVALID_ARGUMENTS.
   */
  argumentTypes?: { checkArguments(toolName: string, args: JsonObject): WardenError | null };
  /**
   * For tools/list: whether a tool could be allowed or sent for approval with some arguments (for
   * example by Cedar partial evaluation with the arguments unknown). Without it the list is decided
   * with empty arguments, which hides tools whose policies test argument values.
   */
  listing?: { mayCall(request: Omit<AuthorizationRequest, 'arguments'>): boolean };
  clock: Clock;
  /** Content inspection of arguments and results; without it content passes as it is. */
  inspector?: ContentInspector;
  /**
   * Holds calls that need approval until a person decides. Without it such calls are refused
   * with WARDEN_APPROVAL_REQUIRED.
   */
  approvals?: ApprovalGate;
  /**
   * Session and task labels (what each session read, whether it saw untrusted content), which
   * policies see in `context.session`. Without it the pipeline keeps its own, per config `sessions`.
   */
  sessions?: SessionTracker;
  logger?: PipelineLogger;
}

/** Longest tool name quoted back in errors and audit subjects. */
const MAX_QUOTED_NAME = 200;

type Stage =
  | 'resolve'
  | 'suspension'
  | 'rate-limit'
  | 'validate'
  | 'labels'
  | 'inspect-arguments'
  | 'authorize'
  | 'record-intent'
  | 'execute'
  | 'inspect-result'
  | 'record-outcome';

/**
 * Runs tool calls through Warden's checks. One instance serves every front and every session.
 *
 * @example
 * const pipeline = new ToolCallPipeline({ config, authorizer: policy, catalog, audit, agents: store.agents, clock });
 * const outcome = await pipeline.callTool({ caller, session, toolName: 'crm__read_customer', arguments: { id: 'c1' }, clientIp, requestId });
 * if (outcome.kind === 'refused') console.log(outcome.error.code, outcome.error.message);
 */
export class ToolCallPipeline {
  readonly #config: ResolvedConfig;
  readonly #authorizer: Authorizer;
  readonly #catalog: UpstreamCatalog;
  readonly #audit: AuditRecorder;
  readonly #agents: Pick<AgentStore, 'getById'>;
  readonly #lockdown: NonNullable<ToolCallPipelineOptions['lockdown']> | null;
  readonly #argumentTypes: ToolCallPipelineOptions['argumentTypes'];
  readonly #listing: ToolCallPipelineOptions['listing'];
  readonly #clock: Clock;
  readonly #inspector: ContentInspector | undefined;
  readonly #approvals: ApprovalGate | undefined;
  readonly #logger: PipelineLogger | undefined;
  readonly #validator = new ArgumentValidator();
  readonly #rateLimiter: ToolRateLimiter;
  /** Policy view of every declared tool, by exposed name. */
  readonly #policyTools: ReadonlyMap<string, PolicyTool>;
  readonly #toolListeners = new Set<() => void>();
  readonly #sessions: SessionTracker;
  /** The session and task labels each call in flight updates. */
  readonly #callLabels = new WeakMap<ToolCallRequest, CallLabels>();

  constructor(options: ToolCallPipelineOptions) {
    this.#config = options.config;
    this.#authorizer = options.authorizer;
    this.#catalog = options.catalog;
    this.#audit = options.audit;
    this.#agents = options.agents;
    this.#lockdown = options.lockdown ?? null;
    this.#argumentTypes = options.argumentTypes;
    this.#listing = options.listing;
    this.#clock = options.clock;
    this.#inspector = options.inspector;
    this.#approvals = options.approvals;
    this.#logger = options.logger;
    this.#rateLimiter = new ToolRateLimiter(options.config.agents, options.clock);
    this.#sessions =
      options.sessions ??
      new SessionTracker({
        dataClasses: options.config.dataClasses.map((dataClass) => dataClass.name),
        clock: options.clock,
        taskIdleTimeoutSeconds: options.config.sessions.taskIdleTimeout,
        maxTasksPerAgent: options.config.sessions.maxTasksPerAgent,
      });
    const policyTools = new Map<string, PolicyTool>();
    for (const [server, serverConfig] of Object.entries(options.config.servers)) {
      for (const [tool, toolConfig] of Object.entries(serverConfig.tools)) {
        const name = `${server}__${tool}`;
        policyTools.set(name, {
          name,
          server,
          tool,
          risk: toolConfig.risk,
          classification: toolConfig.classification ?? null,
          untrustedOutput: toolConfig.untrustedOutput,
        });
      }
    }
    this.#policyTools = policyTools;
    this.#catalog.onToolsChanged(() => this.notifyToolsChanged());
  }

  /**
   * The tools `caller` may see: those the catalog offers that policy lets it call or send for
   * approval. Without a `listing` option this is decided with empty arguments and the current
   * context, an approximation: a tool whose policies test argument values may be hidden although
   * some calls to it would be allowed, and every call is decided again, with its real arguments,
   * when it is made. `clientIp` is the address the listing request came from, so address-based
   * rules list what they would allow. An agent in shadow mode sees every tool (its calls are let
   * through); a suspended agent sees none.
   */
  listTools(caller: CallerIdentity, session: CallSession, clientIp: string | null = null): UpstreamTool[] {
    const tools = this.#catalog.listTools();
    if (caller.agent.status !== 'active') return [];
    if (this.#lockdown?.blocksNow(caller.agent.name) === true) return [];
    if (this.#modeOf(caller.agent) === 'shadow') return tools;
    const agent = policyAgent(caller.agent, caller.roles);
    const time = this.#clock.now();
    const labels = this.#sessions.sessionLabels(session.id);
    return tools.filter((tool) => {
      const policyTool = this.#policyTools.get(tool.exposedName);
      if (policyTool === undefined) return false;
      const request = {
        agent,
        tool: policyTool,
        time,
        clientIp,
        session: {
          id: session.id,
          callCount: session.callCount,
          toolCallCount: session.toolCallCounts.get(tool.exposedName) ?? 0,
          ...(labels === undefined ? {} : { labels }),
        },
      };
      if (this.#listing !== undefined) {
        try {
          return this.#listing.mayCall(request);
        } catch (error) {
          this.#logger?.error({ err: error, tool: tool.exposedName }, 'the tool listing check threw');
          return false;
        }
      }
      const decision = this.#decide({ ...request, arguments: {} });
      return decision.kind === 'allow' || decision.kind === 'approval_required';
    });
  }

  /**
   * Subscribes to changes of the tool set agents may see (the catalog's tools changed, or
   * notifyToolsChanged was called after a policy reload). Returns the unsubscribe function.
   */
  onToolsChanged(listener: () => void): () => void {
    this.#toolListeners.add(listener);
    return () => this.#toolListeners.delete(listener);
  }

  /** Session and task labels: what each session and task read and did (`warden.gateway.sessions`). */
  get sessions(): SessionTracker {
    return this.#sessions;
  }

  /** A session ended: what was kept for it (tokens of its results, its labels) is forgotten. */
  endSession(sessionId: string): void {
    this.#sessions.end(sessionId);
    try {
      this.#inspector?.endSession?.(sessionId);
    } catch (error) {
      this.#logger?.warn({ err: error, session: sessionId }, 'forgetting a session failed');
    }
  }

  /** Tells subscribers the visible tool set may have changed (call it after a policy reload). */
  notifyToolsChanged(): void {
    for (const listener of this.#toolListeners) {
      try {
        listener();
      } catch (error) {
        this.#logger?.warn({ err: error }, 'a tools-changed listener failed');
      }
    }
  }

  /**
   * Runs one tool call through every stage. Never throws: a refusal is returned as
   * `{ kind: 'refused', error }` with a WardenError saying what happened and what to do.
   */
  async callTool(request: ToolCallRequest): Promise<ToolCallOutcome> {
    try {
      return await this.#callTool(request);
    } finally {
      // The call is over: it no longer keeps its session's or task's labels from expiring.
      const labels = this.#callLabels.get(request);
      if (labels !== undefined) {
        this.#callLabels.delete(request);
        this.#sessions.leave(labels);
      }
    }
  }

  async #callTool(request: ToolCallRequest): Promise<ToolCallOutcome> {
    let stage: Stage = 'suspension';
    try {
      // suspension, read fresh from the store; first, so a suspended agent learns nothing more
      if (sessionEnded(request)) return await this.#refuse(request, stage, sessionEndedError());
      const agent = await this.#currentAgent(request.caller.agent);
      if (agent.status !== 'active') return await this.#refuse(request, stage, suspendedError(agent));
      const lockdown = await this.#lockdownRefusal(agent);
      if (lockdown !== null) return await this.#refuse(request, stage, lockdown);
      // The session may have ended while this call waited (its labels must not be created again).
      if (sessionEnded(request)) return await this.#refuse(request, stage, sessionEndedError());

      // rate limit, before any costly work (an unknown name is limited by the agent's `*` bucket)
      stage = 'rate-limit';
      const rate = this.#rateLimiter.take(agent.name, request.toolName);
      if (!rate.ok) {
        const scope = rate.key === '*' ? 'its tool calls' : rate.key;
        return await this.#refuse(
          request,
          stage,
          new WardenError(
            'WARDEN_RATE_LIMITED',
            `agent "${agent.name}" is over its rate limit for ${scope} (${rate.requests} per ${rate.perSeconds} s); retry after ${rate.retryAfterSeconds} s`,
            {
              agent: agent.name,
              tool: request.toolName.slice(0, MAX_QUOTED_NAME),
              limit: rate.key,
              retryAfterSeconds: rate.retryAfterSeconds,
            },
          ),
        );
      }

      // resolve
      stage = 'resolve';
      const tool = this.#catalog.getTool(request.toolName);
      if (tool === undefined) return await this.#refuse(request, stage, this.#unknownTool(request));
      const policyTool = this.#policyTools.get(tool.exposedName);
      if (policyTool === undefined) {
        throw new WardenError(
          'WARDEN_INTERNAL',
          `tool ${tool.exposedName} is offered by the catalog but not declared in the config`,
        );
      }

      // validate
      stage = 'validate';
      const validation = this.#validate(tool, request.arguments);
      if (validation !== null) return await this.#refuse(request, stage, validation);

      // labels: the session's, and its task's when the call names one (a bad or new task id over
      // the agent's limit is refused here)
      stage = 'labels';
      const labels = this.#sessions.enter(
        request.session.id,
        agent.name,
        this.#sessions.taskOf(request.meta),
      );
      this.#callLabels.set(request, labels);

      // inspect arguments: tokens restored, findings counted, values masked or blocked per config
      stage = 'inspect-arguments';
      let args = request.arguments;
      let findings: InspectionFindings | null = null;
      let recordedArguments = args;
      if (this.#inspector !== undefined) {
        const inspected = this.#inspector.inspectArguments(request, tool, args, agent);
        findings = inspected.findings;
        recordedArguments = inspected.masked ?? inspected.arguments;
        if (inspected.arguments !== args) {
          // What inspection rewrote must still be valid arguments for the upstream.
          const revalidation = this.#validate(tool, inspected.arguments);
          if (revalidation !== null) return await this.#refuse(request, stage, revalidation);
          args = inspected.arguments;
        }
      }

      // authorize
      stage = 'authorize';
      const decision = this.#decide(this.#authorization(request, agent, policyTool, args, findings));
      const shadow = this.#modeOf(agent) === 'shadow';
      const intent = this.#intentEvent(request, agent, tool, recordedArguments, decision, shadow, findings);
      this.#noteCall(request.session, tool.exposedName, shadow ? 'allow' : decision.kind);
      this.#sessions.noteDecision(labels, tool.exposedName, shadow ? 'allow' : decision.kind);

      // record intent: durably, before the upstream is called
      stage = 'record-intent';
      if (decision.kind === 'approval_required' && !shadow && this.#approvals !== undefined) {
        return await this.#held(request, agent, tool, args, decision, intent, this.#approvals, findings);
      }
      if (decision.kind !== 'allow' && !shadow) {
        const error = decisionError(decision, agent.name, tool.exposedName, this.#approvals !== undefined);
        await this.#recordBestEffort(intent, request);
        return { kind: 'refused', error };
      }
      const recorded = await this.#recordIntent(request, agent, tool, intent);
      if (recorded !== null) return recorded;
      stage = 'execute';
      return await this.#run(request, agent, tool, args);
    } catch (error) {
      const refusal = this.#asRefusal(error, stage, request.toolName.slice(0, MAX_QUOTED_NAME));
      return this.#refuse(request, stage, refusal);
    }
  }

  /**
   * Counts the call on its session and records its intent durably. Returns null when recorded, or
   * the refusal when the audit log could not take it (the count is given back; nothing runs).
   */
  async #recordIntent(
    request: ToolCallRequest,
    agent: AgentRecord,
    tool: UpstreamTool,
    intent: AuditEvent,
  ): Promise<ToolCallOutcome | null> {
    // Count the call now, before any await: parallel calls on one session must each see the
    // counts of those before them. Given back if the intent cannot be recorded.
    const previousToolCount = request.session.toolCallCounts.get(tool.exposedName) ?? 0;
    request.session.callCount += 1;
    request.session.toolCallCounts.set(tool.exposedName, previousToolCount + 1);
    const labels = this.#callLabels.get(request);
    const giveBack =
      labels === undefined
        ? undefined
        : this.#sessions.noteCall(
            labels,
            tool.exposedName,
            this.#policyTools.get(tool.exposedName)?.risk ?? 'read',
          );
    try {
      await this.#audit.record(intent);
      return null;
    } catch (error) {
      giveBack?.();
      request.session.callCount -= 1;
      request.session.toolCallCounts.set(
        tool.exposedName,
        (request.session.toolCallCounts.get(tool.exposedName) ?? 1) - 1,
      );
      this.#logger?.error(
        { err: error, tool: tool.exposedName, agent: agent.name, requestId: request.requestId },
        'the audit log refused a tool call intent; the call was refused',
      );
      return {
        kind: 'refused',
        error: new WardenError(
          'WARDEN_AUDIT_UNAVAILABLE',
          `the call to ${tool.exposedName} was refused because Warden could not record it in the audit log (${isWardenError(error) ? error.code : 'error'}); nothing was executed. Retry later; an administrator should check the store`,
          { tool: tool.exposedName },
        ),
      };
    }
  }

  /** Execute, inspect the result, record the outcome: the stages after a recorded intent. */
  async #run(
    request: ToolCallRequest,
    agent: AgentRecord,
    tool: UpstreamTool,
    args: JsonObject,
    approvalId?: string,
    found?: { injection: boolean },
  ): Promise<ToolCallOutcome> {
    let stage: Stage = 'execute';
    const started = performance.now();
    let result: CallToolResult;
    let resultFindings: InspectionFindings | null = null;
    let injection = false;
    try {
      result = await this.#catalog.callTool(tool.exposedName, args, {
        ...(request.signal === undefined ? {} : { signal: request.signal }),
        ...(request.meta === undefined ? {} : { meta: request.meta }),
        ...(request.onProgress === undefined ? {} : { onProgress: request.onProgress }),
      });
      stage = 'inspect-result';
      if (this.#inspector !== undefined) {
        try {
          const inspected = this.#inspector.inspectResult(request, tool, result, agent);
          result = inspected.result;
          resultFindings = inspected.findings;
          injection = inspected.injection;
          if (found !== undefined) found.injection = injection;
        } catch (error) {
          // An injection the policy blocks still marks the session: it received untrusted content.
          if (isWardenError(error, 'WARDEN_INJECTION_BLOCKED')) {
            this.#noteResult(request, tool, { classes: [], bytes: 0, untrusted: true, injection: true });
          }
          throw error;
        }
      }
      // The session (and task) now holds what came back, whether or not its outcome is recorded.
      this.#noteResult(request, tool, {
        classes: [],
        bytes: Math.max(0, resultSize(result)),
        untrusted: injection,
        injection,
      });
    } catch (error) {
      const refusal = this.#maskedUpstreamError(this.#asRefusal(error, stage, tool.exposedName));
      await this.#recordBestEffort(
        {
          type: 'tool-call-failed',
          actor: `agent:${agent.name}`,
          session: request.session.id,
          subject: `tool:${tool.exposedName}`,
          detail: {
            requestId: request.requestId,
            stage,
            code: refusal.code,
            message: refusal.message.slice(0, 500),
            durationMs: roundMs(performance.now() - started),
            ...(approvalId === undefined ? {} : { approvalId }),
            ...this.#auditLabels(request),
          },
        },
        request,
      );
      return { kind: 'refused', error: refusal };
    }

    // record outcome
    const durationMs = roundMs(performance.now() - started);
    try {
      await this.#audit.record({
        type: 'tool-call-completed',
        actor: `agent:${agent.name}`,
        session: request.session.id,
        subject: `tool:${tool.exposedName}`,
        detail: {
          requestId: request.requestId,
          durationMs,
          resultBytes: resultSize(result),
          isError: result.isError === true,
          ...(resultFindings === null ? {} : { findings: findingsDetail(resultFindings) }),
          ...(injection ? { injection: true } : {}),
          ...(approvalId === undefined ? {} : { approvalId }),
          ...this.#auditLabels(request),
        },
      });
    } catch (error) {
      this.#logger?.error(
        { err: error, tool: tool.exposedName, agent: agent.name, requestId: request.requestId },
        'the audit log refused a tool call outcome; the result was withheld',
      );
      return {
        kind: 'refused',
        error: new WardenError(
          'WARDEN_AUDIT_UNAVAILABLE',
          `${tool.exposedName} ran, but Warden could not record its outcome in the audit log, so the result is withheld. Do not simply retry a call that changes something; an administrator should check the store`,
          { tool: tool.exposedName, executed: true },
        ),
      };
    }
    return { kind: 'result', result };
  }

  /**
   * A call that needs a person's approval: find or record the request, wait for the decision (with
   * progress, or by asking the client's user for `@interactive` approvals), and run the call only
   * once it is approved — exactly once, however many retries arrive.
   */
  async #held(
    request: ToolCallRequest,
    agent: AgentRecord,
    tool: UpstreamTool,
    args: JsonObject,
    decision: Extract<Decision, { kind: 'approval_required' }>,
    intent: AuditEvent,
    approvals: ApprovalGate,
    findings: InspectionFindings | null,
  ): Promise<ToolCallOutcome> {
    const settings = this.#config.approvals;
    const requirement: ApprovalRequirement = decision.approval ?? {
      reason: decision.message,
      policyIds: decision.policies.map((policy) => policy.id),
      required: 1,
      expirySeconds: null,
      interactive: false,
      groups: [],
    };
    const namedId = request.meta?.['warden/approvalId'];
    const base = {
      agent,
      tool: tool.exposedName,
      risk: this.#policyTools.get(tool.exposedName)?.risk ?? 'read',
      arguments: args,
      requirement,
      sessionId: request.session.id,
      recentCalls: (request.session.recentCalls ?? []).slice(-settings.recentCalls - 1, -1),
      labels: [
        this.#policyTools.get(tool.exposedName)?.risk ?? 'read',
        ...this.#policyLabels(request, agent).labels,
      ],
    };
    let lookup;
    let newRequestNote = '';
    try {
      lookup = await approvals.request({
        ...base,
        ...(typeof namedId === 'string' ? { approvalId: namedId.slice(0, 100) } : {}),
      });
    } catch (error) {
      if (
        !isWardenError(error, 'WARDEN_APPROVAL_ARGUMENTS_CHANGED') &&
        !isWardenError(error, 'WARDEN_APPROVAL_NOT_FOUND')
      )
        throw error;
      // Changed arguments (or an unknown id) need a request of their own.
      lookup = await approvals.request(base);
      newRequestNote = ` (a new request: ${error.code === 'WARDEN_APPROVAL_NOT_FOUND' ? 'the request named in warden/approvalId was not found' : 'the request named in warden/approvalId was for other arguments, and an approval covers only the exact call it was asked for'})`;
    }
    let approval = lookup.approval;
    await this.#audit.record({
      ...intent,
      detail: { ...intent.detail, approvalId: approval.id, approvalStatus: approval.status },
    });

    const waitStarted = performance.now();
    const waitMs = settings.wait * 1000;
    if (approval.status === 'pending' && requirement.interactive && request.elicit !== undefined) {
      approval = await this.#askClient(request, agent, tool, approval, approvals, waitMs);
    }
    const remainingMs = Math.max(0, waitMs - (performance.now() - waitStarted));
    if (approval.status === 'pending' && remainingMs > 0) {
      const total = settings.wait;
      // Tell the client at once what it waits for (and the request id, should it give up waiting).
      request.onProgress?.({
        progress: 0,
        total,
        message: `waiting for a person to approve ${tool.exposedName} (request ${approval.id})`,
      });
      approval = await approvals.waitForDecision(approval.id, {
        timeoutMs: remainingMs,
        ...(request.signal === undefined ? {} : { signal: request.signal }),
        onTick: (elapsedMs) =>
          request.onProgress?.({
            // seconds waited, to a tenth: progress must grow from one notification to the next
            progress: Math.min(total, Math.max(0.1, Math.round(elapsedMs / 100) / 10)),
            total,
            message: `waiting for a person to approve ${tool.exposedName} (request ${approval.id})`,
          }),
      });
    }
    if (approval.status !== 'approved' && approval.status !== 'executing' && approval.status !== 'executed') {
      return {
        kind: 'refused',
        error: approvalError(approval, agent.name, tool.exposedName, newRequestNote),
      };
    }
    if (approval.status === 'approved') {
      // Time passed while the call waited: the agent may have been suspended, or policy changed.
      const recheck = await this.#recheckHeld(request, agent, tool, args, approval, findings);
      if (recheck !== null) return recheck;
    }
    let claim: ExecutionClaim = await approvals.claimExecution(approval.id);
    if (claim.kind === 'executing') {
      claim = await approvals.waitForExecution(approval.id, {
        timeoutMs: Math.max(waitMs, 5000),
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      });
    }
    switch (claim.kind) {
      case 'executed':
        // A replayed result is content this session now holds, like a fresh one.
        if (claim.result !== null) {
          // What the original run found travels with the recorded result; a record from before the
          // flag was kept (undefined) is treated as untrusted content (fail closed).
          this.#noteResult(request, tool, {
            classes: [],
            bytes: Math.max(0, resultSize(claim.result as CallToolResult)),
            untrusted: claim.injection !== false,
            injection: claim.injection === true,
          });
        }
        if (claim.result !== null) return { kind: 'result', result: claim.result as CallToolResult };
        return { kind: 'refused', error: alreadyExecutedError(claim.approval, tool.exposedName) };
      case 'executing':
        return {
          kind: 'refused',
          error: new WardenError(
            'WARDEN_APPROVAL_ALREADY_EXECUTED',
            `the approved call to ${tool.exposedName} (request ${approval.id}) is being executed by an earlier retry; it runs only once. Retry the same call shortly to get its recorded result`,
            { approvalId: approval.id, tool: tool.exposedName, status: 'executing' },
          ),
        };
      case 'not-approved':
        return { kind: 'refused', error: approvalError(claim.approval, agent.name, tool.exposedName, '') };
      case 'claimed':
        break;
    }

    // This caller runs the approved call, once.
    const allowed: AuditEvent = {
      ...intent,
      type: 'tool-call-allowed',
      decision: 'allow',
      detail: {
        ...intent.detail,
        approvalId: approval.id,
        approvedBy: claim.approval.votes.map((vote) => vote.by),
      },
    };
    const recorded = await this.#recordIntent(request, agent, tool, allowed);
    if (recorded !== null) {
      await this.#recordExecutionBestEffort(
        approvals,
        approval.id,
        {
          error: {
            code: recorded.kind === 'refused' ? recorded.error.code : 'WARDEN_INTERNAL',
            message: 'not executed: the audit log could not record the intent',
          },
        },
        agent,
        request,
      );
      return recorded;
    }
    const found = { injection: false };
    const outcome = await this.#run(request, agent, tool, args, approval.id, found);
    await this.#recordExecutionBestEffort(
      approvals,
      approval.id,
      outcome.kind === 'result'
        ? { result: outcome.result as unknown as JsonObject, injection: found.injection }
        : { error: { code: outcome.error.code, message: outcome.error.message.slice(0, 500) } },
      agent,
      request,
    );
    return outcome;
  }

  /**
   * Before an approved call runs: the agent must still be active and policy must still send the call
   * for approval (or allow it). Returns the refusal, or null to go on.
   */
  async #recheckHeld(
    request: ToolCallRequest,
    agent: AgentRecord,
    tool: UpstreamTool,
    args: JsonObject,
    approval: ApprovalRecord,
    findings: InspectionFindings | null,
  ): Promise<ToolCallOutcome | null> {
    const current = await this.#currentAgent(agent);
    if (current.status !== 'active') return this.#refuse(request, 'suspension', suspendedError(current));
    const lockdown = await this.#lockdownRefusal(current);
    if (lockdown !== null) return this.#refuse(request, 'suspension', lockdown);
    const policyTool = this.#policyTools.get(tool.exposedName);
    if (policyTool === undefined) return null;
    const decision = this.#decide(this.#authorization(request, current, policyTool, args, findings));
    if (decision.kind === 'allow') return null;
    if (decision.kind === 'approval_required') {
      // Policy may have been tightened meanwhile: the approval must still cover what it now asks.
      const now = decision.approval;
      const groupsCovered =
        approval.groups.length === 0
          ? now?.groups.length === 0
          : (now?.groups ?? []).every((group) => approval.groups.includes(group));
      const covered = now === undefined || (now.required <= approval.required && groupsCovered);
      if (covered) return null;
      return {
        kind: 'refused',
        error: new WardenError(
          'WARDEN_APPROVAL_PENDING',
          `request ${approval.id} was approved, but policy now asks more of its approval (${now.required} approval(s)${now.groups.length > 0 ? ` from ${now.groups.join(', ')}` : ''}); nothing was executed. Call again without warden/approvalId to make a new request`,
          { approvalId: approval.id, tool: tool.exposedName },
        ),
      };
    }
    const error = new WardenError(
      'WARDEN_POLICY_DENIED',
      `request ${approval.id} was approved, but policy now denies the call: ${decision.message}. Nothing was executed`,
      {
        approvalId: approval.id,
        tool: tool.exposedName,
        policies: decision.policies.map((policy) => policy.id),
      },
    );
    await this.#recordBestEffort(
      {
        type: 'tool-call-denied',
        actor: `agent:${agent.name}`,
        session: request.session.id,
        subject: `tool:${tool.exposedName}`,
        decision: 'deny',
        policyIds: decision.policies.map((policy) => policy.id),
        detail: {
          requestId: request.requestId,
          approvalId: approval.id,
          message: decision.message.slice(0, 1000),
        },
      },
      request,
    );
    return { kind: 'refused', error };
  }

  async #recordExecutionBestEffort(
    approvals: ApprovalGate,
    id: string,
    outcome: Parameters<ApprovalGate['recordExecution']>[1],
    agent: AgentRecord,
    request: ToolCallRequest,
  ): Promise<void> {
    try {
      await approvals.recordExecution(id, outcome, `agent:${agent.name}`);
    } catch (error) {
      this.#logger?.error(
        { err: error, approvalId: id, requestId: request.requestId },
        'could not record the execution of an approved call; retries will see it as still executing',
      );
    }
  }

  /** `@interactive`: asks the client's own user; the answer is recorded like any other decision. */
  async #askClient(
    request: ToolCallRequest,
    agent: AgentRecord,
    tool: UpstreamTool,
    approval: ApprovalRecord,
    approvals: ApprovalGate,
    waitMs: number,
  ): Promise<ApprovalRecord> {
    const elicit = request.elicit;
    if (elicit === undefined) return approval;
    const timeout = AbortSignal.timeout(Math.max(waitMs, 1000));
    const signal = request.signal === undefined ? timeout : AbortSignal.any([timeout, request.signal]);
    let answer;
    try {
      answer = await elicit(
        `Warden: agent "${agent.name}" wants to call ${tool.exposedName}. ${approval.reason}. Approve this call (request ${approval.id})?`,
        signal,
      );
    } catch (error) {
      // The client could not ask (no elicitation support, timeout): the request waits for approvers.
      this.#logger?.warn(
        { err: error, approvalId: approval.id },
        'asking the client to approve failed; waiting for approvers',
      );
      return approval;
    }
    const approve = answer.action === 'accept' && answer.content?.approve !== false;
    try {
      await approvals.decide(
        approval.id,
        { actor: `elicitation:${agent.name}`, email: null, roles: ['approver'], groups: [] },
        approve ? 'approve' : 'deny',
        approve
          ? "approved by the agent's user when the client asked"
          : `the agent's user answered "${answer.action}" when the client asked`,
      );
    } catch (error) {
      if (!isWardenError(error)) throw error;
      this.#logger?.warn({ code: error.code, approvalId: approval.id }, 'the client answer was not recorded');
    }
    return (await approvals.waitForDecision(approval.id, { timeoutMs: 0 })) ?? approval;
  }

  /** Keeps the session's latest calls for approvers to see. */
  #noteCall(session: CallSession, tool: string, decision: string): void {
    const keep = Math.min(50, this.#config.approvals.recentCalls) + 1;
    const recent = (session.recentCalls ??= []);
    recent.push({ tool, decision, at: new Date(this.#clock.now()).toISOString() });
    if (recent.length > keep) recent.splice(0, recent.length - keep);
  }

  /**
   * Adds what a result carried to its session's and task's labels: the tool's classification and
   * `untrustedOutput` from config, plus an injection content inspection found in it.
   */
  #noteResult(request: ToolCallRequest, tool: UpstreamTool, found: ResultLabels): void {
    const labels = this.#callLabels.get(request);
    if (labels === undefined) return;
    const policyTool = this.#policyTools.get(tool.exposedName);
    this.#sessions.noteResult(labels, {
      classes: [policyTool?.classification ?? null, ...found.classes],
      bytes: found.bytes,
      untrusted: found.untrusted || policyTool?.untrustedOutput === true,
      injection: found.injection,
    });
  }

  /** The labels policy sees for this call (a fresh session's when none were entered). */
  #policyLabels(request: ToolCallRequest, agent: AgentRecord): PolicySessionLabels {
    const labels =
      this.#callLabels.get(request) ??
      this.#sessions.enter(request.session.id, agent.name, this.#sessions.taskOf(request.meta));
    return this.#sessions.policyLabels(labels);
  }

  /** `{ labels: {...} }` for an audit detail, or nothing when the call has no labels yet. */
  #auditLabels(request: ToolCallRequest): JsonObject {
    const labels = this.#callLabels.get(request);
    return labels === undefined ? {} : { labels: this.#sessions.auditLabels(labels) };
  }

  /** Turns anything thrown in `stage` into the WardenError the caller gets; unexpected errors are logged. */
  #asRefusal(error: unknown, stage: Stage, toolName: string): WardenError {
    if (isWardenError(error)) return error;
    this.#logger?.error({ err: error, stage, tool: toolName }, 'a tool call stage failed unexpectedly');
    return new WardenError(
      'WARDEN_INTERNAL',
      `the call to ${toolName} was refused because Warden's ${stage} stage failed unexpectedly; the server log has the details`,
      { tool: toolName, stage },
    );
  }

  /** Records a refusal that happened before or instead of execution (best effort) and returns it. */
  async #refuse(request: ToolCallRequest, stage: Stage, error: WardenError): Promise<ToolCallOutcome> {
    await this.#recordBestEffort(
      {
        type: 'tool-call-refused',
        actor: `agent:${request.caller.agent.name}`,
        session: request.session.id,
        subject: `tool:${request.toolName.slice(0, MAX_QUOTED_NAME)}`,
        detail: {
          requestId: request.requestId,
          stage,
          code: error.code,
          message: error.message.slice(0, 500),
          // A refusal by the inspection stage may be about what the arguments hold: keep them out.
          // Otherwise they are recorded with personal data and secrets masked.
          ...(stage === 'inspect-arguments' ? {} : { arguments: this.#masked(request.arguments) }),
          clientIp: request.clientIp,
        },
      },
      request,
    );
    return { kind: 'refused', error };
  }

  /**
   * An upstream's own error message (WARDEN_UPSTREAM_ERROR) is tool output too: with inspection on,
   * personal data and secrets in it are masked before the agent or the audit log sees it.
   */
  #maskedUpstreamError(error: WardenError): WardenError {
    if (error.code !== 'WARDEN_UPSTREAM_ERROR' || this.#inspector?.mask === undefined) return error;
    const upstreamMessage = error.details.upstreamMessage;
    const masked = this.#masked({
      message: error.message,
      ...(typeof upstreamMessage === 'string' ? { upstreamMessage } : {}),
    });
    return new WardenError(
      error.code,
      typeof masked.message === 'string' ? masked.message : 'the upstream answered with an error',
      {
        ...error.details,
        ...(typeof upstreamMessage === 'string' ? { upstreamMessage: masked.upstreamMessage ?? null } : {}),
      },
    );
  }

  /** `args` with personal data and secrets masked for the audit log, when inspection is on. */
  #masked(args: JsonObject): JsonObject {
    if (this.#inspector?.mask === undefined) return args;
    try {
      return this.#inspector.mask(args);
    } catch {
      return { '[WITHHELD]': 'the arguments could not be inspected' };
    }
  }

  /** Records an event whose failure cannot change the answer (the call is refused anyway). */
  async #recordBestEffort(event: AuditEvent, request: ToolCallRequest): Promise<void> {
    try {
      await this.#audit.record(event);
    } catch (error) {
      this.#logger?.error(
        { err: error, type: event.type, requestId: request.requestId },
        'could not record a tool call event in the audit log',
      );
    }
  }

  #intentEvent(
    request: ToolCallRequest,
    agent: AgentRecord,
    tool: UpstreamTool,
    args: JsonObject,
    decision: Decision,
    shadow: boolean,
    findings: InspectionFindings | null,
  ): AuditEvent {
    const type =
      decision.kind === 'allow'
        ? 'tool-call-allowed'
        : shadow
          ? 'tool-call-shadow-denied'
          : decision.kind === 'deny'
            ? 'tool-call-denied'
            : 'tool-call-approval-required';
    return {
      type,
      actor: `agent:${agent.name}`,
      session: request.session.id,
      subject: `tool:${tool.exposedName}`,
      decision: decision.kind,
      policyIds: decision.policies.map((policy) => policy.id),
      detail: {
        arguments: args,
        policyVersion: this.#authorizer.version,
        requestId: request.requestId,
        clientIp: request.clientIp,
        ...(decision.kind === 'allow' ? {} : { message: decision.message.slice(0, 1000) }),
        ...(shadow ? { mode: 'shadow' } : {}),
        ...(findings === null ? {} : { findings: findingsDetail(findings) }),
        ...this.#auditLabels(request),
      },
    };
  }

  /** What policy decides on: the agent with the roles its credential carries, and the call as it is now. */
  #authorization(
    request: ToolCallRequest,
    agent: AgentRecord,
    tool: PolicyTool,
    args: JsonObject,
    findings: InspectionFindings | null,
  ): AuthorizationRequest {
    return {
      agent: policyAgent(
        agent,
        request.caller.roles.filter((role) => agent.roles.includes(role)),
      ),
      tool,
      arguments: args,
      time: this.#clock.now(),
      clientIp: request.clientIp,
      session: {
        id: request.session.id,
        callCount: request.session.callCount,
        toolCallCount: request.session.toolCallCounts.get(tool.name) ?? 0,
        labels: this.#policyLabels(request, agent),
      },
      ...(findings === null ? {} : { findings }),
    };
  }

  /** Schema and declared-argument checks; the refusal, or null when the arguments are fine. */
  #validate(tool: UpstreamTool, args: JsonObject): WardenError | null {
    try {
      this.#validator.check(tool, args);
      return this.#argumentTypes?.checkArguments(tool.exposedName, args) ?? null;
    } catch (error) {
      if (isWardenError(error)) return error;
      throw error;
    }
  }

  /** Authorizer.decide, failing closed: a throw or a malformed decision is a deny. */
  #decide(request: Parameters<Authorizer['decide']>[0]): Decision {
    let decision: Decision;
    try {
      decision = this.#authorizer.decide(request);
    } catch (error) {
      this.#logger?.error({ err: error, tool: request.tool.name }, 'policy evaluation threw');
      return {
        kind: 'deny',
        policies: [],
        message:
          'policy evaluation failed, so the call is denied (fail closed); the server log has the details',
      };
    }
    const valid =
      decision !== null &&
      typeof decision === 'object' &&
      (decision.kind === 'allow' || decision.kind === 'deny' || decision.kind === 'approval_required') &&
      Array.isArray(decision.policies) &&
      (decision.kind === 'allow' || typeof decision.message === 'string');
    if (!valid) {
      return {
        kind: 'deny',
        policies: [],
        message: 'the policy engine returned a malformed decision, so the call is denied (fail closed)',
      };
    }
    return decision;
  }

  /** The lockdown's refusal of `agent`, or null (no lockdown in force, excepted, or no gate). */
  async #lockdownRefusal(agent: AgentRecord): Promise<WardenError | null> {
    if (this.#lockdown === null) return null;
    try {
      return await this.#lockdown.refusal(agent.name);
    } catch (error) {
      // Fail closed: a lockdown state that cannot be read refuses the call.
      return new WardenError(
        'WARDEN_STORE_UNAVAILABLE',
        'Warden could not read whether a lockdown is in force, so the call is refused; retry later',
        { agent: agent.name },
        { cause: error },
      );
    }
  }

  async #currentAgent(caller: AgentRecord): Promise<AgentRecord> {
    let agent: AgentRecord | null;
    try {
      agent = await this.#agents.getById(caller.id);
    } catch (error) {
      throw isWardenError(error)
        ? error
        : new WardenError(
            'WARDEN_STORE_UNAVAILABLE',
            'the store did not answer while checking the agent, so the call is refused; retry later',
            {},
            { cause: error },
          );
    }
    if (agent === null) {
      throw new WardenError(
        'WARDEN_AGENT_NOT_FOUND',
        `agent "${caller.name}" no longer exists, so its calls are refused; ask an administrator (\`warden agents list\`)`,
        { agent: caller.name },
      );
    }
    return agent;
  }

  #modeOf(agent: AgentRecord): 'enforce' | 'shadow' {
    const configured = Object.hasOwn(this.#config.agents, agent.name)
      ? this.#config.agents[agent.name]
      : undefined;
    return configured?.mode ?? 'enforce';
  }

  /** WARDEN_TOOL_NOT_FOUND with "did you mean", or WARDEN_UPSTREAM_UNAVAILABLE for a declared tool whose server is down. */
  #unknownTool(request: ToolCallRequest): WardenError {
    const name = request.toolName.slice(0, MAX_QUOTED_NAME);
    const declared = this.#policyTools.get(request.toolName);
    if (declared !== undefined) {
      const status = this.#catalog.status().find((server) => server.server === declared.server);
      if (status !== undefined && status.state !== 'ready') {
        return new WardenError(
          'WARDEN_UPSTREAM_UNAVAILABLE',
          `${name} cannot be called: server "${declared.server}" is ${status.state}${status.lastError === null ? '' : ` (${status.lastError.slice(0, 300)})`}; Warden keeps reconnecting, retry later`,
          { tool: name, server: declared.server, state: status.state },
        );
      }
    }
    const visible = this.listTools(request.caller, request.session, request.clientIp).map(
      (tool) => tool.exposedName,
    );
    const suggestions = closestNames(name, visible);
    const hint =
      suggestions.length > 0 ? ` Did you mean ${suggestions.join(' or ')}?` : ' Call tools/list to see them.';
    return new WardenError(
      'WARDEN_TOOL_NOT_FOUND',
      `no tool named "${name}" is available to agent "${request.caller.agent.name}"; tools are named <server>__<tool>.${hint}`,
      { tool: name, ...(suggestions.length > 0 ? { suggestions } : {}) },
    );
  }
}

function policyAgent(agent: AgentRecord, roles: string[]): PolicyAgent {
  return { id: agent.id, name: agent.name, roles, clearance: agent.clearance, owner: agent.owner };
}

/** The refusal for a deny or approval_required decision, naming the policies and their reasons. */
function decisionError(
  decision: Exclude<Decision, { kind: 'allow' }>,
  agent: string,
  tool: string,
  approvalsEnabled: boolean,
): WardenError {
  const policyIds = decision.policies.map((policy) => policy.id);
  // The policy service names the determining policies and reasons in its message; add any it left out.
  const unnamed = decision.policies.filter((policy) => !decision.message.includes(policy.id));
  const named =
    unnamed.length > 0
      ? ` [${unnamed.map((policy) => (policy.reason === null ? `policy "${policy.id}"` : `policy "${policy.id}" (${policy.reason})`)).join(', ')}]`
      : '';
  if (decision.kind === 'deny') {
    return new WardenError('WARDEN_POLICY_DENIED', `${decision.message}${named}`, {
      agent,
      tool,
      policies: policyIds,
    });
  }
  return new WardenError(
    'WARDEN_APPROVAL_REQUIRED',
    approvalsEnabled
      ? `${decision.message}${named}. Nothing was executed`
      : `${decision.message}${named}. This Warden cannot hold calls for approval here, so the call is refused and nothing was executed`,
    { agent, tool, policies: policyIds },
  );
}

/** The refusal for a held call that is not (or no longer) approved. */
function approvalError(approval: ApprovalRecord, agent: string, tool: string, note: string): WardenError {
  const details = { approvalId: approval.id, tool, status: approval.status };
  switch (approval.status) {
    case 'pending':
      return new WardenError(
        'WARDEN_APPROVAL_PENDING',
        `${tool} needs a person's approval (${approval.reason}); request ${approval.id} is pending${note}, so nothing was executed yet. Retry the same call with the same arguments (or with _meta["warden/approvalId"] = "${approval.id}") once it is approved; it expires at ${approval.expiresAt}`,
        { ...details, expiresAt: approval.expiresAt },
      );
    case 'denied': {
      const vote = approval.votes.find((candidate) => candidate.decision === 'deny');
      return new WardenError(
        'WARDEN_APPROVAL_DENIED',
        `${vote?.by ?? 'an approver'} denied ${agent}'s call to ${tool} (request ${approval.id}): ${vote?.reason ?? 'no reason given'}. Nothing was executed`,
        { ...details, deniedBy: vote?.by ?? null, reason: vote?.reason ?? null },
      );
    }
    case 'expired':
      return new WardenError(
        'WARDEN_APPROVAL_EXPIRED',
        `request ${approval.id} for ${tool} expired at ${approval.expiresAt} without ${approval.votes.length > 0 ? 'enough approvals' : 'a decision'}, which counts as a denial; nothing was executed. Call again to make a new request`,
        { ...details, expiresAt: approval.expiresAt },
      );
    case 'failed':
    case 'executed':
      return alreadyExecutedError(approval, tool);
    default:
      return new WardenError(
        'WARDEN_APPROVAL_PENDING',
        `request ${approval.id} for ${tool} is ${approval.status}; retry the same call shortly`,
        details,
      );
  }
}

/** Whether the call's session ended (its abort signal fired). */
function sessionEnded(request: ToolCallRequest): boolean {
  return request.signal?.aborted === true;
}

/** A call whose MCP session ended (DELETE, idle expiry, eviction, suspension, shutdown) before it ran. */
function sessionEndedError(): WardenError {
  return new WardenError(
    'WARDEN_SESSION_ENDED',
    'the MCP session ended while this call was on its way, so it was not run; open a new session (initialize) and call again',
  );
}

function alreadyExecutedError(approval: ApprovalRecord, tool: string): WardenError {
  return new WardenError(
    'WARDEN_APPROVAL_ALREADY_EXECUTED',
    approval.status === 'failed'
      ? `the approved call to ${tool} (request ${approval.id}) already ran once and failed; an approval runs its call only once, so make a new call to ask again`
      : `the approved call to ${tool} (request ${approval.id}) was already executed at ${approval.executedAt ?? 'an earlier time'}; it runs only once, and its result was too large to keep for retries`,
    { approvalId: approval.id, tool, status: approval.status },
  );
}

/**
 * Findings as the audit log keeps them: `[type, count]` and `[type, action]` pairs (type names such
 * as `github_token` would read as secret-named keys to the audit redaction), classes and the
 * injection score. Never a value.
 */
function findingsDetail(findings: InspectionFindings): JsonObject {
  return {
    found: Object.entries(findings.counts).map(([type, count]) => [type, count]),
    classes: [...findings.classes],
    done: Object.entries(findings.actions).map(([type, action]) => [type, action]),
    injectionScore: findings.injectionScore,
    ...(findings.restoredTokens > 0 ? { restored: findings.restoredTokens } : {}),
  };
}

function resultSize(result: CallToolResult): number {
  try {
    return Buffer.byteLength(JSON.stringify(result));
  } catch {
    return -1;
  }
}

function roundMs(milliseconds: number): number {
  return Math.round(milliseconds * 100) / 100;
}
