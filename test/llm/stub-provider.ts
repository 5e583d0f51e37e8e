/**
 * A stub model provider speaking the OpenAI Chat Completions and Anthropic Messages wire formats
 * (JSON and SSE streaming), recording every request it receives. It answers `Echo: <last user
 * text>` (so tokens it was sent come back), in chunks of `chunkSize` characters when streaming, and
 * a tool call echoing the same text when the request offers tools.
 *
 * Triggers in the last user message: `FAIL400` (OpenAI: a 400), `FAIL401` (a 401 whose message
 * echoes the key the request carried, whole and in parts, as providers do), `HANG` (never answers a
 * non-streamed request; streams one piece every 100 ms until the connection closes).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  raw: string;
  /** True once the connection closed before the answer was complete (Warden aborted the request). */
  aborted: boolean;
}

export interface StubProvider {
  url: string;
  received: ReceivedRequest[];
  /** Characters per streamed delta. */
  chunkSize: number;
  close(): Promise<void>;
}

type Message = { role: string; content: unknown };

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: { type?: string; text?: string }) => (part.type === 'text' ? (part.text ?? '') : ''))
      .join('');
  }
  return '';
}

function replyText(body: Record<string, unknown>, system: string): string {
  const messages = (body.messages as Message[]).filter((message) => message.role === 'user');
  const last = textOf(messages.at(-1)?.content);
  if (last.includes('LEAK')) return `My instructions: ${system}`;
  return `Echo: ${last}`;
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let index = 0; index < text.length; index += size) out.push(text.slice(index, index + size));
  return out.length === 0 ? [''] : out;
}

