import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pruneAuditLog, verifyAuditLog } from '../../src/audit/index.js';
import type { AuditLog, AuditRecorder } from '../../src/audit/index.js';
import { WardenError } from '../../src/core/index.js';
import type { ManualClock } from '../../src/core/index.js';
import type { AuditEntryRecord, AuditStore } from '../../src/store/index.js';
import { ENGINES, makeLog } from './helpers.js';

/** Records `count` entries, one a minute. */
async function recordMinutely(log: AuditLog, clock: ManualClock, count: number): Promise<AuditEntryRecord[]> {
  const entries: AuditEntryRecord[] = [];
  for (let index = 0; index < count; index += 1) {
    clock.advance(60_000);
    entries.push(
      await log.record({ type: 'tool-call-allowed', actor: 'agent:support-bot', detail: { index } }),
    );
  }
  return entries;
}

/** `store` with its prune() replaced. */
function withPrune(store: AuditStore, prune: AuditStore['prune']): AuditStore {
  return {
    append: (build) => store.append(build),
    head: () => store.head(),
    query: (query) => store.query(query),
    count: () => store.count(),
    addCheckpoint: (checkpoint) => store.addCheckpoint(checkpoint),
    checkpoints: (fromSeq) => store.checkpoints(fromSeq),
    latestCheckpoint: () => store.latestCheckpoint(),
    prune,
    prunes: () => store.prunes(),
  };
}

