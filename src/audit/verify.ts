/**
 * Audit chain verification: recomputes every entry hash, follows every prevHash link and seq, checks
 * every checkpoint against its entry and its Ed25519 signature, and names the first bad seq.
 *
 * What it proves against someone who can write the database but does not hold the audit signing key:
 * - Any change, removal, insertion or reordering of entries up to the newest signed checkpoint is
 *   found: the checkpoint signs the hash at its seq, which commits to every entry before it.
 * - Removing entries from the end is found while a checkpoint beyond the new end survives
 *   (`head-missing`); a forged or altered checkpoint fails its signature.
 * What it cannot prove (bounded by checkpointing every N entries or T seconds):
 * - The unsigned tail after the newest checkpoint can be truncated, rewritten with recomputed hashes,
 *   or extended without detection; so can the whole log if every checkpoint row is deleted too. Keep
 *   the newest checkpoint (shown by `warden audit verify`) outside the database to close that gap.
 * - Prune records are not signed: removing a prefix that ends exactly at a signed checkpoint and
 *   adding a prune record looks like a legitimate prune; the report names `prunedThrough`, and a real
 *   prune is recorded in the chain as an `audit-pruned` entry.
 */
import { isWardenError } from '../core/index.js';
import { GENESIS_HASH } from '../store/index.js';
import type {
  AuditCheckpointRecord,
  AuditEntryRecord,
  AuditPruneRecord,
  AuditStore,
} from '../store/index.js';
import { checkpointPayload, computeEntryHash } from './canonical.js';
import type { CheckpointVerifier, VerifyFailure, VerifyProblem, VerifyReport } from './types.js';

export interface VerifyAuditLogOptions {
  store: AuditStore;
  verifier: CheckpointVerifier;
  /** Entries read per query. Default 5000 (the store allows at most 10,000). */
  pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 5000;

/** The first 12 hex digits of a hash, for messages. */
function short(hash: string): string {
  return `${String(hash).slice(0, 12)}…`;
}

/** Thrown inside verification to stop at the first failure. */
class VerifyStop extends Error {
  constructor(readonly failure: VerifyFailure) {
    super(failure.message);
  }
}

function stop(seq: number, problem: VerifyProblem, message: string): never {
  throw new VerifyStop({ seq, problem, message });
}

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
  const pageSize = Math.min(Math.max(1, options.pageSize ?? DEFAULT_PAGE_SIZE), 10_000);

  const prunes = await store.prunes();
  const prune: AuditPruneRecord | null = prunes.reduce<AuditPruneRecord | null>(
    (latest, record) => (latest === null || record.upToSeq > latest.upToSeq ? record : latest),
    null,
  );
  const prunedThrough = prune?.upToSeq ?? null;
  const checkpoints = [...(await store.checkpoints())].sort((a, b) => a.seq - b.seq);

  let entries = 0;
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  // In an object, so the compiler sees the closure below update it.
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
    let expectedSeq = (prunedThrough ?? 0) + 1;
    let expectedPrevious = prune?.anchorHash ?? GENESIS_HASH;
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

    const checkEntry = async (entry: AuditEntryRecord): Promise<void> => {
      if (entry.seq < expectedSeq) {
        stop(
          entry.seq,
          'seq-order',
          prunedThrough !== null && entry.seq <= prunedThrough
            ? `Entry ${entry.seq} is still present although the log was pruned through seq ${prunedThrough}.`
            : `Entry ${entry.seq} appears where seq ${expectedSeq} was expected: seqs must increase by one.`,
        );
      }
      if (entry.seq > expectedSeq) {
        stop(
          expectedSeq,
          'seq-gap',
          expectedSeq === entry.seq - 1
            ? `Entry ${expectedSeq} is missing: the chain jumps from seq ${expectedSeq - 1} to ${entry.seq}.`
            : `Entries ${expectedSeq}..${entry.seq - 1} are missing: the chain jumps from seq ${expectedSeq - 1} to ${entry.seq}.`,
        );
      }
      if (entry.prevHash !== expectedPrevious) {
        if (prune !== null && entry.seq === prune.upToSeq + 1) {
          stop(
            entry.seq,
            'prune-anchor',
            `Entry ${entry.seq}, the first after the prune through seq ${prune.upToSeq}, links to ${short(entry.prevHash)}, but the signed anchor is ${short(expectedPrevious)}.`,
          );
        }
        stop(
          entry.seq,
          'link-broken',
          expectedSeq === 1
            ? `Entry 1 links to ${short(entry.prevHash)} instead of the genesis hash ${short(GENESIS_HASH)}: entries were inserted, removed or reordered.`
            : `Entry ${entry.seq} links to previous hash ${short(entry.prevHash)}, but entry ${entry.seq - 1} hashes to ${short(expectedPrevious)}: entries were inserted, removed or reordered here.`,
        );
      }
      let computed: string;
      try {
        computed = computeEntryHash(entry);
      } catch {
        computed = '(unhashable content)';
      }
      if (computed !== entry.hash) {
        stop(
          entry.seq,
          'hash-mismatch',
          `Entry ${entry.seq} was changed: its content hashes to ${short(computed)}, but its stored hash is ${short(entry.hash)}.`,
        );
      }
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
      entries += 1;
      firstSeq ??= entry.seq;
      lastSeq = entry.seq;
      expectedSeq = entry.seq + 1;
      expectedPrevious = entry.hash;
    };

    /** Reads entries from `fromSeq` on; `more` is false once the end of the chain is reached. */
    const readPage = async (fromSeq: number): Promise<{ page: AuditEntryRecord[]; more: boolean }> => {
      try {
        const page = await store.query({ fromSeq, order: 'asc', limit: pageSize });
        return { page, more: page.length === pageSize };
      } catch (error) {
        if (isWardenError(error, 'WARDEN_STORE_UNAVAILABLE')) throw error;
      }
      // Some row in this page cannot be read back (say its detail is no longer JSON): go one seq at a time.
      const seq = Math.max(fromSeq, expectedSeq);
      let single: AuditEntryRecord[];
      try {
        single = await store.query({ fromSeq: seq, toSeq: seq, limit: 1 });
      } catch (error) {
        if (isWardenError(error, 'WARDEN_STORE_UNAVAILABLE')) throw error;
        stop(
          seq,
          'hash-mismatch',
          `Entry ${seq} was changed: it can no longer be read back (${error instanceof Error ? error.message : String(error)}).`,
        );
      }
      if (single.length === 0) {
        stop(seq, 'seq-gap', `Entry ${seq} is missing (and an entry after it can no longer be read back).`);
      }
      return { page: single, more: true };
    };

    let fromSeq = 1;
    for (;;) {
      const { page, more } = await readPage(fromSeq);
      for (const entry of page) await checkEntry(entry);
      const last = page[page.length - 1];
      if (last === undefined || !more) break;
      fromSeq = last.seq + 1;
    }

    // Checkpoints beyond the last entry: the chain once reached further than it does now.
    const end = lastSeq ?? prunedThrough ?? 0;
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
  return {
    ok: failure === null,
    entries,
    firstSeq,
    lastSeq,
    checkpoints: signed.count,
    lastCheckpoint: covered === null ? null : { seq: covered.seq, time: covered.time },
    unsignedTail: lastSeq === null ? 0 : Math.max(0, lastSeq - signedThrough),
    prunedThrough,
    failure,
  };
}
