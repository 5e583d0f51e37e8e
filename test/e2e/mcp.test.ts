import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '../../src/config/index.js';
import { pidFilePath } from '../../src/server/index.js';
import { connectClient } from '../fronts/mcp/helpers.js';
import type { Connected } from '../fronts/mcp/helpers.js';
import { makeGatewayWorkspace, textOf } from '../pipeline/harness.js';
import type { GatewayWorkspace } from '../pipeline/harness.js';
import { requestToken, runWarden, startWarden, waitFor } from './helpers.js';
import type { WardenProcess } from './helpers.js';

describe('warden serve as an MCP gateway (real process, demo upstreams, official SDK client)', () => {
  let workspace: GatewayWorkspace;
  let warden: WardenProcess;
  const secrets = new Map<string, string>();

  const token = async (agent: string): Promise<string> => {
    const response = await requestToken(warden.url, agent, secrets.get(agent)!);
    const body = (await response.json()) as { access_token: string };
    return body.access_token;
  };

  before(async () => {
    workspace = await makeGatewayWorkspace({ logLevel: 'info' });
    for (const agent of ['support-bot', 'research-bot']) {
      const rotated = await runWarden([
        'agents',
        'rotate-secret',
        agent,
        '--json',
        '--config',
        workspace.configPath,
      ]);
      assert.equal(rotated.code, 0, rotated.output);
      secrets.set(agent, (JSON.parse(rotated.output) as { clientSecret: string }).clientSecret);
    }
    warden = await startWarden(workspace.configPath);
  });

  after(async () => {
    if (warden.child.exitCode === null) {
      warden.child.kill('SIGKILL');
      await warden.exited;
    }
    await workspace.cleanup();
  });

  test('an agent lists its tools, gets an allowed result and a denial with the policy reason', async () => {
    const { client, close } = await connectClient(warden.url, await token('support-bot'));
    try {
      assert.deepEqual(
        (await client.listTools()).tools.map((tool) => tool.name),
        ['crm__read_customer', 'crm__search_customers', 'crm__update_customer', 'mail__send_email'],
      );
      assert.match(
        textOf(await client.callTool({ name: 'crm__search_customers', arguments: { query: 'da nang' } })),
        /count/,
      );
      const denied = await client.callTool({ name: 'crm__export_customers', arguments: { format: 'csv' } });
      assert.equal(denied.isError, true);
      assert.match(textOf(denied), /^WARDEN_POLICY_DENIED: .*support-never-exports-customers/);
    } finally {
      await close();
    }
  });

  test('the pid file names the serving process', async () => {
    const loaded = await loadConfig({ path: workspace.configPath, env: {} });
    assert.equal((await readFile(pidFilePath(loaded), 'utf8')).trim(), String(warden.child.pid));
  });

  test('SIGHUP reloads the policies and connected agents are told to list their tools again', async () => {
    const { client, close } = await connectClient(warden.url, await token('research-bot'));
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed += 1;
    });
    try {
      assert.ok(!(await client.listTools()).tools.some((tool) => tool.name === 'files__write_file'));
      await writeFile(
        join(workspace.dir, 'policies', 'research-notes.cedar'),
        '@id("research-writes-files")\npermit (principal in Role::"research", action == Action::"files__write_file", resource);\n',
      );
      // The GET stream opens just after initialization; SIGHUP until a reload's notification arrives on it.
      await waitFor(
        () => {
          if (changed > 0) return true;
          warden.child.kill('SIGHUP');
          return undefined;
        },
        { intervalMs: 300, describe: () => `a tools/list_changed notification; output:\n${warden.output()}` },
      );
      assert.match(warden.output(), /"msg":"policies reloaded"/);
      assert.ok((await client.listTools()).tools.some((tool) => tool.name === 'files__write_file'));
    } finally {
      await close();
    }
  });

  test('an agent suspended by another process is refused on its next call', async () => {
    let connected: Connected | undefined;
    try {
      connected = await connectClient(warden.url, await token('support-bot'));
      assert.match(
        textOf(await connected.client.callTool({ name: 'crm__read_customer', arguments: { id: 'c-1001' } })),
        /c-1001/,
      );
      const suspended = await runWarden([
        'agents',
        'suspend',
        'support-bot',
        '--reason',
        'incident 42',
        '--config',
        workspace.configPath,
      ]);
      assert.equal(suspended.code, 0, suspended.output);
      await assert.rejects(
        connected.client.callTool({ name: 'crm__read_customer', arguments: { id: 'c-1001' } }),
        (error: unknown) => /WARDEN_AGENT_SUSPENDED.*incident 42/.test(String(error)),
      );
    } finally {
      await connected?.close();
    }
  });

  test('SIGTERM with an open session and notification stream ends the process cleanly and removes the pid file', async () => {
    const { close } = await connectClient(warden.url, await token('research-bot'));
    try {
      warden.child.kill('SIGTERM');
      assert.equal(await warden.exited, 0, warden.output());
      assert.match(warden.output(), /"msg":"warden stopped"/);
      const loaded = await loadConfig({ path: workspace.configPath, env: {} });
      await assert.rejects(readFile(pidFilePath(loaded), 'utf8'));
    } finally {
      await close();
    }
  });
});
