/**
 * The policy service: Cedar policies validated against the generated schema, preparsed once and
 * partitioned per tool, so each decision evaluates only the policies that can apply to its tool.
 * Deny by default and fail closed: no permit, any forbid, any evaluation error or any unexpected
 * answer is a deny. A hold (a forbid with `@approval`) turns an allow into approval_required and
 * never grants: it is evaluated as a permit that counts only beside a real one. A reload builds a new set beside the old one and swaps only when it is valid.
 */
import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type {
  AuthorizationAnswer,
  CedarValueJson,
  Context,
  EntityJson,
  Policy,
  SchemaJson,
} from '@cedar-policy/cedar-wasm/nodejs';
import type { WardenConfig } from '../config/index.js';
import { WardenError, systemClock } from '../core/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import { emptyNeeds, mergeNeeds } from './analyze.js';
import type { PolicyNeeds } from './analyze.js';
import { compilePolicies, formatIssues, TimeSlicer } from './compile.js';
import type { CompiledPolicy } from './compile.js';
import { decideModelCall, prepareModelPolicies } from './models.js';
import type { ModelAuthorizationRequest, ModelPolicySet } from './models.js';
import {
  buildContext,
  cedarClientIp,
  findingsContext,
  LocalTime,
  sessionLabelsContext,
  typeArguments,
} from './request.js';
import {
  dataClassRanks,
  ENTITY_TYPES,
  exposedToolName,
  generateCedarSchema,
  riskGroupId,
  serverGroupId,
} from './schema.js';
import type { ArgumentType } from './schema.js';
import { displayPath, readPolicyDirectory } from './source.js';
import type { AuthorizationRequest, Authorizer, Decision, DeterminingPolicy } from './types.js';

export interface PolicyServiceOptions {
  config: WardenConfig;
  /** Directory `config.policy.dir` is relative to: the config file's directory (`LoadedConfig.baseDir`). */
  baseDir: string;
  clock?: Clock;
}

/** A loaded policy, as `warden policy check` lists it. */
export interface PolicySummary {
  id: string;
  effect: 'permit' | 'forbid';
  reason: string | null;
  approval: string | null;
  /** A forbid with `@approval`: it sends calls the other policies allow to people (docs/policy.md#holds). */
  hold: boolean;
  file: string;
  line: number;
}

/** What one load produced. */
export interface PolicyLoadSummary {
  version: string;
  /** Absolute path of the policy directory. */
  dir: string;
  /** Policies per file, in file order. */
  files: { file: string; policies: number }[];
  policies: PolicySummary[];
  /** Things worth a look that did not stop loading (no policies, validator warnings), one line each. */
  warnings: string[];
}

/** Values that replace what is derived from the request, for `warden policy explain` and policy tests. */
export interface ContextOverrides {
  hour?: number;
  weekday?: number;
}

/** A decision with everything that explains it. */
export interface PolicyExplanation {
  decision: Decision;
  /** The policy set version the decision was made with. */
  version: string;
  /** Ids of the policies evaluated for this tool (its partition). */
  evaluated: string[];
  /**
   * The context Cedar saw (only the fields the tool's policies read), or null when no evaluation
   * took place.
   */
  context: Context | null;
  /** Every context value derived for the request, whether policies read it or not. */
  derived: {
    arguments: Record<string, CedarValueJson>;
    hour: number;
    weekday: number;
    clientIp: string | null;
    callCount: number;
    toolCallCount: number;
    findings: CedarValueJson;
  } | null;
  /** The entities Cedar saw. */
  entities: EntityJson[];
  /** Evaluation errors, `policy id: message`; any error makes the decision a deny. */
  errors: string[];
}

/** Static facts about one declared tool, computed once per configuration. */
interface ToolFacts {
  name: string;
  server: string;
  groups: Set<string>;
  arguments: Array<readonly [string, ArgumentType]>;
  /** Every attribute of the Tool entity. */
  attributes: Record<string, CedarValueJson>;
  actionEntity: EntityJson;
}

/**
 * The policies one tool's decisions evaluate, and what they can read: only that is passed to Cedar.
 * Policies whose action scope always matches the tool are preparsed with an unscoped action, so the
 * action entity is passed only when a policy still needs it.
 */
