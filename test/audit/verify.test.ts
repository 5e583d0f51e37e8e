import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkpointPayload, computeEntryHash, verifyAuditLog } from '../../src/audit/index.js';
import type { AuditEntryRecord } from '../../src/store/index.js';
import type { StoreFixture } from '../store/helpers.js';
import { ENGINES, insertRow, makeLog, overwriteRow, placeholder, recordMany, rehash } from './helpers.js';
import { makeTestKey, signWith } from './keys.js';

const short = (hash: string): string => `${hash.slice(0, 12)}…`;

async function entryAt(fixture: StoreFixture, seq: number): Promise<AuditEntryRecord> {
  const [entry] = await fixture.store.audit.query({ fromSeq: seq, toSeq: seq });
  assert.ok(entry, `entry ${seq} exists`);
  return entry;
}

for (const engine of ENGINES) {
  describe(`verifyAuditLog on ${engine.name}`, { skip: engine.skip }, () => {
    /** A log of 12 entries with signed checkpoints at 5 and 10 (11 and 12 unsigned). */
    async function withLog(
      run: (context: Awaited<ReturnType<typeof setUp>>) => Promise<void>,
    ): Promise<void> {
      const context = await setUp();
      try {
        await run(context);
      } finally {
        await context.fixture.cleanup();
      }
    }

    async function setUp() {
      const fixture = await engine.make();
      const { log, keys, clock } = makeLog(fixture.store.audit, { checkpointEvery: 5 });
      const entries = await recordMany(log, 12);
      const verify = (pageSize = 4) =>
        verifyAuditLog({ store: fixture.store.audit, verifier: keys.verifier, pageSize });
      return { fixture, log, keys, clock, entries, raw: fixture.raw, verify };
    }

    test('an untouched log verifies, with counts, the last checkpoint and the unsigned tail', async () => {
      await withLog(async ({ verify, entries }) => {
        for (const pageSize of [4, 5000]) {
          const report = await verify(pageSize);
          assert.deepEqual(report, {
            ok: true,
            entries: 12,
            firstSeq: 1,
            lastSeq: 12,
            lastEntryTime: entries[11]!.time,
            checkpoints: 2,
            lastCheckpoint: { seq: 10, time: entries[9]!.time, hash: entries[9]!.hash },
            unsignedTail: 2,
            prunedThrough: null,
            failure: null,
          });
        }
      });
    });

    test('an empty log verifies', async () => {
      const fixture = await engine.make();
      try {
        const { keys } = makeLog(fixture.store.audit);
        const report = await verifyAuditLog({ store: fixture.store.audit, verifier: keys.verifier });
        assert.equal(report.ok, true);
        assert.equal(report.entries, 0);
        assert.equal(report.firstSeq, null);
        assert.equal(report.lastSeq, null);
        assert.equal(report.unsignedTail, 0);
      } finally {
        await fixture.cleanup();
      }
    });

    test('checkpoints signed by a rotated-away key still verify', async () => {
      await withLog(async ({ log, keys, verify }) => {
        keys.rotate('audit-key-2');
        await recordMany(log, 2);
        const checkpoint = await log.checkpoint();
        assert.equal(checkpoint?.seq, 14);
        assert.equal(checkpoint?.keyId, 'audit-key-2');
        const report = await verify();
        assert.equal(report.ok, true, report.failure?.message);
        assert.equal(report.checkpoints, 3);
      });
    });

    test('a changed field is named as a hash mismatch at its seq', async () => {
      await withLog(async ({ raw, verify, fixture }) => {
        const original = await entryAt(fixture, 7);
        await raw.exec("UPDATE audit_entries SET actor = 'admin:mallory' WHERE seq = 7");
        const tampered = await entryAt(fixture, 7);
        const { hash: _hash, ...unhashed } = tampered;
        const report = await verify();
        assert.equal(report.ok, false);
        assert.deepEqual(report.failure, {
          seq: 7,
          problem: 'hash-mismatch',
          message: `Entry 7 was changed: its content hashes to ${short(computeEntryHash(unhashed))}, but its stored hash is ${short(original.hash)}.`,
        });
        assert.equal(report.entries, 6, 'entries before the bad one were checked');
        assert.equal(report.lastSeq, 6);
      });
    });

    test('a changed detail, policy list or digest is a hash mismatch at its seq', async () => {
      await withLog(async ({ raw, verify }) => {
        await raw.exec(`UPDATE audit_entries SET detail = '{"index":99}' WHERE seq = 3`);
        let report = await verify();
        assert.equal(report.failure?.seq, 3);
        assert.equal(report.failure?.problem, 'hash-mismatch');
        await raw.exec(`UPDATE audit_entries SET detail = '{"index":2}' WHERE seq = 3`);
        assert.equal((await verify()).ok, true, 'restoring the detail restores the chain');
        await raw.exec(`UPDATE audit_entries SET policy_ids = '["allow-all"]' WHERE seq = 2`);
        report = await verify();
        assert.equal(report.failure?.seq, 2);
        assert.equal(report.failure?.problem, 'hash-mismatch');
      });
    });

    test('a change in the unsigned tail that leaves the stored hash is still a hash mismatch', async () => {
      await withLog(async ({ raw, verify }) => {
        await raw.exec("UPDATE audit_entries SET decision = 'allow' WHERE seq = 12");
        const report = await verify();
        assert.equal(report.failure?.seq, 12);
        assert.equal(report.failure?.problem, 'hash-mismatch');
      });
    });

    test('a row whose detail is no longer JSON is named at its seq', async () => {
      await withLog(async ({ raw, verify }) => {
        await raw.exec(`UPDATE audit_entries SET detail = 'not json' WHERE seq = 6`);
        const report = await verify();
        assert.equal(report.failure?.seq, 6);
        assert.equal(report.failure?.problem, 'hash-mismatch');
        assert.match(report.failure.message, /^Entry 6 was changed: it can no longer be read back/);
      });
    });

    test('a deleted row is named as a seq gap at the missing seq', async () => {
      await withLog(async ({ raw, verify }) => {
        await raw.exec('DELETE FROM audit_entries WHERE seq = 7');
        const report = await verify();
        assert.deepEqual(report.failure, {
          seq: 7,
          problem: 'seq-gap',
          message: 'Entry 7 is missing: the chain jumps from seq 6 to 8.',
        });
      });
    });

    test('several deleted rows are named from the first missing seq', async () => {
      await withLog(async ({ raw, verify }) => {
        await raw.exec('DELETE FROM audit_entries WHERE seq >= 3 AND seq <= 4');
        const report = await verify();
        assert.equal(report.failure?.seq, 3);
        assert.equal(report.failure?.problem, 'seq-gap');
        assert.match(report.failure.message, /Entries 3\.\.4 are missing: the chain jumps from seq 2 to 5/);
      });
    });

    test('two rows with their contents swapped are named as a broken link at the first', async () => {
      await withLog(async ({ raw, verify, fixture }) => {
        const fourth = await entryAt(fixture, 4);
        const sixth = await entryAt(fixture, 6);
        await overwriteRow(raw, 4, sixth);
        await overwriteRow(raw, 6, fourth);
        const third = await entryAt(fixture, 3);
        const report = await verify();
        assert.deepEqual(report.failure, {
          seq: 4,
          problem: 'link-broken',
          message: `Entry 4 links to previous hash ${short(sixth.prevHash)}, but entry 3 hashes to ${short(third.hash)}: entries were inserted, removed or reordered here.`,
        });
      });
    });

    test('a row spliced in with the later seqs renumbered is named as a broken link after it', async () => {
      await withLog(async ({ raw, verify, fixture }) => {
        const sixth = await entryAt(fixture, 6);
        // Shift seqs 7.. up by one (in two steps, so no two rows share a seq on the way).
        await raw.exec('UPDATE audit_entries SET seq = seq + 1000000 WHERE seq >= 7');
        await raw.exec('UPDATE audit_entries SET seq = seq - 999999 WHERE seq >= 1000000');
        // A well-formed entry that links to entry 6, with a correct hash of its own.
        const forged = rehash(sixth, {
          seq: 7,
          type: 'agent-resumed',
          actor: 'admin:mallory',
          subject: 'agent:finance-bot',
          detail: {},
          prevHash: sixth.hash,
        });
        await insertRow(raw, forged);
        const report = await verify();
        assert.equal(report.failure?.seq, 8);
        assert.equal(report.failure?.problem, 'link-broken');
        assert.match(report.failure.message, new RegExp(`entry 7 hashes to ${forged.hash.slice(0, 12)}`));
      });
    });

    test('entries removed from the end past a checkpoint are named as head-missing', async () => {
      await withLog(async ({ raw, verify }) => {
        await raw.exec('DELETE FROM audit_entries WHERE seq >= 9');
        const report = await verify();
        assert.equal(report.ok, false);
        assert.equal(report.failure?.seq, 9);
        assert.equal(report.failure?.problem, 'head-missing');
        assert.match(
          report.failure.message,
          /checkpoint at seq 10 .* says the chain reaches seq 10 .* but the last entry is seq 8: entries 9\.\.10 \(and any after them\) were removed/,
        );
      });
    });

    test('a checkpoint signature that does not verify is named at its seq', async () => {
      await withLog(async ({ raw, verify, fixture }) => {
        const [checkpoint] = await fixture.store.audit.checkpoints();
        assert.equal(checkpoint?.seq, 5);
        // Signed over the same payload by a key the verifier does not have, under the real key id.
        const forged = signWith(makeTestKey(checkpoint.keyId), checkpointPayload(checkpoint));
        await raw.exec(`UPDATE audit_checkpoints SET signature = ${placeholder(raw, 1)} WHERE seq = 5`, [
          forged,
        ]);
        const report = await verify();
        assert.deepEqual(report.failure, {
          seq: 5,
          problem: 'checkpoint-signature',
          message: `The signature of the checkpoint at seq 5 (${checkpoint.time}, key "audit-key-1") does not verify: the checkpoint was forged or altered.`,
        });
      });
    });

    test('a checkpoint signed by a key Warden does not hold is named as key-unknown', async () => {
      await withLog(async ({ raw, verify, fixture }) => {
        const [checkpoint] = await fixture.store.audit.checkpoints();
        const attacker = makeTestKey('mallory-key');
        const signature = signWith(attacker, checkpointPayload({ ...checkpoint!, keyId: attacker.keyId }));
        await raw.exec(
          `UPDATE audit_checkpoints SET key_id = ${placeholder(raw, 1)}, signature = ${placeholder(raw, 2)} WHERE seq = 5`,
          [attacker.keyId, signature],
        );
        const report = await verify();
        assert.equal(report.failure?.seq, 5);
        assert.equal(report.failure?.problem, 'checkpoint-key-unknown');
        assert.match(report.failure.message, /signed by key "mallory-key", which Warden does not hold/);
      });
    });

    test('rewriting an entry and re-hashing every entry after it is caught by the next signed checkpoint', async () => {
      await withLog(async ({ raw, verify, fixture }) => {
        const entries = await fixture.store.audit.query({});
        let previous = entries[1]!.hash;
        for (const entry of entries.slice(2)) {
          const changes =
            entry.seq === 3 ? { actor: 'admin:mallory', prevHash: previous } : { prevHash: previous };
          const rewritten = rehash(entry, changes);
          await overwriteRow(raw, entry.seq, rewritten);
          previous = rewritten.hash;
        }
        const report = await verify();
        assert.equal(report.failure?.seq, 5);
        assert.equal(report.failure?.problem, 'checkpoint-mismatch');
        assert.match(
          report.failure.message,
          /signed checkpoint at seq 5 .* expects hash [0-9a-f]{12}…, but entry 5 hashes to [0-9a-f]{12}…/,
        );
      });
    });

    test('a checkpoint altered to match a rewritten chain fails its signature', async () => {
      await withLog(async ({ raw, verify, fixture }) => {
        const fifth = await entryAt(fixture, 5);
        const rewritten = rehash(fifth, { actor: 'admin:mallory' });
        await overwriteRow(raw, 5, rewritten);
        await raw.exec(`UPDATE audit_checkpoints SET hash = ${placeholder(raw, 1)} WHERE seq = 5`, [
          rewritten.hash,
        ]);
        const report = await verify();
        assert.equal(report.failure?.seq, 5);
        assert.equal(report.failure?.problem, 'checkpoint-signature');
      });
    });

    test('a forged checkpoint beyond the end fails its signature rather than hiding a truncation', async () => {
      await withLog(async ({ raw, verify }) => {
        const attacker = makeTestKey('audit-key-1');
        const fake = {
          seq: 20,
          hash: 'f'.repeat(64),
          time: '2026-03-01T10:00:00.000Z',
          keyId: 'audit-key-1',
        };
        await raw.exec(
          `INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature) VALUES (${[1, 2, 3, 4, 5].map((n) => placeholder(raw, n)).join(', ')})`,
          [fake.seq, fake.hash, fake.time, fake.keyId, signWith(attacker, checkpointPayload(fake))],
        );
        const report = await verify();
        assert.equal(report.failure?.seq, 20);
        assert.equal(report.failure?.problem, 'checkpoint-signature');
      });
    });

    test('known limit: the unsigned tail after the last checkpoint can be rewritten undetected, and the report says how long it is', async () => {
      await withLog(async ({ raw, verify, fixture }) => {
        const eleventh = await entryAt(fixture, 11);
        const twelfth = await entryAt(fixture, 12);
        const forged11 = rehash(eleventh, { actor: 'admin:mallory' });
        const forged12 = rehash(twelfth, { prevHash: forged11.hash });
        await overwriteRow(raw, 11, forged11);
        await overwriteRow(raw, 12, forged12);
        const report = await verify();
        assert.equal(report.ok, true);
        assert.equal(report.unsignedTail, 2);
        assert.deepEqual(report.lastCheckpoint?.seq, 10);
      });
    });

    test('known limit: deleting the newest checkpoint rows cuts the log back to an earlier checkpoint, and the report shows where signing ends and when the newest entry was written', async () => {
      await withLog(async ({ raw, verify, fixture, entries }) => {
        await raw.exec('DELETE FROM audit_checkpoints WHERE seq = 10');
        // Entries 6..12 were under the checkpoint at 10; now they can be rewritten like an unsigned tail.
        let previous = entries[4]!;
        for (let seq = 6; seq <= 12; seq += 1) {
          const original = await entryAt(fixture, seq);
          const forged = rehash(original, {
            prevHash: previous.hash,
            ...(seq === 7 ? { actor: 'admin:mallory' } : {}),
          });
          await overwriteRow(raw, seq, forged);
          previous = forged;
        }
        const report = await verify();
        assert.equal(report.ok, true);
        assert.deepEqual(report.lastCheckpoint, { seq: 5, time: entries[4]!.time, hash: entries[4]!.hash });
        assert.equal(report.lastEntryTime, entries[11]!.time);
        assert.equal(report.unsignedTail, 7, 'longer than checkpointEvery (5): the sign of a cut-back');
      });
    });
  });
}
