import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebhookNotifier, signWebhook, verifyWebhookSignature } from '../../src/approvals/webhooks.js';
import type { WebhookConfig } from '../../src/approvals/webhooks.js';
import type { AuditLog } from '../../src/audit/index.js';
import type { ManualClock } from '../../src/core/index.js';
import type { ApprovalRecord, AuditEntryRecord } from '../../src/store/index.js';
import { makeLog } from '../audit/helpers.js';
import { makeSqliteStore } from '../store/helpers.js';
import type { StoreFixture } from '../store/helpers.js';

// Message bodies are checked field by field; their shape is what is under test.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const SECRET = 'whsec-test-0123456789abcdef';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 that answers with the scripted statuses, then 200. */
class Receiver {
  readonly requests: Received[] = [];
  statuses: number[] = [];
  #server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.requests.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.statusCode = this.statuses.shift() ?? 200;
      response.end('ok');
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  reset(statuses: number[] = []): void {
    this.requests.length = 0;
    this.statuses = statuses;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function approval(overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    id: 'apr_test1',
    agentId: 'agt_1',
    agentName: 'finance-bot',
    agentOwner: 'minh.tran@example.com',
    tool: 'bank__transfer',
    risk: 'financial',
    argumentsDigest: 'ab'.repeat(32),
    argumentsSealed: '{"sealed":"SEALED-ARGUMENTS-MUST-NOT-LEAK"}',
    argumentsRedacted: { iban: '[REDACTED]', amount: 25000 },
    policyIds: ['large-transfers'],
    reason: 'transfers over 10,000 EUR need a second pair of eyes',
    required: 1,
    groups: ['finance'],
    interactive: false,
    sessionId: null,
    recentCalls: [],
    labels: ['financial'],
    status: 'pending',
    votes: [],
    requestedAt: '2026-03-01T10:00:00.000Z',
    expiresAt: '2026-03-01T10:15:00.000Z',
    escalateAt: null,
    escalated: false,
    decidedAt: null,
    executedAt: null,
    resultSealed: null,
    version: 1,
    ...overrides,
  };
}

function hook(overrides: Partial<WebhookConfig> & Pick<WebhookConfig, 'url'>): WebhookConfig {
  return {
    name: 'ops',
    format: 'json',
    secret: SECRET,
    events: [
      'approval-requested',
      'approval-approved',
      'approval-denied',
      'approval-expired',
      'approval-escalated',
      'approval-executed',
    ],
    timeout: 5,
    ...overrides,
  };
}

describe('WebhookNotifier', () => {
  const receiver = new Receiver();
  let fixture: StoreFixture;
  let audit: AuditLog;
  let clock: ManualClock;

  before(async () => {
    await receiver.start();
    fixture = await makeSqliteStore();
    ({ log: audit, clock } = makeLog(fixture.store.audit));
  });
  after(async () => {
    await audit.close();
    await fixture.cleanup();
    await receiver.stop();
  });

  function notifier(webhooks: WebhookConfig[]): WebhookNotifier {
    return new WebhookNotifier({
      webhooks,
      audit,
      publicUrl: 'https://warden.example.com/',
      clock,
      retryDelaysMs: [5, 10],
    });
  }

  async function notifiedEntries(id: string): Promise<AuditEntryRecord[]> {
    return fixture.store.audit.query({ types: ['approval-notified'], subject: `approval:${id}` });
  }

  test('a json delivery is signed so that the receiver verifies it, and carries no arguments', async () => {
    receiver.reset();
    const id = 'apr_json1';
    const webhooks = notifier([hook({ url: `${receiver.url}/hooks/warden` })]);
    webhooks.notify({
      event: 'approval-denied',
      approval: approval({
        id,
        status: 'denied',
        votes: [
          {
            by: 'admin:alice',
            email: 'alice@example.com',
            decision: 'deny',
            reason: 'not this vendor',
            at: '2026-03-01T10:01:00.000Z',
          },
        ],
      }),
      actor: 'admin:alice',
      reason: 'not this vendor',
    });
    await webhooks.flush();

    assert.equal(receiver.requests.length, 1);
    const [request] = receiver.requests as [Received];
    assert.equal(request.path, '/hooks/warden');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['x-warden-event'], 'approval-denied');
    const timestamp = request.headers['x-warden-timestamp'] as string;
    assert.equal(timestamp, String(Math.floor(clock.now() / 1000)));
    const signature = request.headers['x-warden-signature'] as string;
    assert.match(signature, /^sha256=[0-9a-f]{64}$/);
    assert.equal(
      verifyWebhookSignature(SECRET, timestamp, request.body, signature, { now: clock.now() }),
      true,
    );

    const event = JSON.parse(request.body) as Json;
    assert.equal(event.id, request.headers['x-warden-delivery']);
    assert.equal(event.event, 'approval-denied');
    assert.equal(event.actor, 'admin:alice');
    assert.equal(event.reason, 'not this vendor');
    assert.equal(event.time, new Date(clock.now()).toISOString());
    assert.deepEqual(event.links, { approval: `https://warden.example.com/admin/approvals/${id}` });
    assert.deepEqual(event.approval, {
      id,
      agent: 'finance-bot',
      tool: 'bank__transfer',
      risk: 'financial',
      reason: 'transfers over 10,000 EUR need a second pair of eyes',
      status: 'denied',
      required: 1,
      approvals: 0,
      expiresAt: '2026-03-01T10:15:00.000Z',
      votes: [
        { by: 'admin:alice', decision: 'deny', reason: 'not this vendor', at: '2026-03-01T10:01:00.000Z' },
      ],
    });
    assert.doesNotMatch(request.body, /SEALED|25000|alice@example\.com|minh\.tran/);

    const [entry, ...rest] = await notifiedEntries(id);
    assert.equal(rest.length, 0);
    assert.equal(entry?.actor, 'system');
    assert.deepEqual(entry?.detail, {
      webhook: 'ops',
      event: 'approval-denied',
      status: 'delivered',
      attempts: 1,
      httpStatus: 200,
    });
  });

  test('a slack delivery is an incoming-webhook message with the agent, tool, reason, status and a link', async () => {
    receiver.reset();
    const id = 'apr_slack1';
    const webhooks = notifier([
      hook({ name: 'slack', format: 'slack', secret: undefined, url: `${receiver.url}/services/T0/B0/xyz` }),
    ]);
    webhooks.notify({
      event: 'approval-requested',
      approval: approval({ id, reason: 'wire <b>large</b> & urgent' }),
      actor: 'agent:finance-bot',
    });
    await webhooks.flush();

    const [request] = receiver.requests as [Received];
    assert.equal(request.headers['x-warden-signature'], undefined);
    const message = JSON.parse(request.body) as { text: string; blocks: Json[] };
    assert.match(message.text, /Approval requested: finance-bot → bank__transfer \(financial\), pending/);
    const all = JSON.stringify(message.blocks);
    assert.match(all, /finance-bot/);
    assert.match(all, /bank__transfer/);
    assert.match(all, /pending/);
    assert.match(all, /wire &lt;b&gt;large&lt;\/b&gt; &amp; urgent/, 'Slack control characters are escaped');
    assert.match(all, new RegExp(`<https://warden\\.example\\.com/admin/approvals/${id}\\|Open ${id}>`));
    assert.ok(message.blocks.every((block) => block.type === 'section'));
    assert.doesNotMatch(request.body, /SEALED|25000/);
    const [entry] = await notifiedEntries(id);
    assert.equal(entry?.detail.status, 'delivered');
    assert.equal(entry?.detail.webhook, 'slack');
  });

  test('a 500 is retried and the second attempt delivers', async () => {
    receiver.reset([500]);
    const id = 'apr_retry1';
    const webhooks = notifier([hook({ url: receiver.url })]);
    webhooks.notify({ event: 'approval-requested', approval: approval({ id }), actor: 'agent:finance-bot' });
    await webhooks.flush();

    assert.equal(receiver.requests.length, 2);
    const [first, second] = receiver.requests as [Received, Received];
    assert.equal(first.headers['x-warden-delivery'], second.headers['x-warden-delivery']);
    assert.equal(first.body, second.body);
    const [entry] = await notifiedEntries(id);
    assert.deepEqual(entry?.detail, {
      webhook: 'ops',
      event: 'approval-requested',
      status: 'delivered',
      attempts: 2,
      httpStatus: 200,
    });
  });

  test('after three failed attempts the failure is recorded, once', async () => {
    receiver.reset([503, 429, 500, 200]);
    const id = 'apr_fail1';
    const webhooks = notifier([hook({ url: receiver.url })]);
    webhooks.notify({
      event: 'approval-expired',
      approval: approval({ id, status: 'expired' }),
      actor: 'system',
    });
    await webhooks.flush();

    assert.equal(receiver.requests.length, 3);
    const entries = await notifiedEntries(id);
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0]?.detail, {
      webhook: 'ops',
      event: 'approval-expired',
      status: 'failed',
      attempts: 3,
      httpStatus: 500,
    });
  });

  test('a 4xx other than 429 is not retried', async () => {
    receiver.reset([410]);
    const id = 'apr_gone1';
    const webhooks = notifier([hook({ url: receiver.url })]);
    webhooks.notify({ event: 'approval-requested', approval: approval({ id }), actor: 'agent:finance-bot' });
    await webhooks.flush();

    assert.equal(receiver.requests.length, 1);
    const [entry] = await notifiedEntries(id);
    assert.deepEqual(entry?.detail, {
      webhook: 'ops',
      event: 'approval-requested',
      status: 'failed',
      attempts: 1,
      httpStatus: 410,
    });
  });

  test('an unreachable receiver is tried three times and recorded without its URL or secret', async () => {
    const closed = new Receiver();
    await closed.start();
    const url = `${closed.url}/hook?token=url-token-must-not-leak`;
    await closed.stop();
    const id = 'apr_down1';
    const warnings: string[] = [];
    const webhooks = new WebhookNotifier({
      webhooks: [hook({ url })],
      audit,
      publicUrl: 'https://warden.example.com',
      clock,
      retryDelaysMs: [1, 1],
      logger: {
        warn: (fields, message) => warnings.push(JSON.stringify(fields) + message),
        error: (fields, message) => warnings.push(JSON.stringify(fields) + message),
      },
    });
    webhooks.notify({ event: 'approval-requested', approval: approval({ id }), actor: 'agent:finance-bot' });
    await webhooks.flush();

    const [entry] = await notifiedEntries(id);
    assert.deepEqual(entry?.detail, {
      webhook: 'ops',
      event: 'approval-requested',
      status: 'failed',
      attempts: 3,
    });
    assert.ok(warnings.length >= 3, 'each failed attempt is logged');
    const logged = warnings.join('\n');
    assert.doesNotMatch(logged, /url-token-must-not-leak|\/hook|whsec-test/);
    const stored = JSON.stringify(await fixture.store.audit.query({ subject: `approval:${id}` }));
    assert.doesNotMatch(stored, /url-token-must-not-leak|127\.0\.0\.1|whsec-test/);
  });

  test('credentials in the webhook URL are sent as HTTP Basic, not in the URL', async () => {
    receiver.reset();
    const id = 'apr_basic1';
    const url = receiver.url.replace('http://', 'http://hook-user:p%40ss@') + '/basic';
    const webhooks = notifier([hook({ url })]);
    webhooks.notify({ event: 'approval-requested', approval: approval({ id }), actor: 'agent:finance-bot' });
    await webhooks.flush();
    const [request] = receiver.requests as [Received];
    assert.equal(request.path, '/basic');
    assert.equal(request.headers.authorization, `Basic ${Buffer.from('hook-user:p@ss').toString('base64')}`);
    const [entry] = await notifiedEntries(id);
    assert.equal(entry?.detail.status, 'delivered');
  });

  test('notify returns before delivery, and a webhook gets only the events it subscribed to', async () => {
    receiver.reset();
    const id = 'apr_events1';
    const webhooks = notifier([
      hook({ name: 'decisions', url: `${receiver.url}/decisions`, events: ['approval-approved'] }),
      hook({ name: 'requests', url: `${receiver.url}/requests`, events: ['approval-requested'] }),
    ]);
    webhooks.notify({ event: 'approval-requested', approval: approval({ id }), actor: 'agent:finance-bot' });
    assert.equal(receiver.requests.length, 0, 'nothing is sent before notify returns');
    await webhooks.flush();
    assert.deepEqual(
      receiver.requests.map((request) => request.path),
      ['/requests'],
    );
    const entries = await notifiedEntries(id);
    assert.deepEqual(
      entries.map((entry) => entry.detail.webhook),
      ['requests'],
    );
  });
});

