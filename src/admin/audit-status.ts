/**
 * The audit chain's status for the console, at a bounded cost: the most recent entries (10,000 by
 * default) are re-hashed and their links followed, every signed checkpoint among them is matched and
 * its signature verified, and so is the newest checkpoint. The answer is reused for a while (30 s by
 * default) even when entries were added meanwhile, so a busy gateway with open consoles re-hashes the
 * window at most once per period; `checkedAt` says when it was computed. It is a health signal, not a
 * proof: the whole chain is verified by `warden audit verify`.
 */
import { VerifyStop, checkSegment, checkpointPayload } from '../audit/index.js';
import type { CheckpointVerifier } from '../audit/index.js';
import { systemClock } from '../core/index.js';
import type { Clock } from '../core/index.js';
import { GENESIS_HASH } from '../store/index.js';
import type { AuditCheckpointRecord, AuditStore, ChainHead } from '../store/index.js';

/** Entries checked by default: the newest this many. */
export const DEFAULT_STATUS_WINDOW = 10_000;

export interface AuditStatusOptions {
  store: AuditStore;
  verifier: CheckpointVerifier;
  clock?: Clock;
  /** Newest entries re-checked (default 10,000). */
  window?: number;
  /** How long an answer is reused, whether or not entries were added since (default 30 s). */
  cacheSeconds?: number;
}

/** What the console shows about the audit log's integrity. */
export interface AuditStatus {
  /** True when the checked window and the newest checkpoint are intact. */
  ok: boolean;
  /** Entries the store holds. */
  entries: number;
  /** The stretch that was re-checked (seqs, inclusive), and how many entries it held. */
  checked: { fromSeq: number | null; toSeq: number | null; entries: number };
  /** What is wrong, one sentence each (the first broken seq and why); empty when ok. */
  problems: string[];
  /** The newest signed checkpoint, or null when none was written yet. */
  lastCheckpoint: { seq: number; at: string; keyId: string; hash: string } | null;
  /** Entries after the newest checkpoint (linked, not yet signed). */
  unsignedTail: number;
  /** When this status was computed (a reused answer keeps it: entries after `checked.toSeq` are not in it). */
  checkedAt: string;
  /** `recent-window`: only the newest entries were checked; run `warden audit verify` for all. */
  scope: 'recent-window';
}

/**
 * Computes (and briefly caches) the audit status.
 *
 * @example
 * const checker = new AuditStatusChecker({ store: warden.store.audit, verifier: warden.keys.checkpointVerifier() });
 * const status = await checker.status();
 */
export class AuditStatusChecker {
  readonly #store: AuditStore;
  readonly #verifier: CheckpointVerifier;
  readonly #clock: Clock;
  readonly #window: number;
  readonly #cacheMs: number;
  #cached: { at: number; status: AuditStatus } | null = null;
  #running: Promise<AuditStatus> | null = null;

  constructor(options: AuditStatusOptions) {
    this.#store = options.store;
    this.#verifier = options.verifier;
    this.#clock = options.clock ?? systemClock;
    this.#window = Math.max(1, Math.floor(options.window ?? DEFAULT_STATUS_WINDOW));
    this.#cacheMs = (options.cacheSeconds ?? 30) * 1000;
  }

  /**
   * The status: the cached answer while it is younger than `cacheSeconds` (even if entries were added
   * since), else a new computation that concurrent callers share. Rejects only when the store cannot
   * be read.
   */
  async status(): Promise<AuditStatus> {
    const cached = this.#cached;
    if (cached !== null && this.#clock.now() - cached.at < this.#cacheMs) return cached.status;
    this.#running ??= this.#store
      .head()
      .then((head) => this.#compute(head))
      .finally(() => {
        this.#running = null;
      });
    return this.#running;
  }

  async #compute(head: ChainHead): Promise<AuditStatus> {
    const store = this.#store;
    const [entries, prunes, latest] = await Promise.all([
      store.count(),
      store.prunes(),
      store.latestCheckpoint(),
    ]);
    const prunedThrough = prunes.reduce((highest, prune) => Math.max(highest, prune.upToSeq), 0);
    const anchorHash = prunes.find((prune) => prune.upToSeq === prunedThrough)?.anchorHash ?? GENESIS_HASH;
    const start = Math.max(prunedThrough, head.seq - this.#window);
    const problems: string[] = [];
    const checked = { fromSeq: null as number | null, toSeq: null as number | null, entries: 0 };

    try {
      let after: ChainHead = { seq: prunedThrough, hash: anchorHash };
      if (start > prunedThrough) {
        const [first] = await store.query({ fromSeq: start, toSeq: start, limit: 1 });
        if (first === undefined)
          throw new VerifyStop({ seq: start, problem: 'seq-gap', message: `Entry ${start} is missing.` });
        after = { seq: first.seq, hash: first.hash };
      }
      const checkpoints = (await store.checkpoints(start + 1)).filter(
        (checkpoint) => checkpoint.seq <= head.seq,
      );
      let index = 0;
      await checkSegment({
        store,
        after,
        through: head.seq,
        pageSize: 5000,
        onEntry: async (entry) => {
          while (index < checkpoints.length && checkpoints[index]!.seq <= entry.seq) {
            const checkpoint = checkpoints[index]!;
            index += 1;
            if (checkpoint.hash !== entry.hash) {
              throw new VerifyStop({
                seq: checkpoint.seq,
                problem: 'checkpoint-mismatch',
                message: `The signed checkpoint at seq ${checkpoint.seq} does not match entry ${entry.seq}: the chain up to this seq was rewritten.`,
              });
            }
            await this.#checkSignature(checkpoint);
          }
          checked.fromSeq ??= entry.seq;
          checked.toSeq = entry.seq;
          checked.entries += 1;
        },
      });
      if (latest !== null) {
        if (latest.seq > head.seq) {
          throw new VerifyStop({
            seq: head.seq + 1,
            problem: 'head-missing',
            message: `The newest signed checkpoint is at seq ${latest.seq}, but the chain ends at seq ${head.seq}: entries were removed from the end.`,
          });
        }
        await this.#checkSignature(latest);
      }
    } catch (error) {
      if (!(error instanceof VerifyStop)) throw error;
      problems.push(error.failure.message);
    }

    const status: AuditStatus = {
      ok: problems.length === 0,
      entries,
      checked,
      problems,
      lastCheckpoint:
        latest === null ? null : { seq: latest.seq, at: latest.time, keyId: latest.keyId, hash: latest.hash },
      unsignedTail: Math.max(0, head.seq - (latest?.seq ?? prunedThrough)),
      checkedAt: new Date(this.#clock.now()).toISOString(),
      scope: 'recent-window',
    };
    this.#cached = { at: this.#clock.now(), status };
    return status;
  }

  async #checkSignature(checkpoint: AuditCheckpointRecord): Promise<void> {
    const result = await this.#verifier.verify(
      checkpoint.keyId,
      checkpointPayload(checkpoint),
      checkpoint.signature,
    );
    if (result === 'valid') return;
    throw new VerifyStop({
      seq: checkpoint.seq,
      problem: result === 'unknown-key' ? 'checkpoint-key-unknown' : 'checkpoint-signature',
      message:
        result === 'unknown-key'
          ? `The checkpoint at seq ${checkpoint.seq} is signed by key "${checkpoint.keyId}", which Warden does not hold: it was forged, or the key was removed.`
          : `The signature of the checkpoint at seq ${checkpoint.seq} does not verify: the checkpoint was forged or altered.`,
    });
  }
}
