/** The upstream catalog against a hand-written stdio server that can misbehave on demand. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createUpstreamCatalog } from '../../src/upstream/index.js';
import type { UpstreamCatalog } from '../../src/upstream/index.js';
import {
  FIXTURE,
  MemoryLogger,
  NODE,
  REPO_DIR,
  declare,
  nextToolsChange,
  rejectsWith,
  servers,
  stateOf,
  statusOf,
  textOf,
} from './helpers.js';

const LEAKED_SECRET = 'warden-master-key-that-must-not-leak';

describe('catalog against the fixture server', () => {
  const logger = new MemoryLogger();
  let catalog: UpstreamCatalog;
  let savedMasterKey: string | undefined;

  before(async () => {
    savedMasterKey = process.env.WARDEN_MASTER_KEY;
    process.env.WARDEN_MASTER_KEY = LEAKED_SECRET;
    catalog = createUpstreamCatalog({
      baseDir: REPO_DIR,
      logger,
      servers: servers({
        fx: {
          transport: 'stdio',
          command: NODE,
          args: [FIXTURE],
          env: { FIXTURE_GREETING: 'xin chào' },
          maxResultBytes: 4096,
          tools: {
            ...declare(
              'slow',
              'big',
              'env',
              'bad_result',
              'rpc_error',
              'tool_error',
              'cancelled',
              'structured',
            ),
            echo: { description: 'Reviewed description: repeats the text.' },
            missing_tool: {},
          },
        },
        sluggish: {
          transport: 'stdio',
          command: NODE,
          args: [FIXTURE],
          timeout: 0.3,
          tools: declare('slow'),
        },
        noisy: { transport: 'stdio', command: NODE, args: [FIXTURE, '--garbage'], tools: declare('echo') },
        changing: {
          transport: 'stdio',
          command: NODE,
          args: [FIXTURE],
          tools: declare('add_tool', 'late_tool'),
        },
      }),
    });
    await catalog.start();
  });

  after(async () => {
    await catalog.close();
    if (savedMasterKey === undefined) delete process.env.WARDEN_MASTER_KEY;
    else process.env.WARDEN_MASTER_KEY = savedMasterKey;
  });

  test('start resolves once every server is ready', () => {
    assert.deepEqual(
      catalog.status().map((status) => [status.server, status.transport, status.state, status.lastError]),
      [
        ['fx', 'stdio', 'ready', null],
        ['sluggish', 'stdio', 'ready', null],
        ['noisy', 'stdio', 'ready', null],
        ['changing', 'stdio', 'ready', null],
      ],
    );
  });

  test('only declared tools are exposed, named <server>__<tool>, from every page of the listing', () => {
    const names = catalog
      .listTools()
      .filter((tool) => tool.server === 'fx')
      .map((tool) => tool.exposedName);
    // The fixture lists two tools a page; structured is on the sixth page.
    assert.deepEqual(names, [
      'fx__bad_result',
      'fx__big',
      'fx__cancelled',
      'fx__echo',
      'fx__env',
      'fx__rpc_error',
      'fx__slow',
      'fx__structured',
      'fx__tool_error',
    ]);
    const echo = catalog.getTool('fx__echo');
    assert.equal(echo?.name, 'echo');
    assert.equal(echo?.server, 'fx');
    assert.deepEqual(echo?.inputSchema, {
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
    });
  });

  test('a configured description replaces the one the upstream gives', () => {
    assert.equal(catalog.getTool('fx__echo')?.description, 'Reviewed description: repeats the text.');
    assert.equal(catalog.getTool('fx__slow')?.description, 'Answers after ms milliseconds, or never.');
  });

  test('undeclared tools are hidden, listed in status and warned about', async () => {
    const status = statusOf(catalog, 'fx');
    assert.equal(status.tools, 9);
    assert.deepEqual(status.undeclaredTools, ['add_tool', 'crash', 'hidden_tool']);
    assert.equal(catalog.getTool('fx__hidden_tool'), undefined);
    assert.ok(
      logger.matching(
        'warn',
        /"fx" offers tools the config does not declare; they are hidden: add_tool, crash, hidden_tool/,
      ).length > 0,
    );
    await rejectsWith(
      catalog.callTool('fx__hidden_tool', {}),
      'WARDEN_TOOL_NOT_FOUND',
      /offers a tool "hidden_tool" but the config does not declare it.*servers\.fx\.tools/,
    );
  });

  test('declared tools the server does not offer are listed as missing and refused as not found', async () => {
    assert.deepEqual(statusOf(catalog, 'fx').missingTools, ['missing_tool']);
    await rejectsWith(
      catalog.callTool('fx__missing_tool', {}),
      'WARDEN_TOOL_NOT_FOUND',
      /fx__missing_tool is declared in the config but server "fx" does not offer/,
    );
  });

  test('a name without a known server is refused as not found', async () => {
    await rejectsWith(
      catalog.callTool('nope__echo', {}),
      'WARDEN_TOOL_NOT_FOUND',
      /no tool named "nope__echo": tools are named <server>__<tool>/,
    );
    await rejectsWith(catalog.callTool('echo', {}), 'WARDEN_TOOL_NOT_FOUND', /<server>__<tool>/);
  });

  test('a call reaches the upstream and returns its result', async () => {
    const result = await catalog.callTool('fx__echo', { text: 'Xin chào, Lan Anh' });
    assert.equal(textOf(result), 'Xin chào, Lan Anh');
    assert.notEqual(result.isError, true);
  });

  test('a tool error (isError: true) comes back as a result, not an exception', async () => {
    const result = await catalog.callTool('fx__tool_error', {});
    assert.equal(result.isError, true);
    assert.equal(textOf(result), 'the record is locked');
  });

  test("an upstream JSON-RPC error becomes WARDEN_UPSTREAM_ERROR carrying the upstream's message", async () => {
    const error = await rejectsWith(
      catalog.callTool('fx__rpc_error', {}),
      'WARDEN_UPSTREAM_ERROR',
      /server "fx" refused the call to fx__rpc_error: Invalid params: amount must be positive \(JSON-RPC error -32602\)/,
    );
    assert.equal(error.status, 502);
    assert.equal(error.details.upstreamCode, -32602);
  });

  test('a result that is not a CallToolResult is WARDEN_UPSTREAM_INVALID_RESPONSE', async () => {
    await rejectsWith(
      catalog.callTool('fx__bad_result', {}),
      'WARDEN_UPSTREAM_INVALID_RESPONSE',
      /server "fx" answered fx__bad_result with something that is not a tool result \(content: /,
    );
  });

  test("structured content is checked against the tool's output schema", async () => {
    const valid = await catalog.callTool('fx__structured', {});
    assert.deepEqual(valid.structuredContent, { total: 3 });
    await rejectsWith(
      catalog.callTool('fx__structured', { valid: false }),
      'WARDEN_UPSTREAM_INVALID_RESPONSE',
      /breaks the tool's own output schema/,
    );
  });

  test('a result over maxResultBytes is WARDEN_UPSTREAM_RESULT_TOO_LARGE and the server keeps serving', async () => {
    const error = await rejectsWith(
      catalog.callTool('fx__big', { bytes: 5000 }),
      'WARDEN_UPSTREAM_RESULT_TOO_LARGE',
      /the result of fx__big is 5\d\d\d bytes, more than the 4096 bytes allowed \(servers\.fx\.maxResultBytes\)/,
    );
    assert.equal(error.details.limit, 4096);
    assert.equal(textOf(await catalog.callTool('fx__big', { bytes: 100 })).length, 100);
    assert.equal(stateOf(catalog, 'fx'), 'ready');
  });

  test('a call that outlives its timeout is WARDEN_UPSTREAM_TIMEOUT and is cancelled upstream', async () => {
    const started = Date.now();
    await rejectsWith(
      catalog.callTool('fx__slow', {}, { timeoutMs: 150 }),
      'WARDEN_UPSTREAM_TIMEOUT',
      /fx__slow did not answer within 150 ms, so Warden cancelled the call.*servers\.fx\.timeout/,
    );
    assert.ok(Date.now() - started < 2000);
    const cancelled = JSON.parse(textOf(await catalog.callTool('fx__cancelled', {}))) as unknown[];
    assert.equal(cancelled.length, 1, 'the upstream received notifications/cancelled for the call');
  });

  test("the server's configured timeout applies when the call sets none", async () => {
    await rejectsWith(
      catalog.callTool('sluggish__slow', { ms: 10_000 }),
      'WARDEN_UPSTREAM_TIMEOUT',
      /sluggish__slow did not answer within 300 ms/,
    );
    assert.equal(textOf(await catalog.callTool('sluggish__slow', { ms: 1 })), 'done');
  });

  test('a caller that aborts gets WARDEN_CALL_CANCELLED', async () => {
    const controller = new AbortController();
    const call = catalog.callTool('fx__slow', {}, { signal: controller.signal });
    controller.abort();
    await rejectsWith(call, 'WARDEN_CALL_CANCELLED', /cancelled by its caller/);
    await rejectsWith(
      catalog.callTool('fx__echo', { text: 'x' }, { signal: controller.signal }),
      'WARDEN_CALL_CANCELLED',
    );
  });

  test('many concurrent calls sharing one caller signal print no MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const shared = new AbortController();
      const calls = Array.from({ length: 30 }, (_, index) =>
        catalog.callTool('fx__slow', { ms: 20 + index }, { signal: shared.signal }),
      );
      assert.ok((await Promise.all(calls)).every((result) => textOf(result) === 'done'));
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(
      warnings
        .filter((warning) => warning.name === 'MaxListenersExceededWarning')
        .map((warning) => warning.message),
      [],
    );
  });

  test('a server that prints garbage on stdout still serves, and the garbage is logged', async () => {
    assert.equal(textOf(await catalog.callTool('noisy__echo', { text: 'vẫn chạy' })), 'vẫn chạy');
    const warnings = logger.lines.filter((line) => line.level === 'warn' && line.fields.server === 'noisy');
    assert.ok(
      warnings.some((line) => /could not use/.test(line.message)),
      JSON.stringify(warnings),
    );
  });

  test('notifications/tools/list_changed makes the catalog relist and expose a new declared tool', async () => {
    assert.deepEqual(statusOf(catalog, 'changing').missingTools, ['late_tool']);
    assert.equal(catalog.getTool('changing__late_tool'), undefined);
    const changed = nextToolsChange(catalog);
    await catalog.callTool('changing__add_tool', {});
    await changed;
    assert.ok(catalog.listTools().some((tool) => tool.exposedName === 'changing__late_tool'));
    assert.deepEqual(statusOf(catalog, 'changing').missingTools, []);
    assert.equal(textOf(await catalog.callTool('changing__late_tool', {})), 'late_tool');
  });

  test("Warden's own environment does not reach a stdio server; its configured env does", async () => {
    const env = JSON.parse(textOf(await catalog.callTool('fx__env', {}))) as Record<string, string>;
    assert.equal(env.WARDEN_MASTER_KEY, undefined);
    assert.ok(!JSON.stringify(env).includes(LEAKED_SECRET));
    assert.equal(env.FIXTURE_GREETING, 'xin chào');
    assert.equal(env.PATH, process.env.PATH);
    const allowed = new Set(['PATH', 'HOME', 'LANG', 'LOGNAME', 'SHELL', 'TERM', 'USER', 'FIXTURE_GREETING']);
    assert.deepEqual(
      Object.keys(env).filter((key) => !allowed.has(key)),
      [],
    );
  });
});
