/**
 * The monitor inside a real Warden: quarantine through the pipeline, /metrics over Fastify inject, and
 * alerts delivered to a signed webhook.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { verifyWebhookSignature } from '../../src/approvals/index.js';
import { loadConfig } from '../../src/config/index.js';
import { WardenError } from '../../src/core/index.js';
import { buildHttpServer, createLogger, openWarden } from '../../src/server/index.js';
import type { Warden } from '../../src/server/index.js';
import { makeGatewayWorkspace, openGatewayHarness } from '../pipeline/harness.js';
import type { GatewayHarness } from '../pipeline/harness.js';
import { waitFor } from '../audit/helpers.js';

const silent = () =>
  createLogger({
    level: 'silent',
    destination: new Writable({
      write: (_chunk, _encoding, done) => done(),
    }),
  });

/** Opens Warden (with the gateway) over a workspace with `extraYaml` and extra files (secrets). */
async function openWithFiles(
  t: TestContext,
  extraYaml: string,
  files: Record<string, string>,
): Promise<Warden> {
  const workspace = await makeGatewayWorkspace({ extraYaml });
  t.after(() => workspace.cleanup());
  for (const [name, content] of Object.entries(files)) await writeFile(join(workspace.dir, name), content);
  const loaded = await loadConfig({ path: workspace.configPath, env: {} });
  const warden = await openWarden(loaded, { actor: 'test', sync: true, gateway: true });
  t.after(() => warden.close());
  return warden;
}

async function callAs(harness: GatewayHarness, agent: string, tool: string, args: Record<string, string>) {
  return harness.gateway.pipeline.callTool({
    caller: await harness.caller(agent),
    session: harness.session(),
    toolName: tool,
    arguments: args,
    clientIp: '127.0.0.1',
    requestId: 'test',
  });
}

test('a quarantining rule suspends the agent and its next pipeline call is refused with WARDEN_AGENT_SUSPENDED', async (t) => {
  const harness = await openGatewayHarness({
    extraYaml: `monitoring:
  rules:
    denialBurst: { quarantine: true, severity: critical, minDenials: 3, ratio: 0.5 }`,
  });
  t.after(() => harness.close());
  const monitor = harness.warden.monitor!;
  await monitor.start();

  const allowed = await callAs(harness, 'research-bot', 'files__read_file', { path: 'welcome.txt' });
  assert.equal(allowed.kind, 'result');
  for (let index = 0; index < 3; index += 1) {
    const denied = await callAs(harness, 'research-bot', 'files__write_file', {
      path: 'x.txt',
      content: 'x',
    });
    assert.equal(denied.kind, 'refused');
    assert.equal(denied.kind === 'refused' && denied.error.code, 'WARDEN_POLICY_DENIED');
  }
  await monitor.idle();

  const [alert, ...more] = await harness.audit(['alert-raised']);
  assert.equal(more.length, 0);
  assert.equal(alert!.subject, 'agent:research-bot');
  assert.deepEqual(
    [alert!.detail.rule, alert!.detail.severity, alert!.detail.quarantined, alert!.detail.value],
    ['denial-burst', 'critical', true, 3],
  );
  const next = await callAs(harness, 'research-bot', 'files__read_file', { path: 'welcome.txt' });
  assert.equal(next.kind, 'refused');
  assert.equal(next.kind === 'refused' && next.error.code, 'WARDEN_AGENT_SUSPENDED');
  assert.match(next.kind === 'refused' ? next.error.message : '', /monitoring rule denial-burst/);
  const agent = await harness.warden.agents.get('research-bot');
  assert.equal(agent.suspendedBy, 'monitor:denial-burst');
  // another agent is untouched
  const other = await callAs(harness, 'support-bot', 'crm__read_customer', { id: 'c1' });
  assert.equal(other.kind, 'result');
});

