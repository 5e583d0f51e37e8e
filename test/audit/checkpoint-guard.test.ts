import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkpointPayload, verifyAuditLog } from '../../src/audit/index.js';
import type { AuditEntryRecord } from '../../src/store/index.js';
import type { StoreFixture } from '../store/helpers.js';
import {
  ENGINES,
  chainedEntry,
  insertCheckpointRow,
  insertRow,
  makeLog,
  overwriteRow,
  recordMany,
  rehash,
} from './helpers.js';
import { makeTestKey, signWith } from './keys.js';

/** Appends one entry through the store API, as someone with database access could. */
async function appendThroughStore(
  fixture: StoreFixture,
  entry: (head: { seq: number; hash: string }) => AuditEntryRecord,
) {
  const [appended] = await fixture.store.audit.append((head) => [entry(head)]);
  assert.ok(appended);
  return appended;
}

/** A forged entry whose seq and link fit but whose stored hash is not the hash of its content. */
function wrongHash(head: { seq: number; hash: string }): AuditEntryRecord {
  const honest = chainedEntry(head, { actor: 'agent:support-bot' });
  return { ...honest, actor: 'admin:mallory' };
}

/** The keys of another log on the same store: its signer and verifier. */
function sameKeys(other: ReturnType<typeof makeLog>) {
  return { signer: other.keys.signer, verifier: other.keys.verifier };
}

const tampered = (seq: number, problem: string, signingSeq?: number) => ({
  code: 'WARDEN_AUDIT_TAMPERED',
  message: new RegExp(
    `^The audit log refuses to sign a checkpoint${signingSeq === undefined ? '' : ` at seq ${signingSeq}`}: the chain fails at seq ${seq} \\(${problem}\\): .*run \`warden audit verify\``,
  ),
});

