import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWardenError } from '../../src/core/index.js';
import { parsePolicyCases, runPolicyCases } from '../../src/policy/index.js';
import { BASE_CONFIG, policyWorkspace, requestFor } from './helpers.js';

/** BASE_CONFIG with one on-premises and one external model. */
const MODELS_CONFIG = `${BASE_CONFIG}llm:
  providers:
    local: { type: openai-compatible, baseUrl: 'http://127.0.0.1:1/v1', local: true }
    outside: { type: openai-compatible, baseUrl: 'http://127.0.0.1:2/v1' }
  models:
    small: { provider: local, model: tiny }
    big: { provider: outside, model: huge }
`;

const MODEL_POLICIES = `@id("support-uses-models")
permit (principal in Role::"support", action in Action::"models", resource);

@id("finance-uses-big-in-the-morning")
permit (principal in Role::"finance", action == Action::"model:big", resource)
when { context.hour < 12 };

@id("no-restricted-outside")
@reason("restricted data stays on premises")
forbid (principal, action in Action::"models", resource)
when { !resource.local && context.findings.classes.contains("restricted") };

@id("reads-crm")
permit (principal, action == Action::"crm__read_customer", resource);
`;

void test('a case can name a model alias and is decided as the proxy decides model calls', async (t) => {
  const workspace = await policyWorkspace(t, { 'models.cedar': MODEL_POLICIES }, MODELS_CONFIG);
  const service = await workspace.load();
  const cases = parsePolicyCases(
    `- { agent: support-bot, model: small, expect: allow, policies: [support-uses-models] }
- name: restricted data may not go to the external model
  agent: support-bot
  model: big
  context: { findings: { vn_cccd: 1 } }
  expect: deny
  policies: [no-restricted-outside]
- { agent: support-bot, model: small, context: { findings: { vn_cccd: 1 } }, expect: allow }
- { agent: finance-bot, model: big, context: { hour: 9 }, expect: allow, policies: [finance-uses-big-in-the-morning] }
- { agent: finance-bot, model: big, context: { hour: 15 }, expect: deny, policies: [] }
- { agent: finance-bot, model: small, expect: deny, policies: [] }
- { agent: support-bot, tool: crm__read_customer, expect: allow, policies: [reads-crm] }
- { agent: support-bot, model: small, expect: deny }
`,
    'cases.yaml',
    workspace.loaded.config,
  );
  assert.deepEqual(
    cases.map((testCase) => [testCase.name, testCase.tool, testCase.model]),
    [
      ['support-bot uses model small', null, 'small'],
      ['restricted data may not go to the external model', null, 'big'],
      ['support-bot uses model small', null, 'small'],
      ['finance-bot uses model big', null, 'big'],
      ['finance-bot uses model big', null, 'big'],
      ['finance-bot uses model small', null, 'small'],
      ['support-bot calls crm__read_customer', 'crm__read_customer', null],
      ['support-bot uses model small', null, 'small'],
    ],
  );
  const results = runPolicyCases(service, cases);
  assert.deepEqual(
    results.map((result) => result.problems),
    [[], [], [], [], [], [], [], ['expected deny, got allow']],
  );
  // the same decisions the policy service gives the proxy
  const agent = requestFor(workspace.loaded, 'support-bot', 'crm__read_customer').agent;
  assert.equal(
    service.decideModel({ agent, alias: 'small', time: workspace.clock.now(), clientIp: null }).kind,
    'allow',
  );
});

void test('model cases are checked: one of tool or model, a known alias, no arguments or session', async (t) => {
  const workspace = await policyWorkspace(t, {}, MODELS_CONFIG);
  const problems = (text: string): string => {
    try {
      parsePolicyCases(text, 'cases.yaml', workspace.loaded.config);
    } catch (error) {
      assert.ok(isWardenError(error, 'WARDEN_POLICY_CASES_INVALID'));
      return error.message;
    }
    throw new Error('expected the cases to be refused');
  };
  const message = problems(`- { agent: support-bot, expect: allow }
- { agent: support-bot, tool: crm__read_customer, model: small, expect: allow }
- { agent: support-bot, model: medium, expect: allow }
- { agent: support-bot, model: small, args: { id: 1 }, expect: allow }
- { agent: support-bot, model: small, context: { callCount: 2 }, expect: allow }
- { agent: support-bot, model: small, context: { session: { untrusted: true } }, expect: allow }
`);
  assert.match(message, /cases\.yaml:1 {2}cases\.0: give either tool .* or model .*, not neither/);
  assert.match(message, /cases\.yaml:2 {2}cases\.1: give either tool .* or model .*, not both/);
  assert.match(
    message,
    /cases\.yaml:3 {2}cases\.2\.model: "medium" is not a model alias in llm\.models \(aliases: small, big\)/,
  );
  assert.match(message, /cases\.yaml:4 {2}cases\.3\.args: a model case has no arguments/);
  assert.match(message, /cases\.yaml:5 {2}cases\.4\.context\.callCount: model calls have no session context/);
  assert.match(message, /cases\.yaml:6 {2}cases\.5\.context\.session: model calls have no session context/);

  const withoutLlm = await policyWorkspace(t, {});
  assert.throws(
    () =>
      parsePolicyCases(
        '- { agent: support-bot, model: small, expect: allow }\n',
        'cases.yaml',
        withoutLlm.loaded.config,
      ),
    /cases\.0\.model: "small" is not a model alias in llm\.models \(aliases: none\)/,
  );
});

void test('model decisions use the preparsed policies of the current load, and none after close', async (t) => {
  const workspace = await policyWorkspace(
    t,
    {
      'models.cedar': `@id("group-via-condition")
permit (principal, action in [Action::"model:small", Action::"model:big"], resource)
when { action in Action::"models" && resource.name == "small" && principal.clearance >= 0 };
`,
    },
    MODELS_CONFIG,
  );
  const service = await workspace.load();
  const agent = requestFor(workspace.loaded, 'support-bot', 'crm__read_customer').agent;
  const decide = (alias: string) =>
    service.decideModel({ agent, alias, time: workspace.clock.now(), clientIp: '10.0.0.1' });
  // the condition reads the action's group, the model's name and the agent's clearance: all passed
  assert.deepEqual(
    [decide('small').kind, decide('big').kind, decide('absent').kind],
    ['allow', 'deny', 'deny'],
  );
  assert.deepEqual(
    decide('small').policies.map((policy) => policy.id),
    ['group-via-condition'],
  );
  await workspace.writePolicy(
    'models.cedar',
    `@id("big-only") permit (principal, action == Action::"model:big", resource)
when { context has clientIp && context.clientIp.isInRange(ip("10.0.0.0/8")) };
`,
  );
  await service.reload();
  // decisions are remembered per set and exact inputs: a reload starts afresh, another address differs
  assert.deepEqual(
    [decide('small').kind, decide('big').kind, decide('big').kind],
    ['deny', 'allow', 'allow'],
  );
  const elsewhere = service.decideModel({
    agent,
    alias: 'big',
    time: workspace.clock.now(),
    clientIp: '192.0.2.7',
  });
  assert.equal(elsewhere.kind, 'deny');
  assert.equal(decide('big').kind, 'allow');
  service.close();
  assert.equal(decide('big').kind, 'deny');
});
