import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock, isWardenError } from '../../src/core/index.js';
import type { JsonObject } from '../../src/core/index.js';
import { ArgumentValidator } from '../../src/pipeline/arguments.js';
import { ToolRateLimiter } from '../../src/pipeline/index.js';
import { closestNames } from '../../src/pipeline/suggest.js';
import type { UpstreamTool } from '../../src/upstream/index.js';

describe('rate limiter (token buckets)', () => {
  const limits = {
    bot: {
      rateLimits: {
        crm__read: { requests: 6, per: 60, burst: 2 },
        '*': { requests: 100, per: 60 },
      },
    },
  };

  test('a burst is allowed up front, then calls come at the refill rate', () => {
    const clock = new ManualClock();
    const limiter = new ToolRateLimiter(limits, clock);
    assert.deepEqual(limiter.take('bot', 'crm__read'), { ok: true });
    assert.deepEqual(limiter.take('bot', 'crm__read'), { ok: true });
    const refused = limiter.take('bot', 'crm__read');
    // 6 per 60 s: one token every 10 s.
    assert.deepEqual(refused, {
      ok: false,
      retryAfterSeconds: 10,
      key: 'crm__read',
      requests: 6,
      perSeconds: 60,
    });
    clock.advance(9_000);
    assert.equal(limiter.take('bot', 'crm__read').ok, false);
    clock.advance(1_000);
    assert.equal(limiter.take('bot', 'crm__read').ok, true);
  });

  test('a refused call uses up no other limit', () => {
    const clock = new ManualClock();
    const limiter = new ToolRateLimiter(
      { bot: { rateLimits: { a: { requests: 1, per: 60 }, '*': { requests: 2, per: 60 } } } },
      clock,
    );
    assert.equal(limiter.take('bot', 'a').ok, true);
    assert.equal(limiter.take('bot', 'a').ok, false);
    assert.equal(limiter.take('bot', 'b').ok, true);
    assert.equal(limiter.take('bot', 'b').ok, false);
  });

  test('agents and tools without limits are never limited', () => {
    const limiter = new ToolRateLimiter(limits, new ManualClock());
    for (let index = 0; index < 1000; index += 1) {
      assert.equal(limiter.take('other-bot', 'crm__read').ok, true);
    }
  });

  test('a limit named like an Object prototype property is not confused with one', () => {
    const limiter = new ToolRateLimiter({ bot: { rateLimits: {} } }, new ManualClock());
    assert.equal(limiter.take('bot', 'constructor').ok, true);
    assert.equal(limiter.take('constructor', 'toString').ok, true);
  });
});

describe('did you mean', () => {
  const tools = ['crm__read_customer', 'crm__search_customers', 'payments__get_balance', 'files__read_file'];

  test('a misspelt name suggests the closest tool', () => {
    assert.deepEqual(closestNames('crm__read_custmer', tools), ['crm__read_customer']);
  });

  test('a name without its server suggests the full name', () => {
    assert.deepEqual(closestNames('read_customer', tools), ['crm__read_customer']);
  });

  test('an unrelated name suggests nothing', () => {
    assert.deepEqual(closestNames('launch_rockets', tools), []);
  });
});

describe('argument validation (ajv)', () => {
  const tool = (inputSchema: JsonObject): UpstreamTool => ({
    exposedName: 'demo__tool',
    server: 'demo',
    name: 'tool',
    inputSchema,
  });

  const problemsOf = (validator: ArgumentValidator, target: UpstreamTool, args: JsonObject): string[] => {
    try {
      validator.check(target, args);
      return [];
    } catch (error) {
      assert.ok(isWardenError(error, 'WARDEN_INVALID_ARGUMENTS'), String(error));
      return error.details.problems as string[];
    }
  };

  test('every problem is listed with the argument it concerns', () => {
    const validator = new ArgumentValidator();
    const target = tool({
      type: 'object',
      properties: {
        amount: { type: 'integer', minimum: 1 },
        currency: { enum: ['VND', 'EUR'] },
        to: { type: 'object', properties: { iban: { type: 'string' } }, required: ['iban'] },
      },
      required: ['amount', 'to'],
      additionalProperties: false,
    });
    assert.deepEqual(problemsOf(validator, target, { amount: 0, currency: 'USD', to: {}, memo: 'x' }), [
      'unexpected argument "memo"',
      '"amount" must be >= 1',
      '"currency" must be equal to one of the allowed values: "VND", "EUR"',
      'missing required argument "to.iban"',
    ]);
    assert.deepEqual(problemsOf(validator, target, { amount: 5, to: { iban: 'DE89' } }), []);
  });

  test('draft-07 and 2020-12 schemas are both understood', () => {
    const validator = new ArgumentValidator();
    const draft07 = tool({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] } },
    });
    const draft2020 = tool({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] } },
    });
    for (const target of [draft07, draft2020]) {
      assert.deepEqual(problemsOf(validator, target, { pair: ['a', 1] }), []);
      assert.deepEqual(problemsOf(validator, target, { pair: ['a', 'b'] }), ['"pair.1" must be number']);
    }
  });

  test('two tools whose schemas share an $id are validated each against its own', () => {
    const validator = new ArgumentValidator();
    const first = tool({ $id: 'https://example.com/args.json', type: 'object', required: ['a'] });
    const second = tool({ $id: 'https://example.com/args.json', type: 'object', required: ['b'] });
    assert.deepEqual(problemsOf(validator, first, { a: 1 }), []);
    assert.deepEqual(problemsOf(validator, second, { a: 1 }), ['missing required argument "b"']);
  });

  test('a schema that cannot be compiled refuses the call instead of skipping the check', () => {
    const validator = new ArgumentValidator();
    const broken = tool({ type: 'object', properties: { a: { $ref: '#/definitions/missing' } } });
    assert.throws(
      () => validator.check(broken, { a: 1 }),
      (error: unknown) =>
        isWardenError(error, 'WARDEN_UPSTREAM_INVALID_RESPONSE') && /cannot be compiled/.test(error.message),
    );
  });
});
