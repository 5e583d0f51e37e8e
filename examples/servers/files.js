#!/usr/bin/env node
// Demo file store: an MCP server over stdio that reads, writes and deletes files inside one folder
// and refuses any path that leads outside it (.., absolute paths, symbolic links). For the demo only.
//
//   FILES_ROOT=/some/folder node examples/servers/files.js
//   node examples/servers/files.js --root /some/folder
//   node examples/servers/files.js          # a fresh temporary folder with a few sample files
import { rmSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const MAX_FILE_BYTES = 1024 * 1024;

const SAMPLE_FILES = {
  'welcome.txt': 'Shared folder of the support team. Files here are visible to every support agent.\n',
  'reports/2025-q4-summary.md':
    '# Q4 2025 summary\n\n- New customers: 142 (Việt Nam 97, international 45)\n- Churn: 2.1%\n- Top request: hóa đơn VAT (VAT invoices) in Vietnamese\n',
  'templates/reply-vi.txt':
    'Chào anh/chị {name},\n\nCảm ơn anh/chị đã liên hệ. Chúng tôi sẽ phản hồi trong vòng 24 giờ.\n\nTrân trọng,\nBộ phận hỗ trợ\n',
};

async function chooseRoot() {
  const { values } = parseArgs({ options: { root: { type: 'string' } }, strict: true });
  const given = values.root ?? process.env.FILES_ROOT;
  if (given !== undefined) {
    await mkdir(given, { recursive: true });
    return realpath(given);
  }
  const root = await realpath(await mkdtemp(join(tmpdir(), 'warden-demo-files-')));
  for (const [name, content] of Object.entries(SAMPLE_FILES)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), content);
  }
  console.error(`files: serving the sample folder ${root} (removed on exit)`);
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
  return root;
}

const ROOT = await chooseRoot();

class Refused extends Error {}

function isInside(path) {
  const fromRoot = relative(ROOT, path);
  return fromRoot === '' || (!fromRoot.startsWith(`..${sep}`) && fromRoot !== '..' && !isAbsolute(fromRoot));
}

async function exists(path) {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Resolves a path given by a client to one inside ROOT, following symbolic links, or throws Refused. */
async function confine(path) {
  if (path.includes('\0')) throw new Refused('The path contains a NUL character.');
  if (isAbsolute(path))
    throw new Refused(`"${path}" is absolute; give a path relative to the shared folder.`);
  const target = resolve(ROOT, path);
  if (!isInside(target) || target === ROOT) throw new Refused(`"${path}" is outside the shared folder.`);
  // The deepest part of the path that exists must really be inside (a symbolic link may point out).
  let existing = target;
  while (!(await exists(existing))) existing = dirname(existing);
  if (!isInside(await realpath(existing))) throw new Refused(`"${path}" leads outside the shared folder.`);
  return target;
}

function text(value) {
  return { content: [{ type: 'text', text: value }] };
}

function toolError(message) {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Runs a file operation, turning refusals and missing files into tool errors. */
async function guarded(path, operation) {
  try {
    return await operation(await confine(path));
  } catch (error) {
    if (error instanceof Refused) return toolError(`Refused: ${error.message}`);
    if (error?.code === 'ENOENT') return toolError(`No file "${path}" in the shared folder.`);
    if (error?.code === 'EISDIR') return toolError(`"${path}" is a folder, not a file.`);
    throw error;
  }
}

const PATH = z
  .string()
  .min(1)
  .max(1024)
  .describe('Path relative to the shared folder, e.g. reports/2025-q4-summary.md');

const server = new McpServer({ name: 'warden-demo-files', version: '1.0.0' });

server.registerTool(
  'read_file',
  {
    title: 'Read file',
    description: 'Read a text file from the shared folder.',
    inputSchema: { path: PATH },
    annotations: { readOnlyHint: true },
  },
  async ({ path }) =>
    guarded(path, async (target) => {
      const info = await stat(target);
      if (info.isDirectory()) return toolError(`"${path}" is a folder, not a file.`);
      if (info.size > MAX_FILE_BYTES)
        return toolError(`"${path}" is ${info.size} bytes; at most ${MAX_FILE_BYTES} can be read.`);
      return text(await readFile(target, 'utf8'));
    }),
);

server.registerTool(
  'write_file',
  {
    title: 'Write file',
    description: 'Create or replace a text file in the shared folder (missing folders are created).',
    inputSchema: { path: PATH, content: z.string().max(MAX_FILE_BYTES) },
  },
  async ({ path, content }) =>
    guarded(path, async (target) => {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
      return text(`Wrote ${Buffer.byteLength(content)} bytes to ${path}.`);
    }),
);

server.registerTool(
  'delete_file',
  {
    title: 'Delete file',
    description: 'Delete a file from the shared folder (not a folder).',
    inputSchema: { path: PATH },
    annotations: { destructiveHint: true },
  },
  async ({ path }) =>
    guarded(path, async (target) => {
      const info = await lstat(target);
      if (info.isDirectory()) return toolError(`"${path}" is a folder; only files can be deleted.`);
      await rm(target);
      return text(`Deleted ${path}.`);
    }),
);

await server.connect(new StdioServerTransport());