for (const engine of ENGINES) {
  describe(`checkpoint signing guard on ${engine.name}`, { skip: engine.skip }, () => {
    async function withStore(run: (fixture: StoreFixture) => Promise<void>): Promise<void> {
      const fixture = await engine.make();
      try {
        await run(fixture);
      } finally {
        await fixture.cleanup();
      }
    }

    test('a log that never records writes no checkpoint on close, over an unsigned tail left by another process', async () => {
      await withStore(async (fixture) => {
        const writer = makeLog(fixture.store.audit);
        await recordMany(writer.log, 3); // and never closed, as after a crash
        const reader = makeLog(fixture.store.audit);
        await reader.log.close();
        assert.equal(await fixture.store.audit.latestCheckpoint(), null);
        const report = await verifyAuditLog({ store: fixture.store.audit, verifier: writer.keys.verifier });
        assert.equal(report.ok, true);
        assert.equal(report.unsignedTail, 3);
      });
    });

    test('a log that never records does not sign an entry forged into the tail, so verify keeps reporting it unsigned', async () => {
      await withStore(async (fixture) => {
        const writer = makeLog(fixture.store.audit);
        await recordMany(writer.log, 3);
        await writer.log.close();
        await appendThroughStore(fixture, (head) => chainedEntry(head));
        const verify = () => verifyAuditLog({ store: fixture.store.audit, verifier: writer.keys.verifier });
        assert.equal((await verify()).unsignedTail, 1);
        // What `warden audit verify` does: open the services, read, close. Twice.
        for (let run = 0; run < 2; run += 1) {
          const reader = makeLog(fixture.store.audit, sameKeys(writer));
          await reader.log.close();
        }
        assert.equal((await fixture.store.audit.latestCheckpoint())?.seq, 3);
        const report = await verify();
        assert.equal(report.unsignedTail, 1);
        assert.equal(report.lastCheckpoint?.seq, 3);
      });
    });

    test('an entry appended through the store with a wrong hash is not signed: checkpoint() refuses with WARDEN_AUDIT_TAMPERED naming its seq', async () => {
      await withStore(async (fixture) => {
        const first = makeLog(fixture.store.audit);
        await recordMany(first.log, 3);
        await first.log.close();
        await appendThroughStore(fixture, wrongHash);
        const second = makeLog(fixture.store.audit, sameKeys(first));
        await recordMany(second.log, 1);
        await assert.rejects(second.log.checkpoint(), tampered(4, 'hash-mismatch', 5));
        // It stays refused for this instance, close() included, and nothing was signed.
        await assert.rejects(second.log.close(), tampered(4, 'hash-mismatch', 5));
        assert.equal((await fixture.store.audit.latestCheckpoint())?.seq, 3);
        const report = await verifyAuditLog({ store: fixture.store.audit, verifier: first.keys.verifier });
        assert.equal(report.failure?.seq, 4);
        assert.equal(report.failure?.problem, 'hash-mismatch');
      });
    });

    test('the error names the first bad seq and what to do, and carries the seq and problem', async () => {
      await withStore(async (fixture) => {
        const { log } = makeLog(fixture.store.audit);
        await recordMany(log, 2);
        await appendThroughStore(fixture, wrongHash);
        const error = await log.checkpoint().then(
          () => assert.fail('checkpoint() signed a forged entry'),
          (caught: unknown) => caught as { code: string; status: number; message: string; details: object },
        );
        assert.equal(error.code, 'WARDEN_AUDIT_TAMPERED');
        assert.equal(error.status, 500);
        assert.deepEqual(error.details, { seq: 3, problem: 'hash-mismatch', signingSeq: 3 });
        assert.match(
          error.message,
          /Entry 3 was changed: its content hashes to [0-9a-f]{12}…, but its stored hash is/,
        );
        assert.match(error.message, /investigate before trusting entries from seq 3 on/);
      });
    });

    test('a count checkpoint over a forged entry is refused through onError, the records still succeed, and the refusal is repeated once per checkpointEvery entries', async () => {
      await withStore(async (fixture) => {
        const { log, errors, keys } = makeLog(fixture.store.audit, { checkpointEvery: 5 });
        await recordMany(log, 3);
        await appendThroughStore(fixture, wrongHash); // seq 4
        const after = await recordMany(log, 3); // 5..7: due at 5
        assert.deepEqual(
          after.map((entry) => entry.seq),
          [5, 6, 7],
        );
        assert.equal(errors.length, 1);
        assert.match(String((errors[0] as Error).message), /fails at seq 4 \(hash-mismatch\)/);
        assert.equal((errors[0] as { code?: string }).code, 'WARDEN_AUDIT_TAMPERED');
        await recordMany(log, 2); // 8, 9
        assert.equal(errors.length, 1, 'not repeated on every batch');
        await recordMany(log, 1); // 10: five entries after the last refusal
        assert.equal(errors.length, 2);
        assert.deepEqual(await fixture.store.audit.checkpoints(), []);
        const report = await verifyAuditLog({ store: fixture.store.audit, verifier: keys.verifier });
        assert.equal(report.failure?.seq, 4);
      });
    });

    test('the interval check refuses to sign a row inserted into the database with a broken link', async () => {
      await withStore(async (fixture) => {
        const { log, clock } = makeLog(fixture.store.audit);
        const entries = await recordMany(log, 3);
        await insertRow(fixture.raw, chainedEntry({ seq: 3, hash: entries[1]!.hash }));
        clock.advance(60_000);
        await assert.rejects(log.checkpointIfDue(), tampered(4, 'link-broken', 4));
        assert.equal(await fixture.store.audit.latestCheckpoint(), null);
      });
    });

    test('a stretch to sign that misses entries is refused as a seq gap', async () => {
      await withStore(async (fixture) => {
        const { log } = makeLog(fixture.store.audit);
        await recordMany(log, 4);
        await fixture.raw.exec('DELETE FROM audit_entries WHERE seq = 2');
        await assert.rejects(log.checkpoint(), tampered(2, 'seq-gap', 4));
      });
    });

    test('its own newest entry rewritten with a recomputed hash is not signed', async () => {
      await withStore(async (fixture) => {
        const { log } = makeLog(fixture.store.audit);
        const entries = await recordMany(log, 3);
        await overwriteRow(fixture.raw, 3, rehash(entries[2]!, { actor: 'admin:mallory' }));
        await assert.rejects(log.checkpoint(), {
          code: 'WARDEN_AUDIT_TAMPERED',
          message:
            /fails at seq 3 \(hash-mismatch\): The audit store holds hash [0-9a-f]{12}… for entry 3, but this process wrote/,
        });
      });
    });

    test('a forged checkpoint row is not trusted as the start of the stretch to sign', async () => {
      await withStore(async (fixture) => {
        const { log } = makeLog(fixture.store.audit);
        await recordMany(log, 3);
        await log.checkpoint();
        const forged = await appendThroughStore(fixture, wrongHash);
        const attacker = makeTestKey('audit-key-1');
        const fake = { seq: forged.seq, hash: forged.hash, time: forged.time, keyId: 'audit-key-1' };
        await insertCheckpointRow(fixture.raw, {
          ...fake,
          signature: signWith(attacker, checkpointPayload(fake)),
        });
        await recordMany(log, 1);
        await assert.rejects(log.checkpoint(), tampered(4, 'checkpoint-signature'));
        assert.equal(
          (await fixture.store.audit.checkpoints()).length,
          2,
          'only the genuine one and the forged one',
        );
      });
    });

    test('without a verifier, the stretch starts at the checkpoint this instance wrote, so a forged checkpoint row hides nothing', async () => {
      await withStore(async (fixture) => {
        const { log } = makeLog(fixture.store.audit, { verifier: undefined });
        await recordMany(log, 3);
        await log.checkpoint();
        const forged = await appendThroughStore(fixture, wrongHash);
        await insertCheckpointRow(fixture.raw, {
          seq: forged.seq,
          hash: forged.hash,
          time: forged.time,
          keyId: 'audit-key-1',
          signature: 'A'.repeat(86),
        });
        await recordMany(log, 1);
        await assert.rejects(log.checkpoint(), tampered(4, 'hash-mismatch', 5));
        // A fresh instance without a verifier starts at genesis and finds it too.
        const fresh = makeLog(fixture.store.audit, { verifier: undefined });
        await assert.rejects(fresh.log.checkpoint(), tampered(4, 'hash-mismatch', 5));
      });
    });

    test('deleting the checkpoint this instance wrote is noticed at its next checkpoint', async () => {
      await withStore(async (fixture) => {
        const { log } = makeLog(fixture.store.audit);
        await recordMany(log, 3);
        assert.equal((await log.checkpoint())?.seq, 3);
        await recordMany(log, 3);
        assert.equal((await log.checkpoint())?.seq, 6);
        await fixture.raw.exec('DELETE FROM audit_checkpoints WHERE seq = 6');
        await recordMany(log, 1);
        await assert.rejects(log.checkpoint(), {
          code: 'WARDEN_AUDIT_TAMPERED',
          message:
            /fails at seq 6 \(head-missing\): The checkpoint at seq 6 that this process wrote or verified is gone \(the newest checkpoint is at seq 3\)/,
        });
      });
    });

    test('a clean chain is still signed after checkpoints of another instance, starting from the newest verified one', async () => {
      await withStore(async (fixture) => {
        const first = makeLog(fixture.store.audit, { checkpointEvery: 5 });
        const second = makeLog(fixture.store.audit, { ...sameKeys(first), checkpointEvery: 5 });
        await recordMany(first.log, 5);
        await recordMany(second.log, 4);
        await recordMany(first.log, 3);
        assert.deepEqual(
          (await fixture.store.audit.checkpoints()).map((checkpoint) => checkpoint.seq),
          [5, 10],
        );
        await second.log.close();
        await first.log.close();
        assert.deepEqual(first.errors, []);
        assert.deepEqual(second.errors, []);
        assert.equal((await fixture.store.audit.latestCheckpoint())?.seq, 12);
        const report = await verifyAuditLog({ store: fixture.store.audit, verifier: first.keys.verifier });
        assert.equal(report.ok, true, report.failure?.message);
        assert.equal(report.unsignedTail, 0);
      });
    });

    test('known limit: an entry forged into the unsigned tail with a correctly recomputed hash is signed by the next writer', async () => {
      await withStore(async (fixture) => {
        const first = makeLog(fixture.store.audit);
        await recordMany(first.log, 3);
        await first.log.close();
        await appendThroughStore(fixture, (head) => chainedEntry(head));
        const second = makeLog(fixture.store.audit, sameKeys(first));
        await recordMany(second.log, 1);
        await second.log.close();
        const report = await verifyAuditLog({ store: fixture.store.audit, verifier: first.keys.verifier });
        assert.equal(report.ok, true);
        assert.equal(report.unsignedTail, 0);
        const [forged] = await fixture.store.audit.query({ fromSeq: 4, toSeq: 4 });
        assert.equal(forged?.actor, 'admin:mallory');
      });
    });
  });
}
