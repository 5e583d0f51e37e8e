import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { AdminDirectory, ConsoleSessions } from '../../../src/admin/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { adminRoutes } from '../../../src/fronts/admin/index.js';
import { verifySecret } from '../../../src/identity/index.js';
import { PolicyService } from '../../../src/policy/index.js';
import { createGatewayInspection } from '../../../src/server/inspection.js';
import { PASSWORDS, openApprovalHarness } from '../../admin/harness.js';
import type { ApprovalHarness } from '../../admin/harness.js';

// Response bodies are checked field by field; their shape is what is under test.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const ORIGIN = 'http://127.0.0.1:8787';

/** A payments server and the finance policies, added to the harness config for the policy routes. */
const POLICY_YAML = `
policy:
  dir: policies
servers:
  payments:
    transport: stdio
    command: node
    tools:
      transfer:
        risk: financial
        arguments: { amount: long, from_account: string, to_account: string }
`;

const FINANCE_POLICIES = `
@id("finance-transfers-below-limit")
@reason("finance agents may transfer less than 50,000,000 VND on their own")
permit (principal in Role::"finance", action == Action::"payments__transfer", resource)
when { context.arguments has amount && context.arguments.amount < 50000000 };

@id("finance-large-transfers-need-approval")
@reason("transfers of 50,000,000 VND or more need a second person")
@approval("a finance manager must approve transfers of 50,000,000 VND or more")
@approvers("finance")
permit (principal in Role::"finance", action == Action::"payments__transfer", resource)
when { context.arguments has amount && context.arguments.amount >= 50000000 };
`;

function errorOf(response: LightMyRequestResponse): { code: string; message: string } {
  const body = response.json<{ error: { code: string; message: string } }>();
  assert.ok(body.error, `expected an error body, got ${response.body}`);
  return body.error;
}

interface Signed {
  cookie: string;
  csrf: string;
}

