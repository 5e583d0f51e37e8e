/**
 * The audit log writer: each record() resolves only once its entry is durably committed in the hash
 * chain (group commit: concurrent records share one transaction), and signed checkpoints are written
 * every `checkpointEvery` entries and every `checkpointIntervalSeconds` while entries arrive.
 */
import { WardenError, isoTime, toWardenError } from '../core/index.js';
import type { Clock, JsonObject } from '../core/index.js';
import type { AuditCheckpointRecord, AuditEntryRecord, AuditStore, ChainHead } from '../store/index.js';
import { canonicalJson, checkpointPayload, computeDetailDigest, computeEntryHash } from './canonical.js';
import { redactDetail, toStorableString } from './redact.js';
import type { AuditEvent, AuditRecorder, CheckpointSigner } from './types.js';

export interface AuditLogOptions {
  store: AuditStore;
  clock: Clock;
  /** HMAC key for detail digests (derive it from the master key); at least 16 bytes. */
  digestKey: Uint8Array;
  signer: CheckpointSigner;
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
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

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
    this.#checkpointEvery = options.checkpointEvery;
    this.#checkpointIntervalMs = options.checkpointIntervalSeconds * 1000;
    this.#onError =
      options.onError ??
      ((error: unknown) => {
        const wrapped = toWardenError(error);
        process.emitWarning(`${wrapped.code}: ${wrapped.message}`, { code: wrapped.code });
      });
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
      if (this.#lastCheckpointSeq === null) {
        this.#lastCheckpointSeq = (await this.#store.latestCheckpoint())?.seq ?? 0;
      }
      if (headSeq - this.#lastCheckpointSeq < this.#checkpointEvery) return;
      // Another replica may have written one meanwhile.
      this.#lastCheckpointSeq = (await this.#store.latestCheckpoint())?.seq ?? 0;
      if (headSeq - this.#lastCheckpointSeq < this.#checkpointEvery) return;
      await this.checkpoint();
    } catch (error) {
      this.#onError(error);
    }
  }

  /**
   * Writes a signed checkpoint at the newest entry, unless the newest checkpoint already covers it.
   * Signs the hash this process computed for its own newest entry when that is the newest; otherwise
   * (entries of another replica or an earlier run) the head the store reports. Resolves with the new
   * checkpoint, or null when there was nothing new to cover.
   */
  checkpoint(): Promise<AuditCheckpointRecord | null> {
    const run = this.#checkpointChain.then(() => this.#writeCheckpoint());
    this.#checkpointChain = run.catch(() => undefined);
    return run;
  }

  async #writeCheckpoint(): Promise<AuditCheckpointRecord | null> {
    const [latest, head] = await Promise.all([this.#store.latestCheckpoint(), this.#store.head()]);
    const covered = latest?.seq ?? 0;
    this.#lastCheckpointSeq = Math.max(this.#lastCheckpointSeq ?? 0, covered);
    const own = this.#lastAppended;
    const target = own !== null && own.seq >= head.seq ? own : head;
    if (target.seq <= covered || target.seq === 0) return null;
    if (own !== null && own.seq === head.seq && own.hash !== head.hash) {
      throw new WardenError(
        'WARDEN_INTERNAL',
        `The audit store reports hash ${head.hash.slice(0, 12)}… for entry ${head.seq}, but this process wrote ${own.hash.slice(0, 12)}…; the store was changed underneath. Run \`warden audit verify\`.`,
        { seq: head.seq },
      );
    }
    const time = isoTime(this.#clock);
    const keyId = await this.#signer.keyId();
    const unsigned = { seq: target.seq, hash: target.hash, time, keyId };
    const signature = await this.#signer.sign(keyId, checkpointPayload(unsigned));
    const checkpoint: AuditCheckpointRecord = { ...unsigned, signature };
    try {
      await this.#store.addCheckpoint(checkpoint);
    } catch (error) {
      // Another replica may have checkpointed the same seq first; then there is nothing left to do.
      const newest = await this.#store.latestCheckpoint().catch(() => null);
      if (newest !== null && newest.seq >= checkpoint.seq) {
        this.#lastCheckpointSeq = Math.max(this.#lastCheckpointSeq, newest.seq);
        return null;
      }
      throw error;
    }
    this.#lastCheckpointSeq = Math.max(this.#lastCheckpointSeq, checkpoint.seq);
    return checkpoint;
  }

  /**
   * The interval check start() runs: writes a checkpoint when the oldest entry not yet under a
   * checkpoint is at least checkpointIntervalSeconds old, so no entry stays unsigned much longer
   * than that. Resolves with the checkpoint written, or null.
   */
  async checkpointIfDue(): Promise<AuditCheckpointRecord | null> {
    const [latest, head] = await Promise.all([this.#store.latestCheckpoint(), this.#store.head()]);
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
   * Stops the timer, refuses new records, waits until every queued record is settled, and writes a
   * final checkpoint if entries follow the newest one. Rejects if that checkpoint cannot be written.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
    while (this.#draining !== null) await this.#draining;
    await this.#checkpointChain;
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

function appendFailed(error: unknown, count: number): WardenError {
  const cause = toWardenError(error);
  return new WardenError(
    'WARDEN_AUDIT_UNAVAILABLE',
    `The audit log could not store ${count === 1 ? 'an entry' : `a batch of ${count} entries`} (${cause.code}: ${cause.message}); nothing of it was recorded. Check the store and retry.`,
    { cause: cause.code },
    { cause: error },
  );
}
