/**
 * Policy decisions for model calls (the LLM egress proxy): `Action::"model:<alias>"` on a `Model`
 * resource. Deny by default: only policies whose action scope names a model action or the group
 * `Action::"models"` can permit one; a policy with an unconstrained action applies to tools only.
 * Any evaluation error, and any approval requirement (model calls are not held), is a deny. Each
 * alias's policies are preparsed once per policy load (like each tool's), so a decision costs a
 * `statefulIsAuthorized` over that alias's few policies, not a parse of their text.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type {
  AuthorizationAnswer,
  CedarValueJson,
  Context,
  EntityJson,
} from '@cedar-policy/cedar-wasm/nodejs';
import type { WardenConfig } from '../config/index.js';
import { WardenError } from '../core/index.js';
import { emptyNeeds, mergeNeeds } from './analyze.js';
import type { Membership } from './compile.js';
import { cedarClientIp, findingsContext } from './request.js';
import type { LocalTime } from './request.js';
import { ENTITY_TYPES, MODELS_GROUP_ID, modelActionId } from './schema.js';
import type { Decision, PolicyAgent, PolicyFindings } from './types.js';

/** One model call to decide. */
export interface ModelAuthorizationRequest {
  agent: PolicyAgent;
  /** The model alias asked for (`llm.models.<alias>`). */
  alias: string;
  /** Epoch milliseconds. */
  time: number;
  clientIp: string | null;
  /** What the request's messages carry; absent = nothing found. */
  findings?: PolicyFindings;
  /** Context values to use instead of those derived from `time` (policy test cases set them). */
  overrides?: { hour?: number; weekday?: number };
}

/** The preparsed policies of one model alias. */
export interface ModelPolicySet {
  /** Preparsed set id, or null when no policy can apply to the alias (a deny by default). */
  setId: string | null;
  policyIds: string[];
  /** Some policy needs the action entity (its scope was kept, or it reads the action). */
  actionEntity: boolean;
  /** Some policy reads DataClass entities. */
  dataClasses: boolean;
  /** The context fields some policy reads (each value passed costs evaluation time). */
  contextFields: Set<string> | 'all';
  /** The agent attributes some policy reads. */
  principalAttributes: Set<string> | 'all';
  /** The Model attributes some policy reads. */
  resourceAttributes: Set<string> | 'all';
  /**
   * Decisions already made with this set, by their exact inputs (agent, roles, the attributes and
   * context passed). Cedar is deterministic and the set never changes (a reload builds new sets), so
   * the same inputs get the same decision; at most MAX_CACHED_DECISIONS are kept.
   */
  decisions: Map<string, Decision>;
}

/** Most decisions one model's set remembers; when full it starts over. */
const MAX_CACHED_DECISIONS = 1000;

/**
 * Preparses, for each model alias in `config.llm.models`, the policies that can apply to it. Policies
 * whose action scope always matches are preparsed with an unscoped action (as for tools), so the
 * action entity is passed only when one still needs it. Every set id taken from `allocate` is pushed
 * to `setIds` at once, so the caller frees them even when a later alias fails.
 *
 * @throws WardenError WARDEN_POLICY_INVALID when Cedar cannot preparse a set.
 */
export function prepareModelPolicies(
  config: WardenConfig,
  memberships: ReadonlyMap<string, readonly Membership[]>,
  allocate: () => string,
  setIds: string[],
): Map<string, ModelPolicySet> {
  const sets = new Map<string, ModelPolicySet>();
  for (const alias of Object.keys(config.llm?.models ?? {})) {
    const members = memberships.get(modelActionId(alias)) ?? [];
    const texts: Record<string, string> = {};
    let actionEntity = false;
    let dataClasses = false;
    const needs = emptyNeeds();
    for (const { policy, match } of members) {
      mergeNeeds(needs, policy.needs);
      if (match === 'always' && policy.unscopedText !== null) texts[policy.id] = policy.unscopedText;
      else {
        texts[policy.id] = policy.text;
        actionEntity = true;
      }
      if (policy.needs.actionEntity) actionEntity = true;
      if (policy.needs.dataClasses) dataClasses = true;
    }
    let setId: string | null = null;
    if (members.length > 0) {
      setId = allocate();
      setIds.push(setId);
      const answer = cedar.preparsePolicySet(setId, { staticPolicies: texts });
      if (answer.type !== 'success') {
        throw new WardenError(
          'WARDEN_POLICY_INVALID',
          `Cedar could not preparse the policies for model "${alias}": ${answer.errors.map((error) => error.message).join('; ')}`,
        );
      }
    }
    sets.set(alias, {
      setId,
      policyIds: Object.keys(texts),
      actionEntity,
      dataClasses,
      contextFields: needs.contextFields,
      principalAttributes: needs.principalAttributes,
      resourceAttributes: needs.resourceAttributes,
      decisions: new Map(),
    });
  }
  return sets;
}

