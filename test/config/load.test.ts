import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, safeLoadConfig } from '../../src/config/index.js';
import { MINIMAL, issuesOf, loadError, tempDir, writeConfig, writeFiles } from './temp-config.js';

void test('an unknown top-level key is reported at its line with a did-you-mean', async (t) => {
  const file = await writeConfig(t, `${MINIMAL}servres: {}\n`);
  const error = await loadError({ path: file });
  assert.equal(error.code, 'WARDEN_CONFIG_INVALID');
  assert.deepEqual(issuesOf(error), [
    { line: 9, column: 1, path: 'servres', message: 'unknown key "servres"; did you mean "servers"?' },
  ]);
  assert.ok(error.message.includes(`${file}:9:1  servres  unknown key "servres"; did you mean "servers"?`));
});

void test('an unknown nested key is reported at the key, with a did-you-mean', async (t) => {
  const file = await writeConfig(t, `version: 1\nserver:\n  host: 127.0.0.1\n  prot: 9000\n`);
  const error = await loadError({ path: file });
  assert.deepEqual(issuesOf(error), [
    { line: 4, column: 3, path: 'server.prot', message: 'unknown key "prot"; did you mean "port"?' },
  ]);
});

void test('an unknown key inside an upstream server names the keys of that transport', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1
servers:
  crm:
    transport: stdio
    command: node
    headers: {}
`,
  );
  const issues = issuesOf(await loadError({ path: file }));
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.line, 6);
  assert.equal(issues[0]!.path, 'servers.crm.headers');
  assert.equal(
    issues[0]!.message,
    'unknown key "headers"; allowed here: transport, command, args, env, cwd, description, tools, timeout, maxResultBytes',
  );
});

void test('a value of the wrong type is reported at the line of the value', async (t) => {
  const file = await writeConfig(t, `version: 1\nserver:\n  port: eighty\n`);
  const error = await loadError({ path: file });
  assert.deepEqual(issuesOf(error), [
    { line: 3, column: 9, path: 'server.port', message: 'expected a number, got text' },
  ]);
});

void test('a missing required field is reported at the entry that lacks it', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1
roles:
  support: {}
agents:
  support-bot:
    roles: [support]
    clearance: internal
`,
  );
  assert.deepEqual(issuesOf(await loadError({ path: file })), [
    { line: 5, column: 3, path: 'agents.support-bot.owner', message: 'is required (expected text)' },
  ]);
});

void test('an agent naming a missing role or data class is reported naming the agent and the role', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1
roles:
  support: {}
agents:
  support-bot:
    owner: lan.nguyen@example.com
    roles: [support, billing]
    clearance: top-secret
`,
  );
  const error = await loadError({ path: file });
  assert.equal(error.code, 'WARDEN_CONFIG_INVALID');
  const issues = issuesOf(error);
  assert.equal(issues.length, 2);
  assert.equal(issues[0]!.line, 7);
  assert.equal(issues[0]!.path, 'agents.support-bot.roles[1]');
  assert.match(
    issues[0]!.message,
    /agent "support-bot" names role "billing", which is not defined under roles/,
  );
  assert.equal(issues[1]!.line, 8);
  assert.equal(issues[1]!.path, 'agents.support-bot.clearance');
  assert.match(
    issues[1]!.message,
    /agent "support-bot" has clearance "top-secret", which is not a data class/,
  );
});

void test('every problem in a file is reported at once, in line order', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1
server:
  port: "8787"
  hots: 0.0.0.0
identity:
  tokenLifetime: 2h
roles:
  support: {}
agents:
  support-bot:
    owner: not-an-email
    roles: [support]
    clearance: internal
servers:
  crm:
    transport: ftp
`,
  );
  const error = await loadError({ path: file });
  assert.deepEqual(
    issuesOf(error).map((issue) => [issue.line, issue.path]),
    [
      [3, 'server.port'],
      [4, 'server.hots'],
      [6, 'identity.tokenLifetime'],
      [11, 'agents.support-bot.owner'],
      [16, 'servers.crm.transport'],
    ],
  );
  assert.match(error.message, /has 5 problems:/);
  assert.match(error.message, /unknown key "hots"; did you mean "host"\?/);
  assert.match(error.message, /servers\.crm\.transport {2}must be one of "stdio", "http"/);
});

