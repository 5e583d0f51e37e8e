/**
 * The LLM egress proxy: decides what leaves for a model provider. Every model call is authorized
 * (`Action::"model:<alias>"`, deny by default), rate limited and budgeted, run through the prompt
 * firewall and the PII and secret detectors; values a provider may not see are replaced by
 * reversible tokens (or the request is refused, or sent to the on-premises model instead), the
 * intent is recorded before the provider is called, and on the way back tokens are restored (also
 * across streamed chunks), values above the agent's clearance masked and a leaked canary withheld.
 * Audit entries hold types, counts and usage, never content.
 */
import { performance } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import { createParser } from 'eventsource-parser';
import type { EventSourceMessage } from 'eventsource-parser';
import type { AuditRecorder } from '../audit/index.js';
import type { ResolvedConfig } from '../config/index.js';
import type { LlmConfig, ModelConfig, ModelDataAction } from '../config/llm-schema.js';
import { WardenError, applyEdits, forEachString, replaceSpans, valueAt } from '../core/index.js';
import type { Clock, JsonObject, JsonValue, SpanReplacement } from '../core/index.js';
import {
  FINDING_TYPES,
  FINDING_TYPE_NAMES,
  Scanner,
  createInjectionScorer,
  defaultDetectors,
} from '../inspect/index.js';
import type { FindingType, LocatedFinding, ScannerOptions } from '../inspect/index.js';
import { ToolRateLimiter } from '../pipeline/index.js';
import type { Decision, ModelAuthorizationRequest } from '../policy/index.js';
import type { PolicyFindings } from '../policy/types.js';
import type { AgentRecord } from '../store/index.js';
import { toLlmError } from './errors.js';
import {
  abortError,
  createProviderAdapter,
  providerError,
  readBody,
  sendToProvider,
  usageOf,
} from './providers.js';
import type { ProviderAdapter, ProviderLog, Usage, WireFormat } from './providers.js';
import { RequestTokens } from './request-tokens.js';
import { StreamRestorer, restoreTokens } from './stream-restorer.js';

/** Who is calling: the verified agent and the roles its token grants. */
export interface ModelCaller {
  agent: AgentRecord;
  roles: string[];
  clientIp: string | null;
  /** The HTTP request id, in audit entries. */
  requestId: string;
}

export interface ModelCallInput {
  /** The API the request came in on (and the wire format it is in). */
  api: WireFormat;
  caller: ModelCaller;
  /** The parsed JSON body, not yet validated. */
  body: unknown;
  /** The client's request headers (only `anthropic-beta` is passed on). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * Aborts when the client goes away, or when the call must stop (the agent was suspended): a
   * WardenError reason is what the agent gets (and what is recorded); any other reason means the
   * client left.
   */
  signal: AbortSignal;
}

/** One frame of a streamed answer: an SSE event to write, or an error to write in the API's format. */
export type StreamFrame =
  { kind: 'event'; event?: string; data: string } | { kind: 'error'; error: WardenError };

export type ModelCallResult =
  | { kind: 'json'; body: JsonObject }
  | { kind: 'stream'; frames: AsyncGenerator<StreamFrame, void, undefined> };

/** A model alias as `GET /v1/models` lists it. */
export interface ModelListing {
  alias: string;
  provider: string;
  description: string | null;
}

/** The part of the policy service the proxy needs. */
export interface ModelAuthorizer {
  decideModel(request: ModelAuthorizationRequest): Decision;
  readonly version: string;
}

export interface LlmServiceOptions {
  config: ResolvedConfig;
  policy: ModelAuthorizer;
  audit: AuditRecorder;
  clock: Clock;
  /** A scanner to share (default: every detector and the injection scorer). */
  scanner?: Scanner;
  /** The server log: provider refusals (scrubbed of the provider key) and unexpected errors (with the request id). */
  logger?: { warn(fields: object, message: string): void; error?(fields: object, message: string): void };
}

/** What replaces a user or tool message the prompt firewall strips. */
export const STRIPPED_MESSAGE = '[Warden removed this message: it looked like a prompt injection]';

/** Most messages one request may hold. */
const MAX_MESSAGES = 10_000;

/** Per-data-class decision for one provider. */
interface Route {
  alias: string;
  model: ModelConfig;
  adapter: ProviderAdapter;
  rerouted: boolean;
  /** Action per data class present. */
  actions: Map<string, ModelDataAction>;
}

interface RequestScan {
  findings: LocatedFinding[];
  summary: PolicyFindings;
  injection: { score: number; flagged: number; action: string };
}

/** Budget use of one agent in its current window (in memory, per process). */
interface BudgetWindow {
  startedAt: number;
  used: number;
}

/**
 * The proxy service. Build once per gateway; `call` serves one request of either API.
 *
 * @example
 * const llm = new LlmService({ config, policy, audit, clock });
 * const result = await llm.call({ api: 'openai', caller, body, headers, signal });
 */
export class LlmService {
  readonly #llm: LlmConfig;
  readonly #policy: ModelAuthorizer;
  readonly #audit: AuditRecorder;
  readonly #clock: Clock;
  readonly #scanner: Scanner;
  readonly #adapters = new Map<string, ProviderAdapter>();
  readonly #classOf = new Map<FindingType, string>();
  readonly #rank: Map<string, number>;
  readonly #scanOptions: ScannerOptions;
  readonly #limiter: ToolRateLimiter;
  readonly #budgets = new Map<string, BudgetWindow>();
  readonly #logger: LlmServiceOptions['logger'];

