import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeJwt } from 'jose';
import { makeWorkspace, requestToken, runWarden, startWarden, waitFor } from './helpers.js';

test('kill -9 while the server appends in a loop: after restart the chain verifies and no acknowledged entry is missing', async () => {
  const workspace = await makeWorkspace({ checkpointEvery: 7 });
  try {
    const server = await startWarden(workspace.configPath);
    const rotated = await runWarden([
      'agents',
      'rotate-secret',
      'support-bot',
      '--json',
      '--config',
      workspace.configPath,
    ]);
    assert.equal(rotated.code, 0, rotated.output);
    const secret = (JSON.parse(rotated.output) as { clientSecret: string }).clientSecret;

    // Every issued token is recorded (token-issued) before the response is sent: an acknowledged
    // token is an acknowledged audit entry.
    const acknowledged: string[] = [];
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop) {
        try {
          const response = await requestToken(server.url, 'support-bot', secret);
          if (response.status !== 200) continue;
          const body = (await response.json()) as { access_token: string };
          acknowledged.push(decodeJwt(body.access_token).jti as string);
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    await waitFor(() => (acknowledged.length >= 30 ? true : undefined), {
      timeoutMs: 60_000,
      describe: () => '30 tokens',
    });
    server.child.kill('SIGKILL');
    assert.equal(await server.exited, 'SIGKILL');
    stop = true;
    await Promise.all(workers);

    const verify = await runWarden(['audit', 'verify', '--json', '--config', workspace.configPath]);
    assert.equal(verify.code, 0, verify.output);
    assert.equal((JSON.parse(verify.output) as { ok: boolean }).ok, true);

    const exported = await runWarden(['audit', 'export', '--config', workspace.configPath]);
    assert.equal(exported.code, 0, exported.output);
    const recorded = new Set(
      exported.output
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; detail: { jti?: string } })
        .filter((entry) => entry.type === 'token-issued')
        .map((entry) => entry.detail.jti),
    );
    const missing = acknowledged.filter((jti) => !recorded.has(jti));
    assert.deepEqual(
      missing,
      [],
      `${missing.length} of ${acknowledged.length} acknowledged tokens have no audit entry`,
    );

    // The restarted server continues the same chain.
    const restarted = await startWarden(workspace.configPath);
    assert.equal((await requestToken(restarted.url, 'support-bot', secret)).status, 200);
    restarted.child.kill('SIGTERM');
    assert.equal(await restarted.exited, 0);
    const again = await runWarden(['audit', 'verify', '--config', workspace.configPath]);
    assert.equal(again.code, 0, again.output);
  } finally {
    await workspace.cleanup();
  }
});
