/**
 * Human-in-the-loop approvals end to end: the official MCP SDK client calls through a real Warden
 * server to the demo payments server, and approvers decide over the admin REST API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hashSecret } from '../../src/identity/index.js';
import { connectClient, eventually, startGatewayServer } from '../fronts/mcp/helpers.js';
import type { GatewayServer } from '../fronts/mcp/helpers.js';
import { textOf } from '../pipeline/harness.js';

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
    apiKeyHash: "${await hashSecret(APPROVER_KEY)}"
  priya:
    email: priya.raman@example.com
    roles: [approver]
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
      const result = await connected.client.callTool({ name: 'payments__get_balance', arguments: { account } });
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
      assert.equal(((await own.json()) as { error: { code: string } }).error.code, 'WARDEN_APPROVAL_NOT_ALLOWED');
      // an auditor only reads
      const auditor = await admin(AUDITOR_KEY, 'POST', `/admin/approvals/${id}/approve`, { reason: 'x' });
      assert.equal(auditor.status, 403);
      assert.equal(((await auditor.json()) as { error: { code: string } }).error.code, 'WARDEN_ADMIN_FORBIDDEN');

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
      assert.match(textOf(changed), /^WARDEN_APPROVAL_PENDING: .*request (apr_\w+) is pending \(a new request: .*other arguments/);
      assert.notEqual(/request (apr_\w+) is pending/.exec(textOf(changed))?.[1], id);
    } finally {
      await close();
    }
  });

  test('approvers see redacted arguments; every step is in the audit log', async () => {
    const items = (await (
      await admin(APPROVER_KEY, 'GET', '/admin/approvals?limit=100')
    ).json()) as { approvals: ApprovalItem[] };
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
