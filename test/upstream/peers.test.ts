/** The catalog against unmodified MCP servers from npm: server-everything and server-filesystem, over stdio. */
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createUpstreamCatalog } from '../../src/upstream/index.js';
import type { UpstreamCatalog } from '../../src/upstream/index.js';
import { NODE, REPO_DIR, declare, processGone, rejectsWith, servers, statusOf, textOf } from './helpers.js';

describe('official MCP servers from npm through the catalog', () => {
  let catalog: UpstreamCatalog;
  let root: string;

  before(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'warden-fs-')));
    await writeFile(join(root, 'hop-dong.txt'), 'Hợp đồng số 42/2026\n');
    catalog = createUpstreamCatalog({
      baseDir: REPO_DIR,
      servers: servers({
        // With no argument server-everything serves stdio.
        everything: {
          transport: 'stdio',
          command: NODE,
          args: ['node_modules/@modelcontextprotocol/server-everything/dist/index.js'],
          tools: declare('echo', 'get-sum', 'get-structured-content', 'trigger-long-running-operation'),
        },
        filesystem: {
          transport: 'stdio',
          command: NODE,
          args: ['node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', root],
          tools: declare('read_text_file', 'write_file', 'list_directory'),
        },
      }),
    });
    await catalog.start();
  });

  after(async () => {
    await catalog.close();
    await rm(root, { recursive: true, force: true });
  });

  test('both servers are ready, with only the declared tools exposed', () => {
    assert.deepEqual(
      catalog.listTools().map((tool) => tool.exposedName),
      [
        'everything__echo',
        'everything__get-structured-content',
        'everything__get-sum',
        'everything__trigger-long-running-operation',
        'filesystem__list_directory',
        'filesystem__read_text_file',
        'filesystem__write_file',
      ],
    );
    const everything = statusOf(catalog, 'everything');
    assert.equal(everything.state, 'ready');
    assert.ok(everything.undeclaredTools.includes('get-env'));
    assert.deepEqual(everything.missingTools, []);
    assert.ok(statusOf(catalog, 'filesystem').undeclaredTools.includes('move_file'));
  });

  test('server-everything answers echo and get-sum', async () => {
    assert.equal(
      textOf(await catalog.callTool('everything__echo', { message: 'Xin chào' })),
      'Echo: Xin chào',
    );
    assert.match(textOf(await catalog.callTool('everything__get-sum', { a: 2, b: 40 })), /42/);
  });

  test('structured content of server-everything passes its output schema', async () => {
    const result = await catalog.callTool('everything__get-structured-content', { location: 'New York' });
    assert.equal(typeof result.structuredContent, 'object');
  });

  test('progress from a long-running operation reaches onProgress', async () => {
    const progress: number[] = [];
    const result = await catalog.callTool(
      'everything__trigger-long-running-operation',
      { duration: 0.3, steps: 3 },
      { onProgress: (update) => progress.push(update.progress) },
    );
    assert.match(textOf(result), /completed/i);
    // The SDK client hands notifications over a microtask later than responses, so the last step's
    // progress can arrive after the result and be dropped; the earlier steps always arrive.
    assert.deepEqual(progress.slice(0, 2), [1, 2]);
  });

  test('a long-running operation past the timeout is WARDEN_UPSTREAM_TIMEOUT', async () => {
    await rejectsWith(
      catalog.callTool(
        'everything__trigger-long-running-operation',
        { duration: 30, steps: 3 },
        { timeoutMs: 200 },
      ),
      'WARDEN_UPSTREAM_TIMEOUT',
      /everything__trigger-long-running-operation did not answer within 200 ms/,
    );
  });

  test('server-filesystem writes and reads inside its root and refuses outside it', async () => {
    await catalog.callTool('filesystem__write_file', {
      path: join(root, 'ghi-chu.txt'),
      content: 'Gọi lại lúc 15:00',
    });
    assert.equal(await readFile(join(root, 'ghi-chu.txt'), 'utf8'), 'Gọi lại lúc 15:00');
    const read = await catalog.callTool('filesystem__read_text_file', { path: join(root, 'hop-dong.txt') });
    assert.deepEqual(read.structuredContent, { content: 'Hợp đồng số 42/2026\n' });
    const outside = await catalog.callTool('filesystem__read_text_file', { path: '/etc/hostname' });
    assert.equal(outside.isError, true);
    assert.match(textOf(outside), /outside allowed directories/i);
  });

  test('close() ends both child processes, even one still busy with a cancelled operation', async () => {
    const pids = catalog
      .status()
      .map((status) => status.pid)
      .filter((pid) => pid !== undefined);
    assert.equal(pids.length, 2);
    await catalog.close();
    for (const pid of pids) assert.ok(processGone(pid), `process ${pid} is gone`);
  });
});