test('GET /metrics shows per-agent and per-tool counters and the latency histogram', async (t) => {
  const harness = await openGatewayHarness({
    extraYaml: `monitoring:
  metrics: { enabled: true }`,
  });
  t.after(() => harness.close());
  const app = buildHttpServer(harness.warden, { logger: silent() });
  t.after(() => app.close());
  await harness.warden.monitor!.start();

  assert.equal((await callAs(harness, 'support-bot', 'crm__read_customer', { id: 'c-1001' })).kind, 'result');
  assert.equal((await callAs(harness, 'support-bot', 'crm__read_customer', { id: 'c-1002' })).kind, 'result');
  await callAs(harness, 'research-bot', 'files__write_file', { path: 'x.txt', content: 'x' });
  // a made-up tool name is client input: it is counted as _unknown, never as a label of its own
  await callAs(harness, 'research-bot', 'evil__{"label"}', {});

  const response = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /text\/plain/);
  const text = response.body;
  assert.match(
    text,
    /warden_tool_calls_total\{agent="support-bot",tool="crm__read_customer",decision="allowed"\} 2/,
  );
  assert.match(
    text,
    /warden_tool_calls_total\{agent="research-bot",tool="files__write_file",decision="denied"\} 1/,
  );
  assert.match(text, /warden_tool_calls_total\{agent="research-bot",tool="_unknown",decision="refused"\} 1/);
  assert.doesNotMatch(text, /evil/);
  assert.match(
    text,
    /warden_tool_call_outcomes_total\{agent="support-bot",tool="crm__read_customer",outcome="completed"\} 2/,
  );
  assert.match(
    text,
    /warden_tool_call_duration_seconds_count\{agent="support-bot",tool="crm__read_customer"\} 2/,
  );
  assert.match(
    text,
    /warden_tool_call_duration_seconds_bucket\{le="\+Inf",agent="support-bot",tool="crm__read_customer"\} 2/,
  );
  assert.match(text, /warden_tool_result_bytes_total\{agent="support-bot",tool="crm__read_customer"\} \d+/);
  assert.match(text, /# TYPE warden_alerts_total counter/);
  assert.match(text, /process_cpu_user_seconds_total/);

  const remote = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
  assert.equal(remote.statusCode, 404);
  assert.equal(remote.json().error.code, 'WARDEN_NOT_FOUND');
  assert.match(remote.json().error.message, /loopback clients unless monitoring\.metrics\.token is set/);

  // A reverse proxy on the same host connects from loopback: without a token, proxied scrapes are refused.
  for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
    const proxied = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { [header]: header === 'forwarded' ? 'for=203.0.113.7' : '203.0.113.7' },
    });
    assert.equal(proxied.statusCode, 404, header);
    assert.equal(proxied.json().error.code, 'WARDEN_NOT_FOUND');
    assert.match(proxied.json().error.message, /came through a proxy.*set monitoring\.metrics\.token/);
  }
  assert.throws(
    () => harness.warden.monitor!.checkScrape(undefined, '127.0.0.1', { forwarded: false, trustProxy: true }),
    (error: unknown) =>
      error instanceof WardenError &&
      error.code === 'WARDEN_NOT_FOUND' &&
      /server\.trustProxy is on.*set monitoring\.metrics\.token/.test(error.message),
  );
});

test('with a metrics token, /metrics needs it as a bearer token', async (t) => {
  const warden = await openWithFiles(
    t,
    `monitoring:
  metrics: { enabled: true, token: "\${file:metrics-token}" }`,
    { 'metrics-token': 'metrics-token-for-tests-0123\n' },
  );
  const app = buildHttpServer(warden, { logger: silent() });
  t.after(() => app.close());

  const missing = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(missing.statusCode, 401);
  assert.equal(missing.json().error.code, 'WARDEN_TOKEN_MISSING');
  const wrong = await app.inject({
    method: 'GET',
    url: '/metrics',
    headers: { authorization: 'Bearer not-the-token' },
  });
  assert.equal(wrong.statusCode, 401);
  const right = await app.inject({
    method: 'GET',
    url: '/metrics',
    remoteAddress: '10.1.2.3',
    headers: { authorization: 'Bearer metrics-token-for-tests-0123' },
  });
  assert.equal(right.statusCode, 200);
  assert.match(right.body, /# TYPE warden_tool_calls_total counter/);
});

test('/metrics is not served unless enabled', async (t) => {
  const harness = await openGatewayHarness();
  t.after(() => harness.close());
  const app = buildHttpServer(harness.warden, { logger: silent() });
  t.after(() => app.close());
  const response = await app.inject({ method: 'GET', url: '/metrics' });
  assert.equal(response.statusCode, 404);
});

test('an alert goes to a webhook that lists alert-raised, signed, and its delivery is recorded', async (t) => {
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const warden = await openWithFiles(
    t,
    `notifications:
  webhooks:
    - name: security
      url: http://127.0.0.1:${port}/hook
      secret: "\${file:webhook-secret}"
      events: [alert-raised]
monitoring:
  rules:
    denialBurst: { minDenials: 2, ratio: 0.5 }`,
    { 'webhook-secret': 'webhook-secret-for-tests-0123\n' },
  );
  await warden.gateway!.catalog.start();
  await warden.monitor!.start();
  const caller = await warden.store.agents.getByName('research-bot');
  for (let index = 0; index < 2; index += 1) {
    await warden.gateway!.pipeline.callTool({
      caller: { agent: caller!, roles: caller!.roles, credential: 'test' },
      session: { id: 's1', callCount: 0, toolCallCounts: new Map() },
      toolName: 'files__write_file',
      arguments: { path: 'x.txt', content: 'x' },
      clientIp: '127.0.0.1',
      requestId: 'test',
    });
  }
  await warden.monitor!.idle();
  await warden.notifier.flush();
  await waitFor(() => received.length === 1, 5000, 'the webhook delivery');
  const [delivery] = received;
  assert.equal(delivery!.headers['x-warden-event'], 'alert-raised');
  assert.ok(
    verifyWebhookSignature(
      'webhook-secret-for-tests-0123',
      delivery!.headers['x-warden-timestamp'] as string,
      delivery!.body,
      delivery!.headers['x-warden-signature'] as string,
    ),
  );
  const payload = JSON.parse(delivery!.body) as { event: string; alert: Record<string, unknown> };
  assert.equal(payload.event, 'alert-raised');
  assert.equal(payload.alert.agent, 'research-bot');
  assert.equal(payload.alert.rule, 'denial-burst');
  const notified = await warden.store.audit.query({ types: ['alert-notified'] });
  assert.equal(notified.length, 1);
  assert.equal(notified[0]!.detail.status, 'delivered');
  assert.equal(notified[0]!.detail.rule, 'denial-burst');
});
