import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { PolicyService } from '../../src/policy/index.js';
import type { PolicyIssue } from '../../src/policy/index.js';
import { BASE_CONFIG, loadError, policyWorkspace, requestFor } from './helpers.js';

const issuesOf = (error: { details: Record<string, unknown> }): PolicyIssue[] =>
  error.details.issues as PolicyIssue[];

void test('a validation error names the file, line and column of the offending expression', async (t) => {
  const error = await loadError(t, {
    'a.cedar': `@id("fine")\npermit (principal, action == Action::"crm__read_customer", resource);\n`,
    'b.cedar': [
      '// Chính sách hỗ trợ: ghi chú tiếng Việt trước lỗi',
      '@id("typo")',
      '@reason("đọc khách hàng")',
      'permit (principal in Role::"support", action == Action::"crm__read_customer", resource)',
      'when { principal.nmae == "x" };',
      '',
    ].join('\n'),
  });
  assert.equal(error.code, 'WARDEN_POLICY_INVALID');
  const issues = issuesOf(error);
  assert.equal(issues.length, 1);
  assert.match(issues[0]!.file, /policies\/b\.cedar$/);
  assert.equal(issues[0]!.line, 5);
  assert.equal(
    issues[0]!.column,
    8,
    'the column counts characters, not the bytes of the Vietnamese text above',
  );
  assert.match(issues[0]!.message, /attribute `nmae` on entity type `Agent` not found/);
  assert.match(error.message, /b\.cedar:5:8 {2}.*nmae/);
});

void test('a syntax error names the file, line and column where parsing failed', async (t) => {
  const error = await loadError(t, {
    'ok.cedar': 'permit (principal, action, resource) when { false };\n',
    'broken.cedar':
      'permit (principal, action, resource);\n// Tiếng Việt có dấu\nforbid (principal, action resource);\n',
  });
  assert.equal(error.code, 'WARDEN_POLICY_INVALID');
  const [issue] = issuesOf(error);
  assert.match(issue!.file, /broken\.cedar$/);
  assert.equal(issue!.line, 3);
  assert.equal(issue!.column, 27);
  assert.match(error.message, /broken\.cedar:3:27 {2}/);
});

void test('every problem in every file is reported at once, each with its place', async (t) => {
  const error = await loadError(t, {
    'one.cedar': 'permit (principal, action == Action::"crm__nope", resource);\n',
    'two.cedar': '\n\npermit (principal, action, resource) when { context.arguments.id == "x" };\n',
  });
  const places = [
    ...new Set(
      issuesOf(error).map((issue) => `${issue.file.replace(/.*\//, '')}:${issue.line}:${issue.column}`),
    ),
  ];
  assert.deepEqual(places, ['one.cedar:1:30', 'two.cedar:3:45']);
  assert.match(error.message, /one\.cedar:1:30 {2}.*unrecognized action `Action::"crm__nope"`/);
  assert.match(error.message, /two\.cedar:3:45 {2}.*optional attribute `arguments\.id`.*crm__read_customer/);
});

void test('a policy id given twice, even in two files, is refused naming both places', async (t) => {
  const error = await loadError(t, {
    'a.cedar': '@id("same")\npermit (principal, action, resource);\n',
    'b.cedar': '// another\n@id("same")\nforbid (principal, action, resource);\n',
  });
  assert.equal(error.code, 'WARDEN_POLICY_INVALID');
  assert.match(error.message, /b\.cedar:2:1 {2}duplicate policy id "same" \(also at .*a\.cedar:1:1\)/);
});

void test('@approval on a forbid policy loads as a hold (test/policy/hold.test.ts)', async (t) => {
  const service = await (
    await policyWorkspace(t, { 'a.cedar': '@approval("ask")\nforbid (principal, action, resource);\n' })
  ).load();
  assert.deepEqual(
    service.summary.policies.map(({ effect, approval, hold }) => ({ effect, approval, hold })),
    [{ effect: 'forbid', approval: 'ask', hold: true }],
  );
});

