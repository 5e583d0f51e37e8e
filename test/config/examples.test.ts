import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { loadError } from './temp-config.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/warden.yaml', import.meta.url));
const POSTGRES_EXAMPLE = fileURLToPath(new URL('../../examples/warden.postgres.yaml', import.meta.url));
const MAIL_TOKEN_FILE = fileURLToPath(new URL('../../examples/secrets/mail-token', import.meta.url));

void test('examples/warden.yaml loads with no environment variables set', async () => {
  const loaded = await loadConfig({ path: EXAMPLE, env: {} });
  const { config } = loaded;
  assert.equal(loaded.path, EXAMPLE);
  assert.equal(config.server.host, '127.0.0.1');
  assert.equal(config.server.port, 8787);
  assert.equal(config.server.publicUrl, 'http://127.0.0.1:8787');
  assert.equal(config.store.driver, 'sqlite');
  assert.equal(config.store.sqlite.path, '.warden/warden.db');
  assert.equal(config.identity.tokenLifetime, 600);
  assert.deepEqual(
    config.dataClasses.map((dataClass) => dataClass.name),
    ['public', 'internal', 'confidential', 'restricted'],
  );
  assert.deepEqual(Object.keys(config.roles), ['support', 'finance', 'research']);
  assert.deepEqual(
    Object.entries(config.agents).map(([name, agent]) => [name, agent.roles, agent.clearance]),
    [
      ['support-bot', ['support'], 'confidential'],
      ['finance-bot', ['finance'], 'restricted'],
      ['research-bot', ['research'], 'internal'],
    ],
  );
  for (const agent of Object.values(config.agents)) assert.match(agent.owner, /^[^@\s]+@example\.com$/);
});

void test('examples/warden.yaml defines the upstream servers and tools the gateway uses', async () => {
  const { config, secretValues } = await loadConfig({ path: EXAMPLE, env: {} });
  const tools = Object.fromEntries(
    Object.entries(config.servers).map(([name, server]) => [
      name,
      [
        server.transport,
        Object.fromEntries(
          Object.entries(server.tools).map(([tool, spec]) => [
            tool,
            [spec.risk, spec.classification ?? null, spec.untrustedOutput],
          ]),
        ),
      ],
    ]),
  );
  assert.deepEqual(tools, {
    crm: [
      'stdio',
      {
        read_customer: ['read', 'confidential', false],
        search_customers: ['read', 'confidential', false],
        update_customer: ['write', 'confidential', false],
        export_customers: ['read', 'restricted', false],
      },
    ],
    mail: [
      'http',
      { read_inbox: ['read', 'internal', true], send_email: ['external_communication', null, false] },
    ],
    payments: [
      'stdio',
      { get_balance: ['read', 'restricted', false], transfer: ['financial', 'restricted', false] },
    ],
    files: [
      'stdio',
      {
        read_file: ['read', 'internal', false],
        write_file: ['write', 'internal', false],
        delete_file: ['delete', 'internal', false],
      },
    ],
  });
  const mail = config.servers.mail;
  const token = (await readFile(MAIL_TOKEN_FILE, 'utf8')).replace(/\n$/, '');
  assert.equal(mail?.transport === 'http' && mail.headers.Authorization, token);
  const hashes = await Promise.all(
    ['security-officer', 'bao', 'an'].flatMap((name) =>
      ['hash', 'password-hash'].map(async (kind) =>
        (
          await readFile(new URL(`../../examples/secrets/admin-${name}.${kind}`, import.meta.url), 'utf8')
        ).trim(),
      ),
    ),
  );
  assert.deepEqual([...secretValues].sort(), [...hashes, token].sort());
  assert.deepEqual(Object.keys(config.admins), ['security-officer', 'bao', 'an']);
});

void test('examples/warden.postgres.yaml takes its database URL from WARDEN_POSTGRES_URL', async () => {
  const url = 'postgres://warden:example-password@127.0.0.1:5432/warden';
  const { config, secretValues } = await loadConfig({
    path: POSTGRES_EXAMPLE,
    env: { WARDEN_POSTGRES_URL: url },
  });
  assert.equal(config.store.driver, 'postgres');
  assert.equal(config.store.postgres?.url, url);
  assert.ok(secretValues.includes(url));
  assert.deepEqual(Object.keys(config.agents), ['support-bot', 'finance-bot', 'research-bot']);

  const error = await loadError({ path: POSTGRES_EXAMPLE, env: {} });
  assert.equal(error.code, 'WARDEN_SECRET_UNRESOLVED');
  assert.match(
    error.message,
    /store\.postgres\.url {2}\$\{env:WARDEN_POSTGRES_URL\}: environment variable WARDEN_POSTGRES_URL is not set/,
  );
});
