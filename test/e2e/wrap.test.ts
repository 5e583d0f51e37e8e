import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI_ENTRY, REPO_ROOT, runWarden } from './helpers.js';

function textOf(result: unknown): string {
  const content = ((result as { content?: unknown }).content ?? []) as { type: string; text?: string }[];
  return content.map((block) => block.text ?? '').join('\n');
}

test('warden wrap serves one stdio server to an MCP client over stdio, under policy, and audits every call', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'warden-wrap-'));
  try {
    // The example configuration and policies, in a private directory (its store lands there too).
    await cp(join(REPO_ROOT, 'examples', 'warden.yaml'), join(dir, 'warden.yaml'));
    await cp(join(REPO_ROOT, 'examples', 'policies'), join(dir, 'policies'), { recursive: true });
    await cp(join(REPO_ROOT, 'examples', 'secrets'), join(dir, 'secrets'), { recursive: true });
    const root = join(dir, 'shared');
    await mkdir(root);
    await writeFile(join(root, 'notes.txt'), 'quarterly numbers are in the finance folder\n');
    const configPath = join(dir, 'warden.yaml');

    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        CLI_ENTRY,
        'wrap',
        '--config',
        configPath,
        '--agent',
        'research-bot',
        '--server',
        'files',
        '--',
        process.execPath,
        join(REPO_ROOT, 'examples', 'servers', 'files.js'),
        '--root',
        root,
      ],
      cwd: REPO_ROOT,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const client = new Client({ name: 'desktop-client', version: '1.0.0' });
    try {
      await client.connect(transport);
      const tools = (await client.listTools()).tools.map((tool) => tool.name).sort();
      assert.deepEqual(tools, ['files__read_file'], `research-bot reads only; stderr: ${stderr}`);

      const read = await client.callTool({ name: 'files__read_file', arguments: { path: 'notes.txt' } });
      assert.equal(read.isError, undefined, textOf(read));
      assert.match(textOf(read), /quarterly numbers/);

      const write = await client.callTool({
        name: 'files__write_file',
        arguments: { path: 'notes.txt', content: 'overwritten' },
      });
      assert.equal(write.isError, true);
      assert.match(textOf(write), /^WARDEN_POLICY_DENIED: /);
    } finally {
      await client.close();
    }

    const tail = await runWarden(['audit', 'tail', '-n', '200', '--json', '--config', configPath]);
    assert.equal(tail.code, 0, tail.output);
    const entries = tail.output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; session: string | null; subject: string | null });
    const toolEntries = entries.filter((entry) => entry.type.startsWith('tool-call-'));
    assert.deepEqual(
      toolEntries.map((entry) => `${entry.type} ${entry.subject}`),
      [
        'tool-call-allowed tool:files__read_file',
        'tool-call-completed tool:files__read_file',
        'tool-call-denied tool:files__write_file',
      ],
    );
    assert.ok(toolEntries.every((entry) => entry.session?.startsWith('stdio-')));
    const verify = await runWarden(['audit', 'verify', '--config', configPath]);
    assert.equal(verify.code, 0, verify.output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
