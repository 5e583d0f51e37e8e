import assert from 'node:assert/strict';
import { rm, stat } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { makeWorkspace } from '../e2e/helpers.js';
import type { TempWorkspace } from '../e2e/helpers.js';
import { runCli } from './run-in-process.js';
import type { CliResult } from './run-in-process.js';

/** Runs the CLI in-process and captures what it prints. */
async function warden(workspace: TempWorkspace, ...args: string[]): Promise<CliResult> {
  return runCli([...args, '--config', workspace.configPath]);
}

describe('warden CLI', () => {
  let workspace: TempWorkspace;
  before(async () => {
    workspace = await makeWorkspace({ checkpointEvery: 5 });
  });
  after(async () => {
    await workspace.cleanup();
  });

  test('config check prints the agents and says the configuration is valid', async () => {
    const result = await warden(workspace, 'config', 'check');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /support-bot/);
    assert.match(result.stdout, /configuration is valid/);
  });

  test('agents create prints a secret once and stores only its hash', async () => {
    const result = await warden(
      workspace,
      'agents',
      'create',
      'triage-bot',
      '--role',
      'support',
      '--owner',
      'an@example.com',
      '--json',
    );
    assert.equal(result.code, 0, result.stderr);
    const created = JSON.parse(result.stdout) as { agent: Record<string, unknown>; clientSecret: string };
    assert.match(created.clientSecret, /^wsec_/);
    assert.equal(created.agent.clearance, 'public', 'the default clearance is the lowest data class');
    assert.equal('secretHash' in created.agent, false);
    const shown = await warden(workspace, 'agents', 'show', 'triage-bot', '--json');
    assert.equal(shown.stdout.includes(created.clientSecret), false);
  });

  test('agents create refuses a role that is not in the config, naming the defined ones', async () => {
    const result = await warden(
      workspace,
      'agents',
      'create',
      'odd-bot',
      '--role',
      'hacker',
      '--owner',
      'an@example.com',
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /WARDEN_AGENT_INVALID/);
    assert.match(result.stderr, /hacker/);
    assert.match(result.stderr, /support/);
  });

  test('agents create refuses a duplicate name with WARDEN_AGENT_EXISTS', async () => {
    const result = await warden(
      workspace,
      'agents',
      'create',
      'support-bot',
      '--role',
      'support',
      '--owner',
      'an@example.com',
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /WARDEN_AGENT_EXISTS/);
  });

  test('suspend needs a reason; suspend and resume show in list and show', async () => {
    const missing = await warden(workspace, 'agents', 'suspend', 'finance-bot');
    assert.equal(missing.code, 2, 'a missing --reason is a usage error');
    assert.equal(
      (await warden(workspace, 'agents', 'suspend', 'finance-bot', '--reason', 'incident 7')).code,
      0,
    );
    const shown = await warden(workspace, 'agents', 'show', 'finance-bot');
    assert.match(shown.stdout, /suspended/);
    assert.match(shown.stdout, /incident 7/);
    assert.equal((await warden(workspace, 'agents', 'resume', 'finance-bot')).code, 0);
    const list = await warden(workspace, 'agents', 'list', '--json');
    const finance = (JSON.parse(list.stdout) as { name: string; status: string }[]).find(
      (agent) => agent.name === 'finance-bot',
    );
    assert.equal(finance?.status, 'active');
  });

  test('an unknown agent gets WARDEN_AGENT_NOT_FOUND and exit code 1', async () => {
    const result = await warden(workspace, 'agents', 'show', 'ghost');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /WARDEN_AGENT_NOT_FOUND/);
  });

  test('keys rotate makes a new token key and keeps the old one listed as retired', async () => {
    const before = JSON.parse((await warden(workspace, 'keys', 'list', '--json')).stdout) as {
      kid: string;
      purpose: string;
      status: string;
    }[];
    const result = await warden(workspace, 'keys', 'rotate');
    assert.equal(result.code, 0, result.stderr);
    const afterList = JSON.parse((await warden(workspace, 'keys', 'list', '--json')).stdout) as {
      kid: string;
      purpose: string;
      status: string;
    }[];
    const oldActive = before.find((key) => key.purpose === 'token' && key.status === 'active');
    assert.ok(oldActive);
    assert.equal(afterList.find((key) => key.kid === oldActive.kid)?.status, 'retired');
    assert.equal(afterList.filter((key) => key.purpose === 'token' && key.status === 'active').length, 1);
  });

  test('every action above is in the audit log and the chain verifies', async () => {
    const tail = await warden(workspace, 'audit', 'tail', '-n', '200', '--json');
    const types = new Set(
      tail.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { type: string }).type),
    );
    for (const type of [
      'agent-created',
      'agent-suspended',
      'agent-resumed',
      'signing-key-created',
      'signing-key-rotated',
    ]) {
      assert.ok(types.has(type), `${type} is recorded`);
    }
    const verify = await warden(workspace, 'audit', 'verify');
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /audit log OK/);
  });

  test('audit prune with nothing old enough removes nothing and says so', async () => {
    const result = await warden(workspace, 'audit', 'prune', '--before', '2000-01-01');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /nothing to prune/);
  });

  test('a bad date is a usage error with an example of a good one', async () => {
    const result = await warden(workspace, 'audit', 'export', '--since', 'yesterday');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /ISO-8601/);
  });

  test('audit export never overwrites an existing file', async () => {
    const target = `${workspace.dir}/export.jsonl`;
    const first = await warden(workspace, 'audit', 'export', '-o', target);
    assert.equal(first.code, 0, first.stderr);
    const second = await warden(workspace, 'audit', 'export', '-o', target);
    assert.equal(second.code, 2);
    assert.match(second.stderr, /already exists/);
  });

  test('an unknown command is a usage error', async () => {
    const result = await warden(workspace, 'frobnicate');
    assert.equal(result.code, 2);
  });
});

test('a missing master key file for an existing database is refused, and no new key is made', async () => {
  const workspace = await makeWorkspace();
  try {
    assert.equal((await warden(workspace, 'agents', 'list')).code, 0);
    const keyFile = `${workspace.dir}/master.key`;
    await rm(keyFile);
    const result = await warden(workspace, 'agents', 'list');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /WARDEN_MASTER_KEY_INVALID/);
    assert.match(result.stderr, /restore the original key file/);
    await assert.rejects(stat(keyFile), { code: 'ENOENT' });
  } finally {
    await workspace.cleanup();
  }
});