void test('unknown keys and dangling references are reported together', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1
loging: {}
roles:
  support: {}
agents:
  support-bot:
    owner: lan.nguyen@example.com
    roles: [suport]
    clearance: internal
`,
  );
  const issues = issuesOf(await loadError({ path: file }));
  assert.deepEqual(
    issues.map((issue) => [issue.line, issue.path]),
    [
      [2, 'loging'],
      [8, 'agents.support-bot.roles[0]'],
    ],
  );
  assert.match(issues[0]!.message, /did you mean "logging"\?/);
});

void test('type errors and dangling references are reported together', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1
server:
  port: eighty
roles:
  support: {}
agents:
  support-bot:
    owner: lan.nguyen@example.com
    roles: [suport]
    clearance: secret
`,
  );
  const issues = issuesOf(await loadError({ path: file }));
  assert.deepEqual(
    issues.map((issue) => [issue.line, issue.path]),
    [
      [3, 'server.port'],
      [9, 'agents.support-bot.roles[0]'],
      [10, 'agents.support-bot.clearance'],
    ],
  );
});

void test('a YAML syntax error is reported with its line and column', async (t) => {
  const file = await writeConfig(t, `version: 1\nroles:\n  support: {}\n agents: {}\n`);
  const error = await loadError({ path: file });
  assert.equal(error.code, 'WARDEN_CONFIG_INVALID');
  const issues = issuesOf(error);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.line, 4);
  assert.match(issues[0]!.message, /^YAML: /);
  assert.ok(error.message.includes(`${file}:4:`));
});

void test('a duplicate key is refused at the second occurrence', async (t) => {
  const file = await writeConfig(t, `version: 1\nroles:\n  support: {}\n  support: {}\n`);
  assert.deepEqual(issuesOf(await loadError({ path: file })), [
    {
      line: 4,
      column: 3,
      path: '',
      message: 'duplicate key "support": each key may appear once in a mapping',
    },
  ]);
});

void test('an alias bomb is refused', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1
a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]
`,
  );
  const issues = issuesOf(await loadError({ path: file }));
  assert.equal(issues.length, 1);
  assert.match(issues[0]!.message, /too many alias expansions/);
});

void test('a few aliases are allowed', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1
servers:
  crm:
    transport: stdio
    command: node
    tools:
      read_customer: &read { risk: read }
      list_customers: *read
`,
  );
  const { config } = await loadConfig({ path: file, env: {} });
  assert.equal(config.servers.crm?.tools.list_customers?.risk, 'read');
});

void test('an empty file is refused with a hint to start with version: 1', async (t) => {
  const file = await writeConfig(t, '# nothing here yet\n');
  const error = await loadError({ path: file });
  assert.equal(error.code, 'WARDEN_CONFIG_INVALID');
  assert.match(error.message, /the file is empty; start it with `version: 1`/);
});

