import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { ConsoleSessions } from '../../../src/admin/index.js';
import { clearSessionCookie, setSessionCookie } from '../../../src/fronts/admin/console-auth.js';
import type { ConsoleSettings } from '../../../src/fronts/admin/console-auth.js';

async function setCookieHeaders(secure: boolean): Promise<{ set: string; cleared: string }> {
  const settings: ConsoleSettings = {
    sessions: new ConsoleSessions({ key: randomBytes(32), lifetimeSeconds: 3600, idleTimeoutSeconds: 600 }),
    allowedOrigins: [],
    secure,
  };
  const app = Fastify({ logger: false });
  await app.register(cookie);
  app.get('/set', async (_request, reply) => {
    setSessionCookie(reply, settings, 'v1.value.signature');
    return {};
  });
  app.get('/clear', async (_request, reply) => {
    clearSessionCookie(reply, settings);
    return {};
  });
  try {
    const set = await app.inject({ method: 'GET', url: '/set' });
    const cleared = await app.inject({ method: 'GET', url: '/clear' });
    return { set: String(set.headers['set-cookie']), cleared: String(cleared.headers['set-cookie']) };
  } finally {
    await app.close();
  }
}

test('over https the session cookie is __Host-warden_admin: Secure, Path=/, no Domain', async () => {
  const { set, cleared } = await setCookieHeaders(true);
  assert.match(set, /^__Host-warden_admin=v1\.value\.signature;/);
  assert.match(set, /; Secure/);
  assert.match(set, /; Path=\//);
  assert.match(set, /; HttpOnly/);
  assert.match(set, /; SameSite=Strict/);
  assert.doesNotMatch(set, /Domain=/i);
  assert.match(cleared, /^__Host-warden_admin=;/);
});

test('over plain http the session cookie is warden_admin, not Secure', async () => {
  const { set, cleared } = await setCookieHeaders(false);
  assert.match(set, /^warden_admin=v1\.value\.signature;/);
  assert.doesNotMatch(set, /Secure/);
  assert.match(set, /; Path=\//);
  assert.match(cleared, /^warden_admin=;/);
});
