import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, textOf } from '../../pipeline/harness.js';
import { connectClient, startGatewayServer } from './helpers.js';
import type { Connected, GatewayServer } from './helpers.js';

const node = JSON.stringify(process.execPath);
const everything = JSON.stringify(
  join(REPO_ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js'),
);
const filesystem = JSON.stringify(
  join(REPO_ROOT, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js'),
);

const POLICIES = `
@id("research-uses-peers")
@reason("research agents echo, add and read the shared files")
permit (
  principal in Role::"research",
  action in [
    Action::"everything__echo",
    Action::"everything__get-sum",
    Action::"everything__get-structured-content",
    Action::"everything__get-tiny-image",
    Action::"everything__trigger-long-running-operation",
    Action::"fs__read_text_file",
    Action::"fs__list_directory"
  ],
  resource
);

@id("support-writes-notes")
@reason("support agents may write only under notes/")
permit (principal in Role::"support", action == Action::"fs__write_file", resource)
when { context.arguments has path && context.arguments.path like "*/notes/*" };
`;

describe('unmodified npm MCP servers behind Warden (server-everything, server-filesystem)', () => {
  let gateway: GatewayServer;
  let research: Connected;
  let support: Connected;

  before(async () => {
    gateway = await startGatewayServer({
      noExamplePolicies: true,
      extraPolicies: { 'peers.cedar': POLICIES },
      serversYaml: `  everything:
    transport: stdio
    command: ${node}
    args: [${everything}, stdio]
    tools:
      echo: { risk: read, classification: public }
      get-sum: { risk: read, classification: public }
      get-structured-content: { risk: read, classification: public }
      get-tiny-image: { risk: read, classification: public }
      trigger-long-running-operation: { risk: read, classification: public }
      get-env: { risk: read, classification: restricted }
  fs:
    transport: stdio
    command: ${node}
    args: [${filesystem}, "{dir}/files"]
    tools:
      read_text_file: { risk: read, classification: internal, arguments: { path: string } }
      list_directory: { risk: read, classification: internal, arguments: { path: string } }
      write_file: { risk: write, classification: internal, arguments: { path: string } }
`,
    });
    research = await connectClient(gateway.url, await gateway.token('research-bot'));
    support = await connectClient(gateway.url, await gateway.token('support-bot'));
  });

  after(async () => {
    await research?.close();
    await support?.close();
    await gateway?.close();
  });

  test('each agent lists only the declared peer tools policy lets it call', async () => {
    assert.deepEqual(
      (await research.client.listTools()).tools.map((tool) => tool.name),
      [
        'everything__echo',
        'everything__get-structured-content',
        'everything__get-sum',
        'everything__get-tiny-image',
        'everything__trigger-long-running-operation',
        'fs__list_directory',
        'fs__read_text_file',
      ],
    );
    // write_file's only permit tests the path: it is listed, and decided per call.
    assert.deepEqual(
      (await support.client.listTools()).tools.map((tool) => tool.name),
      ['fs__write_file'],
    );
  });

  test('upstream progress reaches the agent under its own progressToken', async () => {
    const progress: number[] = [];
    const result = await research.client.callTool(
      { name: 'everything__trigger-long-running-operation', arguments: { duration: 0.3, steps: 3 } },
      undefined,
      { onprogress: (update) => progress.push(update.progress) },
    );
    assert.match(textOf(result), /completed/i);
    // As in the catalog test: the last step's notification may lose the race with the result.
    assert.deepEqual(progress.slice(0, 2), [1, 2]);
  });

  test('server-everything: echo, a sum and an image come back through Warden unchanged', async () => {
    assert.equal(
      textOf(
        await research.client.callTool({ name: 'everything__echo', arguments: { message: 'xin chào' } }),
      ),
      'Echo: xin chào',
    );
    assert.match(
      textOf(await research.client.callTool({ name: 'everything__get-sum', arguments: { a: 2, b: 40 } })),
      /42/,
    );
    const image = await research.client.callTool({ name: 'everything__get-tiny-image', arguments: {} });
    assert.ok((image.content as Array<{ type: string }>).some((item) => item.type === 'image'));
  });

  test('server-everything: structured content is passed through and matches the output schema', async () => {
    const result = await research.client.callTool({
      name: 'everything__get-structured-content',
      arguments: { location: 'Chicago' },
    });
    assert.equal(result.isError, undefined);
    assert.equal(typeof result.structuredContent, 'object');
  });

  test('server-everything: arguments of the wrong type are refused before the upstream', async () => {
    const result = await research.client.callTool({
      name: 'everything__get-sum',
      arguments: { a: 'two', b: 40 },
    });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /^WARDEN_INVALID_ARGUMENTS: .*"a" must be number/);
  });

  test('server-everything: a declared tool above the agent’s clearance is denied by default', async () => {
    const result = await research.client.callTool({ name: 'everything__get-env', arguments: {} });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /^WARDEN_POLICY_DENIED: no policy permits research-bot/);
  });

  test('server-filesystem: a permitted read returns the file', async () => {
    const result = await research.client.callTool({
      name: 'fs__read_text_file',
      arguments: { path: join(gateway.workspace.dir, 'files', 'welcome.txt') },
    });
    assert.match(textOf(result), /Welcome to the shared folder/);
  });

  test('server-filesystem: a write the policy denies leaves no file behind', async () => {
    const path = join(gateway.workspace.dir, 'files', 'research.txt');
    const result = await research.client.callTool({
      name: 'fs__write_file',
      arguments: { path, content: 'x' },
    });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /^WARDEN_POLICY_DENIED/);
    await assert.rejects(access(path));
  });

  test('server-filesystem: a write allowed by an argument-dependent policy is executed, another is denied', async () => {
    const allowed = join(gateway.workspace.dir, 'files', 'notes', 'call-1.txt');
    await research.client.callTool({
      name: 'fs__list_directory',
      arguments: { path: join(gateway.workspace.dir, 'files') },
    });
    // server-filesystem needs the parent directory to exist.
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(gateway.workspace.dir, 'files', 'notes'));
    const result = await support.client.callTool({
      name: 'fs__write_file',
      arguments: { path: allowed, content: 'Khách hàng gọi lại lúc 10:00.' },
    });
    assert.equal(result.isError, undefined, textOf(result));
    assert.equal(await readFile(allowed, 'utf8'), 'Khách hàng gọi lại lúc 10:00.');
    const denied = await support.client.callTool({
      name: 'fs__write_file',
      arguments: { path: join(gateway.workspace.dir, 'files', 'welcome.txt'), content: 'overwritten' },
    });
    assert.match(
      textOf(denied),
      /^WARDEN_POLICY_DENIED: no policy permits support-bot to call fs__write_file/,
    );
    assert.match(await readFile(join(gateway.workspace.dir, 'files', 'welcome.txt'), 'utf8'), /Welcome/);
  });
});