  constructor(options: LlmServiceOptions) {
    this.#llm = options.config.llm;
    this.#policy = options.policy;
    this.#audit = options.audit;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#scanner = options.scanner ?? new Scanner(defaultDetectors(), createInjectionScorer());
    for (const [name, provider] of Object.entries(this.#llm.providers)) {
      this.#adapters.set(name, createProviderAdapter(name, provider));
    }
    const { config } = options;
    this.#rank = new Map(config.dataClasses.map((dataClass, index) => [dataClass.name, index]));
    const configured = new Set(config.dataClasses.map((dataClass) => dataClass.name));
    const mostSensitive = (config.dataClasses.at(-1) as { name: string }).name;
    for (const type of FINDING_TYPE_NAMES) {
      const dataClass = config.inspection.types[type] ?? FINDING_TYPES[type].dataClass;
      this.#classOf.set(type, configured.has(dataClass) ? dataClass : mostSensitive);
    }
    const { limits } = config.inspection;
    this.#scanOptions = {
      limits: {
        maxStringLength: limits.maxStringLength,
        maxTotalLength: limits.maxTotalLength,
        maxDepth: limits.maxDepth,
        timeBudgetMs: limits.timeBudget * 1000,
      },
      minConfidence: config.inspection.minConfidence,
      ignoreTypes: config.inspection.ignore.filter((type): type is FindingType =>
        Object.hasOwn(FINDING_TYPES, type),
      ),
    };
    this.#limiter = new ToolRateLimiter(
      Object.fromEntries(
        Object.entries(this.#llm.agents).map(([agent, settings]) => [
          agent,
          {
            rateLimits: Object.fromEntries(
              settings.rateLimit === undefined ? [] : [['*', settings.rateLimit] as const],
            ),
          },
        ]),
      ),
      options.clock,
    );
  }

  /** The model aliases policy lets this agent use (decided with nothing found in the request). */
  listModels(caller: ModelCaller): ModelListing[] {
    const listed: ModelListing[] = [];
    for (const [alias, model] of Object.entries(this.#llm.models)) {
      const decision = this.#policy.decideModel({
        agent: policyAgent(caller),
        alias,
        time: this.#clock.now(),
        clientIp: caller.clientIp,
      });
      if (decision.kind === 'allow') {
        listed.push({ alias, provider: model.provider, description: model.description ?? null });
      }
    }
    return listed;
  }

  /**
   * Serves one model request. Throws a WardenError (already audited as `model-call-denied` or
   * `model-call-failed`) when the request is refused or the provider fails before answering.
   */
  async call(input: ModelCallInput): Promise<ModelCallResult> {
    const started = performance.now();
    const { caller } = input;
    const agentName = caller.agent.name;
    let alias = '';
    let stage = 'validate';
    const tokens = new RequestTokens();
    /** Set when a stream is returned: from then on the stream cleans up and records the outcome. */
    let handedOff = false;
    try {
      const body = validateBody(input.api, input.body);
      alias = body.model as string;
      stage = 'authorize';
      const requested = this.#llm.models[alias];
      if (requested === undefined) {
        const allowed = this.listModels(caller).map((model) => model.alias);
        throw new WardenError(
          'WARDEN_MODEL_NOT_FOUND',
          `"${alias.slice(0, 64)}" is not a model this Warden offers; models ${agentName} may use: ${allowed.join(', ') || '(none)'} (GET /v1/models lists them)`,
          { model: alias.slice(0, 64), agent: agentName },
        );
      }
      this.#checkFormat(alias, requested, input.api, false);
      this.#takeRate(agentName);
      this.#checkBudget(agentName);
      stage = 'inspect';
      const firewalled = this.#firewall(input.api, body, agentName);
      const scan = this.#scanRequest(firewalled.body, firewalled.injection);
      stage = 'authorize';
      const decision = this.#policy.decideModel({
        agent: policyAgent(caller),
        alias,
        time: this.#clock.now(),
        clientIp: caller.clientIp,
        findings: scan.summary,
      });
      if (decision.kind !== 'allow') {
        throw new WardenError(
          'WARDEN_POLICY_DENIED',
          `${decision.kind === 'deny' ? decision.message : 'model calls are not held for approval'}. Ask an administrator for a policy permitting Action::"model:${alias}" if ${agentName} needs this model.`,
          { agent: agentName, model: alias, policyIds: decision.policies.map((policy) => policy.id) },
        );
      }
      stage = 'route';
      const route = this.#route(alias, requested, scan, input.api);
      const outgoing = this.#prepareOutgoing(input.api, firewalled.body, scan, route, tokens);
      const streaming = outgoing.body.stream === true;
      await this.#audit.record({
        type: 'model-call-allowed',
        actor: `agent:${agentName}`,
        subject: `model:${alias}`,
        decision: 'allow',
        policyIds: decision.policies.map((policy) => policy.id),
        detail: {
          requestId: caller.requestId,
          api: input.api,
          provider: route.adapter.name,
          providerModel: route.model.model,
          ...(route.rerouted ? { routedTo: route.alias } : {}),
          stream: streaming,
          clientIp: caller.clientIp,
          policyVersion: this.#policy.version,
          findings: findingsDetail(scan, route),
          injection: scan.injection,
          canary: outgoing.canary !== null,
        },
      });
      stage = 'provider';
      const controller = new AbortController();
      const timeout = setTimeout(
        () =>
          controller.abort(
            new WardenError(
              'WARDEN_PROVIDER_TIMEOUT',
              `provider "${route.adapter.name}" did not answer within ${route.adapter.config.timeout} seconds (llm.providers.${route.adapter.name}.timeout); try again, or ask for a shorter answer`,
              { provider: route.adapter.name, timeoutSeconds: route.adapter.config.timeout },
            ),
          ),
        route.adapter.config.timeout * 1000,
      );
      // A WardenError reason (the agent was suspended) is what the agent gets; else the client left.
      const onClientAbort = (): void => {
        const reason: unknown = input.signal.reason;
        controller.abort(
          reason instanceof WardenError
            ? reason
            : new WardenError(
                'WARDEN_CALL_CANCELLED',
                'the client closed the request before the model answered',
              ),
        );
      };
      if (input.signal.aborted) onClientAbort();
      else input.signal.addEventListener('abort', onClientAbort, { once: true });
      const cleanup = (): void => {
        clearTimeout(timeout);
        input.signal.removeEventListener('abort', onClientAbort);
      };
      const context: CallContext = {
        caller,
        alias,
        route,
        tokens,
        canary: outgoing.canary,
        clearance: this.#rank.get(caller.agent.clearance) ?? -1,
        started,
        clientWantsUsage: outgoing.clientWantsUsage,
        restored: 0,
        masked: {},
        known: knownValues(firewalled.body, scan.findings),
        providerLog: this.#providerLog(caller),
        toError: (thrown) => this.#toError(thrown, caller),
      };
      let response: IncomingMessage;
      try {
        // Stopped already (client gone, agent suspended): nothing is sent.
        if (controller.signal.aborted) throw abortError(route.adapter, controller.signal);
        response = await sendToProvider(
          route.adapter,
          route.adapter.chatUrl(route.model.model),
          route.adapter.headers(input.headers),
          JSON.stringify(outgoing.body),
          controller.signal,
        );
        const status = response.statusCode ?? 502;
        if (status < 200 || status >= 300) {
          const text = await readBody(route.adapter, response, 64 * 1024).catch(() => '');
          throw providerError(route.adapter, status, text, context.providerLog);
        }
        if (streaming && /text\/event-stream/i.test(String(response.headers['content-type'] ?? ''))) {
          handedOff = true;
          return {
            kind: 'stream',
            frames: this.#streamFrames(context, response, controller.signal, cleanup),
          };
        }
        const text = await readBody(route.adapter, response, route.adapter.config.maxResponseBytes);
        const answer = this.#processJson(context, text);
        await this.#recordCompleted(context, answer.usage, false);
        return { kind: 'json', body: answer.body };
      } catch (error) {
        if (controller.signal.aborted && !(error instanceof WardenError)) {
          throw abortError(route.adapter, controller.signal);
        }
        throw error;
      } finally {
        if (!handedOff) cleanup();
      }
    } catch (thrown) {
      const error = this.#toError(thrown, caller);
      await this.#recordRefusal(caller, alias, stage, error, started).catch((recordError: unknown) => {
        this.#logger?.warn({ err: recordError }, 'a refused model call could not be recorded');
      });
      throw error;
    } finally {
      if (!handedOff) tokens.clear();
    }
  }

  /** A WardenError as it is, anything else logged with the request id and answered with WARDEN_INTERNAL. */
  #toError(thrown: unknown, caller: ModelCaller): WardenError {
    const logger = this.#logger;
    return toLlmError(
      thrown,
      caller.requestId,
      logger === undefined
        ? undefined
        : (fields, message) =>
            logger.error === undefined ? logger.warn(fields, message) : logger.error(fields, message),
    );
  }

  /** Where a provider's refusal of Warden's credentials is logged, with who was calling. */
  #providerLog(caller: ModelCaller): ProviderLog | undefined {
    const logger = this.#logger;
    if (logger === undefined) return undefined;
    return (fields, message) =>
      logger.warn({ ...fields, requestId: caller.requestId, agent: caller.agent.name }, message);
  }

  #checkFormat(alias: string, model: ModelConfig, api: WireFormat, rerouted: boolean): void {
    const adapter = this.#adapters.get(model.provider);
    if (adapter === undefined) {
      throw new WardenError('WARDEN_INTERNAL', `model "${alias}" names an unknown provider; this is a bug`);
    }
    if (adapter.format === api) return;
    const endpoint = api === 'openai' ? 'POST /v1/chat/completions' : 'POST /v1/messages';
    const wanted =
      adapter.format === 'openai'
        ? 'the OpenAI Chat Completions API (POST /v1/chat/completions)'
        : 'the Anthropic Messages API (POST /v1/messages)';
    throw new WardenError(
      'WARDEN_MODEL_FORMAT_MISMATCH',
      rerouted
        ? `this request had to be rerouted to model "${alias}" (llm.rerouteTo) for the data it carries, but that model speaks ${wanted}, not the format of ${endpoint}; Warden does not translate between formats, so the request was not sent`
        : `model "${alias}" runs on provider "${model.provider}", which speaks ${wanted}; ${endpoint} takes models of the other format. Send this request to the other endpoint, or pick another model (GET /v1/models)`,
      { model: alias, provider: model.provider },
    );
  }

  #takeRate(agent: string): void {
    const result = this.#limiter.take(agent, 'model');
    if (result.ok) return;
    throw new WardenError(
      'WARDEN_RATE_LIMITED',
      `${agent} made more than ${result.requests} model requests in ${result.perSeconds} seconds (llm.agents.${agent}.rateLimit); retry after ${result.retryAfterSeconds} seconds`,
      { agent, retryAfterSeconds: result.retryAfterSeconds },
    );
  }

  #checkBudget(agent: string): void {
    const budget = this.#llm.agents[agent]?.tokenBudget;
    if (budget === undefined) return;
    const window = this.#budgetWindow(agent, budget.per);
    if (window.used < budget.tokens) return;
    const resetIn = Math.max(1, Math.ceil((window.startedAt + budget.per * 1000 - this.#clock.now()) / 1000));
    throw new WardenError(
      'WARDEN_BUDGET_EXCEEDED',
      `${agent} has used its model token budget (${window.used} of ${budget.tokens} tokens per ${budget.per} seconds, llm.agents.${agent}.tokenBudget); it resets in ${resetIn} seconds`,
      { agent, used: window.used, budget: budget.tokens, retryAfterSeconds: resetIn },
    );
  }

  #budgetWindow(agent: string, perSeconds: number): BudgetWindow {
    const now = this.#clock.now();
    let window = this.#budgets.get(agent);
    if (window === undefined || now - window.startedAt >= perSeconds * 1000) {
      window = { startedAt: now, used: 0 };
      this.#budgets.set(agent, window);
    }
    return window;
  }

  /** Scores user and tool messages for prompt injection and applies the agent's action. */
  #firewall(
    api: WireFormat,
    body: JsonObject,
    agent: string,
  ): { body: JsonObject; injection: RequestScan['injection'] } {
    const threshold = this.#llm.injection.threshold;
    const action = this.#llm.agents[agent]?.injection ?? this.#llm.injection.action;
    let score = 0;
    let flagged = 0;
    const edits = new Map<string, JsonValue>();
    for (const unit of firewallUnits(api, body)) {
      const value = valueAt(body, unit.pointer);
      if (value === undefined || value === null) continue;
      const scan = this.#scanner.scanValue(value, {
        ...this.#scanOptions,
        categories: ['injection'],
        kind: unit.kind,
      });
      score = Math.max(score, scan.injectionScore);
      if (scan.injectionScore < threshold) continue;
      flagged++;
      if (action === 'block') {
        throw new WardenError(
          'WARDEN_INJECTION_BLOCKED',
          `the request was not sent: a ${unit.kind === 'prompt' ? 'user' : 'tool'} message looks like a prompt injection (score ${round(scan.injectionScore, 3)} reached the threshold ${threshold}); remove it, or ask an administrator to review llm.agents.${agent}.injection if this is a false alarm`,
          { score: round(scan.injectionScore, 3), threshold, agent },
        );
      }
      if (action === 'strip') edits.set(unit.pointer, STRIPPED_MESSAGE);
    }
    return {
      body: applyEdits(body, edits) as JsonObject,
      injection: { score: round(score, 3), flagged, action: flagged === 0 ? 'none' : action },
    };
  }

  #scanRequest(body: JsonObject, injection: RequestScan['injection']): RequestScan {
    const scan = this.#scanner.scanValue(body, {
      ...this.#scanOptions,
      categories: ['pii', 'secret'],
      kind: 'prompt',
    });
    const counts: Partial<Record<FindingType, number>> = {};
    const classes = new Set<string>();
    let pii = 0;
    let secrets = 0;
    for (const finding of scan.findings) {
      counts[finding.type] = (counts[finding.type] ?? 0) + 1;
      if (FINDING_TYPES[finding.type].category === 'pii') pii++;
      else secrets++;
      classes.add(this.#classOf.get(finding.type) as string);
    }
    const sorted = [...classes].sort((a, b) => (this.#rank.get(a) ?? 0) - (this.#rank.get(b) ?? 0));
    return {
      findings: scan.findings,
      summary: {
        counts,
        classes: sorted,
        maxClass: sorted.at(-1) ?? null,
        pii,
        secrets,
        injectionScore: injection.score,
      },
      injection,
    };
  }

  #actionsFor(adapter: ProviderAdapter, classes: readonly string[]): Map<string, ModelDataAction> {
    return new Map(
      classes.map((dataClass) => [
        dataClass,
        adapter.config.dataClasses[dataClass] ?? (adapter.local ? 'allow' : 'tokenize'),
      ]),
    );
  }

  /** Where the request goes and what each data class becomes there; throws when it may go nowhere. */
  #route(alias: string, model: ModelConfig, scan: RequestScan, api: WireFormat): Route {
    const adapter = this.#adapters.get(model.provider) as ProviderAdapter;
    const classes = scan.summary.classes;
    let route: Route = {
      alias,
      model,
      adapter,
      rerouted: false,
      actions: this.#actionsFor(adapter, classes),
    };
    const blocked = (actions: Map<string, ModelDataAction>, wanted: ModelDataAction): string[] =>
      [...actions].filter(([, action]) => action === wanted).map(([dataClass]) => dataClass);
    const refuse = (current: Route, dataClasses: string[], why: string): never => {
      const types = FINDING_TYPE_NAMES.filter(
        (type) =>
          scan.summary.counts[type] !== undefined && dataClasses.includes(this.#classOf.get(type) as string),
      );
      throw new WardenError(
        'WARDEN_INSPECTION_BLOCKED',
        `the request to model "${alias}" was not sent: it carries ${types.join(', ')} (${dataClasses.join(', ')}), which ${why}; remove that data from the messages, or ask for a model on a provider that may see it`,
        { model: alias, provider: current.adapter.name, types, dataClasses, findings: scan.summary.counts },
      );
    };
    const blockedClasses = blocked(route.actions, 'block');
    if (blockedClasses.length > 0) {
      refuse(
        route,
        blockedClasses,
        `llm.providers.${adapter.name}.dataClasses does not let through to this provider`,
      );
    }
    const rerouteClasses = blocked(route.actions, 'reroute');
    if (rerouteClasses.length > 0) {
      const targetAlias = this.#llm.rerouteTo;
      const target = targetAlias === undefined ? undefined : this.#llm.models[targetAlias];
      if (targetAlias === undefined || target === undefined) {
        refuse(route, rerouteClasses, 'must stay on premises and no llm.rerouteTo model is configured');
      }
      const targetModel = target as ModelConfig;
      this.#checkFormat(targetAlias as string, targetModel, api, true);
      const targetAdapter = this.#adapters.get(targetModel.provider) as ProviderAdapter;
      route = {
        alias: targetAlias as string,
        model: targetModel,
        adapter: targetAdapter,
        rerouted: true,
        actions: this.#actionsFor(targetAdapter, classes),
      };
      const still = [...blocked(route.actions, 'block'), ...blocked(route.actions, 'reroute')];
      if (still.length > 0) {
        refuse(
          route,
          still,
          `neither model "${alias}" nor the on-premises model "${targetAlias as string}" may see`,
        );
      }
    }
    return route;
  }

  /** Tokenizes what the route says, sets the provider's model id, inserts the canary, asks for stream usage. */
  #prepareOutgoing(
    api: WireFormat,
    body: JsonObject,
    scan: RequestScan,
    route: Route,
    tokens: RequestTokens,
  ): { body: JsonObject; canary: string | null; clientWantsUsage: boolean } {
    const byPath = new Map<string, SpanReplacement[]>();
    for (const finding of scan.findings) {
      const dataClass = this.#classOf.get(finding.type) as string;
      if (route.actions.get(dataClass) !== 'tokenize') continue;
      const original = valueAt(body, finding.path);
      if (typeof original !== 'string') continue;
      const token = tokens.tokenize(finding.type, original.slice(finding.start, finding.end));
      let list = byPath.get(finding.path);
      if (list === undefined) byPath.set(finding.path, (list = []));
      list.push({ start: finding.start, end: finding.end, text: token });
    }
    const edits = new Map<string, JsonValue>();
    for (const [path, replacements] of byPath) {
      edits.set(path, replaceSpans(valueAt(body, path) as string, replacements));
    }
    const out = { ...(applyEdits(body, edits) as JsonObject) };
    out.model = route.model.model;
    let canary: string | null = null;
    if (this.#llm.canary) {
      canary = `wdn-canary-${tokens.nonce(16)}`;
      if (!insertCanary(api, out, canary)) canary = null;
    }
    const clientWantsUsage =
      api === 'anthropic' ||
      (typeof out.stream_options === 'object' &&
        out.stream_options !== null &&
        !Array.isArray(out.stream_options) &&
        out.stream_options.include_usage === true);
    if (api === 'openai' && out.stream === true && !clientWantsUsage) {
      const options =
        typeof out.stream_options === 'object' && out.stream_options !== null ? out.stream_options : {};
      out.stream_options = { ...(options as JsonObject), include_usage: true };
    }
    return { body: out, canary, clientWantsUsage };
  }

  /** Masks PII and secrets above the agent's clearance in text the model wrote (never restored values). */
  #maskAboveClearance(context: CallContext, text: string): string {
    if (text === '') return text;
    const scan = this.#scanner.scanText(text, {
      ...this.#scanOptions,
      categories: ['pii', 'secret'],
      kind: 'tool_output',
    });
    const replacements: SpanReplacement[] = [];
    for (const finding of scan.findings) {
      const rank = this.#rank.get(this.#classOf.get(finding.type) as string) ?? Infinity;
      if (rank <= context.clearance || context.known.has(text.slice(finding.start, finding.end))) continue;
      context.masked[finding.type] = (context.masked[finding.type] ?? 0) + 1;
      replacements.push({ start: finding.start, end: finding.end, text: `[${finding.type.toUpperCase()}]` });
    }
    return replacements.length === 0 ? text : replaceSpans(text, replacements);
  }

  /** Model text on its way back: canary check, clearance masking, token restoration. */
  #processText(context: CallContext, raw: string, json: boolean): string {
    if (context.canary !== null && raw.includes(context.canary)) {
      throw new WardenError(
        'WARDEN_MODEL_OUTPUT_BLOCKED',
        `the answer of model "${context.alias}" was withheld: it repeats the canary Warden put in the system prompt, so it is leaking the system prompt; rephrase the request`,
        { model: context.alias, reason: 'system-prompt-leak' },
      );
    }
    const masked = this.#maskAboveClearance(context, raw);
    return restoreTokens(
      masked,
      (token) => context.tokens.restore(token),
      json,
      () => {
        context.restored++;
      },
    );
  }

  #processJson(context: CallContext, text: string): { body: JsonObject; usage: Usage } {
    let body: JsonObject;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      body = parsed as JsonObject;
    } catch {
      throw new WardenError(
        'WARDEN_PROVIDER_ERROR',
        `provider "${context.route.adapter.name}" answered with something that is not a JSON object`,
        { provider: context.route.adapter.name },
      );
    }
    const edits = new Map<string, JsonValue>();
    const format = context.route.adapter.format;
    if (format === 'openai') {
      const choices = Array.isArray(body.choices) ? body.choices : [];
      choices.forEach((choice, index) => {
        const message = isObject(choice) ? choice.message : undefined;
        if (!isObject(message)) return;
        if (typeof message.content === 'string') {
          edits.set(`/choices/${index}/message/content`, this.#processText(context, message.content, false));
        }
        const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
        calls.forEach((call, callIndex) => {
          const fn = isObject(call) ? call.function : undefined;
          if (isObject(fn) && typeof fn.arguments === 'string') {
            edits.set(
              `/choices/${index}/message/tool_calls/${callIndex}/function/arguments`,
              this.#processText(context, fn.arguments, true),
            );
          }
        });
      });
    } else {
      const blocks = Array.isArray(body.content) ? body.content : [];
      blocks.forEach((block, index) => {
        if (!isObject(block)) return;
        if (block.type === 'text' && typeof block.text === 'string') {
          edits.set(`/content/${index}/text`, this.#processText(context, block.text, false));
        } else if (block.type === 'tool_use' && block.input !== undefined) {
          forEachString(block.input, (pointer, value) => {
            edits.set(`/content/${index}/input${pointer}`, this.#processText(context, value, false));
          });
        }
      });
    }
    return { body: applyEdits(body, edits) as JsonObject, usage: usageOf(format, body) };
  }

  async *#streamFrames(
    context: CallContext,
    response: IncomingMessage,
    signal: AbortSignal,
    cleanup: () => void,
  ): AsyncGenerator<StreamFrame, void, undefined> {
    const usage: Usage = { promptTokens: 0, completionTokens: 0 };
    const state = new StreamState(context, usage, (raw, json) => this.#processText(context, raw, json));
    const queue: EventSourceMessage[] = [];
    const parser = createParser({
      onEvent: (event: EventSourceMessage) => {
        queue.push(event);
      },
    });
    let failure: WardenError | null = null;
    // An abort (the client left, the agent was suspended, the timeout) ends the read at once with its
    // reason, also while the provider is silent; destroying the response aborts the provider request.
    const onAbort = (): void => {
      response.destroy(abortError(context.route.adapter, signal));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      response.setEncoding('utf8');
      reading: for await (const chunk of response as AsyncIterable<string>) {
        parser.feed(chunk);
        while (queue.length > 0) {
          const event = queue.shift() as EventSourceMessage;
          const frames =
            context.route.adapter.format === 'openai'
              ? state.openAiEvent(event)
              : state.anthropicEvent(event);
          for (const frame of frames) yield frame;
          if (state.done) break reading;
        }
      }
      if (!state.done) for (const frame of state.finish()) yield frame;
    } catch (thrown) {
      failure =
        signal.aborted && !(thrown instanceof WardenError)
          ? abortError(context.route.adapter, signal)
          : context.toError(thrown);
      if (failure.code !== 'WARDEN_CALL_CANCELLED') yield { kind: 'error', error: failure };
    } finally {
      signal.removeEventListener('abort', onAbort);
      cleanup();
      response.destroy();
      context.tokens.clear();
      failure ??= state.failure;
      try {
        if (failure === null) await this.#recordCompleted(context, usage, true);
        else await this.#recordFailed(context, failure, usage);
      } catch (error) {
        this.#logger?.warn({ err: error }, 'the outcome of a streamed model call could not be recorded');
      }
    }
  }

  async #recordCompleted(context: CallContext, usage: Usage, stream: boolean): Promise<void> {
    this.#spend(context, usage);
    await this.#audit.record({
      type: 'model-call-completed',
      actor: `agent:${context.caller.agent.name}`,
      subject: `model:${context.alias}`,
      detail: {
        requestId: context.caller.requestId,
        provider: context.route.adapter.name,
        providerModel: context.route.model.model,
        ...(context.route.rerouted ? { routedTo: context.route.alias } : {}),
        stream,
        usage: { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens },
        cost: this.#cost(context.route.model, usage),
        latencyMs: round(performance.now() - context.started, 2),
        restoredTokens: context.restored,
        responseFindings: { masked: context.masked },
      },
    });
  }

  async #recordFailed(context: CallContext, error: WardenError, usage: Usage): Promise<void> {
    this.#spend(context, usage);
    await this.#audit.record({
      type: 'model-call-failed',
      actor: `agent:${context.caller.agent.name}`,
      subject: `model:${context.alias}`,
      detail: {
        requestId: context.caller.requestId,
        provider: context.route.adapter.name,
        stage: 'response',
        code: error.code,
        message: error.message.slice(0, 500),
        usage: { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens },
        cost: this.#cost(context.route.model, usage),
        latencyMs: round(performance.now() - context.started, 2),
      },
    });
  }

  async #recordRefusal(
    caller: ModelCaller,
    alias: string,
    stage: string,
    error: WardenError,
    started: number,
  ): Promise<void> {
    const afterSend = stage === 'provider';
    const policyIds = Array.isArray(error.details.policyIds) ? (error.details.policyIds as string[]) : [];
    await this.#audit.record({
      type: afterSend ? 'model-call-failed' : 'model-call-denied',
      actor: `agent:${caller.agent.name}`,
      subject: `model:${alias.slice(0, 64) || '(none)'}`,
      ...(afterSend ? {} : { decision: 'deny', policyIds }),
      detail: {
        requestId: caller.requestId,
        stage,
        code: error.code,
        message: error.message.slice(0, 1000),
        clientIp: caller.clientIp,
        latencyMs: round(performance.now() - started, 2),
        ...(isObject(error.details.findings as JsonValue)
          ? { findings: error.details.findings as JsonObject }
          : {}),
      },
    });
  }

  #spend(context: CallContext, usage: Usage): void {
    const budget = this.#llm.agents[context.caller.agent.name]?.tokenBudget;
    if (budget === undefined) return;
    this.#budgetWindow(context.caller.agent.name, budget.per).used +=
      usage.promptTokens + usage.completionTokens;
  }

  #cost(model: ModelConfig, usage: Usage): number | null {
    if (model.price === undefined) return null;
    return round(
      (usage.promptTokens * model.price.input + usage.completionTokens * model.price.output) / 1e6,
      9,
    );
  }
}

