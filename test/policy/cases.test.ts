import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { isWardenError } from '../../src/core/index.js';
import { parsePolicyCases, PolicyService, runPolicyCases } from '../../src/policy/index.js';
import { policyWorkspace } from './helpers.js';

const EXAMPLE_CONFIG = fileURLToPath(new URL('../../examples/warden.yaml', import.meta.url));
const EXAMPLE_CASES = fileURLToPath(new URL('../../examples/policies/cases.yaml', import.meta.url));

void test('the example policies pass every example case', async (t) => {
  const loaded = await loadConfig({ path: EXAMPLE_CONFIG, env: {} });
  const service = await PolicyService.load({ config: loaded.config, baseDir: loaded.baseDir });
  t.after(() => service.close());
  assert.deepEqual(service.summary.warnings, []);
  const cases = parsePolicyCases(await readFile(EXAMPLE_CASES, 'utf8'), 'cases.yaml', loaded.config);
  const results = runPolicyCases(service, cases);
  assert.ok(results.length >= 20);
  const failures = results
    .filter((result) => !result.passed)
    .map((result) => `${result.case.name}: ${result.problems.join('; ')}`);
  assert.deepEqual(failures, []);
  const kinds = new Set(results.map((result) => result.decision.kind));
  assert.deepEqual(
    [...kinds].sort(),
    ['allow', 'approval_required', 'deny'],
    'the cases cover every kind of decision',
  );
  const determining = new Set(
    results.flatMap((result) => result.decision.policies.map((policy) => policy.id)),
  );
  for (const policy of service.summary.policies) {
    assert.ok(determining.has(policy.id), `some case exercises policy ${policy.id}`);
  }
});

void test('a case that does not get its expected decision or policies fails and says why', async (t) => {
  const workspace = await policyWorkspace(t, {
    'a.cedar':
      '@id("reads") @reason("reading is fine") permit (principal, action == Action::"crm__read_customer", resource);\n',
  });
  const service = await workspace.load();
  const cases = parsePolicyCases(
    `- { agent: support-bot, tool: crm__read_customer, expect: deny }
- { agent: support-bot, tool: crm__read_customer, expect: allow, policies: [reads, other] }
- name: inline agent, bare list
  agent: { name: temp-bot, roles: [], clearance: public }
  tool: crm__export_customers
  expect: deny
  policies: []
`,
    'cases.yaml',
    workspace.loaded.config,
  );
  const results = runPolicyCases(service, cases);
  assert.deepEqual(
    results.map((result) => [result.case.name, result.case.line, result.passed, result.problems]),
    [
      ['support-bot calls crm__read_customer', 1, false, ['expected deny, got allow']],
      [
        'support-bot calls crm__read_customer',
        2,
        false,
        ['expected the policies [other, reads] to determine it, got [reads]'],
      ],
      ['inline agent, bare list', 3, true, []],
    ],
  );
});

void test('defaults and per-case context set the hour, weekday, session counts and client address', async (t) => {
  const workspace = await policyWorkspace(t, {
    'a.cedar': `permit (principal, action == Action::"crm__read_customer", resource)
when { context.hour == 9 && context.weekday == 1 && context.session.callCount == 3 && context has clientIp };
`,
  });
  const service = await workspace.load();
  const cases = parsePolicyCases(
    `defaults: { hour: 9, weekday: 1, callCount: 3, clientIp: 10.0.0.1 }
cases:
  - { agent: support-bot, tool: crm__read_customer, expect: allow }
  - { agent: support-bot, tool: crm__read_customer, context: { hour: 10 }, expect: deny }
`,
    'cases.yaml',
    workspace.loaded.config,
  );
  assert.deepEqual(
    runPolicyCases(service, cases).map((result) => result.passed),
    [true, true],
  );
});

void test('a malformed cases file is refused with the line of each problem', async (t) => {
  const workspace = await policyWorkspace(t, {});
  const config = workspace.loaded.config;
  const problems = (text: string): string => {
    try {
      parsePolicyCases(text, 'cases.yaml', config);
    } catch (error) {
      assert.ok(isWardenError(error, 'WARDEN_POLICY_CASES_INVALID'));
      return error.message;
    }
    throw new Error('expected the cases to be refused');
  };
  const message = problems(`cases:
  - agent: support-bot
    tool: crm__read_customer
    expect: maybe
  - agent: nobody-bot
    tool: crm__read_customer
    expect: allow
  - agent: support-bot
    tool: crm__nothing
    expect: allow
    extra: 1
`);
  assert.match(message, /cases\.yaml:4 {2}cases\.0\.expect: .*"allow"\|"deny"\|"approval_required"/);
  assert.match(message, /cases\.yaml:11 {2}cases\.2: Unrecognized key: "extra"/);
  assert.doesNotMatch(message, /nobody-bot/, 'names are checked once the file has the right shape');

  const names = problems(`- { agent: nobody-bot, tool: crm__read_customer, expect: allow }
- { agent: support-bot, tool: crm__nothing, expect: allow }
- { agent: { name: x, roles: [], clearance: secret }, tool: crm__read_customer, expect: deny }
`);
  assert.match(names, /cases\.yaml:1 {2}cases\.0\.agent: no agent "nobody-bot" in the configuration/);
  assert.match(names, /cases\.yaml:2 {2}cases\.1\.tool: "crm__nothing" is not a declared tool/);
  assert.match(names, /cases\.yaml:3 {2}cases\.2\.agent\.clearance: "secret" is not a data class/);

  assert.match(problems('cases: [\n'), /cases\.yaml:\d+ {2}YAML: /);
  assert.match(problems('cases: []\n'), /give at least one case/);
  assert.match(
    problems('- { agent: support-bot, tool: crm__read_customer }\n'),
    /cases\.yaml:1 {2}cases\.0\.expect/,
  );
});
