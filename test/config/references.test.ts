import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { issuesOf, loadError, tempDir, writeConfig, writeFiles } from './temp-config.js';

const MAIL_TOKEN = 'Bearer tok-3f9a1c-file-secret';
const API_KEY = 'key-77b2e0-env-secret';

/** An http server whose headers hold the given values (lines 7 and 8 of the file). */
function withHeaders(authorization: string, apiKey: string, extra = ''): string {
  return `version: 1
servers:
  mail:
    transport: http
    url: http://127.0.0.1:9101/mcp
    headers:
      Authorization: ${authorization}
      X-Api-Key: ${apiKey}
${extra}`;
}

void test('env and file references are resolved, files relative to the configuration file', async (t) => {
  const dir = await writeFiles(t, {
    'conf/warden.yaml': withHeaders('${file:secrets/mail-token}', '${env:MAIL_API_KEY}'),
    'conf/secrets/mail-token': `${MAIL_TOKEN}\n`,
  });
  const elsewhere = await tempDir(t);
  const loaded = await loadConfig({
    path: join(dir, 'conf/warden.yaml'),
    env: { MAIL_API_KEY: API_KEY },
    cwd: elsewhere,
  });
  const server = loaded.config.servers.mail;
  assert.equal(server?.transport, 'http');
  assert.deepEqual(server?.transport === 'http' && server.headers, {
    Authorization: MAIL_TOKEN,
    'X-Api-Key': API_KEY,
  });
  assert.deepEqual([...loaded.secretValues].sort(), [MAIL_TOKEN, API_KEY].sort());
  assert.deepEqual(
    loaded.secretReferences.map((reference) => [reference.kind, reference.name, reference.line]),
    [
      ['file', 'secrets/mail-token', 7],
      ['env', 'MAIL_API_KEY', 8],
    ],
  );
});

void test('only one trailing newline is removed from a secret file', async (t) => {
  const dir = await writeFiles(t, {
    'warden.yaml': `version: 1
servers:
  crm:
    transport: stdio
    command: node
    env:
      CRM_TOKEN: \${file:token}
      CRM_CERTIFICATE: \${file:certificate}
`,
    token: 'abc\r\n',
    certificate: 'line one\nline two\n\n',
  });
  const { config } = await loadConfig({ path: join(dir, 'warden.yaml'), env: {} });
  const server = config.servers.crm;
  assert.deepEqual(server?.transport === 'stdio' && server.env, {
    CRM_TOKEN: 'abc',
    CRM_CERTIFICATE: 'line one\nline two\n',
  });
});

void test('a header secret with a line break is refused', async (t) => {
  const dir = await writeFiles(t, {
    'warden.yaml': withHeaders('${file:token}', '${file:key}'),
    token: 'abc\n',
    key: 'line one\n\n',
  });
  const error = await loadError({ path: join(dir, 'warden.yaml') });
  assert.equal(error.code, 'WARDEN_SECRET_UNRESOLVED');
  assert.match(error.message, /^Could not resolve a secret reference/);
  assert.match(
    error.message,
    /:8:18 {2}servers\.mail\.headers\.X-Api-Key {2}\$\{file:key\}: the value from file .*key has a line break/,
  );
  assert.ok(!error.message.includes('line one'));
});

void test('a reference inside other text is left as text', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1
roles:
  support:
    description: "uses \${env:NOT_A_REFERENCE} literally"
`,
  );
  const loaded = await loadConfig({ path: file, env: { NOT_A_REFERENCE: 'x' } });
  assert.equal(loaded.config.roles.support?.description, 'uses ${env:NOT_A_REFERENCE} literally');
  assert.deepEqual(loaded.secretValues, []);
});

void test('a reference in any string field is resolved, not only in headers', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1
servers:
  crm:
    transport: stdio
    command: \${env:CRM_COMMAND}
    env:
      CRM_DB_PASSWORD: \${env:CRM_DB_PASSWORD}
`,
  );
  const loaded = await loadConfig({
    path: file,
    env: { CRM_COMMAND: '/usr/bin/crm', CRM_DB_PASSWORD: 'pw-1' },
  });
  const server = loaded.config.servers.crm;
  assert.equal(server?.transport === 'stdio' && server.command, '/usr/bin/crm');
  assert.deepEqual(server?.transport === 'stdio' && server.env, { CRM_DB_PASSWORD: 'pw-1' });
});

