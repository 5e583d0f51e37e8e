/** Reconnect delays: doubling from the initial delay, capped, with ±20% jitter. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_BACKOFF, backoffDelay } from '../../src/upstream/backoff.js';

test('delays double from 0.5 s and stop growing at 30 s', () => {
  const middle = () => 0.5;
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 100].map((attempt) => backoffDelay(attempt, DEFAULT_BACKOFF, middle)),
    [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000],
  );
});

test('jitter spreads a delay by at most 20% either way', () => {
  assert.equal(
    backoffDelay(1, DEFAULT_BACKOFF, () => 0),
    800,
  );
  assert.equal(
    backoffDelay(1, DEFAULT_BACKOFF, () => 0.999999),
    1200,
  );
  assert.equal(
    backoffDelay(50, DEFAULT_BACKOFF, () => 0),
    24000,
  );
});

test('custom options are honoured', () => {
  assert.equal(
    backoffDelay(2, { initialMs: 50, maxMs: 1000 }, () => 0.5),
    200,
  );
  assert.equal(
    backoffDelay(9, { initialMs: 50, maxMs: 1000 }, () => 0.5),
    1000,
  );
});