/** What deciding a model call needs from the policy service. */
export interface ModelDecisionInputs {
  config: WardenConfig;
  /** The alias's preparsed policies, or undefined when the alias is not configured. */
  set: ModelPolicySet | undefined;
  ranks: ReadonlyMap<string, number>;
  dataClassEntities: readonly EntityJson[];
  localTime: LocalTime;
  /** The policy service's mapping of Cedar's answer to a decision (fail closed). */
  mapAnswer(answer: AuthorizationAnswer, agent: string, action: string): Decision;
}

/** Decides one model call. Never throws: any failure is a deny that says what went wrong. */
export function decideModelCall(request: ModelAuthorizationRequest, inputs: ModelDecisionInputs): Decision {
  const action = modelActionId(request.alias);
  const agentName = request.agent.name;
  try {
    const model = inputs.config.llm?.models[request.alias];
    if (model === undefined || inputs.set === undefined) {
      return deny(`"${request.alias}" is not a model alias in llm.models, so ${agentName} may not use it`);
    }
    const set = inputs.set;
    if (set.setId === null) {
      return deny(
        `no policy permits ${agentName} to use model "${request.alias}" (${action}); deny by default`,
      );
    }
    const provider = inputs.config.llm.providers[model.provider];
    // Only what the alias's policies read is passed: each context value and attribute costs time.
    const reads = (fields: Set<string> | 'all', name: string): boolean =>
      fields === 'all' || fields.has(name);
    const context: Context = {};
    if (reads(set.contextFields, 'hour') || reads(set.contextFields, 'weekday')) {
      const time = inputs.localTime.at(request.time);
      context.hour = request.overrides?.hour ?? time.hour;
      context.weekday = request.overrides?.weekday ?? time.weekday;
    }
    if (reads(set.contextFields, 'findings')) {
      context.findings = findingsContext(request.findings, inputs.ranks);
    }
    const ip = reads(set.contextFields, 'clientIp') ? cedarClientIp(request.clientIp) : null;
    if (ip !== null) context.clientIp = { __extn: { fn: 'ip', arg: ip } };
    const agent = request.agent;
    const attrs: Record<string, CedarValueJson> = {};
    const wanted = set.principalAttributes;
    if (reads(wanted, 'name')) attrs.name = agent.name;
    if (reads(wanted, 'owner')) attrs.owner = agent.owner;
    if (reads(wanted, 'clearance')) attrs.clearance = inputs.ranks.get(agent.clearance) ?? -1;
    if (reads(wanted, 'clearanceName')) attrs.clearanceName = agent.clearance;
    // Everything else passed follows from the alias and the configuration, fixed for the set's life.
    const key = JSON.stringify([agent.name, agent.roles, attrs, context]);
    const cached = set.decisions.get(key);
    if (cached !== undefined) return cached;
    const modelAttrs: Record<string, CedarValueJson> = {};
    if (reads(set.resourceAttributes, 'name')) modelAttrs.name = request.alias;
    if (reads(set.resourceAttributes, 'provider')) modelAttrs.provider = model.provider;
    if (reads(set.resourceAttributes, 'local')) modelAttrs.local = provider?.local === true;
    const entities: EntityJson[] = [
      {
        uid: { type: ENTITY_TYPES.agent, id: agent.name },
        attrs,
        parents: agent.roles.map((role) => ({ type: ENTITY_TYPES.role, id: role })),
      },
      {
        uid: { type: ENTITY_TYPES.model, id: request.alias },
        attrs: modelAttrs,
        parents: [],
      },
    ];
    if (set.actionEntity) {
      entities.push({
        uid: { type: ENTITY_TYPES.action, id: action },
        attrs: {},
        parents: [{ type: ENTITY_TYPES.action, id: MODELS_GROUP_ID }],
      });
    }
    if (set.dataClasses) entities.push(...inputs.dataClassEntities);
    const answer = cedar.statefulIsAuthorized({
      principal: { type: ENTITY_TYPES.agent, id: agent.name },
      action: { type: ENTITY_TYPES.action, id: action },
      resource: { type: ENTITY_TYPES.model, id: request.alias },
      context,
      entities,
      preparsedPolicySetId: set.setId,
    });
    let decision = inputs.mapAnswer(answer, agentName, action);
    if (decision.kind === 'approval_required') {
      decision = deny(
        `${agentName} may not use model "${request.alias}": a policy asks for approval, and model calls are not held for approval; write a permit without @approval`,
        decision.policies,
      );
    }
    if (set.decisions.size >= MAX_CACHED_DECISIONS) set.decisions.clear();
    Object.freeze(decision.policies);
    set.decisions.set(key, Object.freeze(decision));
    return decision;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return deny(
      `policy evaluation failed for ${agentName} using ${action}, so the call is denied: ${reason}`,
    );
  }
}

function deny(message: string, policies: Decision['policies'] = []): Decision {
  return { kind: 'deny', policies, message };
}
