/**
 * Security review fixes of the LLM egress proxy, end to end with the official SDK clients: provider
 * errors never carry Warden's provider key to the agent, the audit log or the server log; unexpected
 * internal errors reach agents only as a generic WARDEN_INTERNAL naming the request id; and the kill
 * switch (a suspension, a lockdown) cuts off model calls in flight, the provider request included.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { llmRoutes } from '../../../src/fronts/llm/index.js';
import { Scanner, createInjectionScorer, defaultDetectors } from '../../../src/inspect/index.js';
import { LlmService } from '../../../src/llm/index.js';
import { createLogger } from '../../../src/server/logger.js';
import { eventually } from '../mcp/helpers.js';
import { startLlmHarness } from './harness.js';
import type { LlmHarness } from './harness.js';
import type { ReceivedRequest, StubProvider } from '../../llm/stub-provider.js';

/** The external provider's key: OpenAI's project key shape. */
const KEY = `sk-proj-${randomBytes(30).toString('hex')}`;
/** The Anthropic provider's key, as the harness configures it. */
const ANTHROPIC_KEY = 'sk-ant-stub-provider-key';

/** The key and the parts of it the stub echoes (see `unauthorized` in the stub provider). */
function traces(key: string): string[] {
  return [key, key.slice(-6), `****${key.slice(-4)}`, key.slice(6, 18), key.slice(8)];
}

let harness: LlmHarness;

before(async () => {
  harness = await startLlmHarness({ externalApiKey: KEY });
});
after(async () => {
  await harness.close();
});

/** Every audit entry, serialized. */
async function wholeAudit(): Promise<string> {
  const entries = await harness.gateway.server.warden.store.audit.query({});
  return JSON.stringify(entries);
}

/** Rejects with a clear message if `promise` has not settled within `ms` (a deadline, not a timing check). */
async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the stub received a request whose body holds `marker`. */
async function receivedWith(stub: StubProvider, marker: string): Promise<ReceivedRequest> {
  return eventually(
    () => stub.received.find((entry) => entry.raw.includes(marker)),
    `a request with ${marker}`,
  );
}

