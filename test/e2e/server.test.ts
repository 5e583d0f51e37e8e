import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { makeWorkspace, requestToken, runWarden, startWarden, waitFor } from './helpers.js';
import type { TempWorkspace, WardenProcess } from './helpers.js';

describe('warden serve (a real process on a real port)', () => {
  let workspace: TempWorkspace;
  let server: WardenProcess;
  let secret: string;

  before(async () => {
    workspace = await makeWorkspace();
    server = await startWarden(workspace.configPath);
    const rotated = await runWarden([
      'agents',
      'rotate-secret',
      'support-bot',
      '--json',
      '--config',
      workspace.configPath,
    ]);
    assert.equal(rotated.code, 0, rotated.output);
    secret = (JSON.parse(rotated.output) as { clientSecret: string }).clientSecret;
  });

  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await workspace.cleanup();
  });

  test('healthz and readyz answer once it listens', async () => {
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { store: string }).store, 'sqlite');
  });

  test('a token issued for a config agent verifies against the published JWKS', async () => {
    const response = await requestToken(server.url, 'support-bot', secret);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as { access_token: string; token_type: string; expires_in: number };
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 600);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(body.access_token, jwks, {
      issuer: 'http://127.0.0.1:8787',
      audience: 'http://127.0.0.1:8787',
    });
    assert.equal(protectedHeader.alg, 'EdDSA');
    assert.equal(payload.client_id, 'support-bot');
  });

  test('the token endpoint takes JSON bodies and HTTP Basic client authentication', async () => {
    const json = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'support-bot',
        client_secret: secret,
      }),
    });
    assert.equal(json.status, 200);
    const basic = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`support-bot:${secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(basic.status, 200);
  });

  test('a wrong secret and an unknown client get the same invalid_client answer', async () => {
    const wrong = await requestToken(server.url, 'support-bot', 'wsec_not-the-secret');
    const unknown = await requestToken(server.url, 'nobody', 'wsec_not-the-secret');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    const wrongBody = (await wrong.json()) as {
      error: string;
      warden_code: string;
      error_description: string;
    };
    const unknownBody = (await unknown.json()) as {
      error: string;
      warden_code: string;
      error_description: string;
    };
    assert.equal(wrongBody.error, 'invalid_client');
    assert.equal(wrongBody.warden_code, 'WARDEN_INVALID_CLIENT');
    assert.deepEqual(wrongBody, unknownBody);
  });

  test('an unsupported grant type is refused in the OAuth error format', async () => {
    const response = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&username=a&password=b',
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: string; warden_code: string };
    assert.equal(body.error, 'unsupported_grant_type');
    assert.equal(body.warden_code, 'WARDEN_UNSUPPORTED_GRANT_TYPE');
  });

  test('a body over the limit gets 413 WARDEN_BODY_TOO_LARGE in the OAuth error shape', async () => {
    const response = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', padding: 'x'.repeat(1024 * 1024 + 10) }),
    });
    assert.equal(response.status, 413);
    const body = (await response.json()) as { error: string; warden_code: string; error_description: string };
    assert.equal(body.error, 'invalid_request');
    assert.equal(body.warden_code, 'WARDEN_BODY_TOO_LARGE');
    assert.match(body.error_description, /server\.bodyLimit/);
  });

  test('malformed JSON gets 400 with a code, and an unknown path gets 404', async () => {
    const malformed = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type": ',
    });
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as { warden_code: string }).warden_code, 'WARDEN_BAD_REQUEST');
    const missing = await fetch(`${server.url}/nothing-here?secret=x`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'WARDEN_NOT_FOUND');
  });

  test('a suspended agent cannot get a token, and says why', async () => {
    const suspended = await runWarden([
      'agents',
      'suspend',
      'finance-bot',
      '--reason',
      'incident 42',
      '--config',
      workspace.configPath,
    ]);
    assert.equal(suspended.code, 0, suspended.output);
    const rotated = await runWarden([
      'agents',
      'rotate-secret',
      'finance-bot',
      '--json',
      '--config',
      workspace.configPath,
    ]);
    const financeSecret = (JSON.parse(rotated.output) as { clientSecret: string }).clientSecret;
    const response = await requestToken(server.url, 'finance-bot', financeSecret);
    assert.equal(response.status, 401);
    const body = (await response.json()) as { warden_code: string; error_description: string };
    assert.equal(body.warden_code, 'WARDEN_AGENT_SUSPENDED');
    assert.match(body.error_description, /incident 42/);
  });
});

describe('lifecycle', () => {
  test('SIGTERM lets an in-flight request finish, then the process exits 0 and the audit log verifies', async () => {
    const workspace = await makeWorkspace();
    try {
      const server = await startWarden(workspace.configPath);
      const { port } = new URL(server.url);
      // Send the headers with "Expect: 100-continue" and wait for "100 Continue": the request is then
      // in flight. SIGTERM, wait until the server refuses new work, and only then send the body.
      const body = JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'support-bot',
        client_secret: 'wsec_x',
      });
      const socket = connect(Number(port), '127.0.0.1');
      let response = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (response += chunk));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.write(
        `POST /oauth/token HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
          `content-length: ${body.length}\r\nexpect: 100-continue\r\n\r\n`,
      );
      await waitFor(() => (response.includes('100 Continue') ? true : undefined), {
        describe: () => '100 Continue',
      });
      server.child.kill('SIGTERM');
      await waitFor(
        async () => {
          try {
            const ready = await fetch(`${server.url}/readyz`);
            return ready.status === 503 ? true : undefined;
          } catch {
            return true; // no longer accepting connections
          }
        },
        { describe: () => 'the server to start draining' },
      );
      socket.write(body);
      await closed;
      assert.match(response, /HTTP\/1\.1 401/, 'the in-flight request was answered, not dropped');
      assert.equal(await server.exited, 0);
      assert.match(server.output(), /warden stopped/);
      const verify = await runWarden(['audit', 'verify', '--config', workspace.configPath]);
      assert.equal(verify.code, 0, verify.output);
      assert.match(verify.output, /audit log OK/);
    } finally {
      await workspace.cleanup();
    }
  });

  test('a PostgreSQL URL that does not answer stops serve with WARDEN_STORE_UNAVAILABLE', async () => {
    const workspace = await makeWorkspace({
      storeYaml:
        '  driver: postgres\n  postgres:\n    url: postgres://postgres@127.0.0.1:1/none\n    connectTimeout: 2\n',
    });
    try {
      const started = Date.now();
      const result = await runWarden(['serve', '--config', workspace.configPath]);
      assert.equal(result.code, 1);
      assert.match(result.output, /WARDEN_STORE_UNAVAILABLE/);
      assert.match(result.output, /127\.0\.0\.1:1/);
      assert.ok(Date.now() - started < 20_000, 'it fails fast instead of hanging');
    } finally {
      await workspace.cleanup();
    }
  });
});
