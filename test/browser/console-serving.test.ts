/**
 * How Warden serves the console's files (no browser needed): client routes get index.html, never
 * cached; hashed assets are cached for good; every answer carries the strict Content-Security-Policy;
 * nothing outside the build directory is reachable; an unbuilt console says how to build it.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_CONTENT_SECURITY_POLICY, consoleRoutes } from '../../src/fronts/console/index.js';

const INDEX =
  '<!doctype html><title>Warden console</title><script type="module" src="/console/assets/index-AbCd1234.js"></script>';

async function appFor(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(consoleRoutes, { root });
  await app.ready();
  return app;
}

describe('the console files', () => {
  let dir: string;
  let app: FastifyInstance;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-console-'));
    await mkdir(join(dir, 'build', 'assets'), { recursive: true });
    await writeFile(join(dir, 'build', 'index.html'), INDEX);
    await writeFile(join(dir, 'build', 'assets', 'index-AbCd1234.js'), 'console.log("console");');
    await writeFile(join(dir, 'build', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(dir, 'build', '.env'), 'SECRET=1');
    await writeFile(join(dir, 'outside.txt'), 'not for the web');
    app = await appFor(join(dir, 'build'));
  });

  after(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('/console redirects to /console/, which is index.html, never cached, under the strict policy', async () => {
    const redirect = await app.inject({ method: 'GET', url: '/console' });
    assert.equal(redirect.statusCode, 302);
    assert.equal(redirect.headers.location, '/console/');

    const page = await app.inject({ method: 'GET', url: '/console/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.body, INDEX);
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.equal(page.headers['content-security-policy'], CONSOLE_CONTENT_SECURITY_POLICY);
    assert.match(CONSOLE_CONTENT_SECURITY_POLICY, /default-src 'self'/);
    assert.match(CONSOLE_CONTENT_SECURITY_POLICY, /frame-ancestors 'none'/);
    assert.doesNotMatch(CONSOLE_CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
  });

  test('a client route of the app answers index.html, so a reload or a shared link works', async () => {
    for (const url of [
      '/console/approvals',
      '/console/approvals/apr_123',
      '/console/audit?agent=finance-bot',
    ]) {
      const page = await app.inject({ method: 'GET', url });
      assert.equal(page.statusCode, 200, url);
      assert.equal(page.body, INDEX, url);
      assert.equal(page.headers['cache-control'], 'no-store', url);
    }
  });

  test('hashed assets are cached for a year; other files are revalidated', async () => {
    const asset = await app.inject({ method: 'GET', url: '/console/assets/index-AbCd1234.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['content-type']), /javascript/);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(asset.headers['content-security-policy'], CONSOLE_CONTENT_SECURITY_POLICY);

    const icon = await app.inject({ method: 'GET', url: '/console/favicon.svg' });
    assert.equal(icon.statusCode, 200);
    assert.equal(icon.headers['cache-control'], 'no-cache');
  });

  test('a missing file, a dotfile and a path out of the build directory are all 404', async () => {
    for (const url of [
      '/console/assets/missing-AbCd1234.js',
      '/console/.env',
      '/console/..%2foutside.txt',
      '/console/assets/..%2f..%2foutside.txt',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 404, url);
      assert.doesNotMatch(response.body, /not for the web|SECRET/, url);
      // A 404 is never cached: the file may appear with the next build (a year-long cache would keep it away).
      assert.equal(response.headers['cache-control'], 'no-store', url);
    }
  });

  test('without a build, /console says to run npm run build', async () => {
    const empty = await appFor(join(dir, 'no-build-here'));
    try {
      const response = await empty.inject({ method: 'GET', url: '/console/approvals' });
      assert.equal(response.statusCode, 503);
      assert.match(response.body, /console is not built/);
      assert.match(response.body, /npm run build/);
      assert.equal(response.headers['cache-control'], 'no-store');
      // Anyone may ask, so the answer names no path on the server.
      assert.equal(response.body.includes(dir), false, 'the install path is not revealed');
      assert.doesNotMatch(response.body, /no-build-here|index\.html/);
    } finally {
      await empty.close();
    }
  });
});