void test('a missing environment variable is WARDEN_SECRET_UNRESOLVED with its line, field and name, and no value', async (t) => {
  const dir = await writeFiles(t, {
    'warden.yaml': withHeaders('${file:mail-token}', '${env:MAIL_API_KEY}'),
    'mail-token': MAIL_TOKEN,
  });
  const file = join(dir, 'warden.yaml');
  const error = await loadError({ path: file, env: {} });
  assert.equal(error.code, 'WARDEN_SECRET_UNRESOLVED');
  assert.equal(
    error.message,
    `Could not resolve a secret reference in ${file}:\n` +
      `  ${file}:8:18  servers.mail.headers.X-Api-Key  \${env:MAIL_API_KEY}: environment variable MAIL_API_KEY is not set; set it before starting warden`,
  );
  assert.ok(!JSON.stringify(error.details).includes(MAIL_TOKEN));
  assert.ok(!error.message.includes(MAIL_TOKEN));
  assert.deepEqual(error.details.references, [
    {
      line: 8,
      column: 18,
      path: 'servers.mail.headers.X-Api-Key',
      kind: 'env',
      name: 'MAIL_API_KEY',
      source: 'MAIL_API_KEY',
      reason: 'environment variable MAIL_API_KEY is not set; set it before starting warden',
    },
  ]);
});

void test('a missing secret file is WARDEN_SECRET_UNRESOLVED naming the file to create, and no value', async (t) => {
  const dir = await writeFiles(t, {
    'warden.yaml': withHeaders('${file:./secrets/mail-token}', '${env:MAIL_API_KEY}'),
  });
  const file = join(dir, 'warden.yaml');
  const error = await loadError({ path: file, env: { MAIL_API_KEY: API_KEY } });
  assert.equal(error.code, 'WARDEN_SECRET_UNRESOLVED');
  assert.ok(
    error.message.includes(
      `${file}:7:22  servers.mail.headers.Authorization  \${file:./secrets/mail-token}: secret file ${join(dir, 'secrets/mail-token')} does not exist; create it with the secret as its only content`,
    ),
    error.message,
  );
  assert.ok(!error.message.includes(API_KEY));
  assert.ok(!JSON.stringify(error.details).includes(API_KEY));
});

void test('every unresolved reference is reported at once', async (t) => {
  const file = await writeConfig(t, withHeaders('${file:nowhere}', '${env:MAIL_API_KEY}'));
  const error = await loadError({ path: file, env: { MAIL_API_KEY: '' } });
  assert.equal(error.code, 'WARDEN_SECRET_UNRESOLVED');
  assert.match(error.message, /^Could not resolve 2 secret references/);
  assert.match(error.message, /environment variable MAIL_API_KEY is set but empty/);
});

void test('a secret file over 64 KiB is refused', async (t) => {
  const dir = await writeFiles(t, {
    'warden.yaml': withHeaders('${file:big}', '${env:MAIL_API_KEY}'),
    big: 'x'.repeat(64 * 1024 + 1),
  });
  const error = await loadError({ path: join(dir, 'warden.yaml'), env: { MAIL_API_KEY: API_KEY } });
  assert.equal(error.code, 'WARDEN_SECRET_UNRESOLVED');
  assert.match(error.message, /secret file .*big is 65537 bytes; a secret file may hold at most 64 KiB/);
});

void test('a literal secret in an Authorization header is refused without repeating it', async (t) => {
  const file = await writeConfig(t, withHeaders('Bearer sk-live-literal-123', '${env:MAIL_API_KEY}'));
  const error = await loadError({ path: file, env: { MAIL_API_KEY: API_KEY } });
  assert.equal(error.code, 'WARDEN_CONFIG_INVALID');
  assert.deepEqual(issuesOf(error), [
    {
      line: 7,
      column: 22,
      path: 'servers.mail.headers.Authorization',
      message:
        '"Authorization" holds a secret, so its value must be a reference such as "${env:NAME}" or "${file:path}"',
    },
  ]);
  assert.ok(!error.message.includes('sk-live-literal-123'));
});

void test('a reference of an unknown kind is refused', async (t) => {
  const file = await writeConfig(t, withHeaders('${vault:mail/token}', '${env:MAIL_API_KEY}'));
  const issues = issuesOf(await loadError({ path: file, env: { MAIL_API_KEY: API_KEY } }));
  assert.ok(
    issues.some(
      (issue) =>
        issue.line === 7 &&
        issue.message ===
          '"${vault:mail/token}" looks like a secret reference, but only "${env:NAME}" and "${file:path}" are supported',
    ),
    JSON.stringify(issues),
  );
});

