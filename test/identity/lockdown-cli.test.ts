/** `warden lockdown` in-process: start with --except and --reason, --status, --lift, and bad input. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makeWorkspace } from '../e2e/helpers.js';
import type { TempWorkspace } from '../e2e/helpers.js';
import { runCli } from '../cli/run-in-process.js';
import type { CliResult } from '../cli/run-in-process.js';

async function warden(workspace: TempWorkspace, ...args: string[]): Promise<CliResult> {
  return runCli([...args, '--config', workspace.configPath]);
}

describe('warden lockdown (CLI)', () => {
  let workspace: TempWorkspace;
  before(async () => {
    workspace = await makeWorkspace();
  });
  after(async () => {
    await workspace.cleanup();
  });

  test('bad input is a usage error and changes nothing', async () => {
    const noReason = await warden(workspace, 'lockdown');
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /WARDEN_USAGE.*--reason/);
    const unknown = await warden(workspace, 'lockdown', '--reason', 'x', '--except', 'nobody');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /WARDEN_AGENT_NOT_FOUND.*nobody/);
    const mixed = await warden(workspace, 'lockdown', '--lift', '--reason', 'x');
    assert.equal(mixed.code, 2);
    const status = await warden(workspace, 'lockdown', '--status');
    assert.match(status.stdout, /no lockdown in force/);
  });

  test('lockdown suspends all but the excepted, --status shows it, --lift resumes them', async () => {
    const started = await warden(workspace, 'lockdown', '--except', 'finance-bot', '--reason', 'incident 42');
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /suspended: support-bot/);
    assert.match(started.stdout, /left running: finance-bot/);
    const second = await warden(workspace, 'lockdown', '--reason', 'again');
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /already in force/);

    const status = await warden(workspace, 'lockdown', '--status', '--json');
    const state = JSON.parse(status.stdout) as {
      active: boolean;
      reason: string;
      except: string[];
      by: string;
    };
    assert.equal(state.active, true);
    assert.equal(state.reason, 'incident 42');
    assert.deepEqual(state.except, ['finance-bot']);
    assert.match(state.by, /^cli:/);
    const shown = await warden(workspace, 'agents', 'show', 'support-bot', '--json');
    assert.match(shown.stdout, /"status":"suspended"/);

    const lifted = await warden(workspace, 'lockdown', '--lift', '--json');
    assert.equal(lifted.code, 0, lifted.stderr);
    assert.deepEqual(JSON.parse(lifted.stdout), { lifted: true, resumed: ['support-bot'] });
    const list = await warden(workspace, 'agents', 'list', '--json');
    for (const agent of JSON.parse(list.stdout) as { status: string }[]) assert.equal(agent.status, 'active');
    const tail = await warden(workspace, 'audit', 'tail', '-n', '30');
    assert.match(tail.stdout, /lockdown-started/);
    assert.match(tail.stdout, /lockdown-lifted/);
  });
});
