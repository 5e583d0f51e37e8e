/**
 * Human-in-the-loop approvals end to end: the official MCP SDK client calls through a real Warden
 * server to the demo payments server, and approvers decide over the admin REST API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { hashSecret } from '../../src/identity/index.js';
import { connectClient, eventually, startGatewayServer } from '../fronts/mcp/helpers.js';
import type { GatewayServer } from '../fronts/mcp/helpers.js';
import { makeGatewayWorkspace, textOf } from '../pipeline/harness.js';
import { requestToken, runWarden, startWarden } from './helpers.js';
import type { WardenProcess } from './helpers.js';

const APPROVER_KEY = 'wak_e2e-approver-key-000000000000000000000000';
const OWNER_KEY = 'wak_e2e-owner-key-00000000000000000000000000000';
const AUDITOR_KEY = 'wak_e2e-auditor-key-0000000000000000000000000000';

interface ApprovalItem {
  id: string;
  agent: string;
  tool: string;
  status: string;
  arguments: Record<string, unknown>;
}

async function adminsYaml(): Promise<string> {
  return `approvals:
  wait: 3s
admins:
  bao:
    email: bao.le@example.com
    roles: [approver]
    groups: [finance]
    apiKeyHash: "${await hashSecret(APPROVER_KEY)}"
  priya:
    email: priya.raman@example.com
    roles: [approver]
    groups: [finance]
    apiKeyHash: "${await hashSecret(OWNER_KEY)}"
  an:
    email: an.pham@example.com
    roles: [auditor]
    apiKeyHash: "${await hashSecret(AUDITOR_KEY)}"
`;
}

describe('approvals through the MCP gateway (official SDK client, admin REST API)', () => {
  let gateway: GatewayServer;

  const admin = async (key: string, method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${gateway.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const pending = async (): Promise<ApprovalItem[]> => {
    const response = await admin(APPROVER_KEY, 'GET', '/admin/approvals?status=pending');
    assert.equal(response.status, 200);
    const body = (await response.json()) as { approvals: ApprovalItem[] };
    return body.approvals;
  };

  const balance = async (account: string): Promise<number> => {
    const connected = await connectClient(gateway.url, await gateway.token('finance-bot'));
    try {
      const result = await connected.client.callTool({
        name: 'payments__get_balance',
        arguments: { account },
      });
      return (JSON.parse(textOf(result)) as { balance: number }).balance;
    } finally {
      await connected.close();
    }
  };

  before(async () => {
    gateway = await startGatewayServer({ extraYaml: await adminsYaml() });
  });

  after(async () => {
    await gateway.close();
  });

  test('an approved call runs while the client waits, with progress, and moves the money once', async () => {
    const before = await balance('acct-operating');
    const { client, close } = await connectClient(gateway.url, await gateway.token('finance-bot'));
    try {
      const progress: number[] = [];
      const call = client.callTool(
        {
          name: 'payments__transfer',
          arguments: { from_account: 'acct-operating', to_account: 'vcb-0071000123456', amount: 60_000_000 },
        },
        undefined,
        { onprogress: (update) => progress.push(update.progress), timeout: 30_000 },
      );
      const [request] = await eventually(async () => {
        const items = await pending();
        return items.length > 0 ? items : undefined;
      }, 'the request to appear in the approval queue');
      assert.equal(request!.agent, 'finance-bot');
      assert.equal(request!.tool, 'payments__transfer');
      const approved = await admin(APPROVER_KEY, 'POST', `/admin/approvals/${request!.id}/approve`, {
        reason: 'invoice 2026-114 checked',
      });
      assert.equal(approved.status, 200, await approved.clone().text());
      const result = await call;
      assert.notEqual(result.isError, true, textOf(result));
      assert.match(textOf(result), /60000000|60,000,000|transfer/i);
      assert.equal(await balance('acct-operating'), before - 60_000_000);
      assert.ok(progress.length >= 1, 'progress notifications arrived while waiting');
    } finally {
      await close();
    }
  });

  test('a denied call is refused with the approver and the reason, and nothing runs', async () => {
    const before = await balance('acct-operating');
    const { client, close } = await connectClient(gateway.url, await gateway.token('finance-bot'));
    try {
      const call = client.callTool(
        {
          name: 'payments__transfer',
          arguments: { from_account: 'acct-operating', to_account: 'acb-99887766', amount: 70_000_000 },
        },
        undefined,
        { timeout: 30_000 },
      );
      const [request] = await eventually(async () => {
        const items = await pending();
        return items.length > 0 ? items : undefined;
      }, 'the request to appear');
      const denied = await admin(APPROVER_KEY, 'POST', `/admin/approvals/${request!.id}/deny`, {
        reason: 'not on the vendor list',
      });
      assert.equal(denied.status, 200);
      const result = await call;
      assert.equal(result.isError, true);
      assert.match(textOf(result), /^WARDEN_APPROVAL_DENIED: admin:bao denied .*not on the vendor list/);
      assert.equal(await balance('acct-operating'), before);
    } finally {
      await close();
    }
  });

  test('undecided in time: the call says pending with the id; a retry after approval runs exactly once under 20 concurrent retries', async () => {
    const before = await balance('acct-operating');
    const args = { from_account: 'acct-operating', to_account: 'tcb-19034567890123', amount: 55_000_000 };
    const { client, close } = await connectClient(gateway.url, await gateway.token('finance-bot'));
    try {
      const first = await client.callTool({ name: 'payments__transfer', arguments: args }, undefined, {
        timeout: 30_000,
      });
      assert.equal(first.isError, true);
      const text = textOf(first);
      assert.match(text, /^WARDEN_APPROVAL_PENDING: /);
      const id = /request (apr_[A-Za-z0-9_-]+) is pending/.exec(text)?.[1];
      assert.ok(id !== undefined, text);
      assert.match(text, /Retry the same call/);

      // the owner of finance-bot may not approve its requests (separation of duties)
      const own = await admin(OWNER_KEY, 'POST', `/admin/approvals/${id}/approve`, { reason: 'mine' });
      assert.equal(own.status, 403);
      assert.equal(
        ((await own.json()) as { error: { code: string } }).error.code,
        'WARDEN_APPROVAL_NOT_ALLOWED',
      );
      // an auditor only reads
      const auditor = await admin(AUDITOR_KEY, 'POST', `/admin/approvals/${id}/approve`, { reason: 'x' });
      assert.equal(auditor.status, 403);
      assert.equal(
        ((await auditor.json()) as { error: { code: string } }).error.code,
        'WARDEN_ADMIN_FORBIDDEN',
      );

      const approved = await admin(APPROVER_KEY, 'POST', `/admin/approvals/${id}/approve`, { reason: 'ok' });
      assert.equal(approved.status, 200);

      const retries = await Promise.all(
        Array.from({ length: 20 }, () =>
          client.callTool({ name: 'payments__transfer', arguments: args }, undefined, { timeout: 30_000 }),
        ),
      );
      const succeeded = retries.filter((result) => result.isError !== true);
      assert.ok(succeeded.length >= 1, 'at least one retry got the result');
      for (const result of retries.filter((candidate) => candidate.isError === true)) {
        assert.match(textOf(result), /^WARDEN_APPROVAL_ALREADY_EXECUTED: /);
      }
      const texts = new Set(succeeded.map((result) => textOf(result)));
      assert.equal(texts.size, 1, 'every retry that got a result got the same, recorded one');
      assert.equal(await balance('acct-operating'), before - 55_000_000, 'the transfer ran exactly once');

      // a later retry gets the recorded result, never a second execution
      const later = await client.callTool({ name: 'payments__transfer', arguments: args });
      assert.equal(textOf(later), [...texts][0]);
      assert.equal(await balance('acct-operating'), before - 55_000_000);

      // changed arguments need a new approval, even when naming the approved request
      const changed = await client.callTool({
        name: 'payments__transfer',
        arguments: { ...args, amount: 56_000_000 },
        _meta: { 'warden/approvalId': id },
      });
      assert.match(
        textOf(changed),
        /^WARDEN_APPROVAL_PENDING: .*request (apr_\w+) is pending \(a new request: .*other arguments/,
      );
      assert.notEqual(/request (apr_\w+) is pending/.exec(textOf(changed))?.[1], id);
    } finally {
      await close();
    }
  });

  test('approvers see redacted arguments; every step is in the audit log', async () => {
    const items = (await (await admin(APPROVER_KEY, 'GET', '/admin/approvals?limit=100')).json()) as {
      approvals: ApprovalItem[];
    };
    assert.ok(items.approvals.length >= 3);
    const entries = await gateway.server.warden.store.audit.query({});
    const types = new Set(entries.map((entry) => entry.type));
    for (const type of ['approval-requested', 'approval-approved', 'approval-denied', 'approval-executed']) {
      assert.ok(types.has(type), `audit has ${type}`);
    }
    const approvedEntry = entries.find((entry) => entry.type === 'approval-approved');
    assert.equal(approvedEntry?.actor, 'admin:bao');
  });
});

describe('approvals across a restart, and interactive approvals (real process, CLI deciders)', () => {
  test('a pending request survives a restart; approved from the CLI, the retried call runs', async () => {
    const workspace = await makeGatewayWorkspace({
      logLevel: 'info',
      extraYaml: `approvals:\n  wait: 0s\n${(await adminsYaml()).split('\n').slice(2).join('\n')}`,
    });
    let warden: WardenProcess | null = null;
    try {
      const rotated = await runWarden([
        'agents',
        'rotate-secret',
        'finance-bot',
        '--json',
        '--config',
        workspace.configPath,
      ]);
      assert.equal(rotated.code, 0, rotated.output);
      const secret = (JSON.parse(rotated.output) as { clientSecret: string }).clientSecret;
      const token = async (url: string): Promise<string> =>
        ((await (await requestToken(url, 'finance-bot', secret)).json()) as { access_token: string })
          .access_token;
      const args = { from_account: 'acct-payroll', to_account: 'bidv-12510000987654', amount: 90_000_000 };

      warden = await startWarden(workspace.configPath);
      let connected = await connectClient(warden.url, await token(warden.url));
      const first = await connected.client.callTool({ name: 'payments__transfer', arguments: args });
      const id = /request (apr_\w+) is pending/.exec(textOf(first))?.[1];
      assert.ok(id !== undefined, textOf(first));
      await connected.close();
      warden.child.kill('SIGTERM');
      assert.equal(await warden.exited, 0);

      warden = await startWarden(workspace.configPath);
      const listed = await runWarden([
        'approvals',
        'list',
        '--status',
        'pending',
        '--json',
        '--config',
        workspace.configPath,
      ]);
      assert.equal(listed.code, 0, listed.output);
      assert.ok(listed.output.includes(id), 'the pending request is still there after the restart');
      const own = await runWarden([
        'approvals',
        'approve',
        id,
        '--reason',
        'mine',
        '--as',
        'priya',
        '--config',
        workspace.configPath,
      ]);
      assert.notEqual(own.code, 0, 'the agent owner may not approve');
      assert.match(own.output, /WARDEN_APPROVAL_NOT_ALLOWED/);
      const approved = await runWarden([
        'approvals',
        'approve',
        id,
        '--reason',
        'payroll run checked',
        '--as',
        'bao',
        '--config',
        workspace.configPath,
      ]);
      assert.equal(approved.code, 0, approved.output);

      connected = await connectClient(warden.url, await token(warden.url));
      const retried = await connected.client.callTool({
        name: 'payments__transfer',
        arguments: args,
        _meta: { 'warden/approvalId': id },
      });
      assert.notEqual(retried.isError, true, textOf(retried));
      const again = await connected.client.callTool({ name: 'payments__transfer', arguments: args });
      assert.equal(textOf(again), textOf(retried), 'the recorded result, not a second transfer');
      await connected.close();
      const shown = await runWarden(['approvals', 'show', id, '--json', '--config', workspace.configPath]);
      assert.match(shown.output, /"status": "executed"/);
    } finally {
      if (warden !== null && warden.child.exitCode === null) {
        warden.child.kill('SIGKILL');
        await warden.exited;
      }
      await workspace.cleanup();
    }
  });

  test('an @interactive approval asks the client, which answers through MCP elicitation', async () => {
    const gateway = await startGatewayServer({
      extraAgentsYaml:
        '  ops-bot:\n    owner: ops@example.com\n    roles: [admin]\n    clearance: internal\n',
      extraPolicies: {
        'ops.cedar': `@id("ops-deletes-ask-the-operator")
@approval("the operator confirms each deletion")
@interactive
permit (principal == Agent::"ops-bot", action == Action::"files__delete_file", resource);
`,
      },
    });
    try {
      const asked: string[] = [];
      const transport = new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${await gateway.token('ops-bot')}` } },
      });
      const client = new Client(
        { name: 'operator-console', version: '1.0.0' },
        { capabilities: { elicitation: {} } },
      );
      client.setRequestHandler(ElicitRequestSchema, (request) => {
        asked.push(request.params.message);
        return { action: 'accept', content: { approve: true } };
      });
      await client.connect(transport);
      try {
        const result = await client.callTool({
          name: 'files__delete_file',
          arguments: { path: 'welcome.txt' },
        });
        assert.notEqual(result.isError, true, textOf(result));
        assert.equal(asked.length, 1);
        assert.match(asked[0]!, /ops-bot.*files__delete_file.*the operator confirms each deletion/);
        const entries = await gateway.server.warden.store.audit.query({ types: ['approval-approved'] });
        assert.equal(entries.at(-1)?.actor, 'elicitation:ops-bot');
      } finally {
        await client.close();
      }
    } finally {
      await gateway.close();
    }
  });
});