/** What the response path of one call needs. */
interface CallContext {
  caller: ModelCaller;
  alias: string;
  route: Route;
  /** The request's tokens and their values (memory only). */
  tokens: RequestTokens;
  canary: string | null;
  clearance: number;
  started: number;
  clientWantsUsage: boolean;
  restored: number;
  masked: Partial<Record<FindingType, number>>;
  /** Values the request itself carried (the agent knows them): never masked on the way back. Memory only. */
  known: ReadonlySet<string>;
  /** Where the provider's words about refused credentials go (the server log only). */
  providerLog: ProviderLog | undefined;
  /** Anything thrown as the error the agent gets: unexpected errors logged and made generic. */
  toError(thrown: unknown): WardenError;
}

/**
 * The streamed answer of one call: one restorer per text stream (a choice's content, a tool call's
 * arguments, an Anthropic content block), usage as reported, and where the stream stands.
 */
class StreamState {
  done = false;
  failure: WardenError | null = null;
  readonly #context: CallContext;
  readonly #usage: Usage;
  readonly #process: (raw: string, json: boolean) => string;
  readonly #restorers = new Map<string, StreamRestorer>();
  /** Anthropic: whether each content block's deltas are JSON (tool_use input). */
  readonly #jsonBlocks = new Map<number, boolean>();
  #lastChunk: JsonObject | null = null;

