import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { pidFilePath } from '../../src/server/index.js';
import { policyWorkspace } from './helpers.js';
import { runCli } from '../cli/run-in-process.js';
import type { CliResult } from '../cli/run-in-process.js';

const EXAMPLE_CONFIG = fileURLToPath(new URL('../../examples/warden.yaml', import.meta.url));
const EXAMPLE_CASES = fileURLToPath(new URL('../../examples/policies/cases.yaml', import.meta.url));

async function warden(...args: string[]): Promise<CliResult> {
  return runCli(args);
}

void test('policy check prints the policies per file and the version', async () => {
  const result = await warden('policy', 'check', '--config', EXAMPLE_CONFIG);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /support\.cedar\s+4/);
  assert.match(result.stdout, /finance\.cedar\s+3/);
  assert.match(result.stdout, /16 policies in 6 files valid \(version sha256:[0-9a-f]{64}\)/);
  const withSchema = await warden('policy', 'check', '--schema', '--config', EXAMPLE_CONFIG);
  assert.match(
    withSchema.stdout,
    /action "payments__transfer" in \[Action::"server:payments", Action::"risk:financial"\]/,
  );
});

void test('policy check fails with file:line:col for an invalid policy', async (t) => {
  const workspace = await policyWorkspace(t, {
    'bad.cedar': 'permit (principal, action, resource)\nwhen { resource.colour == "red" };\n',
  });
  const result = await warden('policy', 'check', '--config', join(workspace.dir, 'warden.yaml'));
  assert.equal(result.code, 1);
  assert.match(result.stderr, /error WARDEN_POLICY_INVALID: .*\n.*bad\.cedar:2:8 {2}.*colour/);
});

void test('policy check warns when there are no policies', async (t) => {
  const workspace = await policyWorkspace(t, {});
  const result = await warden('policy', 'check', '--config', join(workspace.dir, 'warden.yaml'));
  assert.equal(result.code, 0);
  assert.match(result.stderr, /warning: .*holds no policies, so every tool call is denied/);
});

void test('policy test runs the example cases and passes', async () => {
  const result = await warden('policy', 'test', EXAMPLE_CASES, '--config', EXAMPLE_CONFIG);
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /PASS {2}support may never export the customer base/);
  assert.match(result.stdout, /\d+ passed, 0 failed/);
});

void test('policy test exits 1 and shows the failing case, its line and the decision', async (t) => {
  const workspace = await policyWorkspace(t, {
    'a.cedar': '@id("no-reads") @reason("closed today") forbid (principal, action, resource);\n',
  });
  const cases = join(workspace.dir, 'cases.yaml');
  await writeFile(
    cases,
    '# header\n- { name: reads work, agent: support-bot, tool: crm__read_customer, expect: allow }\n',
  );
  const result = await warden('policy', 'test', cases, '--config', join(workspace.dir, 'warden.yaml'));
  assert.equal(result.code, 1);
  assert.match(
    result.stdout,
    /FAIL {2}reads work \(.*cases\.yaml:2\)\n {8}expected allow, got deny\n {8}decision: .*policy "no-reads" \(closed today\)/,
  );
  assert.match(result.stdout, /0 passed, 1 failed/);
});

