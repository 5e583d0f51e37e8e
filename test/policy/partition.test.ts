import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { CedarValueJson, Context, EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import fc from 'fast-check';
import type { WardenConfig } from '../../src/config/index.js';
import { PolicyService } from '../../src/policy/index.js';
import type { AuthorizationRequest, Decision } from '../../src/policy/index.js';
import { policyWorkspace, requestFor } from './helpers.js';

const TOOLS = [
  { name: 'crm__read_customer', server: 'crm', risk: 'read' },
  { name: 'crm__export_customers', server: 'crm', risk: 'read' },
  { name: 'crm__delete_customer', server: 'crm', risk: 'delete' },
  { name: 'payments__transfer', server: 'payments', risk: 'financial' },
  { name: 'mail__send_email', server: 'mail', risk: 'external_communication' },
] as const;

void test('a policy scoped to a server group is evaluated for every tool of that server and no other', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar':
      '@id("crm-for-support") permit (principal in Role::"support", action in Action::"server:crm", resource);\n',
  });
  const service = await load();
  for (const tool of TOOLS) {
    const explanation = service.explain(requestFor(loaded, 'support-bot', tool.name, {}));
    const inCrm = tool.server === 'crm';
    assert.deepEqual(explanation.evaluated, inCrm ? ['crm-for-support'] : [], tool.name);
    assert.equal(explanation.decision.kind, inCrm ? 'allow' : 'deny', tool.name);
  }
});

void test('an unscoped forbid is evaluated for every tool', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `@id("all-reads") permit (principal, action, resource);
@id("not-interns") forbid (principal, action, resource) when { principal.clearance == 0 };
`,
  });
  const service = await load();
  for (const tool of TOOLS) {
    assert.deepEqual(service.explain(requestFor(loaded, 'intern-bot', tool.name)).evaluated, [
      'all-reads',
      'not-interns',
    ]);
    assert.deepEqual(service.decide(requestFor(loaded, 'intern-bot', tool.name)).policies, [
      { id: 'not-interns', reason: null },
    ]);
    assert.equal(service.decide(requestFor(loaded, 'support-bot', tool.name)).kind, 'allow');
  }
});

void test('a policy for one tool is never evaluated for another tool', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `@id("crm") permit (principal, action in Action::"server:crm", resource);
@id("read-only-trap") forbid (principal, action == Action::"crm__read_customer", resource)
when { context.session.callCount * 1000000000000000000 > 0 };
`,
  });
  const service = await load();
  const session = { id: 's', callCount: 100, toolCallCount: 0 };
  const read = service.explain(requestFor(loaded, 'support-bot', 'crm__read_customer', {}, { session }));
  assert.equal(read.decision.kind, 'deny', 'the trap errors (overflow) for the tool it names');
  assert.match(read.errors[0] ?? '', /read-only-trap/);
  const other = service.explain(requestFor(loaded, 'support-bot', 'crm__export_customers', {}, { session }));
  assert.deepEqual(other.evaluated, ['crm']);
  assert.deepEqual(other.errors, []);
  assert.equal(other.decision.kind, 'allow');
});

void test('decisions of the partitioned engine equal those of one unpartitioned set on random policies and requests', async (t) => {
  const workspace = await policyWorkspace(t, {});
  const config = workspace.loaded.config;
  const schema = rankTable(config);
  let referenceGeneration = 0;

  await fc.assert(
    fc.asyncProperty(
      fc.array(policyArbitrary, { minLength: 1, maxLength: 40 }),
      fc.array(requestArbitrary, { minLength: 25, maxLength: 25 }),
      async (policies, requests) => {
        const text = policies.map((policy, index) => `@id("p${index}")\n${policy}`).join('\n');
        await workspace.writePolicy('random.cedar', text);
        const service = await PolicyService.load({ config, baseDir: workspace.loaded.baseDir });
        const referenceId = `partition-test-reference-${(referenceGeneration += 1)}`;
        const preparsed = cedar.preparsePolicySet(referenceId, {
          staticPolicies: Object.fromEntries(
            policies.map((policy, index) => [`p${index}`, `@id("p${index}")\n${policy}`]),
          ),
        });
        assert.equal(preparsed.type, 'success');
        try {
          const approvals = new Set(
            service.summary.policies.filter((policy) => policy.approval !== null).map((policy) => policy.id),
          );
          for (const generated of requests) {
            const request = toRequest(generated);
            const expected = referenceDecision(referenceId, schema, config, request, generated, approvals);
            const actual = summarize(service.decide(request));
            assert.deepEqual(actual, expected, `${text}\n---\n${JSON.stringify(generated)}`);
          }
        } finally {
          service.close();
          cedar.preparsePolicySet(referenceId, { staticPolicies: {} });
        }
      },
    ),
    { numRuns: 40 },
  );
});