interface Partition {
  /**
   * Preparsed set id, or null when no policy but holds can apply to the tool (a deny by default).
   * Holds (forbids with `@approval`) are in the set rewritten as permits, so one evaluation tells
   * which permits and which holds match; `mapAnswer` never lets a hold grant.
   */
  setId: string | null;
  /** Every policy that can apply to the tool, holds last. */
  policyIds: string[];
  /** The texts of its policies but the holds, for partial evaluation when listing tools. */
  texts: Record<string, string>;
  /** True when some policy reads `context.arguments` fields. */
  readsArguments: boolean;
  /** Some policy reads `context.findings` (so tools/list evaluates with them unknown). */
  readsFindings: boolean;
  needs: PolicyNeeds;
  /** The Tool entity with only the attributes the policies read. */
  toolEntity: EntityJson;
  /** The action entity and DataClass entities, when the policies need them. */
  extraEntities: EntityJson[];
  /** Agent attributes to pass, by name. */
  agentAttributes: { name: boolean; owner: boolean; clearance: boolean; clearanceName: boolean };
  /** Declared arguments to pass (a subset of the tool's). */
  arguments: Set<string> | 'all';
  contextFields: Set<string> | 'all';
}

/** One generation of loaded policies; never mutated after it is built. */
interface PolicyState {
  summary: PolicyLoadSummary;
  byId: Map<string, CompiledPolicy>;
  partitions: Map<string, Partition>;
  setIds: string[];
  /** Model alias → the preparsed policies that can apply to its model action. */
  models: Map<string, ModelPolicySet>;
}

/** Distinguishes preparsed sets of every service and generation in this process (the cache is global). */
const PROCESS_TAG = randomBytes(4).toString('hex');
let generationCounter = 0;

/**
 * Cedar policy decisions for tool calls. Load with {@link PolicyService.load}; `decide` is
 * synchronous and never throws.
 *
 * @example
 * const policy = await PolicyService.load({ config: loaded.config, baseDir: loaded.baseDir });
 * const decision = policy.decide(request);
 * if (decision.kind !== 'allow') refuse(decision.message);
 */
export class PolicyService implements Authorizer {
  readonly #config: WardenConfig;
  readonly #baseDir: string;
  readonly #clock: Clock;
  readonly #schema: SchemaJson<string>;
  readonly #schemaDigest: string;
  readonly #tools: Map<string, ToolFacts>;
  readonly #ranks: Map<string, number>;
  readonly #dataClassEntities: EntityJson[];
  readonly #localTime: LocalTime;
  #state: PolicyState;
  #reloading: Promise<PolicyLoadSummary> | null = null;
  #closed = false;

  private constructor(options: PolicyServiceOptions, state: PolicyState, facts: StaticFacts) {
    this.#config = options.config;
    this.#baseDir = options.baseDir;
    this.#clock = options.clock ?? systemClock;
    this.#schema = facts.schema;
    this.#schemaDigest = facts.schemaDigest;
    this.#tools = facts.tools;
    this.#ranks = facts.ranks;
    this.#dataClassEntities = facts.dataClassEntities;
    this.#localTime = new LocalTime(options.config.policy.timezone);
    this.#state = state;
  }

  /**
   * Reads `config.policy.dir` (relative to `baseDir`), validates every `*.cedar` file against the
   * schema generated from `config`, and preparses one policy set per declared tool.
   *
   * @throws WardenError WARDEN_POLICY_INVALID listing each problem as `file:line:col  message`.
   */
  static async load(options: PolicyServiceOptions): Promise<PolicyService> {
    const facts = staticFacts(options.config);
    const state = await buildState(options, facts);
    return new PolicyService(options, state, facts);
  }

  /** Digest of the generated schema and the policy files' names and texts. */
  get version(): string {
    return this.#state.summary.version;
  }

  /** What the current policy set holds. */
  get summary(): PolicyLoadSummary {
    return this.#state.summary;
  }

