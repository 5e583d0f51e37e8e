import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { connectClient, startGatewayServer } from './helpers.js';
import type { Connected, GatewayServer } from './helpers.js';

const RUNS = 10_000;

/** JSON-RPC-shaped messages, some well-formed, many not. */
const looseMessage = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      jsonrpc: fc.constantFrom('2.0', '2.0', '2.0', '1.0', 2),
      id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)),
      method: fc.constantFrom(
        'tools/call',
        'tools/list',
        'initialize',
        'ping',
        'resources/list',
        'prompts/get',
        'no/such/method',
        'notifications/initialized',
      ),
      params: fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            name: fc.oneof(fc.string(), fc.constantFrom('crm__read_customer', 'payments__transfer')),
            arguments: fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue())),
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);

/** Well-formed tools/call requests with arbitrary arguments: they reach the pipeline. */
const toolCall = fc.record({
  jsonrpc: fc.constant('2.0'),
  id: fc.integer({ min: 1 }),
  method: fc.constant('tools/call'),
  params: fc.record({
    name: fc.constantFrom(
      'crm__read_customer',
      'crm__search_customers',
      'crm__export_customers',
      'payments__transfer',
      'mail__send_email',
      'no__such_tool',
    ),
    arguments: fc.dictionary(
      fc.constantFrom('id', 'query', 'format', 'amount', 'to', 'extra'),
      fc.jsonValue(),
    ),
  }),
});

interface GeneratedRequest {
  method: string;
  session: 'valid' | 'none' | 'bogus';
  auth: 'valid' | 'none' | 'garbage';
  accept: string;
  contentType: string;
  body: string;
  version: string | undefined;
}

const validRequest: fc.Arbitrary<GeneratedRequest> = fc.record({
  method: fc.constant('POST'),
  session: fc.constant('valid' as const),
  auth: fc.constant('valid' as const),
  accept: fc.constant('application/json, text/event-stream'),
  contentType: fc.constant('application/json'),
  body: toolCall.map((message) => JSON.stringify(message)),
  version: fc.constant('2025-06-18'),
});

const anyRequest: fc.Arbitrary<GeneratedRequest> = fc.record({
  method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT'),
  session: fc.constantFrom('valid' as const, 'none' as const, 'bogus' as const),
  auth: fc.constantFrom('valid' as const, 'valid' as const, 'none' as const, 'garbage' as const),
  accept: fc.constantFrom('application/json, text/event-stream', 'application/json', '*/*'),
  contentType: fc.constantFrom('application/json', 'application/json', 'text/plain'),
  body: fc.oneof(
    looseMessage.map((message) => JSON.stringify(message)),
    fc.array(looseMessage, { maxLength: 3 }).map((messages) => JSON.stringify(messages)),
    fc.string(),
  ),
  version: fc.constantFrom(undefined, '2025-06-18', '2025-06-18', 'bogus'),
});

describe('/mcp under generated requests (fast-check)', () => {
  let gateway: GatewayServer;
  let session: Connected;
  let token: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  before(async () => {
    process.on('unhandledRejection', onUnhandled);
    gateway = await startGatewayServer();
    token = await gateway.token('support-bot');
    session = await connectClient(gateway.url, token);
  });

  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await session?.close();
    await gateway?.close();
  });

  test(`${RUNS} generated requests: each answered well-formed, the gateway keeps serving`, async () => {
    const started = Date.now();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(validRequest, anyRequest), async (generated) => {
        const headers: Record<string, string> = {
          'content-type': generated.contentType,
          accept: generated.accept,
        };
        if (generated.auth === 'valid') headers.authorization = `Bearer ${token}`;
        if (generated.auth === 'garbage') headers.authorization = 'Bearer a.b.c';
        if (generated.session === 'valid') headers['mcp-session-id'] = session.transport.sessionId!;
        if (generated.session === 'bogus') headers['mcp-session-id'] = 'bogus';
        if (generated.version !== undefined) headers['mcp-protocol-version'] = generated.version;
        const response = await fetch(`${gateway.url}/mcp`, {
          method: generated.method,
          headers,
          ...(generated.method === 'GET' ? {} : { body: generated.body }),
          signal: AbortSignal.timeout(10_000),
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
          // A notification stream was opened: close it again.
          await response.body?.cancel();
          return;
        }
        const text = await response.text();
        if (response.status === 202) return;
        const body = JSON.parse(text) as unknown;
        const messages = Array.isArray(body) ? body : [body];
        for (const message of messages as Array<Record<string, unknown>>) {
          assert.equal(message.jsonrpc, '2.0', `status ${response.status}: ${text.slice(0, 300)}`);
          const error = message.error as { code?: unknown } | undefined;
          assert.ok(
            'result' in message || typeof error?.code === 'number',
            `status ${response.status}: ${text.slice(0, 300)}`,
          );
        }
        assert.ok(response.status < 500, `status ${response.status}: ${text.slice(0, 300)}`);
      }),
      { numRuns: RUNS },
    );
    // How long it took is for the log, not a pass condition (speed is measured in bench/).
    console.log(`# ${RUNS} generated requests in ${Date.now() - started} ms`);
    assert.deepEqual(unhandled, []);
    // Plenty of the calls went through the whole pipeline.
    assert.ok((statuses.get(200) ?? 0) > RUNS / 4, JSON.stringify([...statuses]));
    // And the gateway still serves a normal call.
    const result = await session.client.callTool({ name: 'crm__read_customer', arguments: { id: 'c-1001' } });
    assert.equal(result.isError, undefined);
  });
});
