/**
 * The audit log writer: each record() resolves only once its entry is durably committed in the hash
 * chain (group commit: concurrent records share one transaction), and signed checkpoints are written
 * every `checkpointEvery` entries and every `checkpointIntervalSeconds` while entries arrive.
 *
 * A checkpoint signs only a chain it has checked: before signing seq N it re-reads the entries from the
 * newest trusted checkpoint (signature verified, or written by this instance; else the prune anchor or
 * genesis) through N, checks seqs, links and every hash, and refuses (WARDEN_AUDIT_TAMPERED) at the first
 * bad seq, so an entry forged into the unsigned tail with a wrong hash or link is never signed. close()
 * signs only when this instance appended since the newest checkpoint: a process that only reads signs nothing.
 * Limit: the chain is unkeyed SHA-256, so someone who can write the database and recomputes every hash and
 * link of the entries they add or change in the unsigned tail is not detected, and the next checkpoint
 * (of any writer) signs their entries. The exposure is bounded by checkpoint frequency: `warden serve`
 * signs every `checkpointEvery` entries and within about 1.5 × `checkpointInterval`, reports a refused
 * checkpoint as `audit checkpoint failed`, and while it runs notices checkpoint rows it knew being deleted.
 */
import { WardenError, isWardenError, isoTime, toWardenError } from '../core/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import { GENESIS_HASH } from '../store/index.js';
import type {
  AuditCheckpointRecord,
  AuditEntryRecord,
  AuditPruneRecord,
  AuditStore,
  ChainHead,
} from '../store/index.js';
import { canonicalJson, checkpointPayload, computeDetailDigest, computeEntryHash } from './canonical.js';
import { redactDetail, toStorableString } from './redact.js';
import { VerifyStop, checkSegment, short } from './segment.js';
import type {
  AuditEvent,
  AuditRecorder,
  CheckpointSigner,
  CheckpointVerifier,
  VerifyFailure,
  VerifyProblem,
} from './types.js';

export interface AuditLogOptions {
  store: AuditStore;
  clock: Clock;
  /** HMAC key for detail digests (derive it from the master key); at least 16 bytes. */
  digestKey: Uint8Array;
  signer: CheckpointSigner;
  /**
   * Checks the signature of a checkpoint this instance did not write before it trusts it as the start
   * of the stretch it re-verifies before signing. Pass one (the server does): without it, a stretch
   * starts at the newest checkpoint this instance wrote, else at the prune anchor or genesis, so the
   * first checkpoint of a process re-reads every entry held.
   */
  verifier?: CheckpointVerifier;
  /** Write a signed checkpoint once this many entries follow the last one. */
  checkpointEvery: number;
  /** ...or, with start(), once this many seconds passed since the last one and entries followed it. */
  checkpointIntervalSeconds: number;
  /** Failures of background checkpoints (records still succeed). Defaults to a process warning. */
  onError?: (error: unknown) => void;
  /** Replaces the default redaction (redactDetail), e.g. to add PII detectors. */
  redact?: (detail: JsonObject) => JsonObject;
  /** At most this many entries per append transaction. Default 1000. */
  maxBatch?: number;
}

/** An event ready to be chained: everything but seq, time and the hashes. */
interface PendingEntry {
  type: string;
  actor: string;
  session: string | null;
  subject: string | null;
  decision: string | null;
  policyIds: string[];
  detail: JsonObject;
  detailDigest: string;
  resolve: (entry: AuditEntryRecord) => void;
  reject: (error: unknown) => void;
}

/** Entries read per query when re-verifying the stretch a checkpoint is about to sign. */
const SEGMENT_PAGE_SIZE = 1000;
const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;
const MAX_FIELD_LENGTH = 1024;
const MAX_POLICY_IDS = 256;

/**
 * The tamper-evident audit log. Create one per process, call start() to enable interval
 * checkpoints, and close() on shutdown (it drains pending records and writes a final checkpoint).
 *
 * @example
 * const log = new AuditLog({ store: store.audit, clock, digestKey, signer, checkpointEvery: 1000, checkpointIntervalSeconds: 60 });
 * log.start();
 * await log.record({ type: 'agent-suspended', actor: 'admin:alice', subject: 'agent:support-bot', detail: { reason: 'incident 42' } });
 * await log.close();
 */