// --- random policies ---------------------------------------------------------------------------

const principalScope = fc.constantFrom(
  'principal',
  'principal in Role::"support"',
  'principal in Role::"finance"',
  'principal in Role::"admin"',
  'principal == Agent::"support-bot"',
  'principal is Agent',
);
const actionScope = fc.constantFrom(
  'action',
  ...TOOLS.map((tool) => `action == Action::"${tool.name}"`),
  'action in Action::"server:crm"',
  'action in Action::"server:payments"',
  'action in Action::"server:mail"',
  'action in Action::"risk:read"',
  'action in Action::"risk:delete"',
  'action in Action::"risk:financial"',
  'action in Action::"risk:write"',
  'action in [Action::"mail__send_email", Action::"server:crm"]',
  'action in [Action::"risk:financial", Action::"risk:external_communication"]',
  'action == Action::"server:crm"',
);
const resourceScope = fc.constantFrom(
  'resource',
  'resource in Server::"crm"',
  'resource in Server::"payments"',
  'resource == Tool::"mail__send_email"',
);
const condition = fc.constantFrom(
  '',
  ' when { principal.clearance >= resource.classification }',
  ' when { resource.classification > principal.clearance }',
  ' when { context.hour < 12 }',
  ' unless { context.weekday == 0 || context.weekday == 6 }',
  ' when { context.session.callCount > 3 }',
  ' when { context.session.toolCallCount == 0 }',
  ' when { resource.risk == "read" }',
  ' when { resource.server == "crm" && resource.untrustedOutput == false }',
  ' when { principal.clearanceName == "restricted" }',
  ' when { principal.owner like "*@example.com" && principal.name != "intern-bot" }',
  ' when { action in Action::"risk:read" }',
  ' unless { action == Action::"crm__export_customers" }',
  ' when { resource.classification < DataClass::"confidential".rank }',
  ' when { context has clientIp && context.clientIp.isLoopback() }',
  ' when { principal in Role::"admin" }',
  ' when { resource in Server::"mail" }',
);
const transferCondition = fc.constantFrom(
  ' when { context.arguments has amount && context.arguments.amount >= 1000 }',
  ' when { context.arguments has to_account && context.arguments.to_account like "ext-*" }',
  ' unless { context.arguments has amount && context.arguments.amount < 50 }',
);
const policyArbitrary = fc
  .record({
    effect: fc.constantFrom('permit', 'permit', 'forbid'),
    approval: fc.constantFrom(false, false, false, true),
    principal: principalScope,
    action: actionScope,
    resource: resourceScope,
    condition,
    transfer: fc.boolean(),
    transferCondition,
  })
  .map((policy) => {
    const onlyTransfer = policy.transfer;
    const action = onlyTransfer ? 'action == Action::"payments__transfer"' : policy.action;
    const approval = policy.effect === 'permit' && policy.approval ? '@approval("needs a person")\n' : '';
    const conditions = onlyTransfer ? `${policy.condition}${policy.transferCondition}` : policy.condition;
    return `${approval}${policy.effect} (${policy.principal}, ${action}, ${policy.resource})${conditions};`;
  });

// --- random requests ---------------------------------------------------------------------------

interface GeneratedRequest {
  agent: { name: string; roles: string[]; clearance: string };
  tool: string;
  amount: number | null;
  toAccount: string | null;
  hour: number;
  weekday: number;
  callCount: number;
  toolCallCount: number;
  clientIp: string | null;
}

const requestArbitrary: fc.Arbitrary<GeneratedRequest> = fc.record({
  agent: fc.oneof(
    fc.constantFrom<GeneratedRequest['agent']>(
      { name: 'support-bot', roles: ['support'], clearance: 'confidential' },
      { name: 'finance-bot', roles: ['finance'], clearance: 'restricted' },
      { name: 'intern-bot', roles: ['support'], clearance: 'public' },
    ),
    fc.record({
      name: fc.constantFrom('x-bot', 'y-bot'),
      roles: fc.subarray(['support', 'finance', 'admin']),
      clearance: fc.constantFrom('public', 'internal', 'confidential', 'restricted'),
    }),
  ),
  tool: fc.constantFrom(...TOOLS.map((tool) => tool.name)),
  amount: fc.option(fc.integer({ min: 0, max: 5000 })),
  toAccount: fc.option(fc.constantFrom<string>('ext-123', 'acct-payroll')),
  hour: fc.integer({ min: 0, max: 23 }),
  weekday: fc.integer({ min: 0, max: 6 }),
  callCount: fc.integer({ min: 0, max: 10 }),
  toolCallCount: fc.integer({ min: 0, max: 3 }),
  clientIp: fc.constantFrom<string | null>(null, '127.0.0.1', '10.0.0.1', '::1'),
});

