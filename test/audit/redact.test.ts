import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REDACTED, isSecretKey, redactDetail, redactString } from '../../src/audit/index.js';
import type { JsonObject, JsonValue } from '../../src/core/index.js';

const JWT =
  'eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiJzdXBwb3J0LWJvdCIsImV4cCI6MTc2NzIyNTYwMH0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MC4CAQAwBQYDK2VwBCIEIOqs1dXb5Hqd0YkFvGJ4y1u5q3mVY3P0bZ3O8kF7hYzq',
  '-----END PRIVATE KEY-----',
].join('\n');

describe('redactDetail', () => {
  test('values under keys that name secrets are redacted, at any depth and in arrays', () => {
    const detail: JsonObject = {
      password: 'hunter2',
      Password: 'x',
      passwd: 'x',
      client_secret: 'x',
      clientSecret: 'x',
      apiKey: 'x',
      api_key: 'x',
      'X-Api-Key': 'x',
      Authorization: 'Basic eDp5',
      'proxy-authorization': 'x',
      cookie: 'sid=1',
      'Set-Cookie': ['a=1', 'b=2'],
      access_token: 'x',
      refresh_token: 'x',
      id_token: 'x',
      privateKey: { kty: 'OKP', d: 'x' },
      private_key_pem: 'x',
      MASTER_KEY: 'x',
      credentials: { user: 'u', pass: 'p' },
      pin_password: 1234,
      nested: { deeper: [{ token: 'abc' }, { secret: 'def' }] },
    };
    const redacted = redactDetail(detail);
    for (const key of Object.keys(detail).filter((key) => key !== 'nested')) {
      assert.equal(redacted[key], REDACTED, `${key} is redacted`);
    }
    assert.deepEqual(redacted.nested, { deeper: [{ token: REDACTED }, { secret: REDACTED }] });
  });

  test('keys that describe a secret rather than hold one are kept', () => {
    const detail: JsonObject = {
      tokenId: 'jti_1',
      secretVersion: 3,
      secretRotatedAt: '2026-01-01T00:00:00.000Z',
      maxTokens: 512,
      token_count: 10,
      tokenEndpoint: 'https://warden.example/oauth/token',
      authorizationDecision: 'allow',
      hasPassword: true,
      password: null,
      keyId: 'k1',
      client_id: 'support-bot',
    };
    assert.deepEqual(redactDetail(detail), detail);
    assert.equal(isSecretKey('tokenId'), false);
    assert.equal(isSecretKey('accessToken'), true);
  });

  test('credential-shaped strings are redacted wherever they appear, keeping the text around them', () => {
    const detail: JsonObject = {
      message: `issued ${JWT} to support-bot`,
      args: ['--secret', 'wsec_Ab9_-xyz0123456789'],
      key: PEM,
      dsn: 'postgres://warden:s3cret%21@db.internal:5432/warden',
      header: 'Authorization: Bearer abcdef0123456789',
      fine: 'postgres://db.internal:5432/warden and Basic information and a bearer of news',
      publicKey: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----',
    };
    assert.deepEqual(redactDetail(detail), {
      message: `issued ${REDACTED} to support-bot`,
      args: ['--secret', REDACTED],
      key: REDACTED,
      dsn: `postgres://warden:${REDACTED}@db.internal:5432/warden`,
      header: `Authorization: Bearer ${REDACTED}`,
      fine: 'postgres://db.internal:5432/warden and Basic information and a bearer of news',
      publicKey: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----',
    });
  });

  test('model provider keys are redacted, whole or masked as providers echo them', () => {
    const openai = 'sk-proj-Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdEf';
    const anthropic = 'sk-ant-api03-Zx9yWv8uTs7rQp6oNm5lKj4iHg3fEd2cBa1-_AbCdEfGhIj';
    const legacy = 'sk-4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a';
    assert.equal(
      redactString(`Incorrect API key provided: ${openai}.`),
      `Incorrect API key provided: ${REDACTED}.`,
    );
    assert.equal(redactString(`key ${anthropic} refused`), `key ${REDACTED} refused`);
    assert.equal(redactString(`(${legacy})`), `(${REDACTED})`);
    assert.equal(
      redactString('Incorrect API key provided: sk-proj-****************************************wxyz.'),
      `Incorrect API key provided: ${REDACTED}.`,
    );
    assert.equal(redactString('sk-ab**************wxyz'), REDACTED);
    // Prose and words that merely contain "sk-" are left alone.
    for (const fine of ['use sk-learn for this', 'a task-list-0123456789 here', 'risk-1234567890abc']) {
      assert.equal(redactString(fine), fine);
    }
  });

  test('a PEM private key cut before its END line is still redacted', () => {
    assert.equal(redactString(`key: ${PEM.slice(0, 60)}`), `key: ${REDACTED}`);
    assert.equal(
      redactString('-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY----- done'),
      `${REDACTED} done`,
    );
  });

  test('the input is not changed', () => {
    const detail: JsonObject = { password: 'p', nested: { token: 't' } };
    const copy = structuredClone(detail);
    redactDetail(detail);
    assert.deepEqual(detail, copy);
  });

  test('long strings are cut with a marker, and a secret at the cut is still redacted', () => {
    const long = 'a'.repeat(10_000);
    const redacted = redactDetail({ long, straddling: `${'b'.repeat(4090)} wsec_0123456789abcdef` });
    assert.equal(redacted.long, `${'a'.repeat(4096)}…[TRUNCATED: 10000 characters]`);
    assert.equal((redacted.straddling as string).includes('wsec_0'), false);
    assert.equal((redacted.straddling as string).includes('wsec'), false);
  });

  test('nesting beyond the depth limit is replaced by a marker', () => {
    let deep: JsonValue = 'bottom';
    for (let index = 0; index < 100; index += 1) deep = { next: deep };
    const redacted = redactDetail({ deep });
    const text = JSON.stringify(redacted);
    assert.match(text, /\[TRUNCATED: nested deeper than 32\]/);
    assert.equal(text.includes('bottom'), false);
    assert.equal((text.match(/"next"/g) ?? []).length, 31);
  });

  test('a cyclic object ends at the depth limit instead of looping', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const redacted = redactDetail(cyclic as JsonObject);
    assert.match(JSON.stringify(redacted), /TRUNCATED: nested deeper than 32/);
  });

  test('a detail with too many values is cut at the node limit with a marker', () => {
    const items = Array.from({ length: 50_000 }, (_, index) => index);
    const redacted = redactDetail({ items, after: 'x' });
    const list = redacted.items as JsonValue[];
    assert.ok(list.length <= 10_001);
    assert.match(list[list.length - 1] as string, /^\[TRUNCATED: \d+ more items\]$/);
    assert.equal(redacted['[truncated]'], '1 more keys');
    assert.ok(JSON.stringify(redactDetail({ items }, { maxNodes: 100 })).length < 1000);
  });

  test('values JSON cannot hold become null or are dropped, and a __proto__ key stays an ordinary key', () => {
    const detail = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as JsonObject;
    Object.assign(detail, {
      nan: Number.NaN,
      missing: undefined,
      fn: () => 1,
      when: new Date('2026-01-01T00:00:00Z'),
    });
    const redacted = redactDetail(detail);
    assert.equal(Object.getPrototypeOf(redacted), Object.prototype);
    assert.deepEqual(Object.keys(redacted), ['__proto__', 'ok', 'nan', 'when']);
    assert.equal(redacted.nan, null);
    assert.equal(redacted.when, '2026-01-01T00:00:00.000Z');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('hostile strings built to make the patterns backtrack are handled quickly', () => {
    const hostile = [
      'eyJ'.repeat(400_000),
      `${'a'.repeat(500_000)}://${'b'.repeat(500_000)}`,
      `x://u:${'p'.repeat(1_000_000)}`,
      '-----BEGIN PRIVATE KEY-----'.repeat(40_000),
      `Bearer ${'a'.repeat(1_000_000)}`,
      'sk-'.repeat(400_000),
      ` sk-${'a'.repeat(1_000_000)}`,
      ' sk-a'.repeat(200_000),
    ];
    const started = process.hrtime.bigint();
    for (const text of hostile) redactDetail({ text, list: [text, text] });
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(elapsedMs < 2000, `took ${elapsedMs} ms`);
  });
});
