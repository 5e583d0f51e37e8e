/**
 * Audit chain verification: recomputes every entry hash, follows every prevHash link and seq, checks
 * every checkpoint against its entry and its Ed25519 signature, and names the first bad seq.
 *
 * What it proves against someone who can write the database but does not hold the audit signing key:
 * - Any change, removal, insertion or reordering of entries up to the newest signed checkpoint that is
 *   still in the database is found: that checkpoint signs the hash at its seq, which commits to every
 *   entry before it.
 * - Removing entries from the end is found while a signed checkpoint beyond the new end survives
 *   (`head-missing`); a forged or altered checkpoint fails its signature.
 * What it cannot prove, because the chain is an unkeyed SHA-256 chain and checkpoint rows can be deleted:
 * - The unsigned tail after the newest checkpoint can be truncated, rewritten with recomputed hashes,
 *   or extended without detection.
 * - Deleting checkpoint rows moves "newest checkpoint" back: deleting every checkpoint after seq C cuts
 *   the log back to C, and everything after C (signed or not) can then be truncated or rewritten as if
 *   it were an unsigned tail; deleting every checkpoint does this to the whole log. The report cannot
 *   tell a deleted checkpoint from one never written; it gives `lastCheckpoint` (seq, time, hash) and
 *   `lastEntryTime` so an operator can compare them with a copy kept outside the database, and an
 *   `unsignedTail` much longer than `audit.checkpointEvery` is a sign of it.
 * - Prune records are not signed: removing a prefix that ends exactly at a signed checkpoint and
 *   adding a prune record looks like a legitimate prune; the report names `prunedThrough`, and a real
 *   prune is recorded in the chain as an `audit-pruned` entry before the entries are removed.
 */
import { GENESIS_HASH } from '../store/index.js';
import type { AuditCheckpointRecord, AuditPruneRecord, AuditStore } from '../store/index.js';
import { checkpointPayload } from './canonical.js';
import { MAX_PAGE_SIZE, VerifyStop, checkSegment, short, stop } from './segment.js';
import type { CheckpointVerifier, VerifyFailure, VerifyReport } from './types.js';

