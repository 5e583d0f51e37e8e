/**
 * Holds: a `forbid` with `@approval` sends a call that the other policies allow (or send for
 * approval) to people, never grants anything, never weakens a deny, and fails closed on errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.js';
import { parsePolicyCases, PolicyService, runPolicyCases } from '../../src/policy/index.js';
import type { AuthorizationRequest, PolicySessionLabels } from '../../src/policy/index.js';
import { BASE_CONFIG, loadError, policyWorkspace, requestFor } from './helpers.js';

const EXAMPLE_CONFIG = fileURLToPath(new URL('../../examples/warden.yaml', import.meta.url));

const UNTRUSTED_HOLD = `@id("untrusted-needs-approval")
@reason("the session has read untrusted content")
@approval("a person must confirm this after untrusted content")
forbid (principal, action in [Action::"risk:external_communication", Action::"risk:financial", Action::"risk:delete"], resource)
when { context.session.untrusted };
`;

const PERMITS = `@id("support-mails")
@reason("support answers by email")
permit (principal in Role::"support", action == Action::"mail__send_email", resource);

@id("finance-transfers")
permit (principal in Role::"finance", action == Action::"payments__transfer", resource)
when { context.arguments has amount && context.arguments.amount < 1000 };

@id("support-reads")
permit (principal in Role::"support", action == Action::"crm__read_customer", resource);
`;

function labels(untrusted: boolean): PolicySessionLabels {
  return {
    untrusted,
    maxClassification: null,
    labels: untrusted ? ['untrusted'] : [],
    riskCounts: {},
    bytesRead: 0,
    task: null,
  };
}

function inSession(request: AuthorizationRequest, untrusted: boolean): AuthorizationRequest {
  return { ...request, session: { id: 's1', callCount: 1, toolCallCount: 0, labels: labels(untrusted) } };
}

void test('a hold that matches a permitted call sends it for approval, naming the permit and the hold', async (t) => {
  const { loaded, load } = await policyWorkspace(t, { 'a.cedar': PERMITS, 'b.cedar': UNTRUSTED_HOLD });
  const service = await load();
  const request = requestFor(loaded, 'support-bot', 'mail__send_email', { to: 'a@example.com' });
  assert.deepEqual(service.decide(inSession(request, false)), {
    kind: 'allow',
    policies: [{ id: 'support-mails', reason: 'support answers by email' }],
  });
  assert.deepEqual(service.decide(inSession(request, true)), {
    kind: 'approval_required',
    policies: [
      { id: 'support-mails', reason: 'support answers by email' },
      { id: 'untrusted-needs-approval', reason: 'the session has read untrusted content' },
    ],
    message:
      'support-bot needs a person\'s approval to call mail__send_email: a person must confirm this after untrusted content [policy "untrusted-needs-approval": the session has read untrusted content]',
    approval: {
      reason:
        'a person must confirm this after untrusted content [policy "untrusted-needs-approval": the session has read untrusted content]',
      policyIds: ['untrusted-needs-approval'],
      required: 1,
      expirySeconds: null,
      interactive: false,
      groups: [],
    },
  });
  // a tool outside the hold's scope is not held
  const read = requestFor(loaded, 'support-bot', 'crm__read_customer', { id: 'c1' });
  assert.equal(service.decide(inSession(read, true)).kind, 'allow');
});

void test('a hold grants nothing: without a permit the call is denied by default', async (t) => {
  const { loaded, load } = await policyWorkspace(t, { 'a.cedar': PERMITS, 'b.cedar': UNTRUSTED_HOLD });
  const service = await load();
  // finance-bot has no permit for mail; crm__delete_customer has no policy but the hold
  for (const [agent, tool] of [
    ['finance-bot', 'mail__send_email'],
    ['support-bot', 'crm__delete_customer'],
  ] as const) {
    for (const untrusted of [false, true]) {
      const decision = service.decide(inSession(requestFor(loaded, agent, tool, {}), untrusted));
      assert.deepEqual(
        decision,
        {
          kind: 'deny',
          policies: [],
          message: `no policy permits ${agent} to call ${tool}; deny by default`,
        },
        `${agent} ${tool} untrusted=${untrusted}`,
      );
    }
  }
  // a permit whose condition fails: still a deny, the hold does not open it
  const big = requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 5000 });
  assert.equal(service.decide(inSession(big, true)).kind, 'deny');
  const small = requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 5 });
  assert.equal(service.decide(inSession(small, true)).kind, 'approval_required');
});

void test('a plain forbid wins over a hold: the call is denied by the forbid alone', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': PERMITS,
    'b.cedar': UNTRUSTED_HOLD,
    'c.cedar': `@id("company-domain-only")
@reason("mail only goes to example.com")
forbid (principal, action == Action::"mail__send_email", resource)
unless { context.arguments has to && context.arguments.to like "*@example.com" };
`,
  });
  const service = await load();
  const request = requestFor(loaded, 'support-bot', 'mail__send_email', { to: 'drop@attacker.example' });
  for (const untrusted of [false, true]) {
    const decision = service.decide(inSession(request, untrusted));
    assert.equal(decision.kind, 'deny');
    assert.deepEqual(decision.policies, [
      { id: 'company-domain-only', reason: 'mail only goes to example.com' },
    ]);
  }
});

void test("a hold's requirements merge with an @approval permit's, the strictest of each", async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `@id("big-transfers")
@reason("large sums need a manager")
@approval("a finance manager approves")
@approvalExpiry("30m")
@approvers("finance")
@interactive
permit (principal in Role::"finance", action == Action::"payments__transfer", resource)
when { context.arguments has amount && context.arguments.amount >= 1000 };

@id("small-transfers")
permit (principal in Role::"finance", action == Action::"payments__transfer", resource)
when { context.arguments has amount && context.arguments.amount < 1000 };
`,
    'b.cedar': `@id("untrusted-payments")
@reason("untrusted content was read")
@approval("security confirms payments after untrusted content")
@approvals("2")
@approvalExpiry("10m")
@approvers("security")
@interactive
forbid (principal, action in Action::"risk:financial", resource)
when { context.session.untrusted };
`,
  });
  const service = await load();
  const big = inSession(requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 5000 }), true);
  const decision = service.decide(big);
  assert.equal(decision.kind, 'approval_required');
  assert.deepEqual(
    decision.policies.map((policy) => policy.id),
    ['big-transfers', 'untrusted-payments'],
  );
  assert.deepEqual(decision.kind === 'approval_required' ? decision.approval : null, {
    reason:
      'a finance manager approves [policy "big-transfers": large sums need a manager]; security confirms payments after untrusted content [policy "untrusted-payments": untrusted content was read]',
    policyIds: ['big-transfers', 'untrusted-payments'],
    required: 2,
    expirySeconds: 600,
    interactive: true,
    groups: ['finance', 'security'],
  });
  // the plain permit plus the hold: only the hold asks, with its own settings
  const small = service.decide(
    inSession(requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 5 }), true),
  );
  assert.deepEqual(small.kind === 'approval_required' ? small.approval : null, {
    reason:
      'security confirms payments after untrusted content [policy "untrusted-payments": untrusted content was read]',
    policyIds: ['untrusted-payments'],
    required: 2,
    expirySeconds: 600,
    interactive: true,
    groups: ['security'],
  });
  // a trusted session: the @approval permit alone decides
  const trusted = service.decide(
    inSession(requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 5000 }), false),
  );
  assert.deepEqual(trusted.kind === 'approval_required' ? trusted.approval.policyIds : null, [
    'big-transfers',
  ]);
});

void test('a hold whose condition errors denies the call (fail closed)', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': `@id("transfers") permit (principal, action == Action::"payments__transfer", resource)
when { context.arguments has amount && context.arguments.amount < 9000000000 };
`,
    'b.cedar': `@id("overflowing-hold") @approval("check big numbers")
forbid (principal, action == Action::"payments__transfer", resource)
when { context.arguments has amount && context.arguments.amount * 1000000000000 > 5 };
`,
  });
  const service = await load();
  assert.equal(
    service.decide(requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 0 })).kind,
    'allow',
  );
  assert.equal(
    service.decide(requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 1 })).kind,
    'approval_required',
  );
  const request = requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 8_000_000_000 });
  const explanation = service.explain(request);
  assert.equal(explanation.decision.kind, 'deny');
  assert.match(
    explanation.decision.kind === 'deny' ? explanation.decision.message : '',
    /^policy evaluation failed for finance-bot calling payments__transfer, so the call is denied: policy "overflowing-hold": .*overflow/,
  );
  assert.deepEqual(explanation.decision.policies, []);
  assert.match(explanation.errors[0] ?? '', /overflowing-hold/);
  assert.deepEqual(explanation.evaluated, ['transfers', 'overflowing-hold']);
  // not permitted anyway: a deny either way
  const denied = service.explain(
    requestFor(loaded, 'finance-bot', 'payments__transfer', { amount: 9_000_000_000 }),
  );
  assert.equal(denied.decision.kind, 'deny');
});

void test('tools/list shows a held tool (allowed or approval_required are listed), and hides what a hold cannot open', async (t) => {
  const { loaded, load } = await policyWorkspace(t, {
    'a.cedar': PERMITS,
    'b.cedar': `@id("all-mail-held") @approval forbid (principal, action == Action::"mail__send_email", resource);
@id("transfers-held") @approval forbid (principal, action == Action::"payments__transfer", resource)
when { context.arguments has amount && context.arguments.amount > 0 };
`,
  });
  const service = await load();
  const mayCall = (agent: string, tool: string): boolean => {
    const { arguments: _ignored, ...request } = requestFor(loaded, agent, tool);
    return service.mayCall(request);
  };
  assert.equal(
    service.decide(requestFor(loaded, 'support-bot', 'mail__send_email', { to: 'a@example.com' })).kind,
    'approval_required',
  );
  assert.equal(mayCall('support-bot', 'mail__send_email'), true, 'held whatever the arguments');
  assert.equal(mayCall('finance-bot', 'payments__transfer'), true, 'policies read the arguments');
  assert.equal(mayCall('finance-bot', 'mail__send_email'), false, 'a hold grants nothing');
  assert.equal(mayCall('support-bot', 'payments__transfer'), false);
});

void test('policy unit cases and the summary see holds', async (t) => {
  const workspace = await policyWorkspace(t, { 'a.cedar': PERMITS, 'b.cedar': UNTRUSTED_HOLD });
  const service = await workspace.load();
  const cases = parsePolicyCases(
    `- agent: support-bot
  tool: mail__send_email
  args: { to: a@example.com }
  context: { session: { untrusted: true } }
  expect: approval_required
  policies: [support-mails, untrusted-needs-approval]
- agent: finance-bot
  tool: mail__send_email
  args: { to: a@example.com }
  context: { session: { untrusted: true } }
  expect: deny
  policies: []
`,
    'cases.yaml',
    workspace.loaded.config,
  );
  assert.deepEqual(
    runPolicyCases(service, cases).map((result) => result.problems),
    [[], []],
  );
  const summary = service.summary.policies.find((policy) => policy.id === 'untrusted-needs-approval');
  assert.deepEqual(summary && { effect: summary.effect, approval: summary.approval, hold: summary.hold }, {
    effect: 'forbid',
    approval: 'a person must confirm this after untrusted content',
    hold: true,
  });
});

void test('holds are checked when loading: approval annotations need @approval, values are checked', async (t) => {
  const error = await loadError(t, {
    'a.cedar': `@approvals("2")
forbid (principal, action == Action::"mail__send_email", resource);

@approval("x")
@approvals("many")
forbid (principal, action == Action::"mail__send_email", resource);
`,
  });
  assert.equal(error.code, 'WARDEN_POLICY_INVALID');
  assert.match(error.message, /a\.cedar:1:1 +@approvals only applies to a policy with @approval/);
  assert.match(error.message, /a\.cedar:4:1 +@approvals needs a whole number of people from 1 to 10/);
});

void test('a hold that can apply to a model action is refused at load, with its place', async (t) => {
  const config = `${BASE_CONFIG}llm:
  providers:
    local: { type: openai-compatible, baseUrl: 'http://127.0.0.1:1/v1', local: true }
  models:
    small: { provider: local, model: tiny }
`;
  const workspace = await policyWorkspace(
    t,
    {
      'a.cedar': `permit (principal, action == Action::"model:small", resource);

@approval("ask before using a model")
forbid (principal, action in [Action::"models", Action::"risk:financial"], resource);
`,
    },
    config,
  );
  await assert.rejects(workspace.load(), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'WARDEN_POLICY_INVALID');
    assert.match(
      error.message,
      /a\.cedar:3:1 {2}a forbid with @approval \(a hold\) can not apply to model actions \(Action::"model:small"\): model calls are never held/,
    );
    return true;
  });
  // an unconstrained hold is about tools only: model decisions do not see it
  await workspace.writePolicy(
    'a.cedar',
    `permit (principal, action == Action::"model:small", resource);
@approval("ask") forbid (principal, action, resource);
`,
  );
  const service = await workspace.load();
  const agent = requestFor(workspace.loaded, 'support-bot', 'crm__read_customer').agent;
  assert.equal(
    service.decideModel({ agent, alias: 'small', time: Date.now(), clientIp: null }).kind,
    'allow',
  );
});

void test('a hold on tools no permit applies to is a warning: it can never hold a call', async (t) => {
  const { load } = await policyWorkspace(t, {
    'a.cedar': PERMITS,
    'b.cedar': `@id("useless-hold") @approval forbid (principal, action == Action::"crm__delete_customer", resource);\n`,
    'c.cedar': UNTRUSTED_HOLD,
  });
  const warnings = (await load()).summary.warnings;
  assert.deepEqual(
    warnings.filter((line) => /hold/.test(line)),
    [
      'b.cedar:1: policy "useless-hold" (a forbid with @approval: a hold) applies to no tool that any permit applies to, so it never holds a call; a hold grants nothing, it only sends calls other policies allow to people',
    ],
  );
});

void test('the example trifecta hold: one evaluation, and only what the policies read reaches Cedar', async (t) => {
  const loaded = await loadConfig({ path: EXAMPLE_CONFIG, env: {} });
  const service = await PolicyService.load({ config: loaded.config, baseDir: loaded.baseDir });
  t.after(() => service.close());
  const email = requestFor(loaded, 'support-bot', 'mail__send_email', { to: 'hoa.tran@example.com' });
  const explanation = service.explain(inSession(email, true));
  assert.equal(explanation.decision.kind, 'approval_required');
  assert.deepEqual(
    explanation.decision.policies.map((policy) => policy.id),
    ['support-sends-email', 'trifecta-untrusted-needs-approval'],
  );
  assert.equal(explanation.evaluated.at(-1), 'trifecta-untrusted-needs-approval');
  // `DataClass::"restricted".rank` needs the DataClass entities, not every agent attribute
  assert.deepEqual(explanation.entities[0]?.attrs, { clearance: 2 });
  assert.equal(service.decide(inSession(email, false)).kind, 'allow');
  const research = requestFor(loaded, 'research-bot', 'mail__send_email', { to: 'hoa.tran@example.com' });
  assert.equal(service.decide(inSession(research, true)).kind, 'deny');
});