void test('a key that would set the prototype is an unknown key, not a prototype', async (t) => {
  const file = await writeConfig(t, `version: 1\n__proto__:\n  polluted: true\n`);
  const issues = issuesOf(await loadError({ path: file }));
  assert.deepEqual(
    issues.map((issue) => [issue.line, issue.path]),
    [[2, '__proto__']],
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

void test('a file over 1 MiB is refused before it is parsed', async (t) => {
  const file = await writeConfig(t, `version: 1\n# ${'x'.repeat(1024 * 1024)}\n`);
  const error = await loadError({ path: file });
  assert.equal(error.code, 'WARDEN_CONFIG_INVALID');
  assert.match(error.message, /is \d+ bytes; the limit is 1 MiB/);
  assert.equal(error.details.limit, 1024 * 1024);
});

void test('a missing --config file is named, with how to point at another', async (t) => {
  const dir = await tempDir(t);
  const error = await loadError({ path: 'nope.yaml', cwd: dir });
  assert.equal(error.code, 'WARDEN_CONFIG_NOT_FOUND');
  assert.equal(
    error.message,
    `No configuration file: ${join(dir, 'nope.yaml')} (given with --config) does not exist. Check the path, or pass --config with the file's path.`,
  );
  assert.deepEqual(error.details.tried, [{ source: 'option', path: join(dir, 'nope.yaml') }]);
});

void test('a missing WARDEN_CONFIG file is named as coming from the environment', async (t) => {
  const dir = await tempDir(t);
  const error = await loadError({ env: { WARDEN_CONFIG: 'conf/warden.yaml' }, cwd: dir });
  assert.equal(error.code, 'WARDEN_CONFIG_NOT_FOUND');
  assert.match(
    error.message,
    /conf\/warden\.yaml \(from WARDEN_CONFIG\) does not exist\. Fix or unset WARDEN_CONFIG/,
  );
});

void test('with neither --config nor WARDEN_CONFIG, ./warden.yaml is tried and the message says all three', async (t) => {
  const dir = await tempDir(t);
  const error = await loadError({ cwd: dir });
  assert.equal(error.code, 'WARDEN_CONFIG_NOT_FOUND');
  assert.match(error.message, /--config was not given and WARDEN_CONFIG is not set/);
  assert.match(error.message, /Pass --config FILE, set WARDEN_CONFIG=FILE, or copy examples\/warden\.yaml/);
  assert.deepEqual(error.details.tried, [{ source: 'default', path: join(dir, 'warden.yaml') }]);
});

void test('--config wins over WARDEN_CONFIG, which wins over ./warden.yaml', async (t) => {
  const dir = await writeFiles(t, {
    'warden.yaml': `version: 1\nserver: { port: 1001 }\n`,
    'env.yaml': `version: 1\nserver: { port: 1002 }\n`,
    'option.yaml': `version: 1\nserver: { port: 1003 }\n`,
  });
  const env = { WARDEN_CONFIG: 'env.yaml' };
  assert.equal((await loadConfig({ cwd: dir, env: {} })).config.server.port, 1001);
  assert.equal((await loadConfig({ cwd: dir, env })).config.server.port, 1002);
  const loaded = await loadConfig({ cwd: dir, env, path: 'option.yaml' });
  assert.equal(loaded.config.server.port, 1003);
  assert.equal(loaded.path, join(dir, 'option.yaml'));
  assert.equal(loaded.baseDir, dir);
});

void test('a directory given as the configuration is refused as not a file', async (t) => {
  const dir = await tempDir(t);
  const error = await loadError({ path: dir });
  assert.equal(error.code, 'WARDEN_CONFIG_NOT_FOUND');
  assert.match(error.message, /is a directory, not a file|is not a regular file/);
});

void test('duration strings become seconds', async (t) => {
  const file = await writeConfig(t, `version: 1\nidentity:\n  tokenLifetime: "10m"\n`);
  const { config } = await loadConfig({ path: file, env: {} });
  assert.equal(config.identity.tokenLifetime, 600);
});

void test('a token lifetime over 60 minutes is refused', async (t) => {
  const file = await writeConfig(t, `version: 1\nidentity:\n  tokenLifetime: 2h\n`);
  assert.deepEqual(issuesOf(await loadError({ path: file })), [
    { line: 3, column: 18, path: 'identity.tokenLifetime', message: 'at most 60 minutes (3600 seconds)' },
  ]);
});

void test('the public URL defaults to http://host:port, with localhost for a wildcard address', async (t) => {
  const cases: [string, string][] = [
    ['127.0.0.1', 'http://127.0.0.1:9000'],
    ['0.0.0.0', 'http://localhost:9000'],
    ['"::"', 'http://localhost:9000'],
    ['"::1"', 'http://[::1]:9000'],
  ];
  for (const [host, expected] of cases) {
    const file = await writeConfig(t, `version: 1\nserver:\n  host: ${host}\n  port: 9000\n`);
    const loaded = await loadConfig({ path: file, env: {} });
    assert.equal(loaded.config.server.publicUrl, expected, `host ${host}`);
    assert.equal(loaded.publicUrlIsDefault, true);
  }
});

void test('an explicit public URL is kept', async (t) => {
  const file = await writeConfig(t, `version: 1\nserver:\n  publicUrl: https://warden.example.com\n`);
  const loaded = await loadConfig({ path: file, env: {} });
  assert.equal(loaded.config.server.publicUrl, 'https://warden.example.com');
  assert.equal(loaded.publicUrlIsDefault, false);
});

void test('safeLoadConfig returns the error instead of throwing it', async (t) => {
  const bad = await writeConfig(t, `version: 2\n`);
  const failed = await safeLoadConfig({ path: bad, env: {} });
  assert.equal(failed.ok, false);
  assert.equal(!failed.ok && failed.error.code, 'WARDEN_CONFIG_INVALID');
  assert.match(!failed.ok ? failed.error.message : '', /the only configuration version is 1/);

  const good = await writeConfig(t, MINIMAL);
  const loaded = await safeLoadConfig({ path: good, env: {} });
  assert.equal(loaded.ok, true);
  assert.deepEqual(loaded.ok && loaded.value.config.agents['support-bot']?.roles, ['support']);
});