  constructor(context: CallContext, usage: Usage, process: (raw: string, json: boolean) => string) {
    this.#context = context;
    this.#usage = usage;
    this.#process = process;
  }

  #restorer(key: string, json: boolean): StreamRestorer {
    let restorer = this.#restorers.get(key);
    if (restorer === undefined) {
      restorer = new StreamRestorer((raw) => this.#process(raw, json), this.#context.canary);
      this.#restorers.set(key, restorer);
    }
    return restorer;
  }

  #fail(error: WardenError): StreamFrame[] {
    this.failure = error;
    this.done = true;
    return [{ kind: 'error', error }];
  }

  #parse(data: string): JsonObject | null {
    try {
      const parsed: unknown = JSON.parse(data);
      return isObject(parsed as JsonValue) ? (parsed as JsonObject) : null;
    } catch {
      return null;
    }
  }

  #invalid(): StreamFrame[] {
    return this.#fail(
      new WardenError(
        'WARDEN_PROVIDER_ERROR',
        `provider "${this.#context.route.adapter.name}" sent a stream event that is not a JSON object`,
        { provider: this.#context.route.adapter.name },
      ),
    );
  }

  openAiEvent(event: EventSourceMessage): StreamFrame[] {
    if (event.data === '[DONE]') {
      const frames = this.#openAiFlush();
      this.done = true;
      return [...frames, { kind: 'event', data: '[DONE]' }];
    }
    const chunk = this.#parse(event.data);
    if (chunk === null) return this.#invalid();
    if (chunk.error !== undefined) {
      return this.#fail(
        providerError(
          this.#context.route.adapter,
          502,
          JSON.stringify({ error: chunk.error }),
          this.#context.providerLog,
        ),
      );
    }
    try {
      this.#lastChunk = chunk;
      if (isObject(chunk.usage)) {
        const usage = usageOf('openai', chunk);
        this.#usage.promptTokens = usage.promptTokens;
        this.#usage.completionTokens = usage.completionTokens;
      }
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      if (choices.length === 0 && chunk.usage !== undefined && !this.#context.clientWantsUsage) return [];
      const out: JsonValue[] = choices.map((choice) => {
        if (!isObject(choice)) return choice;
        const index = typeof choice.index === 'number' ? choice.index : 0;
        const delta: JsonObject = isObject(choice.delta) ? { ...choice.delta } : {};
        if (typeof delta.content === 'string') {
          delta.content = this.#restorer(`c${index}`, false).push(delta.content);
        }
        if (Array.isArray(delta.tool_calls)) {
          delta.tool_calls = delta.tool_calls.map((call) => {
            if (!isObject(call) || !isObject(call.function) || typeof call.function.arguments !== 'string')
              return call;
            const callIndex = typeof call.index === 'number' ? call.index : 0;
            const restored = this.#restorer(`c${index}t${callIndex}`, true).push(call.function.arguments);
            return { ...call, function: { ...call.function, arguments: restored } };
          });
        }
        if (choice.finish_reason !== null && choice.finish_reason !== undefined)
          this.#flushChoice(index, delta);
        return { ...choice, delta };
      });
      return [{ kind: 'event', data: JSON.stringify({ ...chunk, choices: out }) }];
    } catch (error) {
      return this.#fail(this.#context.toError(error));
    }
  }

  /** Adds what the choice's restorers still hold to its final delta. */
  #flushChoice(index: number, delta: JsonObject): void {
    const content = this.#restorers.get(`c${index}`);
    if (content?.holding === true) {
      delta.content = `${typeof delta.content === 'string' ? delta.content : ''}${content.flush()}`;
    }
    const prefix = `c${index}t`;
    for (const [key, restorer] of this.#restorers) {
      if (!key.startsWith(prefix) || !restorer.holding) continue;
      const callIndex = Number(key.slice(prefix.length));
      const rest = restorer.flush();
      const calls = Array.isArray(delta.tool_calls) ? [...delta.tool_calls] : [];
      const existing = calls.findIndex((call) => isObject(call) && call.index === callIndex);
      const current = existing >= 0 ? (calls[existing] as JsonObject) : { index: callIndex, function: {} };
      const fn = isObject(current.function) ? current.function : {};
      const updated = {
        ...current,
        function: { ...fn, arguments: `${typeof fn.arguments === 'string' ? fn.arguments : ''}${rest}` },
      };
      if (existing >= 0) calls[existing] = updated;
      else calls.push(updated);
      delta.tool_calls = calls;
    }
  }

  /** A final chunk for whatever is still held when the provider ends without finish_reason. */
  #openAiFlush(): StreamFrame[] {
    const choices: JsonValue[] = [];
    const indexes = new Set<number>();
    for (const [key, restorer] of this.#restorers) {
      if (restorer.holding) indexes.add(Number(/^c(\d+)/.exec(key)?.[1] ?? 0));
    }
    for (const index of indexes) {
      const delta: JsonObject = {};
      this.#flushChoice(index, delta);
      choices.push({ index, delta, finish_reason: null });
    }
    if (choices.length === 0) return [];
    const last = this.#lastChunk ?? {};
    return [
      {
        kind: 'event',
        data: JSON.stringify({
          id: last.id ?? 'chatcmpl-warden',
          object: 'chat.completion.chunk',
          created: last.created ?? Math.floor(Date.now() / 1000),
          model: last.model ?? '',
          choices,
        }),
      },
    ];
  }

  anthropicEvent(event: EventSourceMessage): StreamFrame[] {
    const data = this.#parse(event.data);
    if (data === null) return this.#invalid();
    const name = event.event ?? (typeof data.type === 'string' ? data.type : 'message');
    const frame = (payload: JsonObject, eventName = name): StreamFrame => ({
      kind: 'event',
      event: eventName,
      data: JSON.stringify(payload),
    });
    try {
      switch (data.type) {
        case 'error':
          return this.#fail(
            providerError(this.#context.route.adapter, 502, JSON.stringify(data), this.#context.providerLog),
          );
        case 'message_start': {
          const message = isObject(data.message) ? data.message : {};
          const usage = usageOf('anthropic', message);
          this.#usage.promptTokens = usage.promptTokens;
          this.#usage.completionTokens = usage.completionTokens;
          return [frame(data)];
        }
        case 'message_delta': {
          if (isObject(data.usage)) {
            const usage = usageOf('anthropic', data);
            if (usage.promptTokens > 0) this.#usage.promptTokens = usage.promptTokens;
            this.#usage.completionTokens = usage.completionTokens;
          }
          return [frame(data)];
        }
        case 'message_stop':
          this.done = true;
          return [...this.#anthropicFlushAll(), frame(data)];
        case 'content_block_start': {
          const index = typeof data.index === 'number' ? data.index : 0;
          const block = isObject(data.content_block) ? { ...data.content_block } : {};
          const json = block.type === 'tool_use' || block.type === 'server_tool_use';
          this.#jsonBlocks.set(index, json);
          if (typeof block.text === 'string' && block.text !== '') {
            block.text = this.#restorer(`b${index}`, false).push(block.text);
          }
          return [frame({ ...data, content_block: block })];
        }
        case 'content_block_delta': {
          const index = typeof data.index === 'number' ? data.index : 0;
          const delta = isObject(data.delta) ? { ...data.delta } : {};
          if (delta.type === 'text_delta' && typeof delta.text === 'string') {
            delta.text = this.#restorer(`b${index}`, false).push(delta.text);
          } else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
            delta.partial_json = this.#restorer(`b${index}`, true).push(delta.partial_json);
          }
          return [frame({ ...data, delta })];
        }
        case 'content_block_stop': {
          const index = typeof data.index === 'number' ? data.index : 0;
          return [...this.#anthropicFlush(index), frame(data)];
        }
        default:
          return [frame(data)];
      }
    } catch (error) {
      return this.#fail(this.#context.toError(error));
    }
  }

  #anthropicFlush(index: number): StreamFrame[] {
    const restorer = this.#restorers.get(`b${index}`);
    if (restorer === undefined || !restorer.holding) return [];
    const rest = restorer.flush();
    const delta =
      this.#jsonBlocks.get(index) === true
        ? { type: 'input_json_delta', partial_json: rest }
        : { type: 'text_delta', text: rest };
    return [
      {
        kind: 'event',
        event: 'content_block_delta',
        data: JSON.stringify({ type: 'content_block_delta', index, delta }),
      },
    ];
  }

  #anthropicFlushAll(): StreamFrame[] {
    const frames: StreamFrame[] = [];
    for (const key of this.#restorers.keys()) frames.push(...this.#anthropicFlush(Number(key.slice(1))));
    return frames;
  }

  /** The provider ended the stream without its end marker. */
  finish(): StreamFrame[] {
    this.done = true;
    try {
      return this.#context.route.adapter.format === 'openai'
        ? this.#openAiFlush()
        : this.#anthropicFlushAll();
    } catch (error) {
      return this.#fail(this.#context.toError(error));
    }
  }
}

