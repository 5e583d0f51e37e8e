/** Token restoration over streamed deltas: whatever the chunk boundaries, the output is the restored text. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { StreamRestorer, holdBackLength, restoreTokens } from '../../src/llm/index.js';

const VALUES: Record<string, string> = {
  '[[EMAIL_3f9a1c2b]]': 'lan@example.com',
  '[[VN_CCCD_0a1b2c3d]]': '079190012345',
};
const lookup = (token: string): string | null => VALUES[token] ?? null;
const CANARY = 'wdn-canary-0123456789abcdef';

function split(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let last = 0;
  for (const point of points) {
    pieces.push(text.slice(last, point));
    last = point;
  }
  pieces.push(text.slice(last));
  return pieces;
}

test('any split of a text gives the same restored output as the whole text', () => {
  const parts = fc.constantFrom(
    'Hi ',
    '[[EMAIL_3f9a1c2b]]',
    '[[VN_CCCD_0a1b2c3d]]',
    '[[OTHER_ffffffff]]',
    '[',
    '[[',
    ']]',
    'x',
  );
  fc.assert(
    fc.property(
      fc.array(parts, { maxLength: 12 }),
      fc.array(fc.nat(200), { maxLength: 10 }),
      (chosen, cuts) => {
        const text = chosen.join('');
        const restorer = new StreamRestorer((raw) => restoreTokens(raw, lookup, false), null);
        let out = '';
        for (const piece of split(text, cuts)) out += restorer.push(piece);
        out += restorer.flush();
        assert.equal(out, restoreTokens(text, lookup, false));
      },
    ),
  );
});

test('a token split in the middle is held back until it is complete', () => {
  const restorer = new StreamRestorer((raw) => restoreTokens(raw, lookup, false), null);
  assert.equal(restorer.push('Write to [[EMA'), 'Write to ');
  assert.equal(restorer.push('IL_3f9a1c2b]] now'), 'lan@example.com now');
  assert.equal(restorer.flush(), '');
});

test('values restored into JSON text are escaped', () => {
  const quoted = (token: string): string | null => (token === '[[EMAIL_3f9a1c2b]]' ? 'a"b\\c' : null);
  const text = restoreTokens('{"to":"[[EMAIL_3f9a1c2b]]"}', quoted, true);
  assert.deepEqual(JSON.parse(text), { to: 'a"b\\c' });
});

test('a canary is only ever released whole', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(80), { maxLength: 8 }), (cuts) => {
      const text = `before ${CANARY} after`;
      const restorer = new StreamRestorer((raw) => raw, CANARY);
      const released: string[] = [];
      for (const piece of split(text, cuts)) released.push(restorer.push(piece));
      released.push(restorer.flush());
      assert.equal(released.join(''), text);
      const holder = released.find((piece) => piece.includes('wdn-canary'));
      assert.ok(holder?.includes(CANARY), 'the piece that carries the canary carries all of it');
    }),
  );
  assert.equal(holdBackLength('text wdn-can', CANARY), 7);
  assert.equal(holdBackLength('text [[EMAIL_3f', null), 10);
  assert.equal(holdBackLength('a [[', null), 2);
});