  /**
   * The current set's policies as written, in load order: id, text and annotations (the admin
   * console shows them). Annotation values are Cedar strings; `@interactive` has an empty one.
   */
  policyTexts(): { id: string; text: string; annotations: Record<string, string> }[] {
    return [...this.#state.byId.values()].map((policy) => ({
      id: policy.id,
      text: policy.text,
      annotations: Object.fromEntries(
        Object.entries(policy.json.annotations ?? {}).map(([name, value]) => [name, value ?? '']),
      ),
    }));
  }

  /** The generated Cedar schema (JSON form). */
  get schema(): SchemaJson<string> {
    return this.#schema;
  }

  /** The configuration the service was loaded with. */
  get config(): WardenConfig {
    return this.#config;
  }

  /** The clock used for policy tests and explanations without an explicit time. */
  get clock(): Clock {
    return this.#clock;
  }

  /**
   * Checks the call's arguments against the types the tool declares for policy (`arguments:` in
   * config). Returns a WARDEN_INVALID_ARGUMENTS error to refuse the call with, or null when they
   * fit. `decide` applies the same check and denies on a mismatch, so calling this first only
   * gives the caller the more precise error code.
   */
  checkArguments(toolName: string, args: JsonObject): WardenError | null {
    const tool = this.#tools.get(toolName);
    if (tool === undefined) return null;
    const typed = typeArguments(tool.arguments, args);
    if (typed.ok) return null;
    return new WardenError(
      'WARDEN_INVALID_ARGUMENTS',
      `Invalid arguments for ${toolName}: ${typed.problems.join('; ')}. Fix the arguments and call again.`,
      { tool: toolName, problems: typed.problems },
    );
  }

  /** Decides one model call (`Action::"model:<alias>"`). Never throws; see policy/models.ts. */
  decideModel(request: ModelAuthorizationRequest): Decision {
    const state = this.#state;
    return decideModelCall(request, {
      config: this.#config,
      set: state.models.get(request.alias),
      ranks: this.#ranks,
      dataClassEntities: this.#dataClassEntities,
      localTime: this.#localTime,
      mapAnswer: (answer, agent, action) => mapAnswer(answer, state.byId, agent, action).decision,
    });
  }

  /** Decides one tool call. Never throws: any failure is a deny that says what went wrong. */
  decide(request: AuthorizationRequest): Decision {
    return this.#evaluate(request, undefined, false).decision;
  }

  /**
   * Whether `tools/list` should show the tool to this agent: true when some arguments could make
   * the call allowed or send it for approval. Exact: a tool whose policies read no arguments is
   * decided as `decide` would; otherwise Cedar evaluates partially with the arguments unknown
   * (slower, but only for such tools). Any failure hides the tool; calls are decided again anyway.
   * Plugs into the pipeline's `listing` option.
   */
  mayCall(request: Omit<AuthorizationRequest, 'arguments'>): boolean {
    try {
      const state = this.#state;
      const partition = state.partitions.get(request.tool.name);
      if (partition === undefined || partition.setId === null) return false;
      if (!partition.readsArguments && !partition.readsFindings) {
        return this.decide({ ...request, arguments: {} }).kind !== 'deny';
      }
      const time = this.#localTime.at(request.time);
      const context = buildContext(
        {
          arguments: {},
          hour: time.hour,
          weekday: time.weekday,
          clientIp: request.clientIp,
          callCount: request.session.callCount,
          toolCallCount: request.session.toolCallCount,
          findings: findingsContext(undefined, this.#ranks),
          sessionLabels: sessionLabelsContext(request.session.labels, this.#ranks),
        },
        partition.contextFields,
      );
      if (partition.readsArguments) context.arguments = { __extn: { fn: 'unknown', arg: 'arguments' } };
      // What a call's arguments will carry is unknown until it is made.
      if (partition.readsFindings) context.findings = { __extn: { fn: 'unknown', arg: 'findings' } };
      const answer = cedar.isAuthorizedPartial({
        principal: { type: ENTITY_TYPES.agent, id: request.agent.name },
        action: { type: ENTITY_TYPES.action, id: request.tool.name },
        resource: { type: ENTITY_TYPES.tool, id: request.tool.name },
        context,
        entities: this.#entities(request, partition),
        policies: { staticPolicies: partition.texts },
      });
      return (
        answer.type === 'residuals' &&
        answer.response.errored.length === 0 &&
        answer.response.decision !== 'deny'
      );
    } catch {
      return false;
    }
  }

  /** Decides one tool call and returns why: determining policies, the context and entities, errors. */
  explain(request: AuthorizationRequest, overrides?: ContextOverrides): PolicyExplanation {
    return this.#evaluate(request, overrides, true);
  }

  /**
   * Loads the policy directory again into a new preparsed set and swaps it in atomically. When the
   * new files are invalid, throws WARDEN_POLICY_INVALID and the current set keeps serving.
   * Concurrent calls share one reload. The configuration (and so the schema) stays as loaded.
   */
  async reload(
    options: { beforeSwap?: (next: PolicyLoadSummary) => Promise<void> } = {},
  ): Promise<PolicyLoadSummary> {
    if (this.#closed) throw new WardenError('WARDEN_INTERNAL', 'The policy service is closed.');
    this.#reloading ??= (async () => {
      try {
        const next = await buildState({ config: this.#config, baseDir: this.#baseDir }, this.#facts());
        if (this.#closed) {
          freeSets(next.setIds);
          throw new WardenError('WARDEN_INTERNAL', 'The policy service was closed during the reload.');
        }
        // Record before act: the caller records the new set; if that fails, the old set stays.
        try {
          await options.beforeSwap?.(next.summary);
        } catch (error) {
          freeSets(next.setIds);
          throw error;
        }
        if (this.#closed) {
          freeSets(next.setIds);
          throw new WardenError('WARDEN_INTERNAL', 'The policy service was closed during the reload.');
        }
        const previous = this.#state;
        this.#state = next;
        // Decisions are synchronous, so none is using the previous sets any more.
        freeSets(previous.setIds);
        return next.summary;
      } finally {
        this.#reloading = null;
      }
    })();
    return this.#reloading;
  }

  /** Frees the preparsed policy sets; every later decision is a deny. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    freeSets(this.#state.setIds);
    this.#state = { ...this.#state, partitions: new Map(), setIds: [], models: new Map() };
  }

  #facts(): StaticFacts {
    return {
      schema: this.#schema,
      schemaDigest: this.#schemaDigest,
      tools: this.#tools,
      ranks: this.#ranks,
      dataClassEntities: this.#dataClassEntities,
    };
  }

  #evaluate(
    request: AuthorizationRequest,
    overrides: ContextOverrides | undefined,
    explain: boolean,
  ): PolicyExplanation {
    const state = this.#state;
    const result: PolicyExplanation = {
      decision: { kind: 'deny', policies: [], message: '' },
      version: state.summary.version,
      evaluated: [],
      context: null,
      derived: null,
      entities: [],
      errors: [],
    };
    let agentName = '(unknown agent)';
    let toolName = '(unknown tool)';
    try {
      agentName = request.agent.name;
      toolName = request.tool.name;
      const tool = this.#tools.get(toolName);
      const partition = state.partitions.get(toolName);
      if (tool === undefined || partition === undefined) {
        result.decision = deny(
          this.#closed
            ? `the policy service is closed, so ${agentName} may not call ${toolName}; deny by default`
            : `${toolName} is not a tool declared in the configuration, so no policy permits ${agentName} to call it; deny by default`,
        );
        return result;
      }
      if (explain) result.evaluated = partition.policyIds;
      const typed = typeArguments(tool.arguments, request.arguments);
      if (!typed.ok) {
        result.decision = deny(
          `the arguments of ${toolName} do not have the types declared for policy (${typed.problems.join('; ')}), so the call is denied`,
        );
        return result;
      }
      const time = this.#localTime.at(request.time);
      const inputs = {
        arguments: pickArguments(typed.value, partition.arguments),
        hour: overrides?.hour ?? time.hour,
        weekday: overrides?.weekday ?? time.weekday,
        clientIp: request.clientIp,
        callCount: request.session.callCount,
        toolCallCount: request.session.toolCallCount,
        findings: findingsContext(request.findings, this.#ranks),
        sessionLabels: sessionLabelsContext(request.session.labels, this.#ranks),
      };
      const context = buildContext(inputs, partition.contextFields);
      const entities = this.#entities(request, partition);
      if (explain) {
        result.context = context;
        result.entities = entities;
        result.derived = { ...inputs, arguments: typed.value, clientIp: cedarClientIp(request.clientIp) };
      }
      if (partition.setId === null) {
        result.decision = deny(`no policy permits ${agentName} to call ${toolName}; deny by default`);
        return result;
      }
      const answer = cedar.statefulIsAuthorized({
        principal: { type: ENTITY_TYPES.agent, id: agentName },
        action: { type: ENTITY_TYPES.action, id: toolName },
        resource: { type: ENTITY_TYPES.tool, id: toolName },
        context,
        entities,
        preparsedPolicySetId: partition.setId,
      });
      const mapped = mapAnswer(answer, state.byId, agentName, toolName);
      result.decision = mapped.decision;
      result.errors = mapped.errors;
      return result;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      result.decision = deny(
        `policy evaluation failed for ${agentName} calling ${toolName}, so the call is denied: ${reason}`,
      );
      result.errors = [reason];
      return result;
    }
  }

  #entities(request: Pick<AuthorizationRequest, 'agent'>, partition: Partition): EntityJson[] {
    const agent = request.agent;
    const wanted = partition.agentAttributes;
    const attrs: Record<string, CedarValueJson> = {};
    if (wanted.name) attrs.name = agent.name;
    if (wanted.owner) attrs.owner = agent.owner;
    if (wanted.clearance) attrs.clearance = this.#ranks.get(agent.clearance) ?? -1;
    if (wanted.clearanceName) attrs.clearanceName = agent.clearance;
    const agentEntity: EntityJson = {
      uid: { type: ENTITY_TYPES.agent, id: agent.name },
      attrs,
      parents: agent.roles.map((role) => ({ type: ENTITY_TYPES.role, id: role })),
    };
    return partition.extraEntities.length === 0
      ? [agentEntity, partition.toolEntity]
      : [agentEntity, partition.toolEntity, ...partition.extraEntities];
  }
}

interface StaticFacts {
  schema: SchemaJson<string>;
  schemaDigest: string;
  tools: Map<string, ToolFacts>;
  ranks: Map<string, number>;
  dataClassEntities: EntityJson[];
}

function staticFacts(config: WardenConfig): StaticFacts {
  const schema = generateCedarSchema(config);
  const ranks = dataClassRanks(config);
  const tools = new Map<string, ToolFacts>();
  for (const [serverName, server] of Object.entries(config.servers)) {
    for (const [toolName, tool] of Object.entries(server.tools)) {
      const name = exposedToolName(serverName, toolName);
      const groups = [serverGroupId(serverName), riskGroupId(tool.risk)];
      const classification = tool.classification ?? null;
      const attributes: Record<string, CedarValueJson> = {
        name,
        server: serverName,
        risk: tool.risk,
        classification: classification === null ? -1 : (ranks.get(classification) ?? -1),
        classificationName: classification ?? '',
        untrustedOutput: tool.untrustedOutput,
      };
      tools.set(name, {
        name,
        server: serverName,
        groups: new Set(groups),
        arguments: Object.entries(tool.arguments).map(([argument, type]) => [argument, type] as const),
        attributes,
        actionEntity: deepFreeze({
          uid: { type: ENTITY_TYPES.action, id: name },
          attrs: {},
          parents: groups.map((id) => ({ type: ENTITY_TYPES.action, id })),
        }),
      });
    }
  }
  const dataClassEntities = [...ranks].map(([name, rank]) =>
    deepFreeze<EntityJson>({ uid: { type: ENTITY_TYPES.dataClass, id: name }, attrs: { rank }, parents: [] }),
  );
  const schemaDigest = createHash('sha256').update(JSON.stringify(schema)).digest('hex');
  return { schema, schemaDigest, tools, ranks, dataClassEntities };
}

async function buildState(options: PolicyServiceOptions, facts: StaticFacts): Promise<PolicyState> {
  const dir = resolve(options.baseDir, options.config.policy.dir);
  const { files, exists } = await readPolicyDirectory(dir);
  const slicer = new TimeSlicer();
  const { policies, warnings, memberships } = await compilePolicies(files, facts.schema, slicer);

  const digest = createHash('sha256').update(facts.schemaDigest);
  for (const file of files) digest.update(`\0${file.name}\0${file.text}`);
  const version = `sha256:${digest.digest('hex')}`;

  const warningLines = warnings.length > 0 ? formatIssues(warnings).split('\n') : [];
  if (!exists) {
    warningLines.unshift(
      `the policy directory ${displayPath(dir)} does not exist, so there are no policies and every tool call is denied`,
    );
  } else if (policies.length === 0) {
    warningLines.unshift(
      `the policy directory ${displayPath(dir)} holds no policies, so every tool call is denied`,
    );
  }
  const adminGroups = new Set(Object.values(options.config.admins).flatMap((admin) => admin.groups));
  for (const policy of policies) {
    for (const group of policy.approvalSettings?.groups ?? []) {
      if (adminGroups.has(group)) continue;
      warningLines.push(
        `${policy.file}:${policy.line}: policy "${policy.id}" sends approvals to group "${group}", which no admin user is in; only users with the admin role can decide them`,
      );
    }
  }

  const generation = `warden-policy-${PROCESS_TAG}-${(generationCounter += 1)}`;
  const partitions = new Map<string, Partition>();
  const setIds: string[] = [];
  /** Holds that apply to some tool a permit can apply to; the others can never hold a call. */
  const heldSomewhere = new Set<string>();
  try {
    let index = 0;
    const preparse = (texts: Record<string, Policy>, toolName: string): string => {
      // Reuse an emptied id when there is one, so reloads do not grow cedar-wasm's id map.
      const setId = FREE_SET_IDS.pop() ?? `${generation}-${(index += 1)}`;
      const answer = cedar.preparsePolicySet(setId, { staticPolicies: texts });
      setIds.push(setId);
      if (answer.type !== 'success') {
        throw new WardenError(
          'WARDEN_POLICY_INVALID',
          `Cedar could not preparse the policies for ${toolName}: ${answer.errors.map((error) => error.message).join('; ')}`,
        );
      }
      return setId;
    };
    for (const tool of facts.tools.values()) {
      const needs = emptyNeeds();
      const applicable: CompiledPolicy[] = [];
      const holds: CompiledPolicy[] = [];
      const texts: Record<string, string> = {};
      const preparsed: Record<string, Policy> = {};
      for (const { policy, match } of memberships.get(tool.name) ?? []) {
        mergeNeeds(needs, policy.needs);
        if (policy.hold) {
          // A hold is evaluated as a permit: it matches when the forbid would, and Cedar then names
          // it among the permits of an allow. Its scope is dropped when it always matches the tool.
          holds.push(policy);
          const always = match === 'always';
          preparsed[policy.id] = {
            ...policy.json,
            effect: 'permit',
            action: always ? { op: 'All' } : policy.json.action,
          };
          if (!always) needs.actionEntity = true;
          continue;
        }
        applicable.push(policy);
        if (match === 'always' && policy.unscopedText !== null) {
          // Equivalent for this tool's requests, and needs no action entity.
          texts[policy.id] = policy.unscopedText;
        } else {
          texts[policy.id] = policy.text;
          needs.actionEntity = true;
        }
        preparsed[policy.id] = texts[policy.id] as string;
      }
      if (applicable.some((policy) => policy.effect === 'permit')) {
        for (const hold of holds) heldSomewhere.add(hold.id);
      }
      await slicer.tick();
      // Without a permit nothing can be allowed, and a hold grants nothing: no set, deny by default.
      const setId = applicable.length > 0 ? preparse(preparsed, tool.name) : null;
      const partition = makePartition({ setId, applicable, texts, needs, tool, facts });
      partitions.set(tool.name, {
        ...partition,
        policyIds: [...partition.policyIds, ...holds.map((hold) => hold.id)],
      });
    }
  } catch (error) {
    freeSets(setIds);
    throw error;
  }
  let models: Map<string, ModelPolicySet>;
  try {
    let modelIndex = 0;
    const allocate = (): string => FREE_SET_IDS.pop() ?? `${generation}-model-${(modelIndex += 1)}`;
    models = prepareModelPolicies(options.config, memberships, allocate, setIds);
  } catch (error) {
    freeSets(setIds);
    throw error;
  }

  for (const policy of policies) {
    if (!policy.hold || heldSomewhere.has(policy.id)) continue;
    warningLines.push(
      `${policy.file}:${policy.line}: policy "${policy.id}" (a forbid with @approval: a hold) applies to no tool that any permit applies to, so it never holds a call; a hold grants nothing, it only sends calls other policies allow to people`,
    );
  }
  const countByFile = new Map(files.map((file) => [file.name, 0]));
  for (const policy of policies) countByFile.set(policy.file, (countByFile.get(policy.file) ?? 0) + 1);
  return {
    summary: {
      version,
      dir,
      files: [...countByFile].map(([file, count]) => ({ file, policies: count })),
      policies: policies.map((policy) => ({
        id: policy.id,
        effect: policy.effect,
        reason: policy.reason,
        approval: policy.approval,
        hold: policy.hold,
        file: policy.file,
        line: policy.line,
      })),
      warnings: warningLines,
    },
    byId: new Map(policies.map((policy) => [policy.id, policy])),
    partitions,
    setIds,
    models,
  };
}

function makePartition(parts: {
  setId: string | null;
  applicable: CompiledPolicy[];
  texts: Record<string, string>;
  needs: PolicyNeeds;
  tool: ToolFacts;
  facts: StaticFacts;
}): Partition {
  const { setId, applicable, texts, needs, tool, facts } = parts;
  const wants = (set: Set<string> | 'all', name: string): boolean => set === 'all' || set.has(name);
  const toolAttributes = Object.fromEntries(
    Object.entries(tool.attributes).filter(([name]) => wants(needs.resourceAttributes, name)),
  );
  const extraEntities: EntityJson[] = [];
  if (needs.actionEntity) extraEntities.push(tool.actionEntity);
  if (needs.dataClasses) extraEntities.push(...facts.dataClassEntities);
  return {
    setId,
    policyIds: applicable.map((policy) => policy.id),
    texts,
    readsArguments: needs.argumentFields === 'all' || needs.argumentFields.size > 0,
    readsFindings: needs.contextFields === 'all' || needs.contextFields.has('findings'),
    needs,
    toolEntity: deepFreeze({
      uid: { type: ENTITY_TYPES.tool, id: tool.name },
      attrs: toolAttributes,
      parents: [{ type: ENTITY_TYPES.server, id: tool.server }],
    }),
    extraEntities,
    agentAttributes: {
      name: wants(needs.principalAttributes, 'name'),
      owner: wants(needs.principalAttributes, 'owner'),
      clearance: wants(needs.principalAttributes, 'clearance'),
      clearanceName: wants(needs.principalAttributes, 'clearanceName'),
    },
    arguments: needs.argumentFields,
    contextFields: needs.contextFields,
  };
}

function pickArguments(
  typed: Record<string, CedarValueJson>,
  wanted: Set<string> | 'all',
): Record<string, CedarValueJson> {
  if (wanted === 'all') return typed;
  const picked: Record<string, CedarValueJson> = {};
  for (const name of wanted) {
    const value = typed[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/**
 * Ids of preparsed sets that were emptied and are no longer used by any state: the next build
 * overwrites them. (cedar-wasm's preparse cache is global and offers no way to remove an entry.)
 */
const FREE_SET_IDS: string[] = [];

/** Replaces preparsed sets with empty ones and makes their ids available again. */
function freeSets(setIds: readonly string[]): void {
  for (const setId of setIds) {
    cedar.preparsePolicySet(setId, { staticPolicies: {} });
    FREE_SET_IDS.push(setId);
  }
}

function deny(message: string, policies: DeterminingPolicy[] = []): Decision {
  return { kind: 'deny', policies, message };
}

/** `policy "id" (reason)` for messages. */
function describePolicy(policy: DeterminingPolicy): string {
  return policy.reason === null ? `policy "${policy.id}"` : `policy "${policy.id}" (${policy.reason})`;
}

/** Maps Cedar's answer to a decision; anything but a clean, consistent answer is a deny. */
function mapAnswer(
  answer: AuthorizationAnswer,
  byId: ReadonlyMap<string, CompiledPolicy>,
  agent: string,
  tool: string,
): { decision: Decision; errors: string[] } {
  const failed = (errors: string[]): { decision: Decision; errors: string[] } => ({
    decision: deny(
      `policy evaluation failed for ${agent} calling ${tool}, so the call is denied: ${errors.join('; ')}`,
    ),
    errors,
  });
  if (answer.type !== 'success') return failed(answer.errors.map((error) => error.message));
  const { decision, diagnostics } = answer.response;
  if (diagnostics.errors.length > 0) {
    return failed(diagnostics.errors.map(({ policyId, error }) => `policy "${policyId}": ${error.message}`));
  }
  const determining: CompiledPolicy[] = [];
  for (const id of diagnostics.reason) {
    const policy = byId.get(id);
    if (policy === undefined) return failed([`Cedar named an unknown policy "${id}"`]);
    determining.push(policy);
  }
  // Cedar's reasons are a set: name them in source order, so messages and merges are stable.
  determining.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const policies = determining.map((policy) => ({ id: policy.id, reason: policy.reason }));
  if (decision === 'deny') {
    if (determining.some((policy) => policy.effect !== 'forbid' || policy.hold)) {
      return failed([`Cedar denied with permit policies as the reason: ${diagnostics.reason.join(', ')}`]);
    }
    if (determining.length === 0) {
      return { decision: deny(`no policy permits ${agent} to call ${tool}; deny by default`), errors: [] };
    }
    return {
      decision: deny(
        `${agent} may not call ${tool}: forbidden by ${policies.map(describePolicy).join(', ')}`,
        policies,
      ),
      errors: [],
    };
  }
  // Holds are evaluated as permits (see Partition): they send for approval what the permits
  // allow, and grant nothing themselves.
  const permits = determining.filter((policy) => !policy.hold);
  const holds = determining.filter((policy) => policy.hold);
  if (
    decision !== 'allow' ||
    determining.length === 0 ||
    permits.some((policy) => policy.effect !== 'permit')
  ) {
    return failed([
      `unexpected answer from Cedar: ${String(decision)} with reasons [${diagnostics.reason.join(', ')}]`,
    ]);
  }
  if (permits.length === 0) {
    return { decision: deny(`no policy permits ${agent} to call ${tool}; deny by default`), errors: [] };
  }
  const ordered = [...permits, ...holds];
  const approvals = ordered.filter((policy) => policy.approval !== null);
  if (approvals.length > 0) {
    const named = ordered.map((policy) => ({ id: policy.id, reason: policy.reason }));
    return { decision: approvalRequired(agent, tool, named, approvals), errors: [] };
  }
  return { decision: { kind: 'allow', policies }, errors: [] };
}

/**
 * A call that needs approval: `policies` determined it, and `approvals` (the `@approval` permits and
 * holds among them) ask for it; their requirements merge, the strictest of each.
 */
function approvalRequired(
  agent: string,
  tool: string,
  policies: DeterminingPolicy[],
  approvals: readonly CompiledPolicy[],
): Decision {
  const needs = approvals
    .map(
      (policy) =>
        `${policy.approval ?? ''} [policy "${policy.id}"${policy.reason === null ? '' : `: ${policy.reason}`}]`,
    )
    .join('; ');
  const settings = approvals.map(
    (policy) =>
      policy.approvalSettings ?? { required: 1, expirySeconds: null, interactive: false, groups: [] },
  );
  const expiries = settings.flatMap((setting) =>
    setting.expirySeconds === null ? [] : [setting.expirySeconds],
  );
  return {
    kind: 'approval_required',
    policies,
    message: `${agent} needs a person's approval to call ${tool}: ${needs}`,
    approval: {
      reason: needs,
      policyIds: approvals.map((policy) => policy.id),
      required: Math.max(1, ...settings.map((setting) => setting.required)),
      expirySeconds: expiries.length === 0 ? null : Math.min(...expiries),
      interactive: settings.every((setting) => setting.interactive),
      groups: [...new Set(settings.flatMap((setting) => setting.groups))],
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