export class AuditLog implements AuditRecorder {
  readonly #store: AuditStore;
  readonly #clock: Clock;
  readonly #digestKey: Uint8Array;
  readonly #signer: CheckpointSigner;
  readonly #verifier: CheckpointVerifier | null;
  readonly #checkpointEvery: number;
  readonly #checkpointIntervalMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #redact: (detail: JsonObject) => JsonObject;
  readonly #customRedact: boolean;
  readonly #maxBatch: number;

  #queue: PendingEntry[] = [];
  /** The running drain loop, if any. */
  #draining: Promise<void> | null = null;
  /** Serializes checkpoint writes. */
  #checkpointChain: Promise<unknown> = Promise.resolve();
  /** The newest entry this process appended: its hash is known first-hand, not read back. */
  #lastAppended: ChainHead | null = null;
  /** Seq of the newest checkpoint known (written here or read from the store); null = not read yet. */
  #lastCheckpointSeq: number | null = null;
  /** The newest checkpoint this instance wrote, or read and verified the signature of. */
  #trusted: ChainHead | null = null;
  /** Set once the chain was found tampered with: no checkpoint is signed by this instance after that. */
  #tampered: WardenError | null = null;
  /** The head seq at which a count checkpoint was last attempted after tampering was found. */
  #tamperReportedAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Called with each entry once it is durably recorded (see onRecorded). */
  readonly #recordedListeners = new Set<(entry: AuditEntryRecord) => void>();

