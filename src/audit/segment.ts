/**
 * The one entry checker of the audit chain, shared by `verifyAuditLog` and by the log before it signs a
 * checkpoint: a stretch of entries read in pages must continue seq by seq from a trusted link, each
 * `prevHash` must equal the hash before it, and each entry must hash to its stored hash.
 */
import { isWardenError } from '../core/index.js';
import { GENESIS_HASH } from '../store/index.js';
import type { AuditEntryRecord, AuditPruneRecord, AuditStore, ChainHead } from '../store/index.js';
import { computeEntryHash } from './canonical.js';
import type { VerifyFailure, VerifyProblem } from './types.js';

/** The store returns at most this many entries per query. */
export const MAX_PAGE_SIZE = 10_000;

/** The first 12 hex digits of a hash, for messages. */
export function short(hash: string): string {
  return `${String(hash).slice(0, 12)}…`;
}

/** Thrown inside a check to stop at the first failure; the caller turns it into a report or an error. */
export class VerifyStop extends Error {
  constructor(readonly failure: VerifyFailure) {
    super(failure.message);
  }
}

/** Stops the check with `problem` at `seq`. */
export function stop(seq: number, problem: VerifyProblem, message: string): never {
  throw new VerifyStop({ seq, problem, message });
}

export interface CheckSegmentOptions {
  store: AuditStore;
  /** The trusted link the segment hangs from: genesis, a prune anchor or a signed checkpoint. */
  after: ChainHead;
  /** Check through this seq and require the chain to reach it; without it, check to the end. */
  through?: number;
  /** Entries read per query (at most 10,000). */
  pageSize: number;
  /** The newest prune, if `after` is its anchor, so messages can name it. */
  prune?: AuditPruneRecord | null;
  /** Called with each entry once it passed; may stop() (e.g. a checkpoint that does not match it). */
  onEntry?: (entry: AuditEntryRecord) => void | Promise<void>;
}

/**
 * Checks the entries after `options.after` in ascending seq, a page at a time. Resolves with the last
 * entry checked (null when there is none); throws VerifyStop naming the first bad seq, or the store's
 * error when it cannot be read (WARDEN_STORE_UNAVAILABLE).
 */
export async function checkSegment(options: CheckSegmentOptions): Promise<AuditEntryRecord | null> {
  const { store, after, through, onEntry } = options;
  const prune = options.prune ?? null;
  const pageSize = Math.min(Math.max(1, Math.floor(options.pageSize)), MAX_PAGE_SIZE);
  let expectedSeq = after.seq + 1;
  let expectedPrevious = after.hash;
  // In an object, so the compiler sees the closure below update it.
  const reached: { last: AuditEntryRecord | null } = { last: null };

  const checkEntry = async (entry: AuditEntryRecord): Promise<void> => {
    if (entry.seq < expectedSeq) {
      stop(
        entry.seq,
        'seq-order',
        prune !== null && entry.seq <= prune.upToSeq
          ? `Entry ${entry.seq} is still present although the log was pruned through seq ${prune.upToSeq}.`
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
    if (onEntry !== undefined) await onEntry(entry);
    reached.last = entry;
    expectedSeq = entry.seq + 1;
    expectedPrevious = entry.hash;
  };

  /** Reads entries from `fromSeq` on; `more` is false once the end (or `through`) is reached. */
  const readPage = async (fromSeq: number): Promise<{ page: AuditEntryRecord[]; more: boolean }> => {
    try {
      const page = await store.query({
        fromSeq,
        ...(through !== undefined ? { toSeq: through } : {}),
        order: 'asc',
        limit: pageSize,
      });
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

  let fromSeq = expectedSeq;
  while (through === undefined || fromSeq <= through) {
    const { page, more } = await readPage(fromSeq);
    for (const entry of page) await checkEntry(entry);
    const newest = page[page.length - 1];
    if (newest === undefined || !more) break;
    fromSeq = newest.seq + 1;
  }

  if (through !== undefined && expectedSeq <= through) {
    stop(
      expectedSeq,
      'seq-gap',
      expectedSeq === through
        ? `Entry ${through} is missing: the chain ends at seq ${expectedSeq - 1}.`
        : `Entries ${expectedSeq}..${through} are missing: the chain ends at seq ${expectedSeq - 1}.`,
    );
  }
  return reached.last;
}
