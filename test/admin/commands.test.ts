import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { AdminDirectory } from '../../src/admin/index.js';
import { registerAdminCommands } from '../../src/cli/admins.js';
import type { Output } from '../../src/cli/output.js';
import { printError } from '../../src/cli/output.js';
import type { CommandContext } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config/index.js';
import type { LoadedConfig } from '../../src/config/index.js';
import { WardenError } from '../../src/core/index.js';
import { verifySecret } from '../../src/identity/index.js';
import { makeWorkspace } from '../e2e/helpers.js';
import type { TempWorkspace } from '../e2e/helpers.js';

/** Runs `warden admins ...` in-process with `input` as standard input. */
async function admins(
  loaded: () => Promise<LoadedConfig>,
  input: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string; prompted: string }> {
  let stdout = '';
  let stderr = '';
  let prompted = '';
  const output: Output = {
    line: (text = '') => (stdout += `${text}\n`),
    json: (value) => (stdout += `${JSON.stringify(value)}\n`),
    error: (text) => (stderr += `${text}\n`),
  };
  const context: CommandContext = {
    output,
    env: {},
    actor: 'cli:tester',
    config: loaded,
    withWarden: () => Promise.reject(new Error('admins commands do not open a Warden')),
  };
  const program = new Command('warden').exitOverride().configureOutput({
    writeOut: (text) => output.line(text.trimEnd()),
    writeErr: (text) => output.error(text.trimEnd()),
  });
  registerAdminCommands(program, context, {
    stdin: Readable.from([Buffer.from(input, 'utf8')]),
    prompt: new Writable({
      write(chunk: Buffer, _encoding, done) {
        prompted += chunk.toString();
        done();
      },
    }),
  });
  try {
    await program.parseAsync(['admins', ...args], { from: 'user' });
    return { code: 0, stdout, stderr, prompted };
  } catch (error) {
    if (!(error instanceof WardenError) && error instanceof Error && 'exitCode' in error) {
      return { code: 2, stdout, stderr, prompted };
    }
    printError(output, error);
    const code = error instanceof WardenError && error.code === 'WARDEN_USAGE' ? 2 : 1;
    return { code, stdout, stderr, prompted };
  }
}

describe('warden admins', () => {
  let workspace: TempWorkspace;
  const noConfig = (): Promise<LoadedConfig> => Promise.reject(new Error('no config needed'));

  before(async () => {
    workspace = await makeWorkspace();
  });
  after(async () => {
    await workspace.cleanup();
  });

  test('hash reads the password from standard input and prints a hash that verifies it', async () => {
    const result = await admins(noConfig, 'correct horse battery staple\n', 'hash');
    assert.equal(result.code, 0, result.stderr);
    const hash = result.stdout.trim();
    assert.match(hash, /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    assert.equal(await verifySecret('correct horse battery staple', hash), true);
    assert.doesNotMatch(result.stdout, /correct horse/);
  });

  test('hash refuses empty input, and a password given as an argument', async () => {
    const empty = await admins(noConfig, '\n', 'hash');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /WARDEN_USAGE: nothing to hash/);
    const argument = await admins(noConfig, '', 'hash', 'hunter2');
    assert.equal(argument.code, 2, 'no password on the command line');
  });

  test('new-key prints a wak_ key once with its hash as config lines that sign in', async () => {
    const result = await admins(noConfig, '', 'new-key', 'alice');
    assert.equal(result.code, 0, result.stderr);
    const key = /(wak_[A-Za-z0-9_-]{43})/.exec(result.stdout)?.[1];
    assert.ok(key, result.stdout);
    assert.equal(result.stdout.split(key).length, 2, 'the key is printed exactly once');
    const hash = /apiKeyHash: '([^']+)'/.exec(result.stdout)?.[1];
    assert.ok(hash);
    assert.match(result.stdout, /^admins:\n {2}alice:\n {4}apiKeyHash: '/m);

    const directory = new AdminDirectory({
      admins: { alice: { email: 'alice@example.com', roles: ['admin'], groups: [], apiKeyHash: hash } },
    });
    assert.equal((await directory.authenticate(`Bearer ${key}`)).name, 'alice');

    const json = await admins(noConfig, '', 'new-key', 'bob', '--json');
    const parsed = JSON.parse(json.stdout) as { name: string; apiKey: string; apiKeyHash: string };
    assert.equal(parsed.name, 'bob');
    assert.equal(await verifySecret(parsed.apiKey, parsed.apiKeyHash), true);
  });

  test('new-key refuses a name the config could not hold', async () => {
    const result = await admins(noConfig, '', 'new-key', 'Alice Smith');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /not a valid admin user name/);
  });

  test('list shows the admin users of the config and how they sign in, never the hashes', async () => {
    const hash = (await admins(noConfig, 'pw\n', 'hash')).stdout.trim();
    const extra = await makeWorkspace({
      extraYaml: [
        'admins:',
        '  alice:',
        '    email: alice@example.com',
        '    roles: [admin, approver]',
        '    groups: [finance]',
        `    passwordHash: '${hash}'`,
        '',
      ].join('\n'),
    });
    try {
      const load = () => loadConfig({ path: extra.configPath, env: {} });
      const result = await admins(load, '', 'list');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /alice\s+alice@example\.com\s+admin,approver\s+finance\s+password/);
      assert.doesNotMatch(result.stdout, /scrypt/);
      const none = await admins(() => loadConfig({ path: workspace.configPath, env: {} }), '', 'list');
      assert.match(none.stdout, /no admin users/);
    } finally {
      await extra.cleanup();
    }
  });
});