void test('a reference where a URL is required says references cannot be used there', async (t) => {
  const file = await writeConfig(t, `version: 1\nserver:\n  publicUrl: \${env:PUBLIC_URL}\n`);
  const issues = issuesOf(await loadError({ path: file, env: { PUBLIC_URL: 'https://x.example.com' } }));
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.line, 3);
  assert.match(issues[0]!.message, /a secret reference cannot be used for this field/);
});

void test('a postgres URL with an inline password is refused', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1
store:
  driver: postgres
  postgres:
    url: postgres://warden:hunter2@db.example.com:5432/warden
`,
  );
  const error = await loadError({ path: file });
  assert.equal(error.code, 'WARDEN_CONFIG_INVALID');
  const issues = issuesOf(error);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.line, 5);
  assert.equal(issues[0]!.path, 'store.postgres.url');
  assert.match(issues[0]!.message, /contains a password; a URL with a password must be a reference/);
  assert.ok(!error.message.includes('hunter2'));
});

void test('an inline postgres password is reported together with other problems', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1\nstore:\n  driver: postgres\n  postgres:\n    url: postgres://warden:hunter2@db/warden\n    pool: 5\n`,
  );
  assert.deepEqual(
    issuesOf(await loadError({ path: file })).map((issue) => [issue.line, issue.path]),
    [
      [5, 'store.postgres.url'],
      [6, 'store.postgres.pool'],
    ],
  );
});

void test('a postgres URL with a password query parameter is refused too', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1\nstore:\n  driver: postgres\n  postgres:\n    url: postgresql://warden@db/warden?password=hunter2\n`,
  );
  assert.match(issuesOf(await loadError({ path: file }))[0]!.message, /contains a password/);
});

void test('a postgres URL without a password, or with one through a reference, is accepted', async (t) => {
  const plain = await writeConfig(
    t,
    `version: 1\nstore:\n  driver: postgres\n  postgres:\n    url: postgres://warden@db.example.com/warden\n`,
  );
  assert.equal(
    (await loadConfig({ path: plain, env: {} })).config.store.postgres?.url,
    'postgres://warden@db.example.com/warden',
  );

  const referenced = await writeConfig(
    t,
    `version: 1\nstore:\n  driver: postgres\n  postgres:\n    url: \${env:PG_URL}\n`,
  );
  const url = 'postgres://warden:hunter2@db.example.com/warden';
  const loaded = await loadConfig({ path: referenced, env: { PG_URL: url } });
  assert.equal(loaded.config.store.postgres?.url, url);
  assert.deepEqual(loaded.secretValues, [url]);
});

void test('a secret value with a NUL byte is refused without being shown', async (t) => {
  const dir = await writeFiles(t, {
    'warden.yaml': withHeaders('${file:token}', '${file:key}'),
    token: 'abc\n',
    key: 'hunter\u0000two\n',
  });
  const error = await loadError({ path: join(dir, 'warden.yaml') });
  assert.equal(error.code, 'WARDEN_SECRET_UNRESOLVED');
  assert.match(error.message, /servers\.mail\.headers\.X-Api-Key .*contains a NUL byte/);
  assert.ok(!error.message.includes('hunter'));
});

void test('an upstream URL carrying credentials is refused, naming where they belong', async (t) => {
  const file = await writeConfig(
    t,
    `version: 1
servers:
  mail:
    transport: http
    url: https://user:hunter2@mail.example.com/mcp
  web:
    transport: http
    url: https://web.example.com/mcp?api_key=abc123
`,
  );
  const issues = issuesOf(await loadError({ path: file }));
  assert.deepEqual(
    issues.map((issue) => [issue.line, issue.path]),
    [
      [5, 'servers.mail.url'],
      [8, 'servers.web.url'],
    ],
  );
  assert.match(
    issues[0]!.message,
    /carries a credential \(user or password\); put it in servers\.mail\.headers/,
  );
  assert.match(issues[1]!.message, /the "api_key" parameter/);
  assert.ok(issues.every((issue) => !issue.message.includes('hunter2') && !issue.message.includes('abc123')));
});