void test('policy explain prints the decision, the determining policies with reasons, and the context', async () => {
  const result = await warden(
    'policy',
    'explain',
    '--agent',
    'finance-bot',
    '--tool',
    'payments__transfer',
    '--args',
    '{"amount": 75000000, "to_account": "vcb-1"}',
    '--config',
    EXAMPLE_CONFIG,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^decision: approval_required\n/);
  assert.match(
    result.stdout,
    /finance-large-transfers-need-approval\s+finance\.cedar:\d+\s+transfers of 50,000,000 VND or more need a second person/,
  );
  assert.match(
    result.stdout,
    /context Cedar saw .*\{"arguments":\{"amount":75000000\},"session":\{"callCount":0/,
  );

  const json = await warden(
    'policy',
    'explain',
    '--agent',
    'research-bot',
    '--tool',
    'files__delete_file',
    '--hour',
    '10',
    '--weekday',
    '2',
    '--json',
    '--config',
    EXAMPLE_CONFIG,
  );
  const explanation = JSON.parse(json.stdout) as {
    decision: { kind: string; policies: { id: string }[] };
    derived: { hour: number };
  };
  assert.equal(explanation.decision.kind, 'deny');
  assert.deepEqual(
    explanation.decision.policies.map((policy) => policy.id),
    ['deletes-need-admin'],
  );
  assert.equal(explanation.derived.hour, 10);
});

void test('policy explain refuses bad arguments and unknown tools as usage errors', async () => {
  const badJson = await warden(
    'policy',
    'explain',
    '--agent',
    'support-bot',
    '--tool',
    'crm__read_customer',
    '--args',
    '{',
    '--config',
    EXAMPLE_CONFIG,
  );
  assert.equal(badJson.code, 2);
  assert.match(badJson.stderr, /--args is not valid JSON/);
  const unknownTool = await warden(
    'policy',
    'explain',
    '--agent',
    'support-bot',
    '--tool',
    'crm__drop',
    '--config',
    EXAMPLE_CONFIG,
  );
  assert.equal(unknownTool.code, 2);
  assert.match(
    unknownTool.stderr,
    /--tool "crm__drop" is not a declared tool; declared tools: crm__read_customer/,
  );
  const badHour = await warden(
    'policy',
    'explain',
    '--agent',
    'support-bot',
    '--tool',
    'crm__read_customer',
    '--hour',
    '24',
    '--config',
    EXAMPLE_CONFIG,
  );
  assert.equal(badHour.code, 2);
});

void test('policy reload says so and exits 1 when no server runs', async (t) => {
  const workspace = await policyWorkspace(t, {});
  const result = await warden('policy', 'reload', '--config', join(workspace.dir, 'warden.yaml'));
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /No running warden server to reload: there is no pid file at .*\.warden\/warden\.pid/,
  );

  await mkdir(dirname(pidFilePath(workspace.loaded)), { recursive: true });
  await writeFile(pidFilePath(workspace.loaded), `${process.pid}\n`);
  const notWarden = await warden('policy', 'reload', '--config', join(workspace.dir, 'warden.yaml'));
  assert.equal(notWarden.code, 1, 'a pid that is not a `warden serve` process is never signalled');
  assert.match(notWarden.stderr, /which is not a running warden server \(a stale pid file\)/);
});

void test('policy reload checks the policies and sends SIGHUP to the server named by the pid file', async (t) => {
  const workspace = await policyWorkspace(t, {
    'a.cedar': 'permit (principal, action, resource) when { false };\n',
  });
  const script =
    "process.on('SIGHUP', () => { console.log('hup'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000);";
  const server = spawn(process.execPath, ['-e', script, 'serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => server.kill('SIGKILL'));
  let stdout = '';
  server.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 10_000;
  while (!stdout.includes('ready')) {
    assert.ok(Date.now() < deadline, 'the stand-in server did not start');
    await new Promise((resolve) => setImmediate(resolve));
  }
  await mkdir(dirname(pidFilePath(workspace.loaded)), { recursive: true });
  await writeFile(pidFilePath(workspace.loaded), `${server.pid}\n`);

  await workspace.writePolicy('broken.cedar', 'permit (principal, action, resource');
  const refused = await warden('policy', 'reload', '--config', join(workspace.dir, 'warden.yaml'));
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /WARDEN_POLICY_INVALID.*\n.*broken\.cedar:1:\d+/);
  assert.equal(stdout.includes('hup'), false, 'an invalid set is not sent to the server');

  await workspace.writePolicy('broken.cedar', null);
  const result = await warden('policy', 'reload', '--config', join(workspace.dir, 'warden.yaml'));
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    new RegExp(`sent SIGHUP to the warden server \\(pid ${server.pid}\\).*check the server log`),
  );
  assert.equal(await exited, 0);
  assert.match(stdout, /hup/);
});