describe('provider errors never carry the provider key', () => {
  test('a 401 echoing the key gives the agent a fixed message; the key is in no log or audit entry', async () => {
    const client = await harness.openai('support-bot');
    let caught: unknown;
    try {
      await client.chat.completions.create({
        model: 'gpt',
        messages: [{ role: 'user', content: 'FAIL401 now' }],
      });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof OpenAI.APIError, `an APIError, got ${String(caught)}`);
    assert.equal(caught.status, 502);
    assert.match(caught.message, /WARDEN_PROVIDER_ERROR/);
    assert.match(caught.message, /refused Warden's credentials/);
    assert.match(caught.message, /llm\.providers\.external\.apiKey/);
    assert.doesNotMatch(caught.message, /Incorrect API key/, 'the provider’s own words stay server-side');
    const stubSaw = harness.external.received.at(-1);
    assert.equal(stubSaw?.headers.authorization, `Bearer ${KEY}`, 'the stub did get the key (and echoed it)');

    const failed = await eventually(
      async () =>
        (await harness.audit('model-call-failed')).find(
          (entry) => entry.detail.code === 'WARDEN_PROVIDER_ERROR',
        ),
      'model-call-failed',
    );
    assert.match(String(failed.detail.message), /refused Warden's credentials/);
    const logLine = await eventually(
      () =>
        harness.gateway.logs.find(
          (line) => line.includes('refused Warden') && line.includes('providerMessage'),
        ),
      'the server log line with the provider’s message',
    );
    assert.match(
      logLine,
      /Incorrect API key provided: \[REDACTED\]/,
      'the provider’s words are logged, scrubbed',
    );
    const audit = await wholeAudit();
    const logs = harness.gateway.logs.join('\n');
    for (const trace of traces(KEY)) {
      assert.ok(!caught.message.includes(trace), `the SDK error holds no "${trace}"`);
      assert.ok(!audit.includes(trace), `the audit log holds no "${trace}"`);
      assert.ok(!logs.includes(trace), `the server log holds no "${trace}"`);
    }
  });

  test('the same holds for the Anthropic API and its provider key', async () => {
    const client = await harness.anthropic('support-bot');
    let caught: unknown;
    try {
      await client.messages.create({
        model: 'claude',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'FAIL401 now' }],
      });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof Anthropic.APIError, `an APIError, got ${String(caught)}`);
    assert.match(caught.message, /refused Warden's credentials/);
    await eventually(
      () => harness.gateway.logs.find((line) => line.includes('refused Warden') && line.includes('"claude"')),
      'the server log line',
    );
    const audit = await wholeAudit();
    const logs = harness.gateway.logs.join('\n');
    for (const trace of traces(ANTHROPIC_KEY)) {
      assert.ok(!caught.message.includes(trace), `the SDK error holds no "${trace}"`);
      assert.ok(!audit.includes(trace), `the audit log holds no "${trace}"`);
      assert.ok(!logs.includes(trace), `the server log holds no "${trace}"`);
    }
  });
});

describe('the kill switch stops model calls in flight', () => {
  test('a stream is ended with WARDEN_AGENT_SUSPENDED and the provider request aborted', async () => {
    const { agents } = harness.gateway.server.warden;
    const client = await harness.openai('support-bot');
    const marker = `HANG-${randomBytes(4).toString('hex')}`;
    const stream = await client.chat.completions.create({
      model: 'gpt',
      messages: [{ role: 'user', content: marker }],
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await withDeadline(iterator.next(), 5000, 'the first chunk');
    assert.equal(first.done, false, 'the stream is running');
    const upstream = await receivedWith(harness.external, marker);
    await agents.suspend('support-bot', { actor: 'cli:test', reason: 'kill switch drill' });
    try {
      const outcome = withDeadline(
        (async () => {
          for (;;) {
            const next = await iterator.next();
            if (next.done === true) return 'ended without an error';
          }
        })(),
        5000,
        'the stream to end',
      );
      await assert.rejects(
        outcome,
        (error: unknown) =>
          error instanceof OpenAI.APIError &&
          /WARDEN_AGENT_SUSPENDED/.test(error.message) &&
          /kill switch drill/.test(error.message),
      );
      await eventually(() => (upstream.aborted ? true : undefined), 'the provider request to be aborted');
      const failed = await eventually(
        async () =>
          (await harness.audit('model-call-failed')).find(
            (entry) => entry.detail.code === 'WARDEN_AGENT_SUSPENDED',
          ),
        'model-call-failed with WARDEN_AGENT_SUSPENDED',
      );
      assert.equal(failed.detail.stage, 'response');
    } finally {
      await agents.resume('support-bot', { actor: 'cli:test' });
    }
  });

  test('a waiting non-streamed call gets WARDEN_AGENT_SUSPENDED in the Anthropic error shape', async () => {
    const { agents } = harness.gateway.server.warden;
    const client = await harness.anthropic('support-bot');
    const marker = `HANG-${randomBytes(4).toString('hex')}`;
    const call = client.messages.create({
      model: 'claude',
      max_tokens: 50,
      messages: [{ role: 'user', content: marker }],
    });
    const settled = call.then(
      () => null,
      (error: unknown) => error,
    );
    const upstream = await receivedWith(harness.external, marker);
    await agents.suspend('support-bot', { actor: 'cli:test', reason: 'drill two' });
    try {
      const error = await withDeadline(settled, 5000, 'the call to be answered');
      assert.ok(error instanceof Anthropic.PermissionDeniedError, `a 403, got ${String(error)}`);
      assert.match(error.message, /WARDEN_AGENT_SUSPENDED/);
      await eventually(() => (upstream.aborted ? true : undefined), 'the provider request to be aborted');
    } finally {
      await agents.resume('support-bot', { actor: 'cli:test' });
    }
  });

  test('a lockdown cuts off an Anthropic stream with an error event', async () => {
    const { agents } = harness.gateway.server.warden;
    const client = await harness.anthropic('support-bot');
    const marker = `HANG-${randomBytes(4).toString('hex')}`;
    const stream = await client.messages.create({
      model: 'claude',
      max_tokens: 50,
      messages: [{ role: 'user', content: marker }],
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await withDeadline(iterator.next(), 5000, 'the first event');
    const upstream = await receivedWith(harness.external, marker);
    await agents.lockdown({ actor: 'cli:test', reason: 'lockdown drill', except: [] });
    try {
      const outcome = withDeadline(
        (async () => {
          for (;;) {
            const next = await iterator.next();
            if (next.done === true) return 'ended without an error';
          }
        })(),
        5000,
        'the stream to end',
      );
      await assert.rejects(
        outcome,
        (error: unknown) =>
          error instanceof Anthropic.APIError && /WARDEN_AGENT_SUSPENDED/.test(error.message),
      );
      await eventually(() => (upstream.aborted ? true : undefined), 'the provider request to be aborted');
    } finally {
      await agents.liftLockdown({ actor: 'cli:test' });
    }
  });
});

/** A scanner that fails where told, as a bug in a component would. */
class FailingScanner extends Scanner {
  failOn: 'request' | 'response' | null = null;

  constructor() {
    super(defaultDetectors(), createInjectionScorer());
  }

  override scanValue(...args: Parameters<Scanner['scanValue']>): ReturnType<Scanner['scanValue']> {
    if (this.failOn === 'request')
      throw new TypeError('internal detail: /srv/warden/secret-path is undefined');
    return super.scanValue(...args);
  }

  override scanText(...args: Parameters<Scanner['scanText']>): ReturnType<Scanner['scanText']> {
    if (this.failOn === 'response')
      throw new TypeError('internal detail: /srv/warden/secret-path is undefined');
    return super.scanText(...args);
  }
}

describe('unexpected internal errors reach agents only as a generic WARDEN_INTERNAL', () => {
  let app: FastifyInstance;
  let url: string;
  const scanner = new FailingScanner();
  const logs: string[] = [];
  let verifyFails = false;

  before(async () => {
    const { warden } = harness.gateway.server;
    const gateway = warden.gateway;
    assert.ok(gateway !== null);
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      }),
    });
    const llm = new LlmService({
      config: warden.config,
      policy: gateway.policy,
      audit: warden.audit,
      clock: warden.clock,
      scanner,
      logger,
    });
    const loggerInstance: FastifyBaseLogger = logger;
    app = Fastify({ loggerInstance });
    await app.register(llmRoutes, {
      llm,
      tokens: {
        verify: async (token) => {
          if (verifyFails) throw new TypeError('internal detail: /srv/warden/secret-path is undefined');
          return warden.tokens.verify(token);
        },
      },
      bodyLimit: 1024 * 1024,
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app.close();
  });

  async function client(): Promise<OpenAI> {
    return new OpenAI({
      apiKey: await harness.gateway.token('support-bot'),
      baseURL: `${url}/v1`,
      maxRetries: 0,
    });
  }

  /** Checks the SDK error is the generic one and the log has the detail under its request id. */
  function assertGeneric(error: unknown): void {
    assert.ok(error instanceof OpenAI.APIError, `an APIError, got ${String(error)}`);
    assert.match(
      error.message,
      /WARDEN_INTERNAL: an internal error occurred; the server log has the details/,
    );
    assert.doesNotMatch(error.message, /secret-path/);
    const requestId = /under request id (\S+)/.exec(error.message)?.[1];
    assert.ok(requestId !== undefined, 'the message names the request id');
    const line = logs.find((entry) => entry.includes('secret-path') && entry.includes(requestId));
    assert.ok(line !== undefined, 'the server log has the detail under the request id');
  }

  test('a component failing on the request path', async () => {
    scanner.failOn = 'request';
    try {
      const openai = await client();
      const error = await openai.chat.completions
        .create({ model: 'gpt', messages: [{ role: 'user', content: 'hello' }] })
        .then(
          () => null,
          (thrown: unknown) => thrown,
        );
      assertGeneric(error);
      assert.ok(error instanceof OpenAI.APIError);
      assert.equal(error.status, 500);
    } finally {
      scanner.failOn = null;
    }
  });

  test('a component failing while a stream is restored', async () => {
    scanner.failOn = 'response';
    try {
      const openai = await client();
      const stream = await openai.chat.completions.create({
        model: 'gpt',
        messages: [{ role: 'user', content: 'hello there' }],
        stream: true,
      });
      let caught: unknown = null;
      try {
        for await (const chunk of stream) void chunk;
      } catch (error) {
        caught = error;
      }
      assertGeneric(caught);
    } finally {
      scanner.failOn = null;
    }
  });

  test('the token check failing', async () => {
    verifyFails = true;
    try {
      const openai = await client();
      const error = await openai.chat.completions
        .create({ model: 'gpt', messages: [{ role: 'user', content: 'hello' }] })
        .then(
          () => null,
          (thrown: unknown) => thrown,
        );
      assertGeneric(error);
    } finally {
      verifyFails = false;
    }
  });
});