describe('admin API for the console', () => {
  let harness: ApprovalHarness;
  let policy: PolicyService;
  let app: FastifyInstance;
  let sessions: ConsoleSessions;

  before(async () => {
    harness = await openApprovalHarness();
    const { dir, configPath } = harness.workspace;
    await mkdir(join(dir, 'policies'));
    await writeFile(join(dir, 'policies', 'finance.cedar'), FINANCE_POLICIES);
    await writeFile(join(dir, 'gateway.yaml'), (await readFile(configPath, 'utf8')) + POLICY_YAML);
    const { config } = await loadConfig({ path: join(dir, 'gateway.yaml'), env: {} });
    policy = await PolicyService.load({ config, baseDir: dir, clock: harness.clock });
    const inspection = createGatewayInspection(config, harness.clock);
    sessions = new ConsoleSessions({
      key: harness.warden.adminSessionKey,
      lifetimeSeconds: config.admin.sessionLifetime,
      idleTimeoutSeconds: config.admin.sessionIdleTimeout,
      clock: harness.clock,
    });
    app = Fastify({ logger: false, bodyLimit: config.server.bodyLimit });
    await app.register(adminRoutes, {
      prefix: '/admin',
      directory: new AdminDirectory({ admins: config.admins, clock: harness.clock }),
      approvals: harness.approvals,
      audit: harness.warden.audit,
      publicUrl: config.server.publicUrl,
      bodyLimit: config.server.bodyLimit,
      console: { sessions, allowedOrigins: [ORIGIN], secure: false },
      config,
      clock: harness.clock,
      auditLog: { store: harness.warden.store.audit, verifier: harness.warden.keys.checkpointVerifier() },
      agents: harness.warden.agents,
      policies: () => policy,
      sessions: () => null,
      maskArguments: (args) => inspection.mask(args),
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    policy.close();
    await harness.close();
  });

  async function signIn(username: keyof typeof PASSWORDS, remoteAddress = '127.0.0.1'): Promise<Signed> {
    const response = await app.inject({
      method: 'POST',
      url: '/admin/session',
      headers: { origin: ORIGIN },
      payload: { username, password: PASSWORDS[username] },
      remoteAddress,
    });
    assert.equal(response.statusCode, 200, response.body);
    const cookie = response.cookies.find((entry) => entry.name === 'warden_admin');
    assert.ok(cookie, 'a session cookie is set');
    return { cookie: cookie.value, csrf: response.json<Json>().csrfToken as string };
  }

  function withCookie(
    signed: Signed,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    options: { payload?: Json; csrf?: string | null; origin?: string | null } = {},
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { cookie: `warden_admin=${signed.cookie}` };
    const csrf = options.csrf === undefined ? signed.csrf : options.csrf;
    if (csrf !== null && method !== 'GET') headers['x-warden-csrf'] = csrf;
    const origin = options.origin === undefined ? ORIGIN : options.origin;
    if (origin !== null) headers.origin = origin;
    return app.inject({
      method,
      url,
      headers,
      ...(options.payload === undefined ? {} : { payload: options.payload }),
    });
  }

  test('signing in sets an httpOnly SameSite=Strict cookie and answers the user and a CSRF token', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/admin/session',
      headers: { origin: ORIGIN },
      payload: { username: 'erin', password: PASSWORDS.erin },
    });
    assert.equal(response.statusCode, 200, response.body);
    const setCookie = String(response.headers['set-cookie']);
    assert.match(setCookie, /^warden_admin=v1\./);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\//);
    assert.doesNotMatch(setCookie, /Secure/, 'publicUrl is http here');
    const body = response.json<Json>();
    assert.equal(body.user.name, 'erin');
    assert.deepEqual(body.user.roles, ['admin']);
    assert.equal(body.user.permissions.manage, true);
    assert.equal(typeof body.csrfToken, 'string');
    assert.equal(response.headers['cache-control'], 'no-store');

    const signed: Signed = { cookie: response.cookies[0]!.value, csrf: body.csrfToken as string };
    const session = await withCookie(signed, 'GET', '/admin/session');
    assert.equal(session.statusCode, 200, session.body);
    assert.equal(session.json<Json>().csrfToken, body.csrfToken);
    const whoami = await withCookie(signed, 'GET', '/admin/whoami');
    assert.equal(whoami.json<Json>().name, 'erin');

    const entries = await harness.warden.store.audit.query({
      types: ['admin-signed-in'],
      actor: 'admin:erin',
    });
    assert.ok(entries.length >= 1);
    assert.equal(entries[0]!.detail.method, 'password');
    assert.equal(JSON.stringify(entries).includes(PASSWORDS.erin), false, 'no password in the audit log');
  });

  test('a wrong password is refused with one message, and the cookie is not set', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/admin/session',
      headers: { origin: ORIGIN },
      payload: { username: 'erin', password: 'wrong' },
      remoteAddress: '192.0.2.10',
    });
    assert.equal(response.statusCode, 401);
    assert.equal(errorOf(response).code, 'WARDEN_ADMIN_UNAUTHENTICATED');
    assert.equal(response.headers['set-cookie'], undefined);
  });

  test('repeated failed sign-ins lock the address out with 429, even with the right password', async () => {
    const remoteAddress = '192.0.2.99';
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const response = await app.inject({
        method: 'POST',
        url: '/admin/session',
        payload: { username: 'frank', password: `guess-${attempt}` },
        remoteAddress,
      });
      assert.equal(response.statusCode, 401);
    }
    const locked = await app.inject({
      method: 'POST',
      url: '/admin/session',
      payload: { username: 'frank', password: PASSWORDS.frank },
      remoteAddress,
    });
    assert.equal(locked.statusCode, 429);
    assert.equal(errorOf(locked).code, 'WARDEN_RATE_LIMITED');
    assert.ok(Number(locked.headers['retry-after']) > 0);
    const blocked = await harness.warden.store.audit.query({ types: ['admin-sign-in-blocked'] });
    assert.ok(blocked.some((entry) => entry.detail.address === remoteAddress));
  });

  test('a cookie request that changes something needs the CSRF header and the right origin', async () => {
    const erin = await signIn('erin');
    const agent = 'support-bot';
    const missing = await withCookie(erin, 'POST', `/admin/agents/${agent}/suspend`, {
      payload: { reason: 'test' },
      csrf: null,
    });
    assert.equal(missing.statusCode, 403);
    assert.equal(errorOf(missing).code, 'WARDEN_CSRF_INVALID');
    assert.match(errorOf(missing).message, /x-warden-csrf/);

    const wrong = await withCookie(erin, 'POST', `/admin/agents/${agent}/suspend`, {
      payload: { reason: 'test' },
      csrf: 'not-the-token',
    });
    assert.equal(errorOf(wrong).code, 'WARDEN_CSRF_INVALID');

    const otherSite = await withCookie(erin, 'POST', `/admin/agents/${agent}/suspend`, {
      payload: { reason: 'test' },
      origin: 'https://evil.example',
    });
    assert.equal(otherSite.statusCode, 403);
    assert.equal(errorOf(otherSite).code, 'WARDEN_CSRF_INVALID');
    assert.match(errorOf(otherSite).message, /evil\.example/);

    const crossSite = await app.inject({
      method: 'POST',
      url: `/admin/agents/${agent}/suspend`,
      headers: {
        cookie: `warden_admin=${erin.cookie}`,
        'x-warden-csrf': erin.csrf,
        'sec-fetch-site': 'cross-site',
      },
      payload: { reason: 'test' },
    });
    assert.equal(errorOf(crossSite).code, 'WARDEN_CSRF_INVALID');

    const loginFromElsewhere = await app.inject({
      method: 'POST',
      url: '/admin/session',
      headers: { origin: 'https://evil.example' },
      payload: { username: 'erin', password: PASSWORDS.erin },
    });
    assert.equal(errorOf(loginFromElsewhere).code, 'WARDEN_CSRF_INVALID');

    assert.equal((await harness.warden.agents.get(agent)).status, 'active', 'nothing changed');
    // Reads need no token; an API key needs none either.
    assert.equal((await withCookie(erin, 'GET', '/admin/agents', { csrf: null })).statusCode, 200);
  });

  test('a Basic-auth request that changes something is refused from another site (browsers send cached Basic credentials)', async () => {
    const basic = `Basic ${Buffer.from(`erin:${PASSWORDS.erin}`).toString('base64')}`;
    const agent = 'support-bot';
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }]) {
      const response = await app.inject({
        method: 'POST',
        url: `/admin/agents/${agent}/suspend`,
        headers: { authorization: basic, ...headers },
        payload: { reason: 'csrf' },
      });
      assert.equal(response.statusCode, 403, JSON.stringify(headers));
      assert.equal(errorOf(response).code, 'WARDEN_CSRF_INVALID');
    }
    const keyFromElsewhere = await app.inject({
      method: 'POST',
      url: `/admin/agents/${agent}/suspend`,
      headers: { authorization: `Bearer ${harness.keys.alice}`, origin: 'https://evil.example' },
      payload: { reason: 'csrf' },
    });
    assert.equal(errorOf(keyFromElsewhere).code, 'WARDEN_CSRF_INVALID');
    assert.equal((await harness.warden.agents.get(agent)).status, 'active', 'nothing changed');
    // Reads are not affected, and neither is a client that sends no Origin (curl, scripts).
    const read = await app.inject({
      method: 'GET',
      url: '/admin/whoami',
      headers: { authorization: basic, origin: 'https://evil.example' },
    });
    assert.equal(read.statusCode, 200, read.body);
    const fromOwnOrigin = await app.inject({
      method: 'POST',
      url: `/admin/agents/${agent}/resume`,
      headers: { authorization: basic, origin: ORIGIN },
      payload: {},
    });
    assert.equal(fromOwnOrigin.statusCode, 200, fromOwnOrigin.body);
  });

  test('background polling (x-warden-background: 1) does not keep the session from timing out', async () => {
    const erin = await signIn('erin');
    for (let minute = 0; minute < 25; minute += 5) {
      harness.clock.advance(5 * 60 * 1000);
      const polled = await app.inject({
        method: 'GET',
        url: '/admin/agents',
        headers: { cookie: `warden_admin=${erin.cookie}`, 'x-warden-background': '1' },
      });
      assert.equal(polled.statusCode, 200, polled.body);
      assert.equal(polled.headers['set-cookie'], undefined, 'a background request does not renew');
    }
    harness.clock.advance(5 * 60 * 1000);
    const idle = await withCookie(erin, 'GET', '/admin/whoami');
    assert.equal(idle.statusCode, 401);
    assert.match(errorOf(idle).message, /inactivity/);
  });

  test('a tampered, expired or idle cookie is refused and cleared', async () => {
    const erin = await signIn('erin');
    const tampered = { ...erin, cookie: erin.cookie.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A')) };
    const response = await withCookie(tampered, 'GET', '/admin/whoami');
    assert.equal(response.statusCode, 401);
    assert.match(errorOf(response).message, /not valid/);
    assert.match(String(response.headers['set-cookie']), /warden_admin=;/);

    harness.clock.advance(31 * 60 * 1000);
    const idle = await withCookie(erin, 'GET', '/admin/whoami');
    assert.equal(idle.statusCode, 401);
    assert.match(errorOf(idle).message, /inactivity/);
  });

  test('a request within the idle timeout renews the cookie; the lifetime still ends it', async () => {
    let erin = await signIn('erin');
    for (let step = 0; step < 16; step += 1) {
      harness.clock.advance(29 * 60 * 1000);
      const response = await withCookie(erin, 'GET', '/admin/whoami');
      assert.equal(response.statusCode, 200, `step ${step}: ${response.body}`);
      const renewed = response.cookies.find((entry) => entry.name === 'warden_admin');
      assert.ok(renewed, 'the cookie is renewed');
      erin = { ...erin, cookie: renewed.value };
    }
    harness.clock.advance(29 * 60 * 1000);
    const ended = await withCookie(erin, 'GET', '/admin/whoami');
    assert.equal(ended.statusCode, 401);
    assert.match(errorOf(ended).message, /maximum lifetime/);
  });

  test('signing out revokes the session and is recorded', async () => {
    const erin = await signIn('erin');
    const out = await withCookie(erin, 'DELETE', '/admin/session');
    assert.equal(out.statusCode, 200, out.body);
    assert.match(String(out.headers['set-cookie']), /warden_admin=;/);
    const after = await withCookie(erin, 'GET', '/admin/whoami');
    assert.equal(after.statusCode, 401);
    assert.match(errorOf(after).message, /signed out/);
    const entries = await harness.warden.store.audit.query({ types: ['admin-signed-out'] });
    assert.ok(entries.some((entry) => entry.actor === 'admin:erin'));
  });

  test('an auditor reads everything but changes nothing, with a clear 403', async () => {
    const frank = await signIn('frank');
    for (const url of [
      '/admin/audit',
      '/admin/audit/status',
      '/admin/agents',
      '/admin/agents/support-bot',
      '/admin/alerts',
      '/admin/policies',
      '/admin/lockdown',
    ]) {
      const response = await withCookie(frank, 'GET', url);
      assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    }
    for (const [method, url, payload] of [
      ['POST', '/admin/agents/support-bot/suspend', { reason: 'audit' }],
      ['POST', '/admin/agents/support-bot/resume', {}],
      ['POST', '/admin/agents/support-bot/rotate-secret', undefined],
      ['POST', '/admin/lockdown', { reason: 'drill' }],
      ['DELETE', '/admin/lockdown', undefined],
    ] as const) {
      const response = await withCookie(frank, method, url, payload === undefined ? {} : { payload });
      assert.equal(response.statusCode, 403, `${method} ${url}`);
      assert.equal(errorOf(response).code, 'WARDEN_ADMIN_FORBIDDEN');
      assert.match(errorOf(response).message, /frank.*auditor.*needs the role admin/);
    }
    const approval = await harness.request();
    const deny = await withCookie(frank, 'POST', `/admin/approvals/${approval.id}/deny`, {
      payload: { reason: 'no' },
    });
    assert.equal(deny.statusCode, 403);
    assert.equal(errorOf(deny).code, 'WARDEN_ADMIN_FORBIDDEN');
    assert.equal((await harness.warden.agents.get('support-bot')).status, 'active');
  });

  test('an approver decides approvals with the cookie but may not suspend agents', async () => {
    const bob = await signIn('bob');
    const approval = await harness.request();
    const approved = await withCookie(bob, 'POST', `/admin/approvals/${approval.id}/approve`, {
      payload: { reason: 'checked the invoice' },
    });
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json<Json>().status, 'approved');
    const suspend = await withCookie(bob, 'POST', '/admin/agents/finance-bot/suspend', {
      payload: { reason: 'x' },
    });
    assert.equal(suspend.statusCode, 403);
    assert.equal(errorOf(suspend).code, 'WARDEN_ADMIN_FORBIDDEN');
  });

  test('an admin suspends, resumes and rotates a secret shown once; each change is audited as admin:<name>', async () => {
    const erin = await signIn('erin');
    const suspended = await withCookie(erin, 'POST', '/admin/agents/support-bot/suspend', {
      payload: { reason: 'incident 42' },
    });
    assert.equal(suspended.statusCode, 200, suspended.body);
    assert.equal(suspended.json<Json>().status, 'suspended');
    assert.equal(suspended.json<Json>().suspendedBy, 'admin:erin');
    const list = (await withCookie(erin, 'GET', '/admin/agents')).json<Json>();
    const row = (list.agents as Json[]).find((agent) => agent.name === 'support-bot');
    assert.equal(row?.status, 'suspended');
    assert.equal(row?.suspendedReason, 'incident 42');
    assert.equal(row?.mode, 'enforce');

    const resumed = await withCookie(erin, 'POST', '/admin/agents/support-bot/resume');
    assert.equal(resumed.statusCode, 200, resumed.body);
    assert.equal(resumed.json<Json>().status, 'active');

    const rotated = await withCookie(erin, 'POST', '/admin/agents/support-bot/rotate-secret');
    assert.equal(rotated.statusCode, 200, rotated.body);
    const { secret, agent } = rotated.json<Json>();
    assert.equal(typeof secret, 'string');
    assert.equal(agent.name, 'support-bot');
    const stored = await harness.warden.store.agents.getByName('support-bot');
    assert.equal(await verifySecret(secret as string, stored!.secretHash!), true);
    const detail = await withCookie(erin, 'GET', '/admin/agents/support-bot');
    assert.equal(detail.body.includes(secret as string), false, 'the secret is not shown again');
    assert.equal(detail.json<Json>().agent.secretRotatedAt, stored!.secretRotatedAt);

    const entries = await harness.warden.store.audit.query({
      involving: 'agent:support-bot',
      actor: 'admin:erin',
    });
    assert.deepEqual(
      entries.map((entry) => entry.type),
      ['agent-suspended', 'agent-resumed', 'agent-secret-rotated'],
    );
    assert.equal(JSON.stringify(entries).includes(secret as string), false, 'no secret in the audit log');
    const recent = detail.json<Json>().recent as Json[];
    assert.equal(recent[0]?.type, 'agent-secret-rotated');
  });

  test('lockdown suspends every agent but the exceptions and lifting it resumes them', async () => {
    const erin = await signIn('erin');
    const started = await withCookie(erin, 'POST', '/admin/lockdown', {
      payload: { reason: 'suspected compromise', except: ['finance-bot'] },
    });
    assert.equal(started.statusCode, 200, started.body);
    assert.equal(started.json<Json>().active, true);
    assert.deepEqual(started.json<Json>().suspended, ['support-bot']);
    assert.equal((await harness.warden.agents.get('finance-bot')).status, 'active');
    const lifted = await withCookie(erin, 'DELETE', '/admin/lockdown');
    assert.equal(lifted.statusCode, 200, lifted.body);
    assert.equal(lifted.json<Json>().active, false);
    assert.deepEqual(lifted.json<Json>().resumed, ['support-bot']);
    assert.equal((await harness.warden.agents.get('support-bot')).status, 'active');
  });

  test('audit search filters by agent, tool, type, decision and time, newest first with paging', async () => {
    const audit = harness.warden.audit;
    const t0 = harness.clock.now();
    for (const [agent, tool, decision] of [
      ['support-bot', 'crm__read_customer', 'allow'],
      ['finance-bot', 'payments__transfer', 'deny'],
      ['support-bot', 'crm__read_customer', 'deny'],
      ['finance-bot', 'payments__transfer', 'approval_required'],
    ] as const) {
      harness.clock.advance(1000);
      await audit.record({
        type:
          decision === 'allow'
            ? 'tool-call-allowed'
            : decision === 'deny'
              ? 'tool-call-denied'
              : 'tool-call-approval-required',
        actor: `agent:${agent}`,
        subject: `tool:${tool}`,
        decision,
        detail: { arguments: {} },
      });
    }
    const carol = { authorization: `Bearer ${harness.keys.carol}` };
    const get = async (query: string): Promise<Json> => {
      const response = await app.inject({ method: 'GET', url: `/admin/audit?${query}`, headers: carol });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<Json>();
    };
    const support = await get('agent=support-bot&type=tool-call-allowed,tool-call-denied');
    assert.deepEqual(
      (support.entries as Json[]).map((entry): unknown => entry.decision),
      ['deny', 'allow'],
    );
    const denied = await get('decision=deny&tool=payments__transfer');
    assert.equal(denied.entries.length, 1);
    assert.equal(denied.entries[0].actor, 'agent:finance-bot');
    const since = new Date(t0 + 2500).toISOString();
    const recent = await get(
      `since=${since}&type=tool-call-denied,tool-call-approval-required,tool-call-allowed`,
    );
    assert.deepEqual(
      (recent.entries as Json[]).map((entry): unknown => entry.decision),
      ['approval_required', 'deny'],
    );
    const page1 = await get('limit=2');
    assert.equal(page1.entries.length, 2);
    assert.ok(page1.entries[0].seq > page1.entries[1].seq);
    const page2 = await get(`limit=2&before=${page1.nextBefore as number}`);
    assert.ok(page2.entries[0].seq < page1.entries[1].seq);

    const one = await app.inject({
      method: 'GET',
      url: `/admin/audit/${page1.entries[0].seq as number}`,
      headers: carol,
    });
    assert.equal(one.json<Json>().hash, page1.entries[0].hash);
    const missing = await app.inject({ method: 'GET', url: '/admin/audit/99999999', headers: carol });
    assert.equal(missing.statusCode, 404);
    assert.equal(errorOf(missing).code, 'WARDEN_AUDIT_ENTRY_NOT_FOUND');
    const bad = await app.inject({ method: 'GET', url: '/admin/audit?decision=maybe', headers: carol });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad).code, 'WARDEN_INVALID_REQUEST');
    const badTime = await app.inject({ method: 'GET', url: '/admin/audit?since=yesterday', headers: carol });
    assert.equal(errorOf(badTime).code, 'WARDEN_INVALID_REQUEST');
  });

  test('audit status reports an intact chain and the last signed checkpoint', async () => {
    await harness.warden.audit.checkpoint();
    // An answer computed by an earlier test is reused for 30 s; let it age out.
    harness.clock.advance(31_000);
    const response = await app.inject({
      method: 'GET',
      url: '/admin/audit/status',
      headers: { authorization: `Bearer ${harness.keys.carol}` },
    });
    assert.equal(response.statusCode, 200, response.body);
    const status = response.json<Json>();
    assert.equal(status.ok, true, JSON.stringify(status.problems));
    assert.deepEqual(status.problems, []);
    assert.ok(status.entries > 0);
    assert.equal(typeof status.lastCheckpoint.keyId, 'string');
    assert.equal(status.scope, 'recent-window');
  });

  test('audit status is reused for 30 s even while entries are added; agents’ last activity for 5 s', async () => {
    const carol = { authorization: `Bearer ${harness.keys.carol}` };
    harness.clock.advance(60_000);
    const status = async (): Promise<Json> => {
      const response = await app.inject({ method: 'GET', url: '/admin/audit/status', headers: carol });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<Json>();
    };
    const activity = async (): Promise<string | null> => {
      const response = await app.inject({ method: 'GET', url: '/admin/agents', headers: carol });
      assert.equal(response.statusCode, 200, response.body);
      const agents = response.json<Json>().agents as Json[];
      return agents.find((agent) => agent.name === 'support-bot')?.lastActivityAt as string | null;
    };
    const first = await status();
    const firstActivity = await activity();
    harness.clock.advance(1000);
    const acted = await harness.warden.audit.record({
      type: 'tool-call-allowed',
      actor: 'agent:support-bot',
      subject: 'tool:crm__read_customer',
      decision: 'allow',
      detail: {},
    });
    const reused = await status();
    assert.equal(reused.checkedAt, first.checkedAt, 'the cached answer says when it was computed');
    assert.equal(reused.checked.toSeq, first.checked.toSeq);
    assert.ok(reused.checked.toSeq < acted.seq);
    assert.equal(await activity(), firstActivity, 'last activity is reused');

    harness.clock.advance(5000);
    assert.equal(await activity(), acted.time);
    harness.clock.advance(25_000);
    const fresh = await status();
    assert.notEqual(fresh.checkedAt, first.checkedAt);
    assert.equal(fresh.checked.toSeq >= acted.seq, true);
  });

  test('alerts lists alert-raised entries', async () => {
    await harness.warden.audit.record({
      type: 'alert-raised',
      actor: 'monitor:call-rate',
      subject: 'agent:support-bot',
      detail: {
        rule: 'call-rate',
        severity: 'warning',
        message: 'calls spiked',
        value: 90,
        baseline: 10,
        quarantined: false,
      },
    });
    const response = await app.inject({
      method: 'GET',
      url: '/admin/alerts?limit=5',
      headers: { authorization: `Bearer ${harness.keys.carol}` },
    });
    assert.equal(response.statusCode, 200, response.body);
    const { alerts } = response.json<Json>();
    assert.equal(alerts[0].type, 'alert-raised');
    assert.equal(alerts[0].detail.severity, 'warning');
  });

  test('policies lists the loaded set with texts and annotations', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/admin/policies',
      headers: { authorization: `Bearer ${harness.keys.carol}` },
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json<Json>();
    assert.equal(body.valid, true);
    assert.equal(body.version, policy.version);
    const large = (body.policies as Json[]).find(
      (entry) => entry.id === 'finance-large-transfers-need-approval',
    );
    assert.ok(large, 'the approval policy is listed');
    assert.equal(large.effect, 'permit');
    assert.match(large.text, /payments__transfer/);
    assert.equal(large.annotations.approvers, 'finance');
  });

  test('what-if answers allow, approval_required and deny with reasons and records no tool call', async () => {
    const alice = { authorization: `Bearer ${harness.keys.alice}` };
    const before = await harness.warden.store.audit.query({
      types: ['tool-call-allowed'],
      order: 'desc',
      limit: 1,
    });
    const whatIf = async (payload: Json): Promise<Json> => {
      const response = await app.inject({
        method: 'POST',
        url: '/admin/policies/what-if',
        headers: alice,
        payload,
      });
      assert.equal(response.statusCode, 200, response.body);
      return response.json<Json>();
    };
    const small = await whatIf({
      agent: 'finance-bot',
      tool: 'payments__transfer',
      arguments: { amount: 100, from_account: 'a', to_account: 'b' },
    });
    assert.equal(small.decision, 'allow');
    assert.deepEqual(small.policyIds, ['finance-transfers-below-limit']);
    assert.match(small.reasons[0], /less than 50,000,000 VND/);

    const large = await whatIf({
      agent: 'finance-bot',
      tool: 'payments__transfer',
      arguments: { amount: 60_000_000, from_account: 'a', to_account: 'b' },
    });
    assert.equal(large.decision, 'approval_required');
    assert.deepEqual(large.approval.groups, ['finance']);
    assert.match(large.message, /finance manager must approve/);

    const other = await whatIf({
      agent: 'support-bot',
      tool: 'payments__transfer',
      arguments: { amount: 1, from_account: 'a', to_account: 'b' },
    });
    assert.equal(other.decision, 'deny');
    assert.ok(other.reasons.length > 0);

    const after = await harness.warden.store.audit.query({
      types: ['tool-call-allowed'],
      order: 'desc',
      limit: 1,
    });
    assert.equal(after[0]?.seq, before[0]?.seq, 'no tool call was recorded');
    const recorded = await harness.warden.store.audit.query({ types: ['policy-what-if-evaluated'] });
    assert.equal(recorded.length, 3);
    assert.equal(recorded[0]!.actor, 'admin:alice');
    assert.equal(recorded[0]!.decision, null, 'what-ifs do not show up in decision searches');

    // The arguments are recorded masked, as approvers see them: no raw email or card number.
    const email = 'nguyen.van.a@example.com';
    const card = '4111 1111 1111 1111';
    await whatIf({
      agent: 'finance-bot',
      tool: 'payments__transfer',
      arguments: { amount: 5, from_account: card, to_account: email },
    });
    const [masked] = await harness.warden.store.audit.query({
      types: ['policy-what-if-evaluated'],
      order: 'desc',
      limit: 1,
    });
    const recordedText = JSON.stringify(masked!.detail);
    assert.equal(recordedText.includes(email), false, recordedText);
    assert.equal(recordedText.includes(card), false, recordedText);
    assert.equal(recordedText.includes('4111111111111111'), false, recordedText);
    assert.equal((masked!.detail.arguments as Json).amount, 5, 'the rest is kept');

    const unknown = await app.inject({
      method: 'POST',
      url: '/admin/policies/what-if',
      headers: alice,
      payload: { agent: 'finance-bot', tool: 'nope__x' },
    });
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorOf(unknown).code, 'WARDEN_TOOL_NOT_FOUND');
  });

  test('sessions answer 503 with a clear message when this process runs no gateway', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/admin/sessions',
      headers: { authorization: `Bearer ${harness.keys.carol}` },
    });
    assert.equal(response.statusCode, 503);
    assert.equal(errorOf(response).code, 'WARDEN_FEATURE_UNAVAILABLE');
    assert.match(errorOf(response).message, /warden serve/);
  });

  test('every new route is in the OpenAPI document', async () => {
    const document = (await app.inject({ method: 'GET', url: '/admin/openapi.json' })).json<Json>();
    for (const path of [
      '/admin/session',
      '/admin/audit',
      '/admin/audit/status',
      '/admin/audit/{seq}',
      '/admin/alerts',
      '/admin/agents',
      '/admin/agents/{name}',
      '/admin/agents/{name}/suspend',
      '/admin/agents/{name}/resume',
      '/admin/agents/{name}/rotate-secret',
      '/admin/lockdown',
      '/admin/sessions',
      '/admin/sessions/{id}',
      '/admin/policies',
      '/admin/policies/what-if',
    ]) {
      assert.ok(document.paths[path], `${path} is documented`);
    }
    assert.ok(document.components.securitySchemes.consoleSession);
  });
});
