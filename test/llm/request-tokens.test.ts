/** Tokens of one model request: stable within it, distinct across requests, in the vault's format, forgettable. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TOKEN_PATTERN } from '../../src/inspect/index.js';
import { RequestTokens } from '../../src/llm/request-tokens.js';

void test('a value gets one token per request, in the vault format, and restores to itself', () => {
  const tokens = new RequestTokens();
  const email = tokens.tokenize('email', 'lan@example.com');
  assert.match(email, new RegExp(`^${TOKEN_PATTERN.source}$`));
  assert.match(email, /^\[\[EMAIL_[0-9a-f]{8}\]\]$/);
  assert.equal(tokens.tokenize('email', 'lan@example.com'), email);
  assert.notEqual(tokens.tokenize('email', 'hoa@example.com'), email);
  // the same text as another type is another token
  assert.notEqual(tokens.tokenize('person_name', 'lan@example.com'), email);
  assert.equal(tokens.restore(email), 'lan@example.com');
  assert.equal(tokens.restore('[[EMAIL_00000000]]'), null);
  assert.equal(tokens.size, 3);
  tokens.clear();
  assert.equal(tokens.restore(email), null);
  assert.equal(tokens.size, 0);
});

void test('another request gives the same value another token, and cannot restore the first one', () => {
  const first = new RequestTokens();
  const second = new RequestTokens();
  const a = first.tokenize('phone', '+84 912 345 678');
  const b = second.tokenize('phone', '+84 912 345 678');
  assert.notEqual(a, b);
  assert.equal(second.restore(a), null);
  assert.notEqual(first.nonce(16), second.nonce(16));
  assert.match(first.nonce(16), /^[0-9a-f]{16}$/);
});

void test('many values in one request never share a token', () => {
  const tokens = new RequestTokens();
  const seen = new Map<string, string>();
  for (let index = 0; index < 20_000; index++) {
    const value = `customer-${index}@example.com`;
    const token = tokens.tokenize('email', value);
    assert.equal(seen.get(token), undefined, `${token} issued twice`);
    seen.set(token, value);
  }
  for (const [token, value] of seen) assert.equal(tokens.restore(token), value);
});
