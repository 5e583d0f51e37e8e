/**
 * Audit retention: removes only whole checkpointed segments older than a date, so what remains still
 * verifies from a signed anchor. Record before act: `audit-pruned` is in the chain before any entry is
 * removed, and a prune the store then refuses is recorded as `audit-prune-failed`.
 */
import { WardenError, isoTime, systemClock, toWardenError } from '../core/index.js';
import type { Clock } from '../core/index.js';
import type { AuditCheckpointRecord, AuditStore } from '../store/index.js';
import type { AuditRecorder, CheckpointVerifier } from './types.js';
import { verifyAuditLog } from './verify.js';

export interface PruneAuditLogOptions {
  store: AuditStore;
  /** Records the `audit-pruned` entry (and `audit-prune-failed`). */
  log: AuditRecorder;
  /** Remove entries older than this (a Date or an ISO-8601 date or date-time). */
  before: Date | string;
  /** Who prunes, e.g. `cli:alice`. */
  actor: string;
  /** When given, the whole chain is verified first and a broken chain is not pruned (that would destroy evidence). */
  verifier?: CheckpointVerifier;
  /** Time of the prune record. Default: the system clock. */
  clock?: Clock;
}

export interface PruneAuditLogResult {
  /** Entries removed; 0 when no whole checkpointed segment ends before `before`. */
  removed: number;
  /** The seq entries were removed through, or null when nothing was removed. */
  throughSeq: number | null;
  /** What happened, in words. */
  message: string;
}

/** Parses `before` into an ISO time; throws WARDEN_USAGE for anything that is not a date. */
function toIsoTime(before: Date | string): string {
  const time = before instanceof Date ? before : new Date(before);
  if (Number.isNaN(time.getTime()) || (typeof before === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(before))) {
    throw new WardenError(
      'WARDEN_USAGE',
      `"${String(before)}" is not a date; pass an ISO-8601 date or date-time such as 2026-01-31 or 2026-01-31T12:00:00Z.`,
    );
  }
  return time.toISOString();
}

/**
 * Removes the oldest entries, through the newest signed checkpoint such that the checkpoint and every
 * entry up to it are older than `before`; entries after it stay. First records an `audit-pruned` entry
 * (detail: throughSeq, expectedRemoved, before, checkpoint {seq, time, hash}); if that record fails,
 * nothing is removed. If the store then refuses the prune, records `audit-prune-failed` (the same
 * detail plus the error code) and rethrows the store's error. Nothing is removed, and nothing recorded,
 * when no such checkpoint exists beyond an earlier prune.
 *
 * @example
 * const { removed, throughSeq } = await pruneAuditLog({ store: store.audit, log, before: '2026-01-01', actor: 'cli:alice' });
 */
export async function pruneAuditLog(options: PruneAuditLogOptions): Promise<PruneAuditLogResult> {
  const { store, log, actor } = options;
  const before = toIsoTime(options.before);
  const clock = options.clock ?? systemClock;

  if (options.verifier !== undefined) {
    const report = await verifyAuditLog({ store, verifier: options.verifier });
    if (!report.ok && report.failure !== null) {
      throw new WardenError(
        'WARDEN_AUDIT_PRUNE_REFUSED',
        `The audit log does not verify (seq ${report.failure.seq}, ${report.failure.problem}: ${report.failure.message}); pruning would destroy the evidence. Investigate with \`warden audit verify\` first.`,
        { seq: report.failure.seq, problem: report.failure.problem },
      );
    }
  }

  const prunes = await store.prunes();
  const alreadyPruned = prunes.reduce((highest, record) => Math.max(highest, record.upToSeq), 0);
  // The oldest entry at or after `before` (not assuming time order): no segment may reach it.
  const [firstNewer] = await store.query({
    fromSeq: alreadyPruned + 1,
    sinceTime: before,
    order: 'asc',
    limit: 1,
  });
  const limitSeq = firstNewer === undefined ? Number.POSITIVE_INFINITY : firstNewer.seq;
  const candidates = (await store.checkpoints(alreadyPruned + 1)).filter(
    (checkpoint) => checkpoint.seq > alreadyPruned && checkpoint.seq < limitSeq && checkpoint.time < before,
  );
  const anchor = candidates.reduce<AuditCheckpointRecord | null>(
    (best, checkpoint) => (best === null || checkpoint.seq > best.seq ? checkpoint : best),
    null,
  );
  if (anchor === null) {
    return {
      removed: 0,
      throughSeq: null,
      message: `Nothing to prune: no whole checkpointed segment ends before ${before}${alreadyPruned > 0 ? ` beyond the earlier prune through seq ${alreadyPruned}` : ''}.`,
    };
  }
  const [anchorEntry] = await store.query({ fromSeq: anchor.seq, toSeq: anchor.seq, limit: 1 });
  if (anchorEntry === undefined || anchorEntry.hash !== anchor.hash) {
    throw new WardenError(
      'WARDEN_AUDIT_PRUNE_REFUSED',
      `The checkpoint at seq ${anchor.seq} does not match entry ${anchor.seq} ${anchorEntry === undefined ? '(it is missing)' : 'in the store'}; nothing was pruned. Run \`warden audit verify\`.`,
      { seq: anchor.seq },
    );
  }

  // Record before act: the intent is in the chain (after the anchor, so it survives) before anything goes.
  const detail = {
    throughSeq: anchor.seq,
    expectedRemoved: anchor.seq - alreadyPruned,
    before,
    checkpoint: { seq: anchor.seq, time: anchor.time, hash: anchor.hash },
  };
  await log.record({ type: 'audit-pruned', actor, subject: 'audit', detail });
  let removed: number;
  try {
    removed = await store.prune({
      upToSeq: anchor.seq,
      anchorHash: anchor.hash,
      time: isoTime(clock),
      actor,
    });
  } catch (error) {
    const failure = toWardenError(error);
    try {
      await log.record({
        type: 'audit-prune-failed',
        actor,
        subject: 'audit',
        detail: { ...detail, code: failure.code },
      });
    } catch {
      // The store's refusal is what the caller needs to see; the failed record does not replace it.
    }
    throw error;
  }
  return {
    removed,
    throughSeq: anchor.seq,
    message: `Pruned ${removed} entries through seq ${anchor.seq} (checkpoint of ${anchor.time}).`,
  };
}
