import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { canonicalJson, checkpointPayload, computeEntryHash } from '../../src/audit/index.js';
import type { UnhashedAuditEntry } from '../../src/audit/index.js';
import type { JsonValue } from '../../src/core/index.js';
import { GENESIS_HASH } from '../../src/store/index.js';

const ENTRY: UnhashedAuditEntry = {
  seq: 7,
  time: '2026-03-01T10:00:00.000Z',
  type: 'agent-suspended',
  actor: 'admin:alice',
  session: 'ses_1',
  subject: 'agent:support-bot',
  decision: 'deny',
  policyIds: ['p1'],
  detail: { reason: 'incident 42', n: 1 },
  detailDigest: 'd'.repeat(64),
  prevHash: GENESIS_HASH,
};

describe('canonical encoding', () => {
  test('canonicalJson follows RFC 8785 (sorted keys, ECMAScript numbers, minimal escapes)', () => {
    // The example of RFC 8785 section 3.2.2.
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as JsonValue;
    assert.equal(
      canonicalJson(input),
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  test('computeEntryHash is SHA-256 over the canonical JSON of every field but the hash', () => {
    const text =
      '{"actor":"admin:alice","decision":"deny","detail":{"n":1,"reason":"incident 42"},' +
      `"detailDigest":"${'d'.repeat(64)}","policyIds":["p1"],"prevHash":"${GENESIS_HASH}",` +
      '"seq":7,"session":"ses_1","subject":"agent:support-bot","time":"2026-03-01T10:00:00.000Z","type":"agent-suspended"}';
    assert.equal(computeEntryHash(ENTRY), createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  test('the entry hash changes when any one field changes', () => {
    const base = computeEntryHash(ENTRY);
    const changes: Array<Partial<UnhashedAuditEntry>> = [
      { seq: 8 },
      { time: '2026-03-01T10:00:00.001Z' },
      { type: 'agent-resumed' },
      { actor: 'admin:mallory' },
      { session: null },
      { subject: 'agent:finance-bot' },
      { decision: 'allow' },
      { policyIds: [] },
      { policyIds: ['p1', 'p2'] },
      { detail: { reason: 'incident 43', n: 1 } },
      { detail: { reason: 'incident 42', n: 1, extra: null } },
      { detailDigest: 'e'.repeat(64) },
      { prevHash: 'a'.repeat(64) },
    ];
    const seen = new Set([base]);
    for (const change of changes) {
      const hash = computeEntryHash({ ...ENTRY, ...change });
      assert.notEqual(hash, base, `changing ${Object.keys(change).join()} must change the hash`);
      seen.add(hash);
    }
    assert.equal(seen.size, changes.length + 1);
  });

  test('the entry hash does not depend on key order, so an entry read back from any store hashes the same', () => {
    const reordered = Object.fromEntries(Object.entries(ENTRY).reverse()) as unknown as UnhashedAuditEntry;
    reordered.detail = { n: 1, reason: 'incident 42' };
    assert.equal(computeEntryHash(reordered), computeEntryHash(ENTRY));
  });

  test('fields outside the hashed set (such as a stored hash) do not change the hash', () => {
    const withHash = { ...ENTRY, hash: 'x'.repeat(64) } as UnhashedAuditEntry;
    assert.equal(computeEntryHash(withHash), computeEntryHash(ENTRY));
  });

  test('a checkpoint payload is the UTF-8 canonical JSON of seq, hash, time and key id', () => {
    const payload = checkpointPayload({
      seq: 5,
      hash: 'ab'.repeat(32),
      time: '2026-03-01T10:00:00.000Z',
      keyId: 'k1',
    });
    assert.equal(
      Buffer.from(payload).toString('utf8'),
      `{"hash":"${'ab'.repeat(32)}","keyId":"k1","seq":5,"time":"2026-03-01T10:00:00.000Z"}`,
    );
  });

  test('values JSON cannot hold are refused with a clear error', () => {
    assert.throws(() => canonicalJson({ n: Number.POSITIVE_INFINITY }), {
      code: 'WARDEN_INTERNAL',
      message: /could not be canonicalized .*Infinity is not allowed.*pass plain JSON values only/,
    });
    assert.throws(() => canonicalJson(undefined as unknown as JsonValue), { code: 'WARDEN_INTERNAL' });
  });
});
