import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { AdminDirectory } from '../../../src/admin/index.js';
import { adminRoutes } from '../../../src/fronts/admin/index.js';
import { PASSWORDS, openApprovalHarness } from '../../admin/harness.js';
import type { ApprovalHarness } from '../../admin/harness.js';

// Response bodies are checked field by field; their shape is what is under test.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function basic(name: string, password: string): string {
  return `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
}

function errorOf(response: LightMyRequestResponse): { code: string; message: string; details?: Json } {
  const body = response.json<{ error: { code: string; message: string; details?: Json } }>();
  assert.ok(body.error, `expected an error body, got ${response.body}`);
  return body.error;
}

describe('admin API', () => {
  let harness: ApprovalHarness;
  let app: FastifyInstance;
  let auth: Record<'alice' | 'bob' | 'carol' | 'minh' | 'dana', string>;

  before(async () => {
    harness = await openApprovalHarness();
    const { config } = harness.loaded;
    app = Fastify({ logger: false, bodyLimit: config.server.bodyLimit });
    await app.register(adminRoutes, {
      prefix: '/admin',
      directory: new AdminDirectory({ admins: config.admins, clock: harness.clock }),
      approvals: harness.approvals,
      audit: harness.warden.audit,
      publicUrl: config.server.publicUrl,
      bodyLimit: config.server.bodyLimit,
    });
    await app.ready();
    auth = {
      alice: `Bearer ${harness.keys.alice}`,
      bob: basic('bob', PASSWORDS.bob),
      carol: `Bearer ${harness.keys.carol}`,
      minh: basic('minh', PASSWORDS.minh),
      dana: `Bearer ${harness.keys.dana}`,
    };
  });
  after(async () => {
    await app.close();
    await harness.close();
  });

  function call(
    method: 'GET' | 'POST',
    url: string,
    authorization: string | undefined,
    payload?: unknown,
    remoteAddress?: string,
  ): Promise<LightMyRequestResponse> {
    return app.inject({
      method,
      url,
      headers: authorization === undefined ? {} : { authorization },
      ...(payload === undefined ? {} : { payload: payload as Json }),
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
    });
  }

  test('whoami names the admin user and what their roles allow, with no-store headers', async () => {
    const response = await call('GET', '/admin/whoami', auth.bob);
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), {
      name: 'bob',
      email: 'bob@example.com',
      roles: ['approver'],
      groups: ['finance'],
      permissions: { read: true, decide: true, reveal: false, manage: false },
    });
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    const alice = (await call('GET', '/admin/whoami', auth.alice)).json<Json>();
    assert.deepEqual(alice.permissions, { read: true, decide: true, reveal: true, manage: true });
  });

  test('without credentials every route but the document answers 401 in Warden’s shape', async () => {
    for (const [method, url] of [
      ['GET', '/admin/whoami'],
      ['GET', '/admin/approvals'],
      ['GET', '/admin/approvals/apr_x'],
      ['POST', '/admin/approvals/apr_x/approve'],
      ['POST', '/admin/approvals/apr_x/deny'],
      ['POST', '/admin/approvals/apr_x/reveal'],
    ] as const) {
      const response = await call(method, url, undefined, method === 'POST' ? { reason: 'x' } : undefined);
      assert.equal(response.statusCode, 401, `${method} ${url}`);
      assert.equal(errorOf(response).code, 'WARDEN_ADMIN_UNAUTHENTICATED');
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="warden-admin"');
      assert.equal(response.headers['cache-control'], 'no-store');
    }
    const wrong = await call('GET', '/admin/whoami', basic('bob', 'not-his-password'));
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.headers['www-authenticate'], 'Basic realm="warden-admin"');
  });

  test('repeated failed sign-ins from one address get 429 with Retry-After, and are recorded once', async () => {
    const address = '192.0.2.77';
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const response = await call('GET', '/admin/whoami', `Bearer wak_guess${attempt}`, undefined, address);
      assert.equal(response.statusCode, 401);
    }
    const limited = await call('GET', '/admin/whoami', auth.alice, undefined, address);
    assert.equal(limited.statusCode, 429);
    assert.equal(errorOf(limited).code, 'WARDEN_RATE_LIMITED');
    assert.equal(limited.headers['retry-after'], '60');
    const entries = await harness.warden.store.audit.query({ types: ['admin-sign-in-blocked'] });
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.detail.address, address);
  });

  test('the list shows pending requests with what the signed-in user may do', async () => {
    const finance = await harness.request();
    const support = await harness.request({
      agent: 'support-bot',
      tool: 'crm__refund',
      requirement: { groups: [] },
    });

    const asBob = await call('GET', '/admin/approvals?status=pending&limit=50', auth.bob);
    assert.equal(asBob.statusCode, 200, asBob.body);
    const items = asBob.json<{ approvals: Json[] }>().approvals;
    const bobFinance = items.find((item) => item.id === finance.id);
    assert.ok(bobFinance);
    assert.equal(bobFinance.status, 'pending');
    assert.equal(bobFinance.agent, 'finance-bot');
    assert.equal(bobFinance.canDecide, true);
    assert.equal(bobFinance.cannotDecideReason, null);
    assert.equal(bobFinance.canReveal, false);
    assert.equal(bobFinance.arguments.amount, 25_000);
    assert.equal('argumentsSealed' in bobFinance, false);
    assert.ok(items.some((item) => item.id === support.id));

    const asMinh = (await call('GET', '/admin/approvals?status=pending', auth.minh)).json<{
      approvals: Json[];
    }>();
    const minhFinance = asMinh.approvals.find((item) => item.id === finance.id);
    assert.equal(minhFinance?.canDecide, false, 'minh owns finance-bot');
    assert.match(String(minhFinance?.cannotDecideReason), /separation of duties/);

    const asDana = (await call('GET', '/admin/approvals', auth.dana)).json<{ approvals: Json[] }>();
    assert.match(
      String(asDana.approvals.find((item) => item.id === finance.id)?.cannotDecideReason),
      /finance/,
    );

    const asCarol = (await call('GET', '/admin/approvals', auth.carol)).json<{ approvals: Json[] }>();
    const carolFinance = asCarol.approvals.find((item) => item.id === finance.id);
    assert.equal(carolFinance?.canDecide, false);
    assert.match(String(carolFinance?.cannotDecideReason), /auditor/);

    const denied = (await call('GET', '/admin/approvals?status=denied', auth.alice)).json<{
      approvals: Json[];
    }>();
    assert.equal(
      denied.approvals.some((item) => item.id === finance.id),
      false,
    );
  });

  test('show returns one request; an unknown id is 404 WARDEN_APPROVAL_NOT_FOUND', async () => {
    const approval = await harness.request();
    const shown = await call('GET', `/admin/approvals/${approval.id}`, auth.carol);
    assert.equal(shown.statusCode, 200, shown.body);
    const body = shown.json<Json>();
    assert.equal(body.id, approval.id);
    assert.equal(body.reason, 'transfers over 10,000 EUR need a second pair of eyes');
    assert.deepEqual(body.groups, ['finance']);
    assert.equal(body.argumentsRevealed, false);

    const missing = await call('GET', '/admin/approvals/apr_doesnotexist', auth.carol);
    assert.equal(missing.statusCode, 404);
    assert.equal(errorOf(missing).code, 'WARDEN_APPROVAL_NOT_FOUND');
  });

  test('an approver approves with a reason; a second decision is 409 WARDEN_APPROVAL_ALREADY_DECIDED', async () => {
    const approval = await harness.request();
    const approved = await call('POST', `/admin/approvals/${approval.id}/approve`, auth.bob, {
      reason: 'checked with the vendor',
    });
    assert.equal(approved.statusCode, 200, approved.body);
    const body = approved.json<Json>();
    assert.equal(body.status, 'approved');
    assert.equal(body.approvals, 1);
    assert.deepEqual(
      (body.votes as Array<{ by: string; decision: string; reason: string }>).map((vote) => [
        vote.by,
        vote.decision,
        vote.reason,
      ]),
      [['admin:bob', 'approve', 'checked with the vendor']],
    );
    assert.equal(body.canDecide, false);

    const again = await call('POST', `/admin/approvals/${approval.id}/deny`, auth.alice, {
      reason: 'too late',
    });
    assert.equal(again.statusCode, 409);
    assert.equal(errorOf(again).code, 'WARDEN_APPROVAL_ALREADY_DECIDED');

    const types = (await harness.entries(approval.id)).map((entry) => [entry.type, entry.actor]);
    assert.deepEqual(types, [
      ['approval-requested', 'agent:finance-bot'],
      ['approval-approved', 'admin:bob'],
    ]);
  });

  test('an admin denies; the vote and reason are recorded', async () => {
    const approval = await harness.request();
    const denied = await call('POST', `/admin/approvals/${approval.id}/deny`, auth.alice, {
      reason: 'not an approved vendor',
    });
    assert.equal(denied.statusCode, 200, denied.body);
    assert.equal(denied.json<Json>().status, 'denied');
    const entry = (await harness.entries(approval.id)).find((item) => item.type === 'approval-denied');
    assert.equal(entry?.actor, 'admin:alice');
  });

  test('an auditor cannot approve: 403 WARDEN_ADMIN_FORBIDDEN naming the role needed', async () => {
    const approval = await harness.request();
    const response = await call('POST', `/admin/approvals/${approval.id}/approve`, auth.carol, {
      reason: 'ok',
    });
    assert.equal(response.statusCode, 403);
    const error = errorOf(response);
    assert.equal(error.code, 'WARDEN_ADMIN_FORBIDDEN');
    assert.match(error.message, /admin or approver/);
    assert.equal((await harness.approvals.get(approval.id))?.status, 'pending');
  });

  test('separation of duties and groups refuse with 403 WARDEN_APPROVAL_NOT_ALLOWED', async () => {
    const approval = await harness.request();
    const owner = await call('POST', `/admin/approvals/${approval.id}/approve`, auth.minh, {
      reason: 'mine, fine',
    });
    assert.equal(owner.statusCode, 403);
    assert.equal(errorOf(owner).code, 'WARDEN_APPROVAL_NOT_ALLOWED');
    assert.match(errorOf(owner).message, /separation of duties/);
    const otherGroup = await call('POST', `/admin/approvals/${approval.id}/deny`, auth.dana, {
      reason: 'no',
    });
    assert.equal(otherGroup.statusCode, 403);
    assert.equal(errorOf(otherGroup).code, 'WARDEN_APPROVAL_NOT_ALLOWED');
  });

  test('an expired request answers 403 WARDEN_APPROVAL_EXPIRED', async () => {
    const approval = await harness.request({ requirement: { expirySeconds: 60 } });
    harness.clock.advance(61_000);
    const response = await call('POST', `/admin/approvals/${approval.id}/approve`, auth.bob, {
      reason: 'ok',
    });
    assert.equal(response.statusCode, 403);
    assert.equal(errorOf(response).code, 'WARDEN_APPROVAL_EXPIRED');
  });

  test('an admin reveals the raw arguments (recorded); an approver without the reveal role cannot', async () => {
    const approval = await harness.request({ arguments: { iban: 'VN99 0000 1111', amount: 42 } });
    const refused = await call('POST', `/admin/approvals/${approval.id}/reveal`, auth.bob);
    assert.equal(refused.statusCode, 403);
    assert.equal(errorOf(refused).code, 'WARDEN_APPROVAL_NOT_ALLOWED');
    assert.match(errorOf(refused).message, /revealRoles/);

    const revealed = await call('POST', `/admin/approvals/${approval.id}/reveal`, auth.alice);
    assert.equal(revealed.statusCode, 200, revealed.body);
    assert.deepEqual(revealed.json(), { id: approval.id, arguments: { iban: 'VN99 0000 1111', amount: 42 } });
    const reveals = (await harness.entries(approval.id)).filter(
      (entry) => entry.type === 'approval-revealed',
    );
    assert.deepEqual(
      reveals.map((entry) => entry.actor),
      ['admin:alice'],
    );
  });

  test('invalid input is refused with WARDEN_INVALID_REQUEST naming the field, and changes nothing', async () => {
    const approval = await harness.request();
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['POST', `/admin/approvals/${approval.id}/approve`, {}, /body "reason" is required/],
      ['POST', `/admin/approvals/${approval.id}/approve`, { reason: '' }, /"reason" must not be empty/],
      ['POST', `/admin/approvals/${approval.id}/approve`, { reason: '   ' }, /"reason" must not be blank/],
      [
        'POST',
        `/admin/approvals/${approval.id}/approve`,
        { reason: 'x'.repeat(2001) },
        /"reason" must be at most 2000/,
      ],
      [
        'POST',
        `/admin/approvals/${approval.id}/approve`,
        { reason: 'ok', extra: 1 },
        /"extra" is not a known field/,
      ],
      ['POST', `/admin/approvals/${approval.id}/approve`, { reason: 42 }, /"reason" must be string/],
      ['POST', '/admin/approvals/not-an-id/approve', { reason: 'ok' }, /path parameter "id" must match/],
      ['GET', '/admin/approvals/apr_has%20space', undefined, /path parameter "id"/],
      ['GET', '/admin/approvals?limit=0', undefined, /query parameter "limit" must be >= 1/],
      ['GET', '/admin/approvals?limit=1001', undefined, /query parameter "limit" must be <= 1000/],
      ['GET', '/admin/approvals?limit=ten', undefined, /query parameter "limit" must be integer/],
      [
        'GET',
        '/admin/approvals?status=maybe',
        undefined,
        /query parameter "status" must be one of pending, approved/,
      ],
      ['GET', '/admin/approvals?sort=asc', undefined, /query parameter "sort" is not a known field/],
    ];
    for (const [method, url, payload, message] of cases) {
      const response = await call(method as 'GET' | 'POST', url, auth.bob, payload);
      assert.equal(response.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)}: ${response.body}`);
      const error = errorOf(response);
      assert.equal(error.code, 'WARDEN_INVALID_REQUEST', url);
      assert.match(error.message, message);
    }
    assert.equal((await harness.approvals.get(approval.id))?.status, 'pending');
  });

  test('a malformed JSON body is a Warden error, not a Fastify one', async () => {
    const approval = await harness.request();
    const response = await app.inject({
      method: 'POST',
      url: `/admin/approvals/${approval.id}/approve`,
      headers: { authorization: auth.bob, 'content-type': 'application/json' },
      payload: '{"reason": ',
    });
    assert.equal(response.statusCode, 400);
    assert.match(errorOf(response).code, /^WARDEN_/);
  });

  test('the OpenAPI document needs no sign-in and describes every route, its schemas and the security schemes', async () => {
    const response = await call('GET', '/admin/openapi.json', undefined);
    assert.equal(response.statusCode, 200, response.body);
    const document = response.json<Json>();
    assert.match(document.openapi, /^3\.\d+\.\d+$/);
    assert.equal(typeof document.info.title, 'string');
    assert.equal(typeof document.info.version, 'string');
    assert.deepEqual(document.servers, [{ url: 'http://127.0.0.1:8787', description: 'This Warden' }]);
    assert.deepEqual(document.components.securitySchemes.apiKey, {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'wak_...',
      description: document.components.securitySchemes.apiKey.description,
    });
    assert.equal(document.components.securitySchemes.password.scheme, 'basic');
    assert.deepEqual(document.security, [{ apiKey: [] }, { password: [] }, { consoleSession: [] }]);

    const expected: Array<[string, string]> = [
      ['/admin/openapi.json', 'get'],
      ['/admin/whoami', 'get'],
      ['/admin/approvals', 'get'],
      ['/admin/approvals/{id}', 'get'],
      ['/admin/approvals/{id}/approve', 'post'],
      ['/admin/approvals/{id}/deny', 'post'],
      ['/admin/approvals/{id}/reveal', 'post'],
      ['/admin/session', 'post'],
      ['/admin/session', 'get'],
      ['/admin/session', 'delete'],
      ['/admin/audit', 'get'],
      ['/admin/audit/status', 'get'],
      ['/admin/audit/{seq}', 'get'],
      ['/admin/alerts', 'get'],
      ['/admin/agents', 'get'],
      ['/admin/agents/{name}', 'get'],
      ['/admin/agents/{name}/suspend', 'post'],
      ['/admin/agents/{name}/resume', 'post'],
      ['/admin/agents/{name}/rotate-secret', 'post'],
      ['/admin/lockdown', 'get'],
      ['/admin/lockdown', 'post'],
      ['/admin/lockdown', 'delete'],
      ['/admin/sessions', 'get'],
      ['/admin/sessions/{id}', 'get'],
      ['/admin/policies', 'get'],
      ['/admin/policies/what-if', 'post'],
    ];
    assert.deepEqual(Object.keys(document.paths).sort(), [...new Set(expected.map(([path]) => path))].sort());
    for (const [path, method] of expected) {
      const operation = document.paths[path]?.[method];
      assert.ok(operation, `${method} ${path} is documented`);
      assert.equal(typeof operation.summary, 'string', `${method} ${path} has a summary`);
      assert.equal(typeof operation.description, 'string', `${method} ${path} has a description`);
      assert.ok(operation.responses['200'], `${method} ${path} documents its answer`);
      for (const [status, answer] of Object.entries(operation.responses as Record<string, Json>)) {
        assert.equal(typeof answer.description, 'string', `${method} ${path} ${status} has a description`);
      }
      if (path !== '/admin/openapi.json') {
        assert.ok(operation.responses['401'], `${method} ${path} documents 401`);
      }
    }
    assert.deepEqual(document.paths['/admin/openapi.json'].get.security, []);

    // The document carries the validation rules themselves.
    const approve = document.paths['/admin/approvals/{id}/approve'].post;
    const idParameter = approve.parameters.find((parameter: Json) => parameter.name === 'id');
    assert.equal(idParameter.in, 'path');
    assert.equal(idParameter.required, true);
    assert.equal(idParameter.schema.pattern, '^apr_[A-Za-z0-9_-]{1,64}$');
    const reason = approve.requestBody.content['application/json'].schema.properties.reason;
    assert.equal(reason.minLength, 1);
    assert.equal(reason.maxLength, 2000);
    const list = document.paths['/admin/approvals'].get;
    const limit = list.parameters.find((parameter: Json) => parameter.name === 'limit');
    assert.deepEqual([limit.in, limit.schema.minimum, limit.schema.maximum], ['query', 1, 1000]);
    const status = list.parameters.find((parameter: Json) => parameter.name === 'status');
    assert.ok(status.schema.enum.includes('pending'));

    // Every $ref points at a component that exists.
    const references = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];
    assert.ok(references.length > 0);
    for (const reference of references) {
      const target = /#\/components\/schemas\/([^"]+)"/.exec(reference)?.[1];
      assert.ok(target !== undefined, `${reference} is a local component reference`);
      assert.ok(document.components.schemas[target], `${reference} exists`);
    }
    for (const name of ['Approval', 'ApprovalList', 'WardenError', 'AdminPrincipal', 'RevealedArguments']) {
      assert.ok(document.components.schemas[name], `components.schemas.${name}`);
    }
  });
});
