import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AuditLog,
  canonicalJson,
  checkpointPayload,
  computeDetailDigest,
  computeEntryHash,
  verifyAuditLog,
} from '../../src/audit/index.js';
import { GENESIS_HASH } from '../../src/store/index.js';
import type { StoreFixture } from '../store/helpers.js';
import { DIGEST_KEY, ENGINES, instrumentedStore, makeLog, recordMany } from './helpers.js';

for (const engine of ENGINES) {
  describe(`AuditLog on ${engine.name}`, { skip: engine.skip }, () => {
    let fixture: StoreFixture;
    before(async () => {
      fixture = await engine.make();
    });
    after(async () => {
      await fixture.cleanup();
    });

    // Each test gets its own database so seqs start at 1.
    const fresh = (): Promise<StoreFixture> => engine.make();

    test('entries are chained: seq 1 links to the genesis hash and each entry to the one before', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const { log } = makeLog(store.audit);
        const entries = await recordMany(log, 5);
        assert.deepEqual(
          entries.map((entry) => entry.seq),
          [1, 2, 3, 4, 5],
        );
        assert.equal(entries[0]!.prevHash, GENESIS_HASH);
        for (let index = 1; index < entries.length; index += 1) {
          assert.equal(entries[index]!.prevHash, entries[index - 1]!.hash);
        }
        for (const entry of entries) {
          const { hash, ...unhashed } = entry;
          assert.equal(computeEntryHash(unhashed), hash);
          assert.match(hash, /^[0-9a-f]{64}$/);
        }
        const stored = await store.audit.query({});
        assert.deepEqual(stored, entries);
      } finally {
        await current.cleanup();
      }
    });

    test('record() stores every field of the event and the clock time', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const { log, clock } = makeLog(store.audit);
        clock.set('2026-04-02T03:04:05.678Z');
        const entry = await log.record({
          type: 'tool-call-denied',
          actor: 'agent:finance-bot',
          session: 'ses_1',
          subject: 'tool:crm__delete',
          decision: 'deny',
          policyIds: ['no-delete', 'guard'],
          detail: { reason: 'policy', arguments: { id: 'c1' } },
        });
        assert.deepEqual(
          { ...entry, hash: undefined, detailDigest: undefined },
          {
            seq: 1,
            time: '2026-04-02T03:04:05.678Z',
            type: 'tool-call-denied',
            actor: 'agent:finance-bot',
            session: 'ses_1',
            subject: 'tool:crm__delete',
            decision: 'deny',
            policyIds: ['no-delete', 'guard'],
            detail: { reason: 'policy', arguments: { id: 'c1' } },
            prevHash: GENESIS_HASH,
            hash: undefined,
            detailDigest: undefined,
          },
        );
        const minimal = await log.record({ type: 'server-started', actor: 'system' });
        assert.equal(minimal.session, null);
        assert.equal(minimal.subject, null);
        assert.equal(minimal.decision, null);
        assert.deepEqual(minimal.policyIds, []);
        assert.deepEqual(minimal.detail, {});
      } finally {
        await current.cleanup();
      }
    });

    test('the detail digest is an HMAC of the unredacted detail under the digest key', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const detail = { client_id: 'support-bot', client_secret: 'wsec_abcdefghijklmnop', pin: 1234 };
        const { log } = makeLog(store.audit);
        const entry = await log.record({ type: 'token-issued', actor: 'agent:support-bot', detail });
        const expected = createHmac('sha256', DIGEST_KEY).update(canonicalJson(detail), 'utf8').digest('hex');
        assert.equal(entry.detailDigest, expected);
        assert.equal(computeDetailDigest(detail, DIGEST_KEY), expected);
        // Not a plain hash: another key gives another digest, so a reader without the key cannot guess values.
        const otherKey = new Uint8Array(32).fill(1);
        assert.notEqual(computeDetailDigest(detail, otherKey), expected);
        const other = new AuditLog({
          store: store.audit,
          clock: { now: () => Date.UTC(2026, 0, 1) },
          digestKey: otherKey,
          signer: makeLog(store.audit).keys.signer,
          checkpointEvery: 1000,
          checkpointIntervalSeconds: 60,
        });
        const second = await other.record({ type: 'token-issued', actor: 'agent:support-bot', detail });
        assert.notEqual(second.detailDigest, entry.detailDigest);
        assert.equal(second.detailDigest, computeDetailDigest(detail, otherKey));
      } finally {
        await current.cleanup();
      }
    });

    test('a client secret, a JWT and an Authorization header are redacted in the stored detail but digested in the original', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const jwt =
          'eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.eyJzdWIiOiJzdXBwb3J0LWJvdCIsImV4cCI6MTc2NzIyNTYwMH0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
        const detail = {
          request: {
            headers: {
              Authorization: 'Basic c3VwcG9ydC1ib3Q6d3NlY194eXo=',
              'content-type': 'application/json',
            },
            body: {
              grant_type: 'client_credentials',
              client_id: 'support-bot',
              client_secret: 'wsec_s3cr3tvalue123',
            },
          },
          issued: `token ${jwt} for support-bot`,
          note: 'rotated secret wsec_abcdef0123 today',
        };
        const { log } = makeLog(store.audit);
        const entry = await log.record({ type: 'token-issued', actor: 'agent:support-bot', detail });
        const [stored] = await store.audit.query({});
        assert.deepEqual(stored!.detail, {
          request: {
            headers: { Authorization: '[REDACTED]', 'content-type': 'application/json' },
            body: { grant_type: 'client_credentials', client_id: 'support-bot', client_secret: '[REDACTED]' },
          },
          issued: 'token [REDACTED] for support-bot',
          note: 'rotated secret [REDACTED] today',
        });
        const text = JSON.stringify(stored);
        for (const secret of [
          'wsec_s3cr3tvalue123',
          'wsec_abcdef0123',
          jwt,
          'c3VwcG9ydC1ib3Q6d3NlY194eXo=',
        ]) {
          assert.equal(text.includes(secret), false, `the stored entry leaks ${secret.slice(0, 10)}`);
        }
        assert.equal(entry.detailDigest, computeDetailDigest(detail, DIGEST_KEY));
        assert.notEqual(entry.detailDigest, computeDetailDigest(stored!.detail, DIGEST_KEY));
      } finally {
        await current.cleanup();
      }
    });

    test('a custom redact function replaces the default redaction', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const { log } = makeLog(store.audit, {
          redact: (detail) => ({ ...detail, email: detail.email === undefined ? null : '[PII]' }),
        });
        const entry = await log.record({
          type: 'tool-call-allowed',
          actor: 'agent:a',
          detail: { email: 'a@example.com', n: 1 },
        });
        assert.deepEqual(entry.detail, { email: '[PII]', n: 1 });
        assert.equal(entry.detailDigest, computeDetailDigest({ email: 'a@example.com', n: 1 }, DIGEST_KEY));
      } finally {
        await current.cleanup();
      }
    });

    test('a custom redactor that returns a non-JSON value fails only its own record', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const { log } = makeLog(store.audit, {
          redact: (detail) => (detail.bad === true ? { value: Number.NaN } : detail),
        });
        const outcomes = await Promise.allSettled([
          log.record({ type: 'tool-call-allowed', actor: 'agent:a', detail: { n: 1 } }),
          log.record({ type: 'tool-call-allowed', actor: 'agent:a', detail: { bad: true } }),
          log.record({ type: 'tool-call-allowed', actor: 'agent:a', detail: { n: 2 } }),
        ]);
        assert.deepEqual(
          outcomes.map((outcome) => outcome.status),
          ['fulfilled', 'rejected', 'fulfilled'],
        );
        assert.equal(await store.audit.count(), 2);
      } finally {
        await current.cleanup();
      }
    });

    test('200 concurrent records become 200 contiguous entries in fewer appends than records', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const counted = instrumentedStore(store.audit);
        const { log, keys } = makeLog(counted.store);
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, index) =>
            log.record({ type: 'tool-call-allowed', actor: `agent:a${index}`, detail: { index } }),
          ),
        );
        assert.deepEqual(
          results.map((entry) => entry.seq).sort((a, b) => a - b),
          Array.from({ length: 200 }, (_, index) => index + 1),
        );
        // Each caller gets its own entry back.
        results.forEach((entry, index) => {
          assert.equal(entry.actor, `agent:a${index}`);
          assert.deepEqual(entry.detail, { index });
        });
        assert.ok(counted.appends() < 200, `expected fewer than 200 appends, got ${counted.appends()}`);
        assert.ok(counted.appends() >= 1);
        assert.equal(await store.audit.count(), 200);
        const report = await verifyAuditLog({ store: store.audit, verifier: keys.verifier });
        assert.equal(report.ok, true, report.failure?.message);
        assert.equal(report.entries, 200);
      } finally {
        await current.cleanup();
      }
    });

    test('records made while an append is in flight are committed together in the next batch', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const counted = instrumentedStore(store.audit);
        const { log } = makeLog(counted.store);
        const first = log.record({ type: 'tool-call-allowed', actor: 'agent:a', detail: { n: 0 } });
        await Promise.resolve(); // the first batch starts
        await Promise.resolve();
        const later = Array.from({ length: 20 }, (_, n) =>
          log.record({ type: 'tool-call-allowed', actor: 'agent:a', detail: { n: n + 1 } }),
        );
        await Promise.all([first, ...later]);
        assert.ok(
          counted.appends() <= 2,
          `expected at most 2 appends for 21 records, got ${counted.appends()}`,
        );
        const entries = await store.audit.query({});
        assert.deepEqual(
          entries.map((entry) => entry.detail.n),
          Array.from({ length: 21 }, (_, n) => n),
        );
      } finally {
        await current.cleanup();
      }
    });

    test('a failed append rejects every record of its batch, and later records continue the chain', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const counted = instrumentedStore(store.audit);
        const { log, keys } = makeLog(counted.store);
        await recordMany(log, 3);
        counted.failNextAppend(new Error('disk I/O error'));
        const batch = await Promise.allSettled(
          Array.from({ length: 5 }, (_, index) =>
            log.record({ type: 'tool-call-allowed', actor: 'agent:b', detail: { index } }),
          ),
        );
        for (const outcome of batch) {
          assert.equal(outcome.status, 'rejected');
          const reason = outcome.reason as { code: string; message: string };
          assert.equal(reason.code, 'WARDEN_AUDIT_UNAVAILABLE');
          assert.match(
            reason.message,
            /could not store a batch of 5 entries .*disk I\/O error.*nothing of it was recorded/,
          );
        }
        assert.equal(await store.audit.count(), 3, 'nothing of the failed batch is stored');
        const next = await log.record({ type: 'tool-call-allowed', actor: 'agent:c' });
        assert.equal(next.seq, 4);
        const [third] = await store.audit.query({ fromSeq: 3, toSeq: 3 });
        assert.equal(next.prevHash, third!.hash);
        const report = await verifyAuditLog({ store: store.audit, verifier: keys.verifier });
        assert.equal(report.ok, true, report.failure?.message);
        assert.equal(report.entries, 4);
      } finally {
        await current.cleanup();
      }
    });

    test('a malformed event is refused on its own and does not disturb the others', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const { log } = makeLog(store.audit);
        const outcomes = await Promise.allSettled([
          log.record({ type: 'tool-call-allowed', actor: 'agent:a' }),
          log.record({ type: 'Bad Type', actor: 'agent:a' }),
          log.record({ type: 'tool-call-allowed', actor: '' }),
          log.record({ type: 'tool-call-allowed', actor: 'agent:a', detail: { n: Number.NaN } }),
          log.record({ type: 'tool-call-allowed', actor: 'agent:b' }),
        ]);
        assert.deepEqual(
          outcomes.map((outcome) => outcome.status),
          ['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled'],
        );
        assert.match(String((outcomes[1] as PromiseRejectedResult).reason.message), /not a noun-verb name/);
        assert.match(String((outcomes[2] as PromiseRejectedResult).reason.message), /has no actor/);
        assert.match(
          String((outcomes[3] as PromiseRejectedResult).reason.message),
          /could not be canonicalized.*NaN/,
        );
        assert.equal(await store.audit.count(), 2);
      } finally {
        await current.cleanup();
      }
    });

    test('strings a store cannot hold faithfully (NUL, lone surrogates) are made storable, so the hash still verifies', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const { log, keys } = makeLog(store.audit);
        const entry = await log.record({
          type: 'tool-call-allowed',
          actor: 'agent:a\u0000b',
          subject: 'tool:\uD800x',
          detail: { text: 'x\u0000y\uDC00' },
        });
        assert.equal(entry.actor, 'agent:a\uFFFDb');
        assert.equal(entry.subject, 'tool:\uFFFDx');
        assert.deepEqual(entry.detail, { text: 'x\uFFFDy\uFFFD' });
        const report = await verifyAuditLog({ store: store.audit, verifier: keys.verifier });
        assert.equal(report.ok, true, report.failure?.message);
      } finally {
        await current.cleanup();
      }
    });

    test('a signed checkpoint is written every checkpointEvery entries', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const { log, keys } = makeLog(store.audit, { checkpointEvery: 5 });
        await recordMany(log, 4);
        assert.deepEqual(await store.audit.checkpoints(), []);
        const fifth = (await recordMany(log, 1))[0]!;
        const checkpoints = await store.audit.checkpoints();
        assert.equal(checkpoints.length, 1);
        const checkpoint = checkpoints[0]!;
        assert.equal(checkpoint.seq, 5);
        assert.equal(checkpoint.hash, fifth.hash);
        assert.equal(checkpoint.keyId, 'audit-key-1');
        assert.equal(
          await keys.verifier.verify(checkpoint.keyId, checkpointPayload(checkpoint), checkpoint.signature),
          'valid',
        );
        await recordMany(log, 7);
        assert.deepEqual(
          (await store.audit.checkpoints()).map((each) => each.seq),
          [5, 10],
        );
      } finally {
        await current.cleanup();
      }
    });

    test('a batch crossing the threshold is checkpointed at its last entry', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const { log } = makeLog(store.audit, { checkpointEvery: 10 });
        await Promise.all(
          Array.from({ length: 25 }, () => log.record({ type: 'tool-call-allowed', actor: 'agent:a' })),
        );
        const checkpoints = await store.audit.checkpoints();
        assert.ok(checkpoints.length >= 1);
        const head = await store.audit.head();
        assert.ok(
          head.seq - checkpoints[checkpoints.length - 1]!.seq < 10,
          'no more than 9 entries stay unsigned',
        );
      } finally {
        await current.cleanup();
      }
    });

    test('the interval check writes a checkpoint once the oldest unsigned entry is checkpointInterval old', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const { log, clock } = makeLog(store.audit, { checkpointEvery: 1000, checkpointIntervalSeconds: 60 });
        assert.equal(await log.checkpointIfDue(), null, 'nothing to sign in an empty log');
        await recordMany(log, 3);
        clock.advance(59_000);
        assert.equal(await log.checkpointIfDue(), null, 'not yet due');
        clock.advance(1_000);
        const checkpoint = await log.checkpointIfDue();
        assert.equal(checkpoint?.seq, 3);
        assert.equal(checkpoint?.time, '2026-03-01T10:01:00.000Z');
        clock.advance(120_000);
        assert.equal(await log.checkpointIfDue(), null, 'no new entries, no new checkpoint');
        await recordMany(log, 2);
        clock.advance(30_000);
        assert.equal(await log.checkpointIfDue(), null);
        clock.advance(30_000);
        assert.equal((await log.checkpointIfDue())?.seq, 5);
        assert.deepEqual(
          (await store.audit.checkpoints()).map((each) => each.seq),
          [3, 5],
        );
      } finally {
        await current.cleanup();
      }
    });

    test('start() runs the interval check on a timer', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const { log, clock } = makeLog(store.audit, { checkpointIntervalSeconds: 0.2 });
        await recordMany(log, 2);
        clock.advance(1_000);
        log.start();
        const deadline = Date.now() + 5000;
        while ((await store.audit.latestCheckpoint()) === null) {
          assert.ok(Date.now() < deadline, 'the timer wrote no checkpoint within 5 s');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        assert.equal((await store.audit.latestCheckpoint())?.seq, 2);
        await log.close();
      } finally {
        await current.cleanup();
      }
    });

    test('close() drains pending records, writes a final checkpoint, and refuses later records', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const { log, keys } = makeLog(store.audit, { checkpointEvery: 1000 });
        const pending = Array.from({ length: 10 }, () =>
          log.record({ type: 'tool-call-allowed', actor: 'agent:a' }),
        );
        await log.close();
        assert.equal((await Promise.all(pending)).length, 10);
        const checkpoint = await store.audit.latestCheckpoint();
        assert.equal(checkpoint?.seq, 10);
        await assert.rejects(log.record({ type: 'tool-call-allowed', actor: 'agent:a' }), {
          code: 'WARDEN_SHUTTING_DOWN',
          message: /audit log is closed; the "tool-call-allowed" event was not recorded/,
        });
        const report = await verifyAuditLog({ store: store.audit, verifier: keys.verifier });
        assert.equal(report.ok, true);
        assert.equal(report.unsignedTail, 0);
        // A second close, or a close with nothing new, writes nothing more.
        await log.close();
        assert.equal((await store.audit.checkpoints()).length, 1);
      } finally {
        await current.cleanup();
      }
    });

    test('a checkpoint failure is reported through onError and does not fail the records', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const { keys } = makeLog(store.audit);
        const errors: unknown[] = [];
        const log = new AuditLog({
          store: store.audit,
          clock: { now: () => Date.UTC(2026, 0, 1) },
          digestKey: DIGEST_KEY,
          signer: {
            keyId: () => Promise.resolve('gone'),
            sign: () => Promise.reject(new Error('signing key unavailable')),
          },
          checkpointEvery: 2,
          checkpointIntervalSeconds: 60,
          onError: (error) => errors.push(error),
        });
        const entries = await recordMany(log, 3);
        assert.equal(entries.length, 3);
        assert.ok(errors.length >= 1);
        assert.match(String((errors[0] as Error).message), /signing key unavailable/);
        assert.equal(await store.audit.latestCheckpoint(), null);
        await assert.rejects(log.close(), /signing key unavailable/);
        const report = await verifyAuditLog({ store: store.audit, verifier: keys.verifier });
        assert.equal(report.ok, true);
        assert.equal(report.unsignedTail, 3);
      } finally {
        await current.cleanup();
      }
    });

    test('a second log on the same store continues the chain and checkpoints entries it did not write', async () => {
      const current = await fresh();
      const { store } = current;
      try {
        const first = makeLog(store.audit);
        await recordMany(first.log, 3);
        const second = new AuditLog({
          store: store.audit,
          clock: first.clock,
          digestKey: DIGEST_KEY,
          signer: first.keys.signer,
          checkpointEvery: 1000,
          checkpointIntervalSeconds: 60,
        });
        const checkpoint = await second.checkpoint();
        assert.equal(checkpoint?.seq, 3);
        const entry = await second.record({ type: 'tool-call-allowed', actor: 'agent:x' });
        assert.equal(entry.seq, 4);
        await first.log.record({ type: 'tool-call-allowed', actor: 'agent:y' });
        const report = await verifyAuditLog({ store: store.audit, verifier: first.keys.verifier });
        assert.equal(report.ok, true, report.failure?.message);
        assert.equal(report.entries, 5);
      } finally {
        await current.cleanup();
      }
    });

    test('constructor refuses a short digest key and a checkpointEvery below 1', () => {
      const { keys } = makeLog(fixture.store.audit);
      const base = {
        store: fixture.store.audit,
        clock: { now: () => 0 },
        digestKey: DIGEST_KEY,
        signer: keys.signer,
        checkpointEvery: 10,
        checkpointIntervalSeconds: 60,
      };
      assert.throws(
        () => new AuditLog({ ...base, digestKey: new Uint8Array(8) }),
        /digest key must be at least 16 bytes/,
      );
      assert.throws(
        () => new AuditLog({ ...base, checkpointEvery: 0 }),
        /checkpointEvery must be a whole number of at least 1/,
      );
      assert.throws(
        () => new AuditLog({ ...base, checkpointIntervalSeconds: 0 }),
        /checkpointIntervalSeconds must be more than 0/,
      );
    });
  });
}
