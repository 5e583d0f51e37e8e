import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { REPO_ROOT, makeWorkspace, requestToken, runWarden, startWarden } from './helpers.js';

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
      '    tools:',
      '      send_email: { risk: external_communication, arguments: { to: string } }',
      '  files:',
      '    transport: stdio',
      `    command: ${JSON.stringify(process.execPath)}`,
      `    args: [${JSON.stringify(join(REPO_ROOT, 'examples', 'servers', 'files.js'))}]`,
      '    env:',
      '      FILES_API_TOKEN: ${env:FILES_API_TOKEN}',
      '    tools:',
      '      read_file: { risk: read, classification: internal, arguments: { path: string } }',
    ].join('\n'),
  });
  await writeFile(join(workspace.dir, 'mail-token'), `${headerToken}\n`);
  await mkdir(join(workspace.dir, 'policies'));
  await writeFile(
    join(workspace.dir, 'policies', 'support.cedar'),
    '@id("support-reads-files")\npermit (principal in Role::"support", action == Action::"files__read_file", resource);\n',
  );
  const upstreamEnvSecret = `files-api-token-${randomBytes(12).toString('hex')}`;
  const env = {
    WARDEN_MASTER_KEY: masterKey,
    RESEARCH_BOT_SECRET: configSecret,
    FILES_API_TOKEN: upstreamEnvSecret,
  };
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
    // An MCP session with the bearer token: an allowed call, a denied one, a bad token.
    const client = new Client({ name: 'log-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${accessToken}` } },
      }),
    );
    const read = await client.callTool({ name: 'files__read_file', arguments: { path: 'welcome.txt' } });
    assert.notEqual(read.isError, true, JSON.stringify(read));
    const denied = await client.callTool({
      name: 'mail__send_email',
      arguments: { to: 'someone@example.com', subject: accessToken, body: rotatedSecret },
    });
    assert.equal(denied.isError, true);
    await client.close();
    await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}x`, 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
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
      'upstream env secret': upstreamEnvSecret,
    };
    for (const [what, value] of Object.entries(secrets)) {
      assert.equal(everything.includes(value), false, `the ${what} appears in the logs`);
    }
  } finally {
    await workspace.cleanup();
  }
});
