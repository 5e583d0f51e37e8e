/** Shared set-up for the audit tests: real stores on both engines, a log with a frozen clock. */
import { AuditLog, computeEntryHash } from '../../src/audit/index.js';
import type { AuditLogOptions } from '../../src/audit/index.js';
import { ManualClock } from '../../src/core/index.js';
import type {
  AuditCheckpointRecord,
  AuditEntryRecord,
  AuditStore,
  ChainHead,
} from '../../src/store/index.js';
import {
  POSTGRES_SKIP_MESSAGE,
  POSTGRES_TEST_URL,
  makePostgresStore,
  makeSqliteStore,
} from '../store/helpers.js';
import type { RawSql, StoreFixture } from '../store/helpers.js';
import { makeTestSigner } from './keys.js';

/** Both engines; PostgreSQL is skipped (with the reason) when WARDEN_TEST_POSTGRES_URL is unset. */
export const ENGINES: ReadonlyArray<{
  name: 'sqlite' | 'postgres';
  make: () => Promise<StoreFixture>;
  skip: string | false;
}> = [
  { name: 'sqlite', make: makeSqliteStore, skip: false },
  {
    name: 'postgres',
    make: makePostgresStore,
    skip: POSTGRES_TEST_URL === undefined ? POSTGRES_SKIP_MESSAGE : false,
  },
];

export const DIGEST_KEY = new Uint8Array(Buffer.from('audit-digest-key-for-tests-only!', 'utf8'));

export function makeLog(store: AuditStore, overrides: Partial<AuditLogOptions> = {}) {
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');
  const keys = makeTestSigner();
  const errors: unknown[] = [];
  const log = new AuditLog({
    store,
    clock,
    digestKey: DIGEST_KEY,
    signer: keys.signer,
    verifier: keys.verifier,
    checkpointEvery: 1000,
    checkpointIntervalSeconds: 60,
    onError: (error) => errors.push(error),
    ...overrides,
  });
  return { log, clock, keys, errors };
}

/**
 * A thin wrapper around a real AuditStore that counts appends and can make the next append fail
 * inside the real transaction (after build, before commit), so the store really rolls it back.
 */
export function instrumentedStore(store: AuditStore) {
  let appends = 0;
  let failNext: Error | null = null;
  const wrapped: AuditStore = {
    ...bindAll(store),
    append: (build: (head: ChainHead) => AuditEntryRecord[]) => {
      appends += 1;
      const failure = failNext;
      failNext = null;
      return store.append((head) => {
        const entries = build(head);
        if (failure !== null) throw failure;
        return entries;
      });
    },
  };
  return {
    store: wrapped,
    appends: () => appends,
    failNextAppend: (error: Error) => {
      failNext = error;
    },
  };
}

function bindAll(store: AuditStore): AuditStore {
  return {
    append: (build) => store.append(build),
    head: () => store.head(),
    query: (query) => store.query(query),
    count: () => store.count(),
    addCheckpoint: (checkpoint) => store.addCheckpoint(checkpoint),
    checkpoints: (fromSeq) => store.checkpoints(fromSeq),
    latestCheckpoint: () => store.latestCheckpoint(),
    prune: (record) => store.prune(record),
    prunes: () => store.prunes(),
  };
}

/** An entry that continues the chain after `head` with content of the caller's choosing and a correct hash. */
export function chainedEntry(
  head: ChainHead,
  changes: Partial<Omit<AuditEntryRecord, 'hash'>> = {},
): AuditEntryRecord {
  const unhashed = {
    seq: head.seq + 1,
    time: '2026-03-01T10:00:00.000Z',
    type: 'agent-created',
    actor: 'admin:mallory',
    session: null,
    subject: 'agent:backdoor',
    decision: null,
    policyIds: [],
    detail: { owner: 'mallory' },
    detailDigest: '0'.repeat(64),
    prevHash: head.hash,
    ...changes,
  };
  return { ...unhashed, hash: computeEntryHash(unhashed) };
}

/** `?` on SQLite, `$n` on PostgreSQL. */
export function placeholder(raw: RawSql, index: number): string {
  return raw.kind === 'sqlite' ? '?' : `$${index}`;
}

const CONTENT_COLUMNS = [
  'time',
  'type',
  'actor',
  'session',
  'subject',
  'decision',
  'policy_ids',
  'detail',
  'detail_digest',
  'prev_hash',
  'hash',
] as const;

function contentValues(entry: AuditEntryRecord): unknown[] {
  return [
    entry.time,
    entry.type,
    entry.actor,
    entry.session,
    entry.subject,
    entry.decision,
    JSON.stringify(entry.policyIds),
    JSON.stringify(entry.detail),
    entry.detailDigest,
    entry.prevHash,
    entry.hash,
  ];
}

/** Overwrites every column but seq of the row at `seq` with `entry`'s content, past the triggers. */
export async function overwriteRow(raw: RawSql, seq: number, entry: AuditEntryRecord): Promise<void> {
  const sets = CONTENT_COLUMNS.map((column, index) => `${column} = ${placeholder(raw, index + 1)}`).join(
    ', ',
  );
  await raw.exec(
    `UPDATE audit_entries SET ${sets} WHERE seq = ${placeholder(raw, CONTENT_COLUMNS.length + 1)}`,
    [...contentValues(entry), seq],
  );
}

/** Inserts `entry` as a row, past the triggers (the audit head is left as it was). */
export async function insertRow(raw: RawSql, entry: AuditEntryRecord): Promise<void> {
  const columns = ['seq', ...CONTENT_COLUMNS];
  const marks = columns.map((_, index) => placeholder(raw, index + 1)).join(', ');
  await raw.exec(`INSERT INTO audit_entries (${columns.join(', ')}) VALUES (${marks})`, [
    entry.seq,
    ...contentValues(entry),
  ]);
}

/** Recomputes `entry`'s hash after `changes`, as an attacker without the signing key can. */
export function rehash(entry: AuditEntryRecord, changes: Partial<AuditEntryRecord>): AuditEntryRecord {
  const { hash: _old, ...rest } = { ...entry, ...changes };
  return { ...rest, hash: computeEntryHash(rest) };
}

/** Inserts a checkpoint row as it is, past the triggers (an attacker's forged checkpoint). */
export async function insertCheckpointRow(raw: RawSql, checkpoint: AuditCheckpointRecord): Promise<void> {
  const marks = [1, 2, 3, 4, 5].map((index) => placeholder(raw, index)).join(', ');
  await raw.exec(`INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature) VALUES (${marks})`, [
    checkpoint.seq,
    checkpoint.hash,
    checkpoint.time,
    checkpoint.keyId,
    checkpoint.signature,
  ]);
}

/** Records `count` simple events one after another. */
export async function recordMany(
  log: AuditLog,
  count: number,
  type = 'tool-call-allowed',
): Promise<AuditEntryRecord[]> {
  const entries: AuditEntryRecord[] = [];
  for (let index = 0; index < count; index += 1) {
    entries.push(
      await log.record({ type, actor: 'agent:support-bot', subject: `tool:t${index}`, detail: { index } }),
    );
  }
  return entries;
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