  constructor(options: AuditLogOptions) {
    if (!Number.isSafeInteger(options.checkpointEvery) || options.checkpointEvery < 1) {
      throw new WardenError(
        'WARDEN_INTERNAL',
        `checkpointEvery must be a whole number of at least 1, not ${options.checkpointEvery}.`,
      );
    }
    if (!(options.checkpointIntervalSeconds > 0)) {
      throw new WardenError(
        'WARDEN_INTERNAL',
        `checkpointIntervalSeconds must be more than 0, not ${options.checkpointIntervalSeconds}.`,
      );
    }
    if (options.digestKey.byteLength < 16) {
      throw new WardenError(
        'WARDEN_INTERNAL',
        'The audit digest key must be at least 16 bytes; derive it from the master key.',
      );
    }
    this.#store = options.store;
    this.#clock = options.clock;
    this.#digestKey = options.digestKey;
    this.#signer = options.signer;
    this.#verifier = options.verifier ?? null;
    this.#checkpointEvery = options.checkpointEvery;
    this.#checkpointIntervalMs = options.checkpointIntervalSeconds * 1000;
    const report =
      options.onError ??
      ((error: unknown) => {
        const wrapped = toWardenError(error);
        process.emitWarning(`${wrapped.code}: ${wrapped.message}`, { code: wrapped.code });
      });
    // A reporter that throws must not strand the records waiting on the batch it reports about.
    this.#onError = (error: unknown) => {
      try {
        report(error);
      } catch {
        // nothing more can be done with it
      }
    };
    this.#redact = options.redact ?? ((detail) => redactDetail(detail));
    this.#customRedact = options.redact !== undefined;
    this.#maxBatch = options.maxBatch ?? 1000;
  }

  /**
   * Appends `event` to the chain. Resolves with the stored entry once it is durably committed (and,
   * when one falls due, after the checkpoint covering it is written); rejects with
   * WARDEN_AUDIT_UNAVAILABLE when the store refused the batch, in which case nothing of it is stored;
   * with WARDEN_SHUTTING_DOWN after close(), and WARDEN_INTERNAL for a malformed event.
   */
  record(event: AuditEvent): Promise<AuditEntryRecord> {
    if (this.#closed) {
      return Promise.reject(
        new WardenError(
          'WARDEN_SHUTTING_DOWN',
          `The audit log is closed; the "${String(event.type)}" event was not recorded.`,
        ),
      );
    }
    let prepared: Omit<PendingEntry, 'resolve' | 'reject'>;
    try {
      prepared = this.#prepare(event);
    } catch (error) {
      return Promise.reject(toWardenError(error));
    }
    return new Promise<AuditEntryRecord>((resolve, reject) => {
      this.#queue.push({ ...prepared, resolve, reject });
      // Start draining after the current synchronous burst, so records made together share a batch.
      this.#draining ??= Promise.resolve().then(() => this.#drain());
    });
  }

  /**
   * Subscribes to entries this instance recorded: `listener` is called synchronously with each entry,
   * in seq order, after its record() resolved (so it is durably stored). It should be quick (queue the
   * work); what it throws is reported through onError and never reaches the writer. Entries other
   * replicas write are not seen. Returns the unsubscribe function.
   */
  onRecorded(listener: (entry: AuditEntryRecord) => void): () => void {
    this.#recordedListeners.add(listener);
    return () => this.#recordedListeners.delete(listener);
  }

  #notifyRecorded(entries: readonly AuditEntryRecord[]): void {
    for (const listener of this.#recordedListeners) {
      for (const entry of entries) {
        try {
          listener(entry);
        } catch (error) {
          this.#onError(error);
        }
      }
    }
  }

  /** Validates and redacts an event, and digests its original detail. Throws for a malformed event. */
  #prepare(event: AuditEvent): Omit<PendingEntry, 'resolve' | 'reject'> {
    if (typeof event.type !== 'string' || !EVENT_TYPE_PATTERN.test(event.type) || event.type.length > 64) {
      throw new WardenError(
        'WARDEN_INTERNAL',
        `Audit event type "${String(event.type).slice(0, 64)}" is not a noun-verb name such as "agent-suspended" (lowercase words joined by "-", at most 64 characters).`,
      );
    }
    if (typeof event.actor !== 'string' || event.actor.length === 0) {
      throw new WardenError(
        'WARDEN_INTERNAL',
        `Audit event "${event.type}" has no actor; say who acted, e.g. "system" or "admin:alice".`,
      );
    }
    const policyIds = event.policyIds ?? [];
    if (
      !Array.isArray(policyIds) ||
      policyIds.length > MAX_POLICY_IDS ||
      policyIds.some((id) => typeof id !== 'string')
    ) {
      throw new WardenError(
        'WARDEN_INTERNAL',
        `Audit event "${event.type}" has invalid policyIds; pass at most ${MAX_POLICY_IDS} strings.`,
      );
    }
    const original = event.detail ?? {};
    const detail = this.#redact(original);
    // A custom redactor's output is checked here, so a bad one fails only its own record and not the
    // batch it would have joined (the default redactor always returns plain JSON).
    if (this.#customRedact) canonicalJson(detail);
    return {
      type: event.type,
      actor: field(event.actor),
      session: optionalField(event.session),
      subject: optionalField(event.subject),
      decision: optionalField(event.decision),
      policyIds: policyIds.map(field),
      detail,
      detailDigest: computeDetailDigest(original, this.#digestKey),
    };
  }

  /** Appends queued entries in batches until the queue is empty. Never rejects. */
  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        let entries: AuditEntryRecord[];
        try {
          entries = await this.#store.append((head) => this.#build(head, batch));
          if (entries.length !== batch.length) {
            throw new WardenError(
              'WARDEN_INTERNAL',
              `The store appended ${entries.length} audit entries for a batch of ${batch.length}.`,
            );
          }
        } catch (error) {
          const failure = appendFailed(error, batch.length);
          for (const pending of batch) pending.reject(failure);
          continue;
        }
        const last = entries[entries.length - 1]!;
        if (this.#lastAppended === null || last.seq > this.#lastAppended.seq) {
          this.#lastAppended = { seq: last.seq, hash: last.hash };
        }
        await this.#checkpointIfCountDue(last.seq);
        batch.forEach((pending, index) => pending.resolve(entries[index]!));
        if (this.#recordedListeners.size > 0) this.#notifyRecorded(entries);
      }
    } finally {
      // No await separates the loop's last empty-queue check from here, so no record is stranded.
      this.#draining = null;
    }
  }

  /** Chains `batch` after `head` (called by the store under its append lock). */
  #build(head: ChainHead, batch: PendingEntry[]): AuditEntryRecord[] {
    const time = isoTime(this.#clock);
    let previous = head;
    return batch.map((pending) => {
      const unhashed = {
        seq: previous.seq + 1,
        time,
        type: pending.type,
        actor: pending.actor,
        session: pending.session,
        subject: pending.subject,
        decision: pending.decision,
        policyIds: pending.policyIds,
        detail: pending.detail,
        detailDigest: pending.detailDigest,
        prevHash: previous.hash,
      };
      const entry: AuditEntryRecord = { ...unhashed, hash: computeEntryHash(unhashed) };
      previous = entry;
      return entry;
    });
  }

  async #checkpointIfCountDue(headSeq: number): Promise<void> {
    try {
      if (this.#lastCheckpointSeq === null) await this.#readLatestCheckpoint();
      if (headSeq - (this.#lastCheckpointSeq ?? 0) < this.#checkpointEvery) return;
      if (this.#tampered !== null) {
        // Nothing will be signed again; say so once per checkpointEvery entries, not on every batch.
        if (headSeq - this.#tamperReportedAt < this.#checkpointEvery) return;
        throw this.#tampered;
      }
      // Another replica may have written one meanwhile.
      await this.#readLatestCheckpoint();
      if (headSeq - (this.#lastCheckpointSeq ?? 0) < this.#checkpointEvery) return;
      await this.checkpoint();
    } catch (error) {
      if (isWardenError(error, 'WARDEN_AUDIT_TAMPERED')) this.#tamperReportedAt = headSeq;
      this.#onError(error);
    }
  }

  /**
   * Writes a signed checkpoint at the newest entry, unless the newest checkpoint already covers it.
   * Signs the hash this process computed for its own newest entry when that is the newest; otherwise
   * (entries of another replica or an earlier run) the head the store reports. Before signing, it
   * re-reads every entry from the newest trusted checkpoint (or the prune anchor, or genesis) to the
   * seq it signs and checks seqs, links and hashes. Resolves with the new checkpoint, or null when
   * there was nothing new to cover; rejects with WARDEN_AUDIT_TAMPERED, naming the first bad seq, when
   * that stretch does not verify (and from then on, for this instance), and with the signer's or the
   * store's error when those fail.
   */
  checkpoint(): Promise<AuditCheckpointRecord | null> {
    const run = this.#checkpointChain.then(() => this.#writeCheckpoint());
    this.#checkpointChain = run.catch(() => undefined);
    return run;
  }

  async #writeCheckpoint(): Promise<AuditCheckpointRecord | null> {
    if (this.#tampered !== null) throw this.#tampered;
    const [latest, head, prunes] = await Promise.all([
      this.#readLatestCheckpoint(),
      this.#store.head(),
      this.#store.prunes(),
    ]);
    const covered = latest?.seq ?? 0;
    const own = this.#lastAppended;
    const target = own !== null && own.seq >= head.seq ? own : head;
    if (target.seq <= covered || target.seq === 0) return null;

    // The trusted link the stretch to sign hangs from.
    const prune = prunes.reduce<AuditPruneRecord | null>(
      (newest, record) => (newest === null || record.upToSeq > newest.upToSeq ? record : newest),
      null,
    );
    const base: ChainHead =
      prune === null ? { seq: 0, hash: GENESIS_HASH } : { seq: prune.upToSeq, hash: prune.anchorHash };
    if (this.#verifier !== null && prune !== null && covered < prune.upToSeq) {
      throw this.#refuse(
        prune.upToSeq,
        'prune-anchor',
        `Entries through seq ${prune.upToSeq} were pruned, but the newest checkpoint is ${latest === null ? 'missing' : `at seq ${covered}`}: checkpoint rows were deleted.`,
        target.seq,
      );
    }
    const trusted = this.#trusted;
    const anchor = trusted !== null && trusted.seq >= base.seq ? trusted : base;
    // A checkpoint verified meanwhile (another replica's) may already cover the target.
    if (anchor.seq >= target.seq) return null;

    let last: AuditEntryRecord | null;
    try {
      last = await checkSegment({
        store: this.#store,
        after: anchor,
        through: target.seq,
        pageSize: SEGMENT_PAGE_SIZE,
        prune: anchor === base ? prune : null,
        onEntry: (entry) => {
          if (own !== null && entry.seq === own.seq && entry.hash !== own.hash) {
            throw new VerifyStop({
              seq: own.seq,
              problem: 'hash-mismatch',
              message: `The audit store holds hash ${short(entry.hash)} for entry ${own.seq}, but this process wrote ${short(own.hash)}; the store was changed underneath.`,
            });
          }
        },
      });
    } catch (error) {
      if (!(error instanceof VerifyStop)) throw error;
      throw this.#refuse(error.failure.seq, error.failure.problem, error.failure.message, target.seq);
    }
    if (last === null || last.seq !== target.seq || last.hash !== target.hash) {
      throw this.#refuse(
        target.seq,
        'hash-mismatch',
        `The audit store reports hash ${short(target.hash)} for its head at seq ${target.seq}, but entry ${target.seq} hashes to ${last === null ? '(nothing)' : short(last.hash)}.`,
        target.seq,
      );
    }

    const time = isoTime(this.#clock);
    const keyId = await this.#signer.keyId();
    const unsigned = { seq: last.seq, hash: last.hash, time, keyId };
    const signature = await this.#signer.sign(keyId, checkpointPayload(unsigned));
    const checkpoint: AuditCheckpointRecord = { ...unsigned, signature };
    try {
      await this.#store.addCheckpoint(checkpoint);
    } catch (error) {
      // Another replica may have checkpointed the same seq first; then there is nothing left to do.
      const newest = await this.#store.latestCheckpoint().catch(() => null);
      if (newest !== null && newest.seq >= checkpoint.seq) {
        this.#lastCheckpointSeq = Math.max(this.#lastCheckpointSeq ?? 0, newest.seq);
        return null;
      }
      throw error;
    }
    this.#lastCheckpointSeq = Math.max(this.#lastCheckpointSeq ?? 0, checkpoint.seq);
    if (this.#trusted === null || checkpoint.seq > this.#trusted.seq) {
      this.#trusted = { seq: checkpoint.seq, hash: checkpoint.hash };
    }
    return checkpoint;
  }

  /**
   * Reads the newest checkpoint. Refuses (WARDEN_AUDIT_TAMPERED) when it is older than one this
   * instance wrote or verified (checkpoint rows were deleted) or, with a verifier, when a newer one's
   * signature does not verify; a newer one that verifies becomes the trusted start.
   */
  async #readLatestCheckpoint(): Promise<AuditCheckpointRecord | null> {
    // Taken before the read: a checkpoint trusted by then must be in what the read returns.
    const trusted = this.#trusted;
    const latest = await this.#store.latestCheckpoint();
    if (trusted !== null && (latest === null || latest.seq < trusted.seq)) {
      throw this.#refuse(
        trusted.seq,
        'head-missing',
        `The checkpoint at seq ${trusted.seq} that this process wrote or verified is gone (the newest checkpoint is ${latest === null ? 'none' : `at seq ${latest.seq}`}): checkpoint rows were deleted.`,
      );
    }
    if (latest !== null && trusted !== null && latest.seq === trusted.seq && latest.hash !== trusted.hash) {
      throw this.#refuse(
        latest.seq,
        'checkpoint-mismatch',
        `The checkpoint at seq ${latest.seq} now holds hash ${short(latest.hash)}, but this process wrote or verified it with ${short(trusted.hash)}.`,
      );
    }
    if (latest !== null && this.#verifier !== null && (trusted === null || latest.seq > trusted.seq)) {
      const result = await this.#verifier.verify(latest.keyId, checkpointPayload(latest), latest.signature);
      if (result !== 'valid') {
        throw this.#refuse(
          latest.seq,
          result === 'unknown-key' ? 'checkpoint-key-unknown' : 'checkpoint-signature',
          `The newest checkpoint, at seq ${latest.seq} (${latest.time}, key "${latest.keyId}"), ${result === 'unknown-key' ? 'names a key Warden does not hold' : 'has a signature that does not verify'}: it was forged or altered.`,
        );
      }
      if (this.#trusted === null || latest.seq > this.#trusted.seq) {
        this.#trusted = { seq: latest.seq, hash: latest.hash };
      }
    }
    this.#lastCheckpointSeq = Math.max(this.#lastCheckpointSeq ?? 0, latest?.seq ?? 0);
    return latest;
  }

  /** Makes (and keeps) the error that refuses every later checkpoint of this instance. */
  #refuse(seq: number, problem: VerifyProblem, message: string, signingSeq?: number): WardenError {
    const failure: VerifyFailure = { seq, problem, message };
    this.#tampered ??= tamperedError(failure, signingSeq);
    return this.#tampered;
  }

  /**
   * The interval check start() runs: writes a checkpoint when the oldest entry not yet under a
   * checkpoint is at least checkpointIntervalSeconds old, so no entry stays unsigned much longer
   * than that. Resolves with the checkpoint written, or null; rejects as checkpoint() does.
   */
  async checkpointIfDue(): Promise<AuditCheckpointRecord | null> {
    if (this.#tampered !== null) throw this.#tampered;
    const [latest, head] = await Promise.all([this.#readLatestCheckpoint(), this.#store.head()]);
    const covered = latest?.seq ?? 0;
    if (head.seq <= covered) return null;
    const [oldestUnsigned] = await this.#store.query({ fromSeq: covered + 1, order: 'asc', limit: 1 });
    if (
      oldestUnsigned !== undefined &&
      this.#clock.now() - Date.parse(oldestUnsigned.time) < this.#checkpointIntervalMs
    ) {
      return null;
    }
    return this.checkpoint();
  }

  /** Starts the interval checkpoint timer (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.#timer !== null || this.#closed) return;
    const period = Math.max(100, Math.floor(this.#checkpointIntervalMs / 2));
    this.#timer = setInterval(() => {
      this.checkpointIfDue().catch((error: unknown) => this.#onError(error));
    }, period);
    this.#timer.unref();
  }

  /**
   * Stops the timer, refuses new records, waits until every queued record is settled, and, only if this
   * instance appended entries after the newest checkpoint it knows of, writes a final checkpoint (an
   * instance that only read signs nothing). Rejects if that checkpoint cannot be written, e.g. with
   * WARDEN_AUDIT_TAMPERED when the stretch it would sign does not verify.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
    while (this.#draining !== null) await this.#draining;
    await this.#checkpointChain;
    const own = this.#lastAppended;
    if (own === null) return;
    await this.#readLatestCheckpoint();
    if (own.seq <= (this.#lastCheckpointSeq ?? 0)) return;
    await this.checkpoint();
  }
}

function field(value: string): string {
  const text = String(value);
  return toStorableString(
    text.length > MAX_FIELD_LENGTH ? `${text.slice(0, MAX_FIELD_LENGTH)}…[TRUNCATED]` : text,
  );
}

function optionalField(value: string | null | undefined): string | null {
  return value === undefined || value === null ? null : field(value);
}

function tamperedError(failure: VerifyFailure, signingSeq: number | undefined): WardenError {
  return new WardenError(
    'WARDEN_AUDIT_TAMPERED',
    `The audit log refuses to sign ${signingSeq === undefined ? 'a checkpoint' : `a checkpoint at seq ${signingSeq}`}: the chain fails at seq ${failure.seq} (${failure.problem}): ${failure.message} Audit entries or checkpoints were changed, removed or forged in the database; run \`warden audit verify\` and investigate before trusting entries from seq ${failure.seq} on.`,
    { seq: failure.seq, problem: failure.problem, ...(signingSeq === undefined ? {} : { signingSeq }) },
  );
}

function appendFailed(error: unknown, count: number): WardenError {
  const cause = toWardenError(error);
  return new WardenError(
    'WARDEN_AUDIT_UNAVAILABLE',
    `The audit log could not store ${count === 1 ? 'an entry' : `a batch of ${count} entries`} (${cause.code}: ${cause.message}); nothing of it was recorded. Check the store and retry.`,
    { cause: cause.code },
    { cause: error },
  );
}