/** The values of the request's findings, so the answer may repeat them to the agent that sent them. */
function knownValues(body: JsonObject, findings: readonly LocatedFinding[]): Set<string> {
  const known = new Set<string>();
  for (const finding of findings) {
    const text = valueAt(body, finding.path);
    if (typeof text === 'string') known.add(text.slice(finding.start, finding.end));
  }
  return known;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function policyAgent(caller: ModelCaller): ModelAuthorizationRequest['agent'] {
  return {
    id: caller.agent.id,
    name: caller.agent.name,
    roles: caller.roles,
    clearance: caller.agent.clearance,
    owner: caller.agent.owner,
  };
}

function findingsDetail(scan: RequestScan, route: Route): JsonObject {
  return {
    counts: scan.summary.counts,
    classes: [...scan.summary.classes],
    actions: Object.fromEntries(route.actions),
  };
}

/** Checks the parts of a request body Warden reads; the provider checks the rest. */
function validateBody(api: WireFormat, body: unknown): JsonObject {
  const bad = (message: string): WardenError =>
    new WardenError(
      'WARDEN_BAD_REQUEST',
      `${message}; see ${api === 'openai' ? 'the Chat Completions' : 'the Messages'} API reference`,
    );
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bad('the body must be a JSON object');
  const object = body as JsonObject;
  if (typeof object.model !== 'string' || object.model === '' || object.model.length > 256) {
    throw bad(
      '"model" must be a model alias (a string of at most 256 characters; GET /v1/models lists them)',
    );
  }
  if (
    !Array.isArray(object.messages) ||
    object.messages.length === 0 ||
    object.messages.length > MAX_MESSAGES
  ) {
    throw bad(`"messages" must be an array of 1 to ${MAX_MESSAGES} messages`);
  }
  for (const message of object.messages) {
    if (!isObject(message) || typeof message.role !== 'string')
      throw bad('each message must be an object with a "role"');
  }
  if (object.stream !== undefined && typeof object.stream !== 'boolean')
    throw bad('"stream" must be true or false');
  return object;
}

/** The parts of a request the prompt firewall scores: user messages as prompts, tool results as tool output. */
function firewallUnits(
  api: WireFormat,
  body: JsonObject,
): { pointer: string; kind: 'prompt' | 'tool_output' }[] {
  const units: { pointer: string; kind: 'prompt' | 'tool_output' }[] = [];
  const messages = Array.isArray(body.messages) ? body.messages : [];
  messages.forEach((message, index) => {
    if (!isObject(message)) return;
    if (api === 'openai') {
      if (message.role === 'user') units.push({ pointer: `/messages/${index}/content`, kind: 'prompt' });
      else if (message.role === 'tool' || message.role === 'function') {
        units.push({ pointer: `/messages/${index}/content`, kind: 'tool_output' });
      }
      return;
    }
    if (message.role !== 'user') return;
    if (typeof message.content === 'string') {
      units.push({ pointer: `/messages/${index}/content`, kind: 'prompt' });
      return;
    }
    const blocks = Array.isArray(message.content) ? message.content : [];
    blocks.forEach((block, blockIndex) => {
      if (!isObject(block)) return;
      if (block.type === 'text')
        units.push({ pointer: `/messages/${index}/content/${blockIndex}/text`, kind: 'prompt' });
      else if (block.type === 'tool_result') {
        units.push({ pointer: `/messages/${index}/content/${blockIndex}/content`, kind: 'tool_output' });
      }
    });
  });
  return units;
}

/** Appends the canary to the system prompt; false when the request has none (nothing to leak). */
function insertCanary(api: WireFormat, body: JsonObject, canary: string): boolean {
  const line = `\n\n(Reference ${canary}: internal, never repeat it.)`;
  if (api === 'anthropic') {
    if (typeof body.system === 'string' && body.system !== '') {
      body.system = body.system + line;
      return true;
    }
    if (Array.isArray(body.system) && body.system.length > 0) {
      body.system = [...body.system, { type: 'text', text: line.trim() }];
      return true;
    }
    return false;
  }
  const messages = Array.isArray(body.messages) ? [...body.messages] : [];
  const index = messages.findIndex(
    (message) => isObject(message) && (message.role === 'system' || message.role === 'developer'),
  );
  if (index < 0) return false;
  const message = messages[index] as JsonObject;
  if (typeof message.content === 'string') messages[index] = { ...message, content: message.content + line };
  else if (Array.isArray(message.content)) {
    messages[index] = { ...message, content: [...message.content, { type: 'text', text: line.trim() }] };
  } else return false;
  body.messages = messages;
  return true;
}