/** Tuesday 2026-01-06 00:00 in Asia/Ho_Chi_Minh (UTC+7), the day the request's weekday and hour are counted from. */
const TUESDAY_MIDNIGHT = Date.parse('2026-01-05T17:00:00Z');

function toRequest(generated: GeneratedRequest): AuthorizationRequest {
  const tool = TOOLS.find((candidate) => candidate.name === generated.tool)!;
  const args: Record<string, string | number> = { unrelated: 'ignored' };
  if (generated.amount !== null) args.amount = generated.amount;
  if (generated.toAccount !== null) args.to_account = generated.toAccount;
  const dayOffset = (generated.weekday - 2 + 7) % 7;
  return {
    agent: { id: generated.agent.name, owner: `${generated.agent.name}@example.com`, ...generated.agent },
    tool: {
      name: tool.name,
      server: tool.server,
      tool: tool.name.split('__')[1]!,
      risk: tool.risk,
      classification: null,
      untrustedOutput: false,
    },
    arguments: args,
    time: TUESDAY_MIDNIGHT + dayOffset * 86_400_000 + generated.hour * 3_600_000 + 1_234,
    clientIp: generated.clientIp,
    session: { id: 's', callCount: generated.callCount, toolCallCount: generated.toolCallCount },
  };
}

// --- the reference: every policy in one set, every entity and context field passed --------------

function rankTable(config: WardenConfig): { ranks: Map<string, number> } {
  return { ranks: new Map(config.dataClasses.map((dataClass, index) => [dataClass.name, index])) };
}

type Summary = { kind: Decision['kind'] | 'error'; policies: string[] };

function summarize(decision: Decision): Summary {
  if (decision.kind === 'deny' && decision.message.startsWith('policy evaluation failed'))
    return { kind: 'error', policies: [] };
  return { kind: decision.kind, policies: decision.policies.map((policy) => policy.id).sort() };
}

function referenceDecision(
  setId: string,
  schema: { ranks: Map<string, number> },
  config: WardenConfig,
  request: AuthorizationRequest,
  generated: GeneratedRequest,
  approvals: ReadonlySet<string>,
): Summary {
  const tool = TOOLS.find((candidate) => candidate.name === request.tool.name)!;
  const spec = config.servers[tool.server]!.tools[tool.name.split('__')[1]!]!;
  const classification = spec.classification === undefined ? -1 : schema.ranks.get(spec.classification)!;
  const entities: EntityJson[] = [
    {
      uid: { type: 'Agent', id: request.agent.name },
      attrs: {
        name: request.agent.name,
        owner: request.agent.owner,
        clearance: schema.ranks.get(request.agent.clearance)!,
        clearanceName: request.agent.clearance,
      },
      parents: request.agent.roles.map((role) => ({ type: 'Role', id: role })),
    },
    {
      uid: { type: 'Tool', id: tool.name },
      attrs: {
        name: tool.name,
        server: tool.server,
        risk: spec.risk,
        classification,
        classificationName: spec.classification ?? '',
        untrustedOutput: spec.untrustedOutput,
      },
      parents: [{ type: 'Server', id: tool.server }],
    },
    {
      uid: { type: 'Action', id: tool.name },
      attrs: {},
      parents: [
        { type: 'Action', id: `server:${tool.server}` },
        { type: 'Action', id: `risk:${spec.risk}` },
      ],
    },
    ...[...schema.ranks].map(([name, rank]) => ({
      uid: { type: 'DataClass', id: name },
      attrs: { rank },
      parents: [],
    })),
  ];
  const args: Record<string, CedarValueJson> = {};
  if (tool.name === 'payments__transfer') {
    if (generated.amount !== null) args.amount = generated.amount;
    if (generated.toAccount !== null) args.to_account = generated.toAccount;
  }
  const context: Context = {
    arguments: args,
    hour: generated.hour,
    weekday: generated.weekday,
    session: { callCount: generated.callCount, toolCallCount: generated.toolCallCount },
  };
  if (generated.clientIp !== null) context.clientIp = { __extn: { fn: 'ip', arg: generated.clientIp } };
  const answer = cedar.statefulIsAuthorized({
    principal: { type: 'Agent', id: request.agent.name },
    action: { type: 'Action', id: tool.name },
    resource: { type: 'Tool', id: tool.name },
    context,
    entities,
    preparsedPolicySetId: setId,
  });
  if (answer.type !== 'success' || answer.response.diagnostics.errors.length > 0)
    return { kind: 'error', policies: [] };
  const reasons = [...answer.response.diagnostics.reason].sort();
  if (answer.response.decision === 'deny') return { kind: 'deny', policies: reasons };
  return { kind: reasons.some((id) => approvals.has(id)) ? 'approval_required' : 'allow', policies: reasons };
}
