/** Shared set-up for the audit tests: real stores on both engines, a log with a frozen clock. */
import { AuditLog } from '../../src/audit/index.js';
import type { AuditLogOptions } from '../../src/audit/index.js';
import { ManualClock } from '../../src/core/index.js';
import type { AuditStore, ChainHead, AuditEntryRecord } from '../../src/store/index.js';
import {
  POSTGRES_SKIP_MESSAGE,
  POSTGRES_TEST_URL,
  makePostgresStore,
  makeSqliteStore,
} from '../store/helpers.js';
import type { StoreFixture } from '../store/helpers.js';
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
