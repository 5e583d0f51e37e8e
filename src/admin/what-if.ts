/**
 * The console's "what if": decides a hypothetical tool call with the loaded policies and says why,
 * without recording a tool call, counting it on any session, or calling an upstream. It sees what
 * `warden policy explain` sees: the agent with all its roles, a fresh session (no calls before, no
 * labels), no content-inspection findings, and the current time.
 */
import type { WardenConfig } from '../config/index.js';
import { WardenError } from '../core/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import type { AuthorizationRequest, PolicyExplanation } from '../policy/index.js';
import type { AgentRecord } from '../store/index.js';

/** What the what-if needs of the policy service (`PolicyService` provides it). */
export interface WhatIfPolicies {
  readonly version: string;
  explain(request: AuthorizationRequest): PolicyExplanation;
  checkArguments(toolName: string, args: JsonObject): WardenError | null;
}

/** A decision and everything a person needs to understand it. */
export interface WhatIfResult {
  decision: 'allow' | 'deny' | 'approval_required';
  /** The determining policies' ids. */
  policyIds: string[];
  /** One sentence per reason: each determining policy with its `@reason`, an evaluation error, a refusal before policy. */
  reasons: string[];
  /** The message the agent would get (for allow: what allowed it). */
  message: string;
  /** `shadow`: the agent's calls go through whatever the decision (it is only recorded). */
  mode: 'enforce' | 'shadow';
  policyVersion: string;
  /** For approval_required: how many people, which groups. */
  approval: { required: number; groups: string[]; reason: string } | null;
}

/**
 * Decides what would happen if `agent` called `tool` with `args` now.
 *
 * @throws WARDEN_TOOL_NOT_FOUND when the config declares no such tool.
 */
export function evaluateWhatIf(
  options: { policies: WhatIfPolicies; config: WardenConfig; clock: Clock },
  agent: AgentRecord,
  tool: string,
  args: JsonObject,
): WhatIfResult {
  const { policies, config } = options;
  const separator = tool.indexOf('__');
  const server = separator > 0 ? tool.slice(0, separator) : '';
  const toolName = separator > 0 ? tool.slice(separator + 2) : '';
  const spec = config.servers[server]?.tools[toolName];
  if (spec === undefined) {
    const known = Object.entries(config.servers).flatMap(([serverName, serverSpec]) =>
      Object.keys(serverSpec.tools).map((name) => `${serverName}__${name}`),
    );
    throw new WardenError(
      'WARDEN_TOOL_NOT_FOUND',
      `"${tool.slice(0, 130)}" is not a declared tool; declared tools: ${known.slice(0, 50).join(', ') || 'none'}`,
      { tool: tool.slice(0, 130) },
    );
  }
  const mode = config.agents[agent.name]?.mode ?? 'enforce';
  const base = { mode, policyVersion: policies.version, approval: null };
  if (agent.status === 'suspended') {
    const why = `agent "${agent.name}" is suspended${agent.suspendedReason === null ? '' : ` (${agent.suspendedReason})`}: every call is refused before policy is asked`;
    return { ...base, decision: 'deny', policyIds: [], reasons: [why], message: why };
  }
  const invalid = policies.checkArguments(tool, args);
  if (invalid !== null) {
    return { ...base, decision: 'deny', policyIds: [], reasons: [invalid.message], message: invalid.message };
  }
  const explanation = policies.explain({
    agent: {
      id: agent.id,
      name: agent.name,
      roles: agent.roles,
      clearance: agent.clearance,
      owner: agent.owner,
    },
    tool: {
      name: tool,
      server,
      tool: toolName,
      risk: spec.risk,
      classification: spec.classification ?? null,
      untrustedOutput: spec.untrustedOutput,
    },
    arguments: args,
    time: options.clock.now(),
    clientIp: null,
    session: { id: null, callCount: 0, toolCallCount: 0 },
  });
  const { decision } = explanation;
  const reasons = decision.policies.map(
    (policy) =>
      `${policy.id}: ${policy.reason ?? (decision.kind === 'allow' ? 'permits this call' : 'no @reason given')}`,
  );
  for (const error of explanation.errors) reasons.push(`evaluation error (the call is denied): ${error}`);
  if (decision.kind === 'deny' && decision.policies.length === 0 && explanation.errors.length === 0) {
    reasons.push('no policy permits this call (deny by default)');
  }
  if (mode === 'shadow' && decision.kind !== 'allow') {
    reasons.push(
      `agent "${agent.name}" is in shadow mode: the call would go through and be recorded as ${decision.kind}`,
    );
  }
  const policyIds = decision.policies.map((policy) => policy.id);
  if (decision.kind === 'allow') {
    return {
      ...base,
      decision: 'allow',
      policyIds,
      reasons,
      message: `allowed by ${policyIds.join(', ') || 'policy'}`,
    };
  }
  return {
    ...base,
    decision: decision.kind,
    policyIds,
    reasons,
    message: decision.message,
    approval:
      decision.kind === 'approval_required'
        ? {
            required: decision.approval.required,
            groups: decision.approval.groups,
            reason: decision.approval.reason,
          }
        : null,
  };
}
