/**
 * The kill switch end to end: a real `warden serve` process, official MCP SDK clients with open sessions
 * (one holding a call for approval), and `warden agents suspend` / `warden lockdown` run as separate CLI
 * processes. The server notices the change in the shared store, closes the agent's sessions and answers
 * the held call; the next call is refused with WARDEN_AGENT_SUSPENDED. Lockdown spares the excepted
 * agents, and lifting it restores the others.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectClient } from '../fronts/mcp/helpers.js';
import type { Connected } from '../fronts/mcp/helpers.js';
import { makeGatewayWorkspace, textOf } from '../pipeline/harness.js';
import { requestToken, runWarden, startWarden, waitFor } from './helpers.js';
import type { WardenProcess } from './helpers.js';

test('suspension from the CLI ends the open session and its held call; lockdown and lift', async (t) => {
  const workspace = await makeGatewayWorkspace({ logLevel: 'info', extraYaml: 'approvals:\n  wait: 120s\n' });
  let warden: WardenProcess | null = null;
  const clients: Connected[] = [];
  const cli = async (...args: string[]): Promise<string> => {
    const result = await runWarden([...args, '--config', workspace.configPath]);
    assert.equal(result.code, 0, `warden ${args.join(' ')}:\n${result.output}`);
    return result.output;
  };
  try {
    const secrets: Record<string, string> = {};
    for (const agent of ['finance-bot', 'support-bot', 'research-bot']) {
      const rotated = await cli('agents', 'rotate-secret', agent, '--json');
      secrets[agent] = (JSON.parse(rotated) as { clientSecret: string }).clientSecret;
    }
    warden = await startWarden(workspace.configPath);
    const url = warden.url;
    const connect = async (agent: string): Promise<Connected> => {
      const response = await requestToken(url, agent, secrets[agent]!);
      const body = (await response.json()) as { access_token?: string };
      assert.ok(body.access_token, `a token for ${agent}: ${JSON.stringify(body)}`);
      const connected = await connectClient(url, body.access_token);
      clients.push(connected);
      return connected;
    };

    // finance-bot: an open session with a transfer held for approval (in flight).
    const finance = await connect('finance-bot');
    let progressed = false;
    const held = finance.client
      .callTool(
        {
          name: 'payments__transfer',
          arguments: { from_account: 'acct-payroll', to_account: 'bidv-12510000987654', amount: 90_000_000 },
        },
        undefined,
        {
          onprogress: () => {
            progressed = true;
          },
          timeout: 60_000,
        },
      )
      .then(
        (result) => ({ settledAt: Date.now(), error: null as Error | null, result }),
        (error: unknown) => ({ settledAt: Date.now(), error: error as Error, result: null }),
      );
    await waitFor(() => (progressed ? true : undefined), {
      describe: () => 'the transfer to be held for approval',
    });

    const suspended = await runWarden([
      'agents',
      'suspend',
      'finance-bot',
      '--reason',
      'incident 42',
      '--config',
      workspace.configPath,
    ]);
    const suspendedAt = Date.now();
    assert.equal(suspended.code, 0, suspended.output);
    const outcome = await Promise.race([
      held,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000).unref()),
    ]);
    assert.ok(outcome !== null, 'the held call was answered after the suspension');
    const record = JSON.parse(await cli('agents', 'show', 'finance-bot', '--json')) as {
      suspendedAt: string;
    };
    t.diagnostic(
      `held call answered ${outcome.settledAt - Date.parse(record.suspendedAt)} ms after the suspension was stored (${outcome.settledAt - suspendedAt} ms after the suspend command exited)`,
    );
    assert.ok(outcome.error !== null, `the held call failed (got ${JSON.stringify(outcome.result)})`);
    assert.match(outcome.error.message, /WARDEN_AGENT_SUSPENDED.*incident 42/);

    const next = await finance.client
      .callTool({ name: 'payments__get_balance', arguments: { account: 'acct-payroll' } })
      .then(
        (result) => textOf(result),
        (error: unknown) => (error as Error).message,
      );
    assert.match(next, /WARDEN_AGENT_SUSPENDED/);

    const log = (await cli('audit', 'tail', '-n', '60', '--json'))
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map(
        (line) => JSON.parse(line) as { type: string; subject: string | null; detail: { reason?: string } },
      );
    assert.ok(
      log.some(
        (entry) =>
          entry.type === 'mcp-session-ended' &&
          entry.subject === 'agent:finance-bot' &&
          entry.detail.reason === 'agent-suspended',
      ),
      'the session end is recorded with the reason',
    );

    // Lockdown: every agent but research-bot; support-bot's open session is closed too.
    const support = await connect('support-bot');
    const research = await connect('research-bot');
    const before = await support.client.callTool({ name: 'crm__read_customer', arguments: { id: 'c-1001' } });
    assert.notEqual(before.isError, true, textOf(before));
    const started = await cli('lockdown', '--except', 'research-bot', '--reason', 'incident 43', '--json');
    const lockedDown = (JSON.parse(started) as { suspended: string[] }).suspended;
    assert.ok(lockedDown.includes('support-bot'), started);
    assert.ok(!lockedDown.includes('research-bot'), 'the excepted agent is not suspended');
    assert.ok(!lockedDown.includes('finance-bot'), 'an agent already suspended keeps its own suspension');
    const status = JSON.parse(await cli('lockdown', '--status', '--json')) as {
      active: boolean;
      except: string[];
    };
    assert.equal(status.active, true);
    assert.deepEqual(status.except, ['research-bot']);
    const refused = await waitFor(
      async () => {
        const message = await support.client
          .callTool({ name: 'crm__read_customer', arguments: { id: 'c-1001' } })
          .then(
            (result) => textOf(result),
            (error: unknown) => (error as Error).message,
          );
        return /WARDEN_AGENT_SUSPENDED/.test(message) ? message : undefined;
      },
      { timeoutMs: 5000, describe: () => 'support-bot to be refused' },
    );
    assert.match(refused, /incident 43/);
    const spared = await research.client.callTool({
      name: 'files__read_file',
      arguments: { path: 'welcome.txt' },
    });
    assert.doesNotMatch(textOf(spared), /WARDEN_AGENT_SUSPENDED/);

    // Lift: support-bot works again with a new token; finance-bot (suspended for another reason) does not.
    const lifted = JSON.parse(await cli('lockdown', '--lift', '--json')) as { resumed: string[] };
    assert.deepEqual(lifted.resumed.sort(), [...lockedDown].sort());
    const again = await connect('support-bot');
    const after = await again.client.callTool({ name: 'crm__read_customer', arguments: { id: 'c-1001' } });
    assert.notEqual(after.isError, true, textOf(after));
    const financeToken = await requestToken(url, 'finance-bot', secrets['finance-bot']!);
    assert.match(await financeToken.text(), /WARDEN_AGENT_SUSPENDED/);

    const tail = await cli('audit', 'tail', '-n', '100');
    assert.match(tail, /lockdown-started/);
    assert.match(tail, /lockdown-lifted/);
  } finally {
    for (const client of clients) await client.close();
    if (warden !== null && warden.child.exitCode === null) {
      warden.child.kill('SIGKILL');
      await warden.exited;
    }
    await workspace.cleanup();
  }
});
