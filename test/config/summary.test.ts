import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadConfig, summarizeConfig } from '../../src/config/index.js';
import { writeFiles } from './temp-config.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/warden.yaml', import.meta.url));

void test('the summary of the example names the file, store, address, agents, servers and references', async () => {
  const summary = summarizeConfig(await loadConfig({ path: EXAMPLE, env: {} }));
  assert.match(summary, new RegExp(`^File: +${EXAMPLE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  assert.match(summary, /^Store: +sqlite, file \.warden\/warden\.db \(synchronous=full\)$/m);
  assert.match(summary, /^Server: +listens on 127\.0\.0\.1:8787$/m);
  assert.match(summary, /^Public URL: +http:\/\/127\.0\.0\.1:8787 \(default: from host and port\)$/m);
  assert.match(summary, /^Tokens: +lifetime 10m \(600 s\)$/m);
  assert.match(summary, /^Data classes: +public < internal < confidential < restricted$/m);
  assert.match(summary, /^Roles: +3: support, finance, research$/m);
  assert.match(
    summary,
    /^ {2}support-bot +owner lan\.nguyen@example\.com +roles support +clearance confidential$/m,
  );
  assert.match(summary, /^ {2}finance-bot +owner \S+ +roles finance +clearance restricted$/m);
  assert.match(summary, /^ {2}research-bot +owner \S+ +roles research +clearance internal$/m);
  assert.match(summary, /^ {2}crm +stdio +4 tools$/m);
  assert.match(summary, /^ {2}files +stdio +3 tools$/m);
  assert.match(summary, /no classification, so policies .* do not limit it: mail__send_email/);
  assert.match(summary, /^Secrets: +7 references resolved$/m);
  assert.match(summary, /^Admins: +3$/m);
  assert.match(summary, /^ {2}bao +bao\.le@example\.com +roles approver +groups finance$/m);
  assert.match(
    summary,
    /^Approvals: +calls wait 60 s; requests expire after 900 s; escalate to security after 600 s/m,
  );
  assert.match(summary, /^Inspection: +on; injection in results ≥ 0\.5: neutralize$/m);
  assert.match(summary, /^ {2}servers\.mail\.headers\.Authorization +file \.\/secrets\/mail-token$/m);
});

void test('the summary never shows a secret value or database credentials', async (t) => {
  const dir = await writeFiles(t, {
    'warden.yaml': `version: 1
server:
  host: \${env:WARDEN_HOST}
store:
  driver: postgres
  postgres:
    url: \${env:PG_URL}
    schema: tenant_a
roles:
  support: {}
agents:
  support-bot:
    owner: lan.nguyen@example.com
    roles: [support]
    clearance: internal
    secret: \${file:agent-secret}
servers:
  mail:
    transport: http
    url: https://mail.example.com/mcp
    headers:
      Authorization: \${env:MAIL_TOKEN}
`,
    'agent-secret': 'agent-secret-5b1d9e\n',
  });
  const env = {
    WARDEN_HOST: '10.1.2.3',
    PG_URL: 'postgres://warden-user:pg-pass-8c2f@db.internal:6543/warden?sslmode=require',
    MAIL_TOKEN: 'Bearer mail-token-a41c07',
  };
  const loaded = await loadConfig({ path: join(dir, 'warden.yaml'), env });
  const summary = summarizeConfig(loaded);
  for (const value of loaded.secretValues)
    assert.ok(!summary.includes(value), `summary shows a secret value`);
  for (const part of [
    'pg-pass-8c2f',
    'warden-user',
    'mail-token-a41c07',
    'agent-secret-5b1d9e',
    '10.1.2.3',
  ]) {
    assert.ok(!summary.includes(part), `summary shows ${part}`);
  }
  assert.match(summary, /^Store: +postgres, db\.internal:6543\/warden \(schema tenant_a\)$/m);
  assert.match(summary, /^Server: +listens on \$\{env:WARDEN_HOST\}:8787$/m);
  assert.match(
    summary,
    /^ {2}support-bot +owner lan\.nguyen@example\.com +roles support +clearance internal$/m,
  );
  assert.match(summary, /^Secrets: +4 references resolved$/m);
  assert.match(summary, /^ {2}store\.postgres\.url +environment variable PG_URL$/m);
  assert.match(summary, /^ {2}agents\.support-bot\.secret +file agent-secret$/m);
  assert.match(summary, /^ {2}servers\.mail\.headers\.Authorization +environment variable MAIL_TOKEN$/m);
});