void test('a policy template (with ?principal) is refused', async (t) => {
  const error = await loadError(t, { 'a.cedar': 'permit (principal == ?principal, action, resource);\n' });
  assert.match(error.message, /a\.cedar:1:\d+ {2}.*template/);
});

void test('policies without @id are named <file>:<line>, and @reason and @approval are read', async (t) => {
  const workspace = await policyWorkspace(t, {
    'main.cedar': [
      '// comment; with a semicolon',
      'permit (principal, action == Action::"crm__read_customer", resource) when { "a;b" == "a;b" };',
      '',
      '@reason("big transfers need a person")',
      '@approval("a manager approves")',
      'permit (principal, action == Action::"payments__transfer", resource);',
      '@id("named")  forbid (principal, action == Action::"crm__delete_customer", resource);',
    ].join('\n'),
  });
  const service = await workspace.load();
  assert.deepEqual(
    service.summary.policies.map(({ id, effect, reason, approval, line }) => ({
      id,
      effect,
      reason,
      approval,
      line,
    })),
    [
      { id: 'main.cedar:2', effect: 'permit', reason: null, approval: null, line: 2 },
      {
        id: 'main.cedar:4',
        effect: 'permit',
        reason: 'big transfers need a person',
        approval: 'a manager approves',
        line: 4,
      },
      { id: 'named', effect: 'forbid', reason: null, approval: null, line: 7 },
    ],
  );
  assert.deepEqual(service.summary.files, [{ file: 'main.cedar', policies: 3 }]);
});

void test('only *.cedar files directly in the policy directory are read, in name order', async (t) => {
  const workspace = await policyWorkspace(t, {
    'b.cedar': 'permit (principal, action, resource) when { false };\n',
    'a.cedar': 'permit (principal, action, resource) when { false };\n',
    'notes.txt': 'not a policy',
    '.hidden.cedar': 'this is not cedar',
  });
  const service = await workspace.load();
  assert.deepEqual(service.summary.files, [
    { file: 'a.cedar', policies: 1 },
    { file: 'b.cedar', policies: 1 },
  ]);
});

void test('a missing policy directory loads no policies, warns, and denies everything', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'warden-policy-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'warden.yaml'), BASE_CONFIG);
  const loaded = await loadConfig({ path: join(dir, 'warden.yaml'), env: {} });
  const service = await PolicyService.load({ config: loaded.config, baseDir: loaded.baseDir });
  t.after(() => service.close());
  assert.equal(service.summary.policies.length, 0);
  assert.match(
    service.summary.warnings[0] ?? '',
    /policies.* does not exist, so there are no policies and every tool call is denied/,
  );
  const decision = service.decide(requestFor(loaded, 'support-bot', 'crm__read_customer', { id: 'c1' }));
  assert.equal(decision.kind, 'deny');
  assert.equal(decision.message, 'no policy permits support-bot to call crm__read_customer; deny by default');
});

void test('an empty policy directory warns that every call is denied', async (t) => {
  const service = await (await policyWorkspace(t, {})).load();
  assert.match(service.summary.warnings[0] ?? '', /holds no policies, so every tool call is denied/);
});

void test('the version is a digest of the schema and the policy texts', async (t) => {
  const workspace = await policyWorkspace(t, {
    'a.cedar': 'permit (principal, action, resource) when { false };\n',
  });
  const first = await workspace.load();
  const again = await workspace.load();
  assert.match(first.version, /^sha256:[0-9a-f]{64}$/);
  assert.equal(again.version, first.version);
  await workspace.writePolicy('a.cedar', 'permit (principal, action, resource) when { true };\n');
  const changed = await workspace.load();
  assert.notEqual(changed.version, first.version);

  const otherConfig = await policyWorkspace(
    t,
    { 'a.cedar': 'permit (principal, action, resource) when { false };\n' },
    BASE_CONFIG.replace('timezone: Asia/Ho_Chi_Minh', 'timezone: UTC').replace(
      'arguments: { to: string }',
      'arguments: { to: string, cc: string }',
    ),
  );
  assert.notEqual(
    (await otherConfig.load()).version,
    first.version,
    'a different schema is a different version',
  );
});
