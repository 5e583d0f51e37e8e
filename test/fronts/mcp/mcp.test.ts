import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { checkResourceAllowed } from '@modelcontextprotocol/sdk/shared/auth-utils.js';
import { McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { ManualClock } from '../../../src/core/index.js';
import { pidFilePath } from '../../../src/server/index.js';
import { textOf } from '../../pipeline/harness.js';
import { connectClient, eventually, initializeBody, postHeaders, startGatewayServer } from './helpers.js';
import type { GatewayServer } from './helpers.js';

interface JsonRpcErrorBody {
  jsonrpc: string;
  id: unknown;
  error: {
    code: number;
    message: string;
    data: { code: string; message: string; details?: Record<string, unknown> };
  };
}

describe('MCP front over Streamable HTTP (official SDK client, in-process server)', () => {
  let gateway: GatewayServer;
  let mcpUrl: string;

  before(async () => {
    gateway = await startGatewayServer({
      bodyLimit: 65536,
      extraAgentsYaml: [
        '  suspend-bot:',
        '    owner: lan.nguyen@example.com',
        '    roles: [support]',
        '    clearance: confidential',
      ].join('\n'),
    });
    mcpUrl = `${gateway.url}/mcp`;
  });

  after(async () => {
    await gateway.close();
  });

  test('without a token /mcp answers 401 with WWW-Authenticate naming the resource metadata', async () => {
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: postHeaders(),
      body: JSON.stringify(initializeBody()),
    });
    assert.equal(response.status, 401);
    assert.equal(
      response.headers.get('www-authenticate'),
      `Bearer resource_metadata="${gateway.url}/.well-known/oauth-protected-resource"`,
    );
    const body = (await response.json()) as JsonRpcErrorBody;
    assert.equal(body.jsonrpc, '2.0');
    assert.equal(body.error.data.code, 'WARDEN_TOKEN_MISSING');
    assert.match(body.error.message, /^WARDEN_TOKEN_MISSING: .*Authorization: Bearer/);
  });

  test('an invalid token gets 401 with error="invalid_token" and a description', async () => {
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: postHeaders({ authorization: 'Bearer not-a-jwt' }),
      body: JSON.stringify(initializeBody()),
    });
    assert.equal(response.status, 401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    assert.match(
      challenge,
      /^Bearer error="invalid_token", error_description="WARDEN_TOKEN_MALFORMED: [^"]+", resource_metadata="/,
    );
    assert.equal(((await response.json()) as JsonRpcErrorBody).error.data.code, 'WARDEN_TOKEN_MALFORMED');
  });

  test('the GET stream and DELETE need a token too', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(mcpUrl, {
        method,
        headers: { accept: 'text/event-stream', 'mcp-session-id': 'x' },
      });
      assert.equal(response.status, 401, method);
    }
  });

  test('the protected resource metadata names the gateway, its authorization server and the roles as scopes', async () => {
    const response = await fetch(`${gateway.url}/.well-known/oauth-protected-resource`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      resource: gateway.url,
      authorization_servers: [gateway.url],
      bearer_methods_supported: ['header'],
      scopes_supported: ['support', 'finance', 'research', 'admin'],
      resource_name: 'Warden MCP gateway',
    });
  });

  test('a client finds its way from the 401 to a token and connects (RFC 9728 discovery with the SDK helpers)', async () => {
    const unauthorized = await fetch(mcpUrl, {
      method: 'POST',
      headers: postHeaders(),
      body: JSON.stringify(initializeBody()),
    });
    const { resourceMetadataUrl } = extractWWWAuthenticateParams(unauthorized);
    assert.ok(resourceMetadataUrl !== undefined);
    const metadata = await discoverOAuthProtectedResourceMetadata(new URL(mcpUrl), { resourceMetadataUrl });
    // The resource covers the MCP endpoint, so a client may send it as its RFC 8707 resource indicator.
    assert.ok(checkResourceAllowed({ requestedResource: mcpUrl, configuredResource: metadata.resource }));
    const authorizationServer = metadata.authorization_servers![0]!;
    const serverMetadata = (await (
      await fetch(`${authorizationServer}/.well-known/oauth-authorization-server`)
    ).json()) as { token_endpoint: string };
    const basic = Buffer.from(`support-bot:${await gateway.secret('support-bot')}`).toString('base64');
    const tokenResponse = await fetch(serverMetadata.token_endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: metadata.resource }),
    });
    assert.equal(tokenResponse.status, 200);
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const { client, close } = await connectClient(gateway.url, token);
    try {
      assert.ok((await client.listTools()).tools.some((tool) => tool.name === 'crm__read_customer'));
    } finally {
      await close();
    }
  });

  test('tools/list shows each agent only the tools policy lets it call, with their schemas', async () => {
    const support = await connectClient(gateway.url, await gateway.token('support-bot'));
    const research = await connectClient(gateway.url, await gateway.token('research-bot'));
    try {
      const supportTools = (await support.client.listTools()).tools;
      assert.deepEqual(
        supportTools.map((tool) => tool.name),
        ['crm__read_customer', 'crm__search_customers', 'crm__update_customer', 'mail__send_email'],
      );
      const read = supportTools.find((tool) => tool.name === 'crm__read_customer')!;
      assert.equal(read.inputSchema.type, 'object');
      assert.ok(read.inputSchema.required?.includes('id'));
      assert.equal(read.annotations?.readOnlyHint, true);
      assert.deepEqual(
        (await research.client.listTools()).tools.map((tool) => tool.name),
        ['files__read_file', 'mail__read_inbox'],
      );
    } finally {
      await support.close();
      await research.close();
    }
  });

  test('an allowed call returns the upstream result', async () => {
    const { client, close } = await connectClient(gateway.url, await gateway.token('support-bot'));
    try {
      const result = await client.callTool({ name: 'crm__read_customer', arguments: { id: 'c-1001' } });
      assert.equal(result.isError, undefined);
      assert.match(textOf(result), /Nguyễn Thị Lan Anh/);
    } finally {
      await close();
    }
  });

  test('a denied call returns isError with the policy id and its reason', async () => {
    const { client, close } = await connectClient(gateway.url, await gateway.token('support-bot'));
    try {
      const result = await client.callTool({
        name: 'mail__send_email',
        arguments: { to: 'someone@gmail.com', subject: 'hi', body: 'x' },
      });
      assert.equal(result.isError, true);
      assert.match(
        textOf(result),
        /^WARDEN_POLICY_DENIED: .*support-mails-company-domain-only.*support agents may email only addresses at example\.com/,
      );
      assert.equal((result._meta?.warden as { code: string }).code, 'WARDEN_POLICY_DENIED');
    } finally {
      await close();
    }
  });

  test('arguments that fail the schema come back as isError WARDEN_INVALID_ARGUMENTS', async () => {
    const { client, close } = await connectClient(gateway.url, await gateway.token('support-bot'));
    try {
      const result = await client.callTool({ name: 'crm__read_customer', arguments: { id: 42 } });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /^WARDEN_INVALID_ARGUMENTS: .*"id" must be string/);
    } finally {
      await close();
    }
  });

  test('an unknown tool is a JSON-RPC invalid-params error with a suggestion', async () => {
    const { client, close } = await connectClient(gateway.url, await gateway.token('support-bot'));
    try {
      await assert.rejects(
        client.callTool({ name: 'crm__read_custmer', arguments: {} }),
        (error: unknown) =>
          error instanceof McpError &&
          error.code === -32602 &&
          /WARDEN_TOOL_NOT_FOUND: .*Did you mean crm__read_customer\?/.test(error.message),
      );
    } finally {
      await close();
    }
  });

  test('resources and prompts are not offered: their methods are not found', async () => {
    const { client, close } = await connectClient(gateway.url, await gateway.token('support-bot'));
    try {
      assert.equal(client.getServerCapabilities()?.resources, undefined);
      assert.equal(client.getServerCapabilities()?.prompts, undefined);
      await assert.rejects(
        client.request(
          { method: 'resources/list', params: {} },
          ToolListChangedNotificationSchema.passthrough(),
        ),
        (error: unknown) => error instanceof McpError && error.code === -32601,
      );
    } finally {
      await close();
    }
  });

  test("another agent's token on a session gets 403 WARDEN_SESSION_AGENT_MISMATCH", async () => {
    const support = await connectClient(gateway.url, await gateway.token('support-bot'));
    try {
      const response = await fetch(mcpUrl, {
        method: 'POST',
        headers: postHeaders({
          authorization: `Bearer ${await gateway.token('finance-bot')}`,
          'mcp-session-id': support.transport.sessionId!,
          'mcp-protocol-version': '2025-06-18',
        }),
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }),
      });
      assert.equal(response.status, 403);
      const body = (await response.json()) as JsonRpcErrorBody;
      assert.equal(body.error.data.code, 'WARDEN_SESSION_AGENT_MISMATCH');
      assert.match(body.error.message, /belongs to another agent, not to "finance-bot"/);
      // The session still works for its own agent.
      assert.ok((await support.client.listTools()).tools.length > 0);
    } finally {
      await support.close();
    }
  });

  test('an unknown session id gets 404 WARDEN_SESSION_NOT_FOUND', async () => {
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: postHeaders({
        authorization: `Bearer ${await gateway.token('support-bot')}`,
        'mcp-session-id': '00000000-0000-4000-8000-000000000000',
      }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    assert.equal(response.status, 404);
    const body = (await response.json()) as JsonRpcErrorBody;
    assert.equal(body.error.code, -32001);
    assert.equal(body.error.data.code, 'WARDEN_SESSION_NOT_FOUND');
  });

  test('a message other than initialize without a session id gets 400', async () => {
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: postHeaders({ authorization: `Bearer ${await gateway.token('support-bot')}` }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as JsonRpcErrorBody;
    assert.equal(body.error.code, -32600);
    assert.match(body.error.message, /start with an initialize request/);
  });

  test('malformed JSON gets a JSON-RPC parse error', async () => {
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: postHeaders({ authorization: `Bearer ${await gateway.token('support-bot')}` }),
      body: '{"jsonrpc": "2.0", "id": 1, "method": ',
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as JsonRpcErrorBody;
    assert.equal(body.error.code, -32700);
    assert.equal(body.id, null);
  });

  test('a body over server.bodyLimit gets 413 WARDEN_BODY_TOO_LARGE', async () => {
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: postHeaders({ authorization: `Bearer ${await gateway.token('support-bot')}` }),
      body: JSON.stringify({ ...initializeBody(), padding: 'x'.repeat(70_000) }),
    });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as JsonRpcErrorBody).error.data.code, 'WARDEN_BODY_TOO_LARGE');
  });

  test('PUT on /mcp gets 405 with Allow', async () => {
    const response = await fetch(mcpUrl, {
      method: 'PUT',
      headers: postHeaders({ authorization: `Bearer ${await gateway.token('support-bot')}` }),
      body: '{}',
    });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, POST, DELETE');
  });

  test('DELETE ends the session, and the session id is then unknown', async () => {
    const token = await gateway.token('support-bot');
    const { client, transport } = await connectClient(gateway.url, token);
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    await client.close();
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: postHeaders({ authorization: `Bearer ${token}`, 'mcp-session-id': sessionId }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    assert.equal(response.status, 404);
    const ended = await gateway.server.warden.store.audit.query({ types: ['mcp-session-ended'] });
    assert.ok(ended.some((entry) => entry.session === sessionId && entry.detail.reason === 'deleted'));
  });

  test('a suspended agent is refused on its next request with the reason, and its sessions end', async () => {
    const { client, transport, close } = await connectClient(gateway.url, await gateway.token('suspend-bot'));
    try {
      const sessionId = transport.sessionId!;
      assert.match(
        textOf(await client.callTool({ name: 'crm__read_customer', arguments: { id: 'c-1001' } })),
        /c-1001/,
      );
      await gateway.server.warden.agents.suspend('suspend-bot', {
        actor: 'admin:test',
        reason: 'incident 42',
      });
      await assert.rejects(
        client.callTool({ name: 'crm__read_customer', arguments: { id: 'c-1001' } }),
        (error: unknown) =>
          (error as { code?: number }).code === 403 &&
          /WARDEN_AGENT_SUSPENDED.*suspend-bot\\" is suspended: incident 42/s.test(String(error)),
      );
      await gateway.server.warden.agents.resume('suspend-bot', { actor: 'admin:test' });
      const response = await fetch(mcpUrl, {
        method: 'POST',
        headers: postHeaders({
          authorization: `Bearer ${await gateway.token('suspend-bot')}`,
          'mcp-session-id': sessionId,
        }),
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
      assert.equal(response.status, 404);
    } finally {
      await close();
    }
  });

  test('a policy reload is recorded and sends tools/list_changed on the GET stream', async () => {
    const { client, close } = await connectClient(gateway.url, await gateway.token('research-bot'));
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed += 1;
    });
    try {
      // The SDK client opens the GET stream just after initialization: notify until one arrives on it.
      await eventually(() => {
        gateway.server.warden.gateway!.pipeline.notifyToolsChanged();
        return changed > 0 ? true : undefined;
      }, 'the GET stream to carry a notification');
      changed = 0;
      const policy = join(gateway.workspace.dir, 'policies', 'research-write.cedar');
      await writeFile(
        policy,
        '@id("research-writes-files")\n@reason("research agents keep notes")\npermit (principal in Role::"research", action == Action::"files__write_file", resource);\n',
      );
      try {
        const result = await gateway.server.reloadPolicies('admin:test');
        assert.equal(result.ok, true);
        await eventually(() => (changed > 0 ? true : undefined), 'notifications/tools/list_changed');
        assert.ok((await client.listTools()).tools.some((tool) => tool.name === 'files__write_file'));
        const [entry] = await gateway.server.warden.store.audit.query({
          types: ['policy-reloaded'],
          order: 'desc',
          limit: 1,
        });
        assert.equal(entry!.actor, 'admin:test');
        assert.equal(entry!.detail.version, gateway.server.warden.gateway!.policy.version);
      } finally {
        await rm(policy, { force: true });
        await gateway.server.reloadPolicies('admin:test');
      }
    } finally {
      await close();
    }
  });

  test('an invalid policy reload is refused and recorded, and the old policies keep serving', async () => {
    const before = gateway.server.warden.gateway!.policy.version;
    const policy = join(gateway.workspace.dir, 'policies', 'broken.cedar');
    await writeFile(
      policy,
      'permit (principal in Role::"nobody", action == Action::"no__such_tool", resource);\n',
    );
    try {
      const result = await gateway.server.reloadPolicies('admin:test');
      assert.equal(result.ok, false);
      assert.equal(gateway.server.warden.gateway!.policy.version, before);
      const [entry] = await gateway.server.warden.store.audit.query({
        types: ['policy-reload-failed'],
        order: 'desc',
        limit: 1,
      });
      assert.equal(entry!.detail.code, 'WARDEN_POLICY_INVALID');
      assert.match(entry!.detail.message as string, /broken\.cedar/);
      const { client, close } = await connectClient(gateway.url, await gateway.token('support-bot'));
      try {
        assert.match(
          textOf(await client.callTool({ name: 'crm__read_customer', arguments: { id: 'c-1003' } })),
          /c-1003/,
        );
      } finally {
        await close();
      }
    } finally {
      await rm(policy, { force: true });
    }
  });

  test('the server writes its pid file next to the config while it runs', async () => {
    const content = await readFile(pidFilePath({ baseDir: gateway.workspace.dir }), 'utf8');
    assert.equal(content.trim(), String(process.pid));
  });
});