describe('verifyWebhookSignature', () => {
  const body = '{"event":"approval-requested"}';
  const now = Date.UTC(2026, 2, 1, 10, 0, 0);
  const timestamp = String(now / 1000);
  const signature = signWebhook(SECRET, timestamp, body);

  test('accepts the signature made with the same secret', () => {
    assert.equal(verifyWebhookSignature(SECRET, timestamp, body, signature, { now }), true);
  });

  test('refuses a signature made with another secret', () => {
    const forged = signWebhook('another-secret', timestamp, body);
    assert.equal(verifyWebhookSignature(SECRET, timestamp, body, forged, { now }), false);
  });

  test('refuses a changed body or a changed timestamp', () => {
    assert.equal(verifyWebhookSignature(SECRET, timestamp, `${body} `, signature, { now }), false);
    assert.equal(verifyWebhookSignature(SECRET, String(now / 1000 + 1), body, signature, { now }), false);
  });

  test('refuses a stale timestamp even with a valid signature', () => {
    const later = now + 301_000;
    assert.equal(verifyWebhookSignature(SECRET, timestamp, body, signature, { now: later }), false);
    assert.equal(
      verifyWebhookSignature(SECRET, timestamp, body, signature, { now: later, toleranceSeconds: 600 }),
      true,
    );
  });

  test('refuses missing or malformed headers', () => {
    assert.equal(verifyWebhookSignature(SECRET, undefined, body, signature, { now }), false);
    assert.equal(verifyWebhookSignature(SECRET, timestamp, body, undefined, { now }), false);
    assert.equal(verifyWebhookSignature(SECRET, timestamp, body, signature.slice(0, -2), { now }), false);
    assert.equal(verifyWebhookSignature(SECRET, 'yesterday', body, signature, { now }), false);
  });
});
