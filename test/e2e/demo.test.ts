import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { REPO_ROOT, runWarden, spawnWarden, waitFor } from './helpers.js';

test('warden demo narrates every step against the example gateway and each is answered as the policies say', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'warden-demo-'));
  const servers = join(REPO_ROOT, 'examples', 'servers');
  const mail = spawn(
    process.execPath,
    [
      join(servers, 'mail.js'),
      '--http',
      '0',
      '--token-file',
      join(REPO_ROOT, 'examples', 'secrets', 'mail-token'),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let mailLog = '';
  mail.stderr.setEncoding('utf8').on('data', (chunk: string) => (mailLog += chunk));
  try {
    const mailUrl = await waitFor(() => /listening on (http:\/\/\S+\/mcp)/.exec(mailLog)?.[1], {
      describe: () => `the demo mail server; output: ${mailLog}`,
    });
    // The example configuration as shipped, with the demo servers' paths made absolute, the mail
    // server at its test port and the gateway on a free port.
    const port = 20000 + (process.pid % 20000);
    let config = await readFile(join(REPO_ROOT, 'examples', 'warden.yaml'), 'utf8');
    config = config
      .replace(
        /args: \[servers\/(\w+)\.js\]/g,
        (_match, name: string) => `args: [${JSON.stringify(join(servers, `${name}.js`))}]`,
      )
      .replace('http://127.0.0.1:9101/mcp', mailUrl)
      .replace(/^ {2}port: 8787$/m, `  port: ${port}`);
    assert.match(config, new RegExp(`port: ${port}`));
    await writeFile(join(dir, 'warden.yaml'), config);
    await cp(join(REPO_ROOT, 'examples', 'policies'), join(dir, 'policies'), { recursive: true });
    await cp(join(REPO_ROOT, 'examples', 'secrets'), join(dir, 'secrets'), { recursive: true });
    const configPath = join(dir, 'warden.yaml');

    const server = spawnWarden(['serve', '--config', configPath]);
    try {
      await waitFor(() => (/"msg":"warden listening"/.test(server.output()) ? true : undefined), {
        timeoutMs: 30_000,
        describe: () => `the gateway; output: ${server.output()}`,
        abortOn: server.exited,
      });
      const demo = await runWarden(['demo', '--config', configPath]);
      assert.equal(demo.code, 0, demo.output);
      assert.doesNotMatch(demo.output, /UNEXPECTED/);
      for (const expected of [
        /WARDEN_POLICY_DENIED: no policy permits research-bot/,
        /support-mails-company-domain-only/,
        /held as apr_\w+: a finance manager must approve/,
        /admin:bao approves it/,
        /ran exactly once/,
        /WARDEN_RATE_LIMITED/,
        /WARDEN_AGENT_SUSPENDED/,
        /chain intact/,
      ]) {
        assert.match(demo.output, expected);
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    mail.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
});