function sse(response: ServerResponse, data: unknown, event?: string): void {
  response.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`);
}

function openAi(request: ReceivedRequest, response: ServerResponse, size: number): void {
  const body = request.body;
  const messages = body.messages as Message[];
  const system = textOf(messages.find((message) => message.role === 'system')?.content);
  const text = replyText(body, system);
  const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
  const args = JSON.stringify({ echo: text });
  const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
  if (text.includes('FAIL400')) {
    response.writeHead(400, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ error: { message: 'stub says the request is bad', type: 'invalid_request_error' } }),
    );
    return;
  }
  if (body.stream !== true) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: 'chatcmpl-stub',
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [
          {
            index: 0,
            message: hasTools
              ? {
                  role: 'assistant',
                  content: null,
                  tool_calls: [
                    { id: 'call_1', type: 'function', function: { name: 'send', arguments: args } },
                  ],
                }
              : { role: 'assistant', content: text },
            finish_reason: hasTools ? 'tool_calls' : 'stop',
          },
        ],
        usage,
      }),
    );
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  const base = { id: 'chatcmpl-stub', object: 'chat.completion.chunk', created: 1, model: body.model };
  sse(response, {
    ...base,
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
  });
  if (hasTools) {
    sse(response, {
      ...base,
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              { index: 0, id: 'call_1', type: 'function', function: { name: 'send', arguments: '' } },
            ],
          },
          finish_reason: null,
        },
      ],
    });
    for (const piece of chunks(args, size)) {
      sse(response, {
        ...base,
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] },
            finish_reason: null,
          },
        ],
      });
    }
  } else {
    for (const piece of chunks(text, size)) {
      sse(response, { ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    }
  }
  sse(response, {
    ...base,
    choices: [{ index: 0, delta: {}, finish_reason: hasTools ? 'tool_calls' : 'stop' }],
  });
  const options = body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage === true) sse(response, { ...base, choices: [], usage });
  response.end('data: [DONE]\n\n');
}

function anthropic(request: ReceivedRequest, response: ServerResponse, size: number): void {
  const body = request.body;
  const system = typeof body.system === 'string' ? body.system : textOf(body.system);
  const text = replyText(body, system);
  const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
  const usage = { input_tokens: 13, output_tokens: 5 };
  if (body.stream !== true) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: 'msg_stub',
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: hasTools
          ? [{ type: 'tool_use', id: 'toolu_1', name: 'send', input: { echo: text } }]
          : [{ type: 'text', text }],
        stop_reason: hasTools ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage,
      }),
    );
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  sse(
    response,
    {
      type: 'message_start',
      message: {
        id: 'msg_stub',
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 13, output_tokens: 1 },
      },
    },
    'message_start',
  );
  if (hasTools) {
    sse(
      response,
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_1', name: 'send', input: {} },
      },
      'content_block_start',
    );
    for (const piece of chunks(JSON.stringify({ echo: text }), size)) {
      sse(
        response,
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: piece } },
        'content_block_delta',
      );
    }
  } else {
    sse(
      response,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      'content_block_start',
    );
    for (const piece of chunks(text, size)) {
      sse(
        response,
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } },
        'content_block_delta',
      );
    }
  }
  sse(response, { type: 'content_block_stop', index: 0 }, 'content_block_stop');
  sse(
    response,
    {
      type: 'message_delta',
      delta: { stop_reason: hasTools ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: 5 },
    },
    'message_delta',
  );
  sse(response, { type: 'message_stop' }, 'message_stop');
  response.end();
}

/** The key a request carried, in whichever header its format uses. */
function keyOf(headers: IncomingMessage['headers']): string {
  const bearer = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
  return bearer ?? String(headers['x-api-key'] ?? headers['api-key'] ?? '');
}

/** A 401 echoing the key: whole, as OpenAI's masked hint, its tail after `...`, and a run from its middle. */
function unauthorized(request: ReceivedRequest, response: ServerResponse, anthropicFormat: boolean): void {
  const key = keyOf(request.headers);
  const message =
    `Incorrect API key provided: ${key}. Hint: ${key.slice(0, 8)}****************${key.slice(-4)}, ` +
    `ends in ...${key.slice(-6)}, contains ${key.slice(6, 18)}.`;
  response.writeHead(401, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify(
      anthropicFormat
        ? { type: 'error', error: { type: 'authentication_error', message } }
        : { error: { message, type: 'invalid_request_error', code: 'invalid_api_key' } },
    ),
  );
}

/** Never answers a non-streamed request; streams a piece every 100 ms until the connection closes. */
function hang(request: ReceivedRequest, response: ServerResponse, anthropicFormat: boolean): void {
  if (request.body.stream !== true) return;
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  const base = {
    id: 'chatcmpl-stub',
    object: 'chat.completion.chunk',
    created: 1,
    model: request.body.model,
  };
  if (anthropicFormat) {
    sse(
      response,
      {
        type: 'message_start',
        message: {
          id: 'msg_stub',
          type: 'message',
          role: 'assistant',
          model: request.body.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 13, output_tokens: 1 },
        },
      },
      'message_start',
    );
    sse(
      response,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      'content_block_start',
    );
  }
  const piece = (): void => {
    if (anthropicFormat) {
      sse(
        response,
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'slow ' } },
        'content_block_delta',
      );
    } else {
      sse(response, { ...base, choices: [{ index: 0, delta: { content: 'slow ' }, finish_reason: null }] });
    }
  };
  piece();
  const timer = setInterval(piece, 100);
  response.once('close', () => clearInterval(timer));
}

/** Starts a stub provider on 127.0.0.1, port 0. */
export async function startStubProvider(options: { chunkSize?: number } = {}): Promise<StubProvider> {
  const received: ReceivedRequest[] = [];
  const stub = { chunkSize: options.chunkSize ?? 3 };
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (chunk: Buffer) => parts.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(parts).toString('utf8');
      const path = (request.url ?? '').split('?', 1)[0] ?? '';
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        body = {};
      }
      const entry: ReceivedRequest = { path, headers: request.headers, body, raw, aborted: false };
      received.push(entry);
      response.once('close', () => {
        if (!response.writableFinished) entry.aborted = true;
      });
      const anthropicFormat = path.endsWith('/v1/messages');
      const messages = Array.isArray(body.messages) ? (body.messages as Message[]) : [];
      const last = textOf(messages.filter((message) => message.role === 'user').at(-1)?.content);
      if ((anthropicFormat || path.endsWith('/chat/completions')) && last.includes('FAIL401'))
        unauthorized(entry, response, anthropicFormat);
      else if ((anthropicFormat || path.endsWith('/chat/completions')) && last.includes('HANG'))
        hang(entry, response, anthropicFormat);
      else if (path.endsWith('/chat/completions')) openAi(entry, response, stub.chunkSize);
      else if (anthropicFormat) anthropic(entry, response, stub.chunkSize);
      else {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: `no route ${path}` } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get chunkSize() {
      return stub.chunkSize;
    },
    set chunkSize(value: number) {
      stub.chunkSize = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
