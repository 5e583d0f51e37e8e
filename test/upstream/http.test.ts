/**
 * HTTP upstreams that misbehave: oversized, non-JSON and non-JSON-RPC replies, HTTP errors and an
 * invalid tool list, served by a minimal Streamable HTTP server (JSON replies, no sessions) in this process.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createUpstreamCatalog } from '../../src/upstream/index.js';
import type { UpstreamCatalog } from '../../src/upstream/index.js';
import { REPO_DIR, declare, rejectsWith, servers, stateOf, statusOf, textOf } from './helpers.js';

const LIMIT = 2048;
const TOOLS = ['echo', 'big', 'huge', 'huge_chunked', 'not_json', 'not_jsonrpc', 'http_500'].map((name) => ({
  name,
  inputSchema: { type: 'object' },
}));

type Message = { id?: number; method: string; params?: { name?: string; arguments?: { text?: string } } };

function answer(response: ServerResponse, status: number, body: string, type = 'application/json'): void {
  response.writeHead(status, { 'content-type': type }).end(body);
}

function handle(message: Message, response: ServerResponse, brokenList: boolean): void {
  if (message.id === undefined) return void response.writeHead(202).end();
  const result = (value: unknown): void =>
    answer(response, 200, JSON.stringify({ jsonrpc: '2.0', id: message.id, result: value }));
  const text = (value: string) => ({ content: [{ type: 'text', text: value }] });
  switch (message.method) {
    case 'initialize':
      return result({
        protocolVersion: '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'http-fixture', version: '1' },
      });
    case 'tools/list':
      return result(brokenList ? { tools: 'not a list' } : { tools: TOOLS });
    case 'tools/call':
      switch (message.params?.name) {
        case 'echo':
          return result(text(message.params.arguments?.text ?? ''));
        case 'big':
          return result(text('y'.repeat(LIMIT + 100)));
        case 'huge':
          return result(text('z'.repeat(LIMIT * 50)));
        case 'huge_chunked': {
          // No content-length: the size shows only while reading.
          response.writeHead(200, { 'content-type': 'application/json' });
          response.write(`{"jsonrpc":"2.0","id":${message.id},"result":{"content":[{"type":"text","text":"`);
          for (let index = 0; index < 50; index += 1) response.write('w'.repeat(LIMIT));
          return void response.end('"}]}}');
        }
        case 'not_json':
          return answer(response, 200, '<html>Bad gateway</html>');
        case 'not_jsonrpc':
          return answer(response, 200, JSON.stringify({ hello: 'world' }));
        case 'http_500':
          return answer(response, 500, 'internal error in the tool handler', 'text/plain');
        default:
          return answer(
            response,
            200,
            JSON.stringify({
              jsonrpc: '2.0',
              id: message.id,
              error: { code: -32602, message: 'unknown tool' },
            }),
          );
      }
    default:
      return answer(
        response,
        200,
        JSON.stringify({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32601, message: 'no such method' },
        }),
      );
  }
}

function fixtureServer(brokenList: boolean): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'POST') return void response.writeHead(405).end();
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => handle(JSON.parse(body) as Message, response, brokenList));
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

describe('misbehaving HTTP upstreams', () => {
  const good = fixtureServer(false);
  const broken = fixtureServer(true);
  let catalog: UpstreamCatalog;

  before(async () => {
    catalog = createUpstreamCatalog({
      baseDir: REPO_DIR,
      // Failed servers stay down for the whole suite.
      backoff: { initialMs: 60_000 },
      servers: servers({
        web: {
          transport: 'http',
          url: await listen(good),
          maxResultBytes: LIMIT,
          tools: declare('echo', 'big', 'huge', 'huge_chunked', 'not_json', 'not_jsonrpc', 'http_500'),
        },
        badlist: { transport: 'http', url: await listen(broken), tools: declare('echo') },
      }),
    });
    await catalog.start();
  });

  after(async () => {
    await catalog.close();
    good.closeAllConnections();
    broken.closeAllConnections();
    await Promise.all([
      new Promise((resolve) => good.close(resolve)),
      new Promise((resolve) => broken.close(resolve)),
    ]);
  });

  test('a call over HTTP works end to end', async () => {
    assert.equal(textOf(await catalog.callTool('web__echo', { text: 'chào' })), 'chào');
  });

  test('a result just over maxResultBytes is WARDEN_UPSTREAM_RESULT_TOO_LARGE', async () => {
    await rejectsWith(
      catalog.callTool('web__big', {}),
      'WARDEN_UPSTREAM_RESULT_TOO_LARGE',
      /the result of web__big is 2\d\d\d bytes, more than the 2048 bytes allowed/,
    );
  });

  test('a reply far over the limit is not read to the end, and the server keeps serving', async () => {
    await rejectsWith(
      catalog.callTool('web__huge', {}),
      'WARDEN_UPSTREAM_RESULT_TOO_LARGE',
      /the result of web__huge is larger than the 2048 bytes allowed/,
    );
    await rejectsWith(
      catalog.callTool('web__huge_chunked', {}),
      'WARDEN_UPSTREAM_RESULT_TOO_LARGE',
      /the result of web__huge_chunked is larger than the 2048 bytes allowed/,
    );
    assert.equal(stateOf(catalog, 'web'), 'ready');
    assert.equal(textOf(await catalog.callTool('web__echo', { text: 'ok' })), 'ok');
  });

  test('a reply that is not JSON is WARDEN_UPSTREAM_INVALID_RESPONSE', async () => {
    await rejectsWith(
      catalog.callTool('web__not_json', {}),
      'WARDEN_UPSTREAM_INVALID_RESPONSE',
      /web__not_json with something that is not a JSON-RPC message/,
    );
  });

  test('JSON that is not JSON-RPC is WARDEN_UPSTREAM_INVALID_RESPONSE', async () => {
    await rejectsWith(
      catalog.callTool('web__not_jsonrpc', {}),
      'WARDEN_UPSTREAM_INVALID_RESPONSE',
      /not a JSON-RPC message/,
    );
    assert.equal(stateOf(catalog, 'web'), 'ready');
  });

  test('an HTTP 500 for one call is WARDEN_UPSTREAM_ERROR and the server stays ready', async () => {
    const error = await rejectsWith(
      catalog.callTool('web__http_500', {}),
      'WARDEN_UPSTREAM_ERROR',
      /server "web" answered the call to web__http_500 with HTTP 500: .*internal error in the tool handler/,
    );
    assert.equal(error.details.httpStatus, 500);
    assert.equal(stateOf(catalog, 'web'), 'ready');
  });

  test('a server whose tool list is invalid is down, saying why', () => {
    const status = statusOf(catalog, 'badlist');
    assert.equal(status.state, 'down');
    assert.match(status.lastError ?? '', /its tools\/list answer is not a valid MCP tool list \(tools: /);
  });
});
