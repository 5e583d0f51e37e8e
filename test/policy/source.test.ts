import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import {
  actionScopeRange,
  byteOffsetToIndex,
  lineAndColumn,
  splitStatements,
} from '../../src/policy/source.js';

void test('statements split at semicolons outside strings and comments', () => {
  const text = [
    '// a comment; with a semicolon and a "quote',
    '@reason("a; b \\" c")',
    'permit (principal, action, resource) when { "x;" like "*;" };',
    '  forbid (principal, action, resource); // trailing; comment',
    '',
  ].join('\n');
  const statements = splitStatements(text).map(({ start, end }) => text.slice(start, end));
  assert.deepEqual(statements, [
    '@reason("a; b \\" c")\npermit (principal, action, resource) when { "x;" like "*;" };',
    'forbid (principal, action, resource);',
  ]);
  assert.equal(cedar.checkParsePolicySet({ staticPolicies: text }).type, 'success');
});

void test('text after the last semicolon is its own (unfinished) statement', () => {
  const text = 'permit (principal, action, resource);\nforbid (principal';
  assert.deepEqual(
    splitStatements(text).map(({ start, end }) => text.slice(start, end)),
    ['permit (principal, action, resource);', 'forbid (principal'],
  );
});

void test('byte offsets from Cedar map to character offsets across multi-byte characters', () => {
  const text = 'Việt 😀 x';
  const bytes = Buffer.from(text);
  for (const target of ['V', 't', '😀', 'x']) {
    const index = text.indexOf(target);
    const byteOffset = Buffer.byteLength(text.slice(0, index));
    assert.equal(byteOffsetToIndex(text, byteOffset), index, target);
  }
  assert.equal(byteOffsetToIndex(text, bytes.length), text.length);
  assert.deepEqual(lineAndColumn('ab\ncd\nef', 4), { line: 2, column: 2 });
  assert.deepEqual(lineAndColumn('ab', 0), { line: 1, column: 1 });
});

void test('the action scope is found in policy heads of every shape', () => {
  const cases: [string, string][] = [
    ['permit (principal, action, resource);', ' action'],
    [
      '@id("x") forbid(principal in Role::"a,b", action == Action::"t", resource in Server::"s");',
      ' action == Action::"t"',
    ],
    [
      '@permit("not the effect") @reason("(, [")\npermit (\n  principal is Agent in Role::"r", // a, comment\n  action in [Action::"a", Action::"b"],\n  resource\n) when { [1, 2].contains(1) };',
      ' // a, comment\n  action in [Action::"a", Action::"b"]',
    ],
  ];
  for (const [text, action] of cases) {
    const range = actionScopeRange(text);
    assert.ok(range, text);
    assert.equal(text.slice(range.start, range.end), action);
    const rewritten = `${text.slice(0, range.start)} action${text.slice(range.end)}`;
    const original = cedar.policyToJson(text);
    const unscoped = cedar.policyToJson(rewritten);
    assert.equal(original.type, 'success', text);
    assert.equal(unscoped.type, 'success', rewritten);
    if (original.type === 'success' && unscoped.type === 'success') {
      assert.deepEqual(
        unscoped.json,
        { ...original.json, action: { op: 'All' } },
        'only the action scope changes',
      );
    }
  }
  assert.equal(actionScopeRange('permit (principal, resource);'), null);
});
