import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/index.js';
import { buildHttpServer, createLogger, openWarden } from '../../src/server/index.js';
import type { Warden } from '../../src/server/index.js';
import { makeWorkspace } from '../e2e/helpers.js';
import type { TempWorkspace } from '../e2e/helpers.js';

describe('HTTP server (in-process, Fastify inject)', () => {
  let workspace: TempWorkspace;
  let warden: Warden;
  let secret: string;
  let draining = false;
  let app: ReturnType<typeof buildHttpServer>;

  before(async () => {
    workspace = await makeWorkspace({
      extraYaml: 'identity:\n  tokenRateLimit:\n    max: 3\n    window: 60s\n',
    });
    warden = await openWarden(await loadConfig({ path: workspace.configPath, env: {} }), {
      actor: 'test',
      sync: true,
    });
    secret = (await warden.agents.rotateSecret('support-bot', 'test')).secret;
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    app = buildHttpServer(warden, {
      logger: createLogger({ level: 'silent', destination: sink }),
      isDraining: () => draining,
    });
    await app.ready();
  });

  after(async () => {
    await app.close();
    await warden.close();
    await workspace.cleanup();
  });

  test('authorization server metadata names the token endpoint and JWKS under the public URL', async () => {
    const response = await app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    const metadata = response.json<Record<string, unknown>>();
    assert.equal(metadata.issuer, 'http://127.0.0.1:8787');
    assert.equal(metadata.token_endpoint, 'http://127.0.0.1:8787/oauth/token');
    assert.equal(metadata.jwks_uri, 'http://127.0.0.1:8787/.well-known/jwks.json');
    assert.deepEqual(metadata.grant_types_supported, ['client_credentials']);
  });

  test('readyz answers 503 while the server drains', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    draining = true;
    try {
      const response = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(response.statusCode, 503);
      assert.equal(response.json<{ status: string }>().status, 'draining');
    } finally {
      draining = false;
    }
  });

  test('while draining, new requests get 503 WARDEN_SHUTTING_DOWN in the Warden error shape', async () => {
    draining = true;
    try {
      const response = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      assert.equal(response.statusCode, 503);
      assert.equal(response.json<{ error: { code: string } }>().error.code, 'WARDEN_SHUTTING_DOWN');
      assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    } finally {
      draining = false;
    }
  });

  test('a resource parameter for another server is refused', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: {
        grant_type: 'client_credentials',
        client_id: 'support-bot',
        client_secret: secret,
        resource: 'https://elsewhere.example',
      },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json<{ warden_code: string }>().warden_code, 'WARDEN_INVALID_REQUEST');
  });

  test('token requests over the rate limit get 429 WARDEN_RATE_LIMITED with Retry-After, and issue nothing', async () => {
    const before = await warden.store.audit.count();
    const statuses: number[] = [];
    let last = await app.inject({ method: 'GET', url: '/healthz' });
    for (let attempt = 0; attempt < 5; attempt++) {
      last = await app.inject({
        method: 'POST',
        url: '/oauth/token',
        remoteAddress: '10.9.8.7',
        payload: { grant_type: 'client_credentials', client_id: 'support-bot', client_secret: secret },
      });
      statuses.push(last.statusCode);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    const body = last.json<{ error: string; warden_code: string; error_description: string }>();
    assert.equal(body.warden_code, 'WARDEN_RATE_LIMITED');
    assert.match(body.error_description, /retry in/);
    assert.ok(Number(last.headers['retry-after']) > 0);
    assert.equal(await warden.store.audit.count(), before + 3, 'only the three issued tokens were recorded');
  });
});