for (const engine of ENGINES) {
  describe(`pruneAuditLog on ${engine.name}`, { skip: engine.skip }, () => {
    async function setUp(count = 12) {
      const fixture = await engine.make();
      const context = makeLog(fixture.store.audit, { checkpointEvery: 5 });
      const entries = await recordMinutely(context.log, context.clock, count);
      const verify = () => verifyAuditLog({ store: fixture.store.audit, verifier: context.keys.verifier });
      const prune = (before: string | Date) =>
        pruneAuditLog({
          store: fixture.store.audit,
          log: context.log,
          before,
          actor: 'cli:alice',
          clock: context.clock,
        });
      return { fixture, ...context, entries, verify, prune };
    }

    test('pruning removes the whole checkpointed segments before the date, and what remains verifies', async () => {
      const { fixture, entries, verify, prune } = await setUp();
      try {
        // Entries 1..10 are older than entry 11; checkpoints sit at 5 and 10.
        const before = entries[10]!.time;
        const result = await prune(before);
        assert.deepEqual(result, {
          removed: 10,
          throughSeq: 10,
          message: `Pruned 10 entries through seq 10 (checkpoint of ${entries[9]!.time}).`,
        });
        const remaining = await fixture.store.audit.query({});
        assert.deepEqual(
          remaining.map((entry) => entry.seq),
          [11, 12, 13],
        );
        const pruned = remaining[2]!;
        assert.equal(pruned.type, 'audit-pruned');
        assert.equal(pruned.actor, 'cli:alice');
        assert.deepEqual(pruned.detail, {
          throughSeq: 10,
          expectedRemoved: 10,
          before,
          checkpoint: { seq: 10, time: entries[9]!.time, hash: entries[9]!.hash },
        });
        const report = await verify();
        assert.equal(report.ok, true, report.failure?.message);
        assert.equal(report.prunedThrough, 10);
        assert.equal(report.firstSeq, 11);
        assert.equal(report.lastSeq, 13);
        assert.equal(report.entries, 3);
        assert.equal(report.lastCheckpoint?.seq, 10);
        assert.equal(report.unsignedTail, 3);
      } finally {
        await fixture.cleanup();
      }
    });

    test('audit-pruned is in the chain before the store removes anything', async () => {
      const { fixture, entries, log, clock } = await setUp();
      try {
        const seen: Array<{ count: number; newest: string | undefined }> = [];
        const store = withPrune(fixture.store.audit, async (record) => {
          const [newest] = await fixture.store.audit.query({ order: 'desc', limit: 1 });
          seen.push({ count: await fixture.store.audit.count(), newest: newest?.type });
          return fixture.store.audit.prune(record);
        });
        await pruneAuditLog({ store, log, before: entries[10]!.time, actor: 'cli:alice', clock });
        assert.deepEqual(seen, [{ count: 13, newest: 'audit-pruned' }]);
      } finally {
        await fixture.cleanup();
      }
    });

    test('a prune the store refuses is recorded as audit-prune-failed after audit-pruned, and the error is rethrown', async () => {
      const { fixture, entries, log, clock, verify } = await setUp();
      try {
        const store = withPrune(fixture.store.audit, () =>
          Promise.reject(new WardenError('WARDEN_STORE_UNAVAILABLE', 'The database is read-only.')),
        );
        const before = entries[10]!.time;
        await assert.rejects(pruneAuditLog({ store, log, before, actor: 'cli:alice', clock }), {
          code: 'WARDEN_STORE_UNAVAILABLE',
          message: 'The database is read-only.',
        });
        const newest = await fixture.store.audit.query({ fromSeq: 13 });
        const intent = {
          throughSeq: 10,
          expectedRemoved: 10,
          before,
          checkpoint: { seq: 10, time: entries[9]!.time, hash: entries[9]!.hash },
        };
        assert.deepEqual(
          newest.map((entry) => [entry.seq, entry.type, entry.actor, entry.detail]),
          [
            [13, 'audit-pruned', 'cli:alice', intent],
            [14, 'audit-prune-failed', 'cli:alice', { ...intent, code: 'WARDEN_STORE_UNAVAILABLE' }],
          ],
        );
        assert.equal(await fixture.store.audit.count(), 14, 'nothing was removed');
        const report = await verify();
        assert.equal(report.ok, true, report.failure?.message);
        assert.equal(report.prunedThrough, null);
      } finally {
        await fixture.cleanup();
      }
    });

    test('when audit-pruned cannot be recorded, nothing is removed', async () => {
      const { fixture, entries, clock } = await setUp();
      try {
        const refusing: AuditRecorder = {
          record: () =>
            Promise.reject(
              new WardenError('WARDEN_AUDIT_UNAVAILABLE', 'The audit log could not store an entry.'),
            ),
        };
        await assert.rejects(
          pruneAuditLog({
            store: fixture.store.audit,
            log: refusing,
            before: entries[10]!.time,
            actor: 'cli:alice',
            clock,
          }),
          { code: 'WARDEN_AUDIT_UNAVAILABLE' },
        );
        assert.equal(await fixture.store.audit.count(), 12);
        assert.deepEqual(await fixture.store.audit.prunes(), []);
      } finally {
        await fixture.cleanup();
      }
    });

    test('after a prune the log still signs checkpoints, re-verifying from the prune anchor', async () => {
      const { fixture, entries, log, clock, errors, verify, prune } = await setUp();
      try {
        await prune(entries[10]!.time); // entries 11, 12 and audit-pruned (13) remain
        await recordMinutely(log, clock, 2); // 14, 15: a count checkpoint at 15
        assert.deepEqual(errors, []);
        assert.equal((await fixture.store.audit.latestCheckpoint())?.seq, 15);
        const report = await verify();
        assert.equal(report.ok, true, report.failure?.message);
        assert.equal(report.unsignedTail, 0);
      } finally {
        await fixture.cleanup();
      }
    });

    test('a segment that is only partly older than the date is kept whole', async () => {
      const { fixture, entries, verify, prune } = await setUp();
      try {
        // Entries 1..7 are older; the segment 6..10 is not wholly older, so only 1..5 go.
        const result = await prune(entries[7]!.time);
        assert.equal(result.removed, 5);
        assert.equal(result.throughSeq, 5);
        const [first] = await fixture.store.audit.query({ limit: 1 });
        assert.equal(first?.seq, 6);
        const report = await verify();
        assert.equal(report.ok, true, report.failure?.message);
        assert.equal(report.prunedThrough, 5);
      } finally {
        await fixture.cleanup();
      }
    });

    test('nothing is pruned when no whole checkpointed segment ends before the date', async () => {
      const { fixture, entries, prune } = await setUp();
      try {
        const result = await prune(entries[3]!.time);
        assert.equal(result.removed, 0);
        assert.equal(result.throughSeq, null);
        assert.match(
          result.message,
          /^Nothing to prune: no whole checkpointed segment ends before 2026-03-01T10:04:00\.000Z\.$/,
        );
        assert.equal(await fixture.store.audit.count(), 12);
        assert.deepEqual(await fixture.store.audit.prunes(), []);
        assert.equal(
          (await fixture.store.audit.query({ types: ['audit-pruned'] })).length,
          0,
          'nothing recorded',
        );
      } finally {
        await fixture.cleanup();
      }
    });

    test('a checkpoint written at or after the date does not qualify even when its entries are older', async () => {
      const fixture = await engine.make();
      try {
        const { log, clock } = makeLog(fixture.store.audit, { checkpointEvery: 1000 });
        await recordMinutely(log, clock, 3);
        clock.advance(2 * 3600_000);
        const checkpoint = await log.checkpoint();
        assert.equal(checkpoint?.seq, 3);
        const result = await pruneAuditLog({
          store: fixture.store.audit,
          log,
          before: new Date(Date.parse(checkpoint.time) - 60_000),
          actor: 'cli:alice',
          clock,
        });
        assert.equal(result.removed, 0);
        assert.equal(await fixture.store.audit.count(), 3);
      } finally {
        await fixture.cleanup();
      }
    });

    test('pruning twice moves the anchor forward and the log still verifies', async () => {
      const { fixture, log, clock, verify, prune } = await setUp();
      try {
        const first = await prune(new Date(clock.now() - 6 * 60_000)); // entries 1..6 older
        assert.equal(first.throughSeq, 5);
        const more = await recordMinutely(log, clock, 10); // seqs 14..23, checkpoints 15 and 20
        assert.equal(more[0]!.seq, 14);
        const second = await prune(more[7]!.time); // entries through 20 are older than seq 21
        assert.equal(second.throughSeq, 20);
        assert.equal(second.removed, 15);
        const report = await verify();
        assert.equal(report.ok, true, report.failure?.message);
        assert.equal(report.prunedThrough, 20);
        assert.equal(report.firstSeq, 21);
      } finally {
        await fixture.cleanup();
      }
    });

    test('pruning every entry leaves the chain anchored, and new entries link to the anchor', async () => {
      const { fixture, log, clock, verify, prune, entries } = await setUp(10);
      try {
        clock.advance(60_000);
        const result = await prune(new Date(clock.now()));
        assert.equal(result.throughSeq, 10);
        const pruned = (await fixture.store.audit.query({}))[0]!;
        assert.equal(pruned.seq, 11);
        assert.equal(pruned.prevHash, entries[9]!.hash);
        await log.record({ type: 'tool-call-allowed', actor: 'agent:a' });
        const report = await verify();
        assert.equal(report.ok, true, report.failure?.message);
        assert.equal(report.prunedThrough, 10);
      } finally {
        await fixture.cleanup();
      }
    });

    test('after a prune, a first entry that does not link to the signed anchor is named as prune-anchor', async () => {
      const { fixture, entries, verify, prune } = await setUp();
      try {
        await prune(entries[10]!.time);
        await fixture.raw.exec(`UPDATE audit_entries SET prev_hash = '${'a'.repeat(64)}' WHERE seq = 11`);
        const report = await verify();
        assert.equal(report.failure?.seq, 11);
        assert.equal(report.failure?.problem, 'prune-anchor');
        assert.match(
          report.failure.message,
          /the first after the prune through seq 10, links to aaaaaaaaaaaa…, but the signed anchor is/,
        );
      } finally {
        await fixture.cleanup();
      }
    });

    test('a prune record without a signed checkpoint at its anchor is named as prune-anchor', async () => {
      const { fixture, entries, verify } = await setUp();
      try {
        // An attacker deletes entries 1..7 and records a "prune" through 7, where no checkpoint is.
        const p = (n: number) => (fixture.raw.kind === 'sqlite' ? '?' : `$${n}`);
        await fixture.raw.exec(
          `INSERT INTO audit_prunes (up_to_seq, anchor_hash, time, actor) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})`,
          [7, entries[6]!.hash, entries[11]!.time, 'admin:mallory'],
        );
        await fixture.raw.exec('DELETE FROM audit_entries WHERE seq <= 7');
        const report = await verify();
        assert.equal(report.failure?.seq, 7);
        assert.equal(report.failure?.problem, 'prune-anchor');
        assert.match(report.failure.message, /no signed checkpoint exists at seq 7/);
      } finally {
        await fixture.cleanup();
      }
    });

    test('with a verifier, a log that does not verify is not pruned', async () => {
      const { fixture, entries, log, keys, clock } = await setUp();
      try {
        await fixture.raw.exec("UPDATE audit_entries SET actor = 'admin:mallory' WHERE seq = 2");
        await assert.rejects(
          pruneAuditLog({
            store: fixture.store.audit,
            log,
            before: entries[10]!.time,
            actor: 'cli:alice',
            clock,
            verifier: keys.verifier,
          }),
          {
            code: 'WARDEN_AUDIT_PRUNE_REFUSED',
            message: /does not verify \(seq 2, hash-mismatch: .*\); pruning would destroy the evidence/,
          },
        );
        assert.equal(await fixture.store.audit.count(), 12);
      } finally {
        await fixture.cleanup();
      }
    });

    test('a date that is not a date is refused with WARDEN_USAGE', async () => {
      const { fixture, prune } = await setUp(1);
      try {
        await assert.rejects(prune('last tuesday'), {
          code: 'WARDEN_USAGE',
          message: /"last tuesday" is not a date/,
        });
        await assert.rejects(prune(new Date(Number.NaN)), { code: 'WARDEN_USAGE' });
      } finally {
        await fixture.cleanup();
      }
    });
  });
}