export interface VerifyAuditLogOptions {
  store: AuditStore;
  verifier: CheckpointVerifier;
  /** Entries read per query. Default 5000 (the store allows at most 10,000). */
  pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 5000;

/**
 * Verifies the whole audit chain held by `store`, reading entries in pages (never all at once).
 * Resolves with a report: `ok` and the counts, or the first failure with its seq, its problem and a
 * message naming the expected and found hashes. Rejects only when the store cannot be read.
 *
 * @example
 * const report = await verifyAuditLog({ store: store.audit, verifier });
 * if (!report.ok) console.error(`seq ${report.failure?.seq}: ${report.failure?.message}`);
 */
export async function verifyAuditLog(options: VerifyAuditLogOptions): Promise<VerifyReport> {
  const { store, verifier } = options;
  const pageSize = Math.min(Math.max(1, options.pageSize ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);

  const prunes = await store.prunes();
  const prune: AuditPruneRecord | null = prunes.reduce<AuditPruneRecord | null>(
    (latest, record) => (latest === null || record.upToSeq > latest.upToSeq ? record : latest),
    null,
  );
  const prunedThrough = prune?.upToSeq ?? null;
  const checkpoints = [...(await store.checkpoints())].sort((a, b) => a.seq - b.seq);

  // In objects, so the compiler sees the closures below update them.
  const progress: {
    entries: number;
    firstSeq: number | null;
    lastSeq: number | null;
    lastTime: string | null;
  } = { entries: 0, firstSeq: null, lastSeq: null, lastTime: null };
  const signed: { count: number; last: AuditCheckpointRecord | null } = { count: 0, last: null };

  const checkSignature = async (checkpoint: AuditCheckpointRecord): Promise<void> => {
    const result = await verifier.verify(
      checkpoint.keyId,
      checkpointPayload(checkpoint),
      checkpoint.signature,
    );
    if (result === 'unknown-key') {
      stop(
        checkpoint.seq,
        'checkpoint-key-unknown',
        `The checkpoint at seq ${checkpoint.seq} (${checkpoint.time}) is signed by key "${checkpoint.keyId}", which Warden does not hold; it was forged, or the key was removed from the store.`,
      );
    }
    if (result !== 'valid') {
      stop(
        checkpoint.seq,
        'checkpoint-signature',
        `The signature of the checkpoint at seq ${checkpoint.seq} (${checkpoint.time}, key "${checkpoint.keyId}") does not verify: the checkpoint was forged or altered.`,
      );
    }
    signed.count += 1;
    signed.last = checkpoint;
  };

  let failure: VerifyFailure | null = null;
  try {
    let checkpointIndex = 0;

    if (prune !== null) {
      const anchor = checkpoints.find((checkpoint) => checkpoint.seq === prune.upToSeq);
      if (anchor === undefined) {
        stop(
          prune.upToSeq,
          'prune-anchor',
          `Entries through seq ${prune.upToSeq} were pruned, but no signed checkpoint exists at seq ${prune.upToSeq} to anchor what remains.`,
        );
      }
      if (anchor.hash !== prune.anchorHash) {
        stop(
          prune.upToSeq,
          'prune-anchor',
          `The prune through seq ${prune.upToSeq} records anchor hash ${short(prune.anchorHash)}, but the signed checkpoint at that seq holds ${short(anchor.hash)}.`,
        );
      }
      await checkSignature(anchor);
      // Checkpoints at or before the anchor cover entries that are gone; only the anchor counts.
      while (checkpointIndex < checkpoints.length && checkpoints[checkpointIndex]!.seq <= prune.upToSeq)
        checkpointIndex += 1;
    }

    await checkSegment({
      store,
      after: { seq: prunedThrough ?? 0, hash: prune?.anchorHash ?? GENESIS_HASH },
      pageSize,
      prune,
      onEntry: async (entry) => {
        while (checkpointIndex < checkpoints.length && checkpoints[checkpointIndex]!.seq <= entry.seq) {
          const checkpoint = checkpoints[checkpointIndex]!;
          checkpointIndex += 1;
          if (checkpoint.hash !== entry.hash) {
            stop(
              checkpoint.seq,
              'checkpoint-mismatch',
              `The signed checkpoint at seq ${checkpoint.seq} (${checkpoint.time}) expects hash ${short(checkpoint.hash)}, but entry ${entry.seq} hashes to ${short(entry.hash)}: the chain up to this seq was rewritten.`,
            );
          }
          await checkSignature(checkpoint);
        }
        progress.entries += 1;
        progress.firstSeq ??= entry.seq;
        progress.lastSeq = entry.seq;
        progress.lastTime = entry.time;
      },
    });

    // Checkpoints beyond the last entry: the chain once reached further than it does now.
    const end = progress.lastSeq ?? prunedThrough ?? 0;
    if (checkpointIndex < checkpoints.length) {
      const beyond = checkpoints[checkpoints.length - 1]!;
      for (let index = checkpointIndex; index < checkpoints.length; index += 1) {
        const checkpoint = checkpoints[index]!;
        const result = await verifier.verify(
          checkpoint.keyId,
          checkpointPayload(checkpoint),
          checkpoint.signature,
        );
        if (result !== 'valid') {
          stop(
            checkpoint.seq,
            result === 'unknown-key' ? 'checkpoint-key-unknown' : 'checkpoint-signature',
            `The checkpoint at seq ${checkpoint.seq} (${checkpoint.time}, key "${checkpoint.keyId}") lies beyond the last entry (seq ${end}) and its signature ${result === 'unknown-key' ? 'names a key Warden does not hold' : 'does not verify'}: it was forged.`,
          );
        }
      }
      stop(
        end + 1,
        'head-missing',
        `The signed checkpoint at seq ${beyond.seq} (${beyond.time}) says the chain reaches seq ${beyond.seq} with hash ${short(beyond.hash)}, but the last entry is seq ${end}: entries ${end + 1}..${beyond.seq} (and any after them) were removed.`,
      );
    }
  } catch (error) {
    if (!(error instanceof VerifyStop)) throw error;
    failure = error.failure;
  }

  const covered = signed.last;
  const signedThrough = covered?.seq ?? prunedThrough ?? 0;
  const { entries, firstSeq, lastSeq } = progress;
  return {
    ok: failure === null,
    entries,
    firstSeq,
    lastSeq,
    lastEntryTime: progress.lastTime,
    checkpoints: signed.count,
    lastCheckpoint: covered === null ? null : { seq: covered.seq, time: covered.time, hash: covered.hash },
    unsignedTail: lastSeq === null ? 0 : Math.max(0, lastSeq - signedThrough),
    prunedThrough,
    failure,
  };
}
