/** Provider errors: every trace of the provider key is scrubbed from what a provider said. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProviderConfig } from '../../src/config/llm-schema.js';
import { createProviderAdapter, providerError, scrubProviderKey } from '../../src/llm/providers.js';

const KEY = 'sk-proj-Q7xV2mLr9TbN4cZp8WkYs1HdEf6GjAu3';
const OTHER_KEY = 'a81f2c9e0b7d4e5f9a3c6b1d2e8f7a90'; // an Azure-style key: no `sk-`

function adapter(apiKey: string | undefined): ReturnType<typeof createProviderAdapter> {
  return createProviderAdapter('openai', {
    type: 'openai',
    apiKey,
    local: false,
    dataClasses: {},
    timeout: 120,
    maxResponseBytes: 1024 * 1024,
    anthropicVersion: '2023-06-01',
  } as unknown as ProviderConfig);
}

describe('scrubProviderKey', () => {
  test('the key, any run of 8 or more of its characters, and masked forms are replaced', () => {
    const cases: [string, string][] = [
      [`Incorrect API key provided: ${KEY}.`, 'Incorrect API key provided: [REDACTED].'],
      [`key ${KEY.slice(10, 22)} is wrong`, 'key [REDACTED] is wrong'],
      [
        `Incorrect API key provided: sk-proj-****************${KEY.slice(-4)}.`,
        'Incorrect API key provided: [REDACTED].',
      ],
      [`ends in ...${KEY.slice(-4)}`, 'ends in [REDACTED]'],
      [`ends in \u2026${KEY.slice(-5)}!`, 'ends in [REDACTED]!'],
    ];
    for (const [text, expected] of cases) assert.equal(scrubProviderKey(text, KEY), expected, text);
  });

  test('a key without the sk- shape is scrubbed as well', () => {
    assert.equal(scrubProviderKey(`invalid key ${OTHER_KEY}`, OTHER_KEY), 'invalid key [REDACTED]');
    assert.equal(
      scrubProviderKey(`invalid key ****${OTHER_KEY.slice(-4)}`, OTHER_KEY),
      'invalid key [REDACTED]',
    );
    assert.equal(scrubProviderKey(`part ${OTHER_KEY.slice(3, 13)} here`, OTHER_KEY), 'part [REDACTED] here');
  });

  test('any sk- shaped word is replaced even without a configured key; other text is kept', () => {
    assert.equal(scrubProviderKey('someone sent sk-ant-api03-abc', undefined), 'someone sent [REDACTED]');
    const prose = 'The model gpt-4o-mini does not exist... try again, or ask for access (risk-free).';
    assert.equal(scrubProviderKey(prose, KEY), prose);
    assert.equal(scrubProviderKey(prose, OTHER_KEY), prose);
  });

  test('a long hostile text is handled in linear time', () => {
    const text =
      `${KEY.slice(0, 7)}x`.repeat(50_000) +
      '*'.repeat(100_000) +
      KEY.slice(-4) +
      ` sk-${'.'.repeat(100_000)} ${'.'.repeat(100_000)}x`;
    const started = process.hrtime.bigint();
    scrubProviderKey(text, KEY);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(elapsedMs < 2000, `took ${elapsedMs} ms`);
  });
});

describe('providerError', () => {
  test('401 and 403 give a fixed message and log the scrubbed provider text', () => {
    for (const status of [401, 403]) {
      const logged: object[] = [];
      const error = providerError(
        adapter(KEY),
        status,
        JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } }),
        (fields) => logged.push(fields),
      );
      assert.equal(error.code, 'WARDEN_PROVIDER_ERROR');
      assert.match(error.message, /refused Warden's credentials/);
      assert.doesNotMatch(error.message, /Incorrect API key/);
      assert.deepEqual(logged, [
        {
          provider: 'openai',
          providerStatus: status,
          providerMessage: 'Incorrect API key provided: [REDACTED]',
        },
      ]);
    }
  });

  test('other errors keep the provider text, scrubbed, also when the key straddles the length cut', () => {
    const rejected = providerError(
      adapter(KEY),
      400,
      JSON.stringify({ error: { message: `bad request from ${KEY.slice(3)}` } }),
    );
    assert.equal(rejected.code, 'WARDEN_PROVIDER_REJECTED');
    assert.match(rejected.message, /bad request from \[REDACTED\]/);
    const long = providerError(
      adapter(OTHER_KEY),
      500,
      JSON.stringify({ message: `${'x'.repeat(490)} ${OTHER_KEY}` }),
    );
    assert.ok(!long.message.includes(OTHER_KEY.slice(0, 9)), long.message);
  });
});
