/**
 * A call in flight when its MCP session ends is always answered: on DELETE and on shutdown the open
 * POST gets a JSON-RPC error WARDEN_SESSION_ENDED saying why (the SDK transport alone would leave it
 * open for ever). The in-flight call is one waiting for a person's approval.
 */
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { eventually, initializeBody, postHeaders, startGatewayServer } from './helpers.js';
import type { GatewayServer } from './helpers.js';

const APPROVALS_YAML = `approvals:
  wait: 120s
admins:
  bao:
    email: bao.le@example.com
    roles: [approver]
    groups: [finance]
    apiKeyHash: "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
`;

/** Only the finance policies (large transfers wait for approval), so other policy work cannot interfere. */
async function start(): Promise<GatewayServer> {
  const finance = await readFile(
    new URL('../../../examples/policies/finance.cedar', import.meta.url),
    'utf8',
  );
  return startGatewayServer({
    extraYaml: APPROVALS_YAML,
    noExamplePolicies: true,
    extraPolicies: { 'finance.cedar': finance },
  });
}

interface JsonRpcError {
  id: number;
  error: { code: number; message: string; data: { code: string; details?: Record<string, unknown> } };
}

/** Opens a session with raw HTTP and starts a call that waits for approval; returns the pending answer. */
async function startWaitingCall(
  gateway: GatewayServer,
): Promise<{ sessionId: string; token: string; answer: Promise<Response> }> {
  const token = await gateway.token('finance-bot');
  const url = `${gateway.url}/mcp`;
  const init = await fetch(url, {
    method: 'POST',
    headers: postHeaders({ authorization: `Bearer ${token}` }),
    body: JSON.stringify(initializeBody()),
  });
  assert.equal(init.status, 200);
  const sessionId = init.headers.get('mcp-session-id')!;
  await init.text();
  const headers = postHeaders({
    authorization: `Bearer ${token}`,
    'mcp-session-id': sessionId,
    'mcp-protocol-version': '2025-06-18',
  });
  const initialized = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await initialized.text();
  const before = (await gateway.server.warden.store.audit.query({ types: ['approval-requested'] })).length;
  const answer = fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: {
        name: 'payments__transfer',
        arguments: { amount: 90000000, from_account: 'acct-001', to_account: 'acct-002' },
      },
    }),
  });
  // In flight once its approval request is recorded.
  let early: string | undefined;
  void answer.then(async (response) => {
    early = await response.clone().text();
  });
  await eventually(async () => {
    if (early !== undefined) throw new Error(`the call was answered at once: ${early}`);
    const requested = await gateway.server.warden.store.audit.query({ types: ['approval-requested'] });
    return requested.length > before ? true : undefined;
  }, 'the approval request');
  return { sessionId, token, answer };
}

async function assertSessionEnded(answer: Promise<Response>, reason: RegExp): Promise<void> {
  const response = await answer;
  const body = (await response.json()) as JsonRpcError;
  assert.equal(body.id, 7);
  assert.equal(body.error.data.code, 'WARDEN_SESSION_ENDED');
  assert.match(body.error.message, reason);
}

describe('MCP calls in flight when their session ends', () => {
  test('DELETE of the session answers the open call', { timeout: 60_000 }, async () => {
    const gateway = await start();
    try {
      const { sessionId, token, answer } = await startWaitingCall(gateway);
      const deleted = await fetch(`${gateway.url}/mcp`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId },
      });
      assert.ok(deleted.status < 300, String(deleted.status));
      await assertSessionEnded(answer, /DELETE/);
    } finally {
      await gateway.close();
    }
  });

  test('shutting the server down answers the open call', { timeout: 60_000 }, async () => {
    const gateway = await start();
    let closed = false;
    try {
      const { answer } = await startWaitingCall(gateway);
      const closing = gateway.close().then(() => {
        closed = true;
      });
      await assertSessionEnded(answer, /shutting down/);
      await closing;
    } finally {
      if (!closed) await gateway.close().catch(() => undefined);
    }
  });
});
