/**
 * Policy decisions for model calls (the LLM egress proxy): `Action::"model:<alias>"` on a `Model`
 * resource. Deny by default: only policies whose action scope names a model action or the group
 * `Action::"models"` can permit one; a policy with an unconstrained action applies to tools only.
 * Any evaluation error, and any approval requirement (model calls are not held), is a deny.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type {
  AuthorizationAnswer,
  CedarValueJson,
  Context,
  EntityJson,
} from '@cedar-policy/cedar-wasm/nodejs';
import type { WardenConfig } from '../config/index.js';
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
}

/** For each model alias, the texts of the policies that can apply to it. */
export function modelPolicyTexts(
  config: WardenConfig,
  memberships: ReadonlyMap<string, readonly Membership[]>,
): Map<string, Record<string, string>> {
  const texts = new Map<string, Record<string, string>>();
  for (const alias of Object.keys(config.llm?.models ?? {})) {
    const members = memberships.get(modelActionId(alias)) ?? [];
    texts.set(alias, Object.fromEntries(members.map(({ policy }) => [policy.id, policy.text])));
  }
  return texts;
}

/** What deciding a model call needs from the policy service. */
export interface ModelDecisionInputs {
  config: WardenConfig;
  /** Policy texts for the alias, or undefined when the alias is not configured. */
  texts: Record<string, string> | undefined;
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
    if (model === undefined || inputs.texts === undefined) {
      return deny(`"${request.alias}" is not a model alias in llm.models, so ${agentName} may not use it`);
    }
    if (Object.keys(inputs.texts).length === 0) {
      return deny(
        `no policy permits ${agentName} to use model "${request.alias}" (${action}); deny by default`,
      );
    }
    const provider = inputs.config.llm.providers[model.provider];
    const time = inputs.localTime.at(request.time);
    const context: Context = {
      hour: time.hour,
      weekday: time.weekday,
      findings: findingsContext(request.findings, inputs.ranks),
    };
    const ip = cedarClientIp(request.clientIp);
    if (ip !== null) context.clientIp = { __extn: { fn: 'ip', arg: ip } };
    const agent = request.agent;
    const attrs: Record<string, CedarValueJson> = {
      name: agent.name,
      owner: agent.owner,
      clearance: inputs.ranks.get(agent.clearance) ?? -1,
      clearanceName: agent.clearance,
    };
    const entities: EntityJson[] = [
      {
        uid: { type: ENTITY_TYPES.agent, id: agent.name },
        attrs,
        parents: agent.roles.map((role) => ({ type: ENTITY_TYPES.role, id: role })),
      },
      {
        uid: { type: ENTITY_TYPES.model, id: request.alias },
        attrs: { name: request.alias, provider: model.provider, local: provider?.local === true },
        parents: [],
      },
      {
        uid: { type: ENTITY_TYPES.action, id: action },
        attrs: {},
        parents: [{ type: ENTITY_TYPES.action, id: MODELS_GROUP_ID }],
      },
      ...inputs.dataClassEntities,
    ];
    const answer = cedar.isAuthorized({
      principal: { type: ENTITY_TYPES.agent, id: agent.name },
      action: { type: ENTITY_TYPES.action, id: action },
      resource: { type: ENTITY_TYPES.model, id: request.alias },
      context,
      entities,
      policies: { staticPolicies: inputs.texts },
    });
    const decision = inputs.mapAnswer(answer, agentName, action);
    if (decision.kind === 'approval_required') {
      return deny(
        `${agentName} may not use model "${request.alias}": a policy asks for approval, and model calls are not held for approval; write a permit without @approval`,
        decision.policies,
      );
    }
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