describe('MCP sessions over time (manual clock)', () => {
  test('a session idle for longer than the idle timeout is closed', async () => {
    const clock = new ManualClock(Date.now());
    const gateway = await startGatewayServer({ clock, mcp: { idleTimeoutSeconds: 60, sweepIntervalMs: 20 } });
    try {
      const { client, transport, close } = await connectClient(
        gateway.url,
        await gateway.token('support-bot'),
      );
      const sessionId = transport.sessionId!;
      assert.ok((await client.listTools()).tools.length > 0);
      clock.advance(61_000);
      await eventually(async () => {
        const ended = await gateway.server.warden.store.audit.query({ types: ['mcp-session-ended'] });
        return ended.some((entry) => entry.session === sessionId && entry.detail.reason === 'expired')
          ? true
          : undefined;
      }, 'the idle session to expire');
      await assert.rejects(
        client.listTools(),
        (error: unknown) =>
          (error as { code?: number }).code === 404 && /WARDEN_SESSION_NOT_FOUND/.test(String(error)),
      );
      await close();
    } finally {
      await gateway.close();
    }
  });

  test('stopping the server ends open sessions and their GET streams without waiting for the drain timeout', async () => {
    const gateway = await startGatewayServer();
    const { transport, close } = await connectClient(gateway.url, await gateway.token('support-bot'));
    const sessionId = transport.sessionId!;
    const audit = gateway.server.warden.store;
    const started = Date.now();
    let ended: Awaited<ReturnType<typeof audit.audit.query>> = [];
    const originalClose = gateway.server.warden.close.bind(gateway.server.warden);
    // Read the audit log just before the store closes.
    (gateway.server.warden as { close: () => Promise<void> }).close = async () => {
      ended = await audit.audit.query({ types: ['mcp-session-ended'] });
      await originalClose();
    };
    await gateway.close();
    assert.ok(Date.now() - started < 8_000, 'stop waited for the drain timeout');
    assert.ok(ended.some((entry) => entry.session === sessionId && entry.detail.reason === 'shutdown'));
    await close();
    await assert.rejects(readFile(pidFilePath({ baseDir: gateway.workspace.dir }), 'utf8'));
  });
});
