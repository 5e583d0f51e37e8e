import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeWorkspace, requestToken, runWarden, startWarden } from './helpers.js';

test('a full run at debug level never writes a secret it used to any log line', async () => {
  const masterKey = randomBytes(32).toString('base64');
  const configSecret = `wsec_${randomBytes(32).toString('base64url')}`;
  const headerToken = `demo-header-token-${randomBytes(12).toString('hex')}`;
  const workspace = await makeWorkspace({
    logLevel: 'trace',
    extraYaml: [
      '  research-bot:',
      '    owner: an.le@example.com',
      '    roles: [support]',
      '    clearance: internal',
      '    secret: ${env:RESEARCH_BOT_SECRET}',
      'servers:',
      '  mail:',
      '    transport: http',
      '    url: http://127.0.0.1:9/mcp',
      '    headers:',
      '      Authorization: ${file:./mail-token}',
    ].join('\n'),
  });
  await writeFile(join(workspace.dir, 'mail-token'), `${headerToken}\n`);
  const env = { WARDEN_MASTER_KEY: masterKey, RESEARCH_BOT_SECRET: configSecret };
  const logs: string[] = [];
  try {
    const check = await runWarden(['config', 'check', '--config', workspace.configPath], env);
    assert.equal(check.code, 0, check.output);
    logs.push(check.output);

    const server = await startWarden(workspace.configPath, env);
    const rotated = await runWarden(
      ['agents', 'rotate-secret', 'support-bot', '--json', '--config', workspace.configPath],
      env,
    );
    const rotatedSecret = (JSON.parse(rotated.output) as { clientSecret: string }).clientSecret; // shown once, by design

    const issued = await requestToken(server.url, 'support-bot', rotatedSecret);
    const accessToken = ((await issued.json()) as { access_token: string }).access_token;
    const configIssued = await requestToken(server.url, 'research-bot', configSecret);
    assert.equal(configIssued.status, 200);
    // Careless clients: secrets in a query string, in a Basic header with a wrong id, in a JSON body.
    await fetch(`${server.url}/oauth/token?client_secret=${rotatedSecret}&access_token=${accessToken}`, {
      method: 'POST',
    });
    await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`nobody:${rotatedSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    await fetch(`${server.url}/nowhere`, { headers: { authorization: `Bearer ${accessToken}` } });
    await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'support-bot',
        client_secret: configSecret,
      }),
    });
    for (const args of [
      ['agents', 'suspend', 'support-bot', '--reason', 'log test'],
      ['agents', 'list'],
      ['audit', 'tail', '-n', '100'],
      ['audit', 'export'],
      ['audit', 'verify'],
    ]) {
      const result = await runWarden([...args, '--config', workspace.configPath], env);
      assert.equal(result.code, 0, result.output);
      logs.push(result.output);
    }
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    logs.push(server.output());

    const everything = logs.join('\n');
    assert.ok(everything.length > 1000, 'the run produced logs to search');
    const secrets = {
      'master key': masterKey,
      'rotated client secret': rotatedSecret,
      'client secret from the config': configSecret,
      'access token': accessToken,
      'access token signature': accessToken.split('.')[2] as string,
      'header token from a file': headerToken,
    };
    for (const [what, value] of Object.entries(secrets)) {
      assert.equal(everything.includes(value), false, `the ${what} appears in the logs`);
    }
  } finally {
    await workspace.cleanup();
  }
});
