import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { registerApprovalCommands } from '../../src/cli/approvals.js';
import { printError } from '../../src/cli/output.js';
import type { CommandContext } from '../../src/cli/program.js';
import { WardenError } from '../../src/core/index.js';
import { openApprovalHarness } from '../admin/harness.js';
import type { ApprovalHarness } from '../admin/harness.js';
import { capturedOutput } from './run-in-process.js';
import type { CliResult } from './run-in-process.js';

// Response bodies are checked field by field; their shape is what is under test.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/**
 * Runs `warden approvals ...` in-process against the harness's Warden and approval service, the way
 * program.ts runs commands (errors printed, exit 1, or 2 for usage errors).
 */
async function approvals(harness: ApprovalHarness, ...args: string[]): Promise<CliResult> {
  const { output, result } = capturedOutput();
  const context: CommandContext = {
    output,
    env: {},
    actor: 'cli:tester',
    config: async () => harness.loaded,
    withWarden: async (_options, action) => action({ ...harness.warden, approvals: harness.approvals }),
  };
  let exitCode = 0;
  const program = new Command('warden').exitOverride().configureOutput({
    writeOut: (text) => output.line(text.trimEnd()),
    writeErr: (text) => output.error(text.trimEnd()),
  });
  registerApprovalCommands(program, context, (code) => (exitCode = code));
  try {
    await program.parseAsync(['approvals', ...args], { from: 'user' });
    return result(exitCode);
  } catch (error) {
    if (!(error instanceof WardenError) && error instanceof Error && 'exitCode' in error) {
      return result(2);
    }
    printError(output, error);
    return result(error instanceof WardenError && error.code === 'WARDEN_USAGE' ? 2 : 1);
  }
}

describe('warden approvals', () => {
  let harness: ApprovalHarness;
  before(async () => {
    harness = await openApprovalHarness();
  });
  after(async () => {
    await harness.close();
  });

  test('list shows pending requests in a table, and --json gives the views without sealed fields', async () => {
    const approval = await harness.request();
    const listed = await approvals(harness, 'list', '--status', 'pending');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /ID\s+STATUS\s+AGENT\s+TOOL/);
    assert.match(
      listed.stdout,
      new RegExp(`${approval.id}\\s+pending\\s+finance-bot\\s+bank__transfer\\s+financial\\s+0/1`),
    );

    const json = await approvals(harness, 'list', '--json');
    const views = JSON.parse(json.stdout) as Json[];
    const view = views.find((item) => item.id === approval.id);
    assert.equal(view?.status, 'pending');
    assert.equal('argumentsSealed' in (view ?? {}), false);

    const none = await approvals(harness, 'list', '--status', 'executed');
    assert.match(none.stdout, /no executed approval requests/);
    const bad = await approvals(harness, 'list', '--status', 'maybe');
    assert.equal(bad.code, 2);
  });

  test('show prints the redacted request and who may decide; --reveal shows the raw arguments and is recorded', async () => {
    const approval = await harness.request({
      arguments: { iban: 'VN55 1234', password: 'hunter2-secret', amount: 7 },
    });
    const shown = await approvals(harness, 'show', approval.id);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /transfers over 10,000 EUR/);
    assert.match(shown.stdout, /arguments \(redacted/);
    assert.doesNotMatch(shown.stdout, /hunter2-secret/);
    assert.match(shown.stdout, /cli:tester may decide it/);
    assert.equal(
      (await harness.entries(approval.id)).some((entry) => entry.type === 'approval-revealed'),
      false,
    );

    const revealed = await approvals(harness, 'show', approval.id, '--reveal', '--json');
    assert.equal(revealed.code, 0, revealed.stderr);
    const body = JSON.parse(revealed.stdout) as Json;
    assert.deepEqual(body.arguments, { iban: 'VN55 1234', password: 'hunter2-secret', amount: 7 });
    assert.equal(body.argumentsRevealed, true);
    const reveals = (await harness.entries(approval.id)).filter(
      (entry) => entry.type === 'approval-revealed',
    );
    assert.deepEqual(
      reveals.map((entry) => entry.actor),
      ['cli:tester'],
    );

    const asApprover = await approvals(harness, 'show', approval.id, '--reveal', '--as', 'bob');
    assert.equal(asApprover.code, 1);
    assert.match(asApprover.stderr, /WARDEN_APPROVAL_NOT_ALLOWED/);
    assert.doesNotMatch(asApprover.stdout + asApprover.stderr, /hunter2-secret/);
  });

  test('approve as the CLI user records cli:<user> as the decider', async () => {
    const approval = await harness.request();
    const result = await approvals(harness, 'approve', approval.id, '--reason', 'checked by phone');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`approved ${approval.id} .* as cli:tester`));
    const stored = await harness.approvals.get(approval.id);
    assert.equal(stored?.status, 'approved');
    assert.deepEqual(
      stored?.votes.map((vote) => [vote.by, vote.email, vote.reason]),
      [['cli:tester', null, 'checked by phone']],
    );
  });

  test('deny --as an admin user decides as that user', async () => {
    const approval = await harness.request();
    const result = await approvals(
      harness,
      'deny',
      approval.id,
      '--reason',
      'wrong account',
      '--as',
      'bob',
      '--json',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as Json).status, 'denied');
    const entry = (await harness.entries(approval.id)).find((item) => item.type === 'approval-denied');
    assert.match(entry?.actor ?? '', /^cli:\S+ as admin:bob$/, 'the record says who acted, and for whom');
  });

  test('--as keeps separation of duties: the agent owner may not approve', async () => {
    const approval = await harness.request();
    const result = await approvals(harness, 'approve', approval.id, '--reason', 'looks fine', '--as', 'minh');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /WARDEN_APPROVAL_NOT_ALLOWED/);
    assert.match(result.stderr, /separation of duties/);
    assert.equal((await harness.approvals.get(approval.id))?.status, 'pending');
  });

  test('--as an auditor cannot decide', async () => {
    const approval = await harness.request();
    const result = await approvals(harness, 'approve', approval.id, '--reason', 'ok', '--as', 'carol');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /WARDEN_APPROVAL_NOT_ALLOWED/);
    assert.match(result.stderr, /auditor/);
  });

  test('usage errors exit 2 and change nothing: unknown --as, blank reason, malformed id, missing reason', async () => {
    const approval = await harness.request();
    const unknown = await approvals(harness, 'approve', approval.id, '--reason', 'ok', '--as', 'mallory');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /WARDEN_USAGE.*mallory.*alice, bob, carol, minh, dana/);
    const blank = await approvals(harness, 'deny', approval.id, '--reason', '  ');
    assert.equal(blank.code, 2);
    assert.match(blank.stderr, /--reason must say why/);
    const malformed = await approvals(harness, 'approve', 'not-an-id', '--reason', 'ok');
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /not an approval id/);
    const missing = await approvals(harness, 'approve', approval.id);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--reason/);
    assert.equal((await harness.approvals.get(approval.id))?.status, 'pending');
  });

  test('an unknown request is WARDEN_APPROVAL_NOT_FOUND, exit 1', async () => {
    const result = await approvals(harness, 'show', 'apr_0000000000');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /WARDEN_APPROVAL_NOT_FOUND/);
  });
});
