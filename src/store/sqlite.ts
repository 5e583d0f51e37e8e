/**
 * The embedded SQLite store (better-sqlite3, WAL). Every write commits durably before its promise
 * resolves, and audit appends serialize on an IMMEDIATE transaction, across processes too.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { WardenError } from '../core/index.js';
import { MIGRATIONS, migrationFailed, pendingMigrations } from './migrations.js';
import type { DatabaseState, Migration, StoreDescription } from './migrations.js';
import {
  AGENT_COLUMNS,
  AGENT_SELECT,
  APPROVAL_COLUMNS,
  APPROVAL_SELECT,
  MAX_DUE_APPROVALS,
  CHECKPOINT_SELECT,
  KEY_SELECT,
  PRUNE_SELECT,
  ENTRY_COLUMNS,
  KEY_COLUMNS,
  agentChangeColumns,
  agentExists,
  agentFromRow,
  agentValues,
  approvalChangeColumns,
  approvalExists,
  approvalFromRow,
  approvalListSql,
  approvalValues,
  auditQuerySql,
  checkContinuation,
  checkPrune,
  checkpointExists,
  checkpointFromRow,
  entryFromRow,
  entryValues,
  headFromRow,
  keyExists,
  keyFromRow,
  pruneFromRow,
  rotationValues,
} from './rows.js';
import { GENESIS_HASH } from './types.js';
import type {
  AgentChanges,
  AgentExpectation,
  AgentRecord,
  AgentStore,
  ApprovalChanges,
  ApprovalQuery,
  ApprovalRecord,
  ApprovalStore,
  AuditCheckpointRecord,
  AuditEntryRecord,
  AuditPruneRecord,
  AuditQuery,
  AuditStore,
  ChainHead,
  MetaStore,
  SigningKeyRecord,
  SigningKeyStore,
  Store,
} from './types.js';

type Row = Record<string, unknown>;
type Statement = Database.Statement<unknown[], Row>;

export interface SqliteStoreOptions {
  /** Absolute path of the database file, or `:memory:`. */
  path: string;
  /** `full` survives power loss; `normal` survives a killed process only. */
  synchronous: 'full' | 'normal';
  /** How long to wait for another connection's write lock before WARDEN_STORE_UNAVAILABLE (default 5000). */
  busyTimeoutMs?: number;
  /** The migrations to apply (tests only; default MIGRATIONS). */
  migrations?: readonly Migration[];
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const SETTING = 'store.sqlite.path';

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/**
 * better-sqlite3 refuses `undefined` and booleans: a missing optional field is stored as NULL, a
 * boolean as 0 or 1.
 */
function bindable(values: unknown[]): unknown[] {
  return values.map((value) =>
    value === undefined ? null : typeof value === 'boolean' ? Number(value) : value,
  );
}

/**
 * Switches to WAL. SQLite does not call the busy handler for this pragma while another process is
 * recovering or checkpointing the WAL, so a busy answer is retried here until the busy timeout.
 */
function enableWal(db: Database.Database, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 10); // only while opening: a short synchronous pause before retrying
    }
  }
}

function mapSqliteError(error: unknown, location: string, busyTimeoutMs: number): Error {
  if (error instanceof WardenError) return error;
  if (error instanceof Database.SqliteError) {
    const code = error.code;
    if (error.message.startsWith('WARDEN_AUDIT_IMMUTABLE')) {
      return new WardenError('WARDEN_AUDIT_IMMUTABLE', error.message, { location }, { cause: error });
    }
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new WardenError(
        'WARDEN_STORE_UNAVAILABLE',
        `The SQLite database ${location} stayed locked by another connection for more than ${busyTimeoutMs} ms; check for a stuck warden process or a long-running tool holding the file, then retry.`,
        { location },
        { cause: error },
      );
    }
    if (code === 'SQLITE_NOTADB') {
      return new WardenError(
        'WARDEN_STORE_NOT_WARDEN',
        `${location} is not a SQLite database (${error.message}); point ${SETTING} at an empty or Warden database.`,
        { location },
        { cause: error },
      );
    }
    if (
      code.startsWith('SQLITE_CANTOPEN') ||
      code.startsWith('SQLITE_READONLY') ||
      code.startsWith('SQLITE_IOERR') ||
      code.startsWith('SQLITE_CORRUPT') ||
      code === 'SQLITE_FULL' ||
      code === 'SQLITE_PERM' ||
      code === 'SQLITE_AUTH'
    ) {
      return new WardenError(
        'WARDEN_STORE_UNAVAILABLE',
        `The SQLite database ${location} cannot be used (${code}: ${error.message}); check that the file and its directory exist, are writable by this user, and that the disk is not full.`,
        { location, sqliteCode: code },
        { cause: error },
      );
    }
    return error;
  }
  if (error instanceof TypeError && /database connection is not open/i.test(error.message)) {
    return new WardenError('WARDEN_STORE_UNAVAILABLE', `The store ${location} is closed; open it again.`, {
      location,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

function isUniqueViolation(error: unknown): error is InstanceType<typeof Database.SqliteError> {
  return (
    error instanceof Database.SqliteError &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}

function readState(db: Database.Database): DatabaseState {
  const tables = (
    db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
      )
      .pluck()
      .all() as string[]
  ).sort();
  let marker: string | null = null;
  let version: string | null = null;
  if (tables.includes('warden_meta')) {
    try {
      const rows = db
        .prepare("SELECT key, value FROM warden_meta WHERE key IN ('schema', 'schema_version')")
        .all() as { key: string; value: unknown }[];
      for (const row of rows) {
        if (row.key === 'schema') marker = String(row.value);
        if (row.key === 'schema_version') version = String(row.value);
      }
    } catch {
      // A warden_meta table of another shape: not ours.
    }
  }
  return { tables, marker, version };
}

/** Applies pending migrations, each in its own IMMEDIATE transaction, re-reading the state every time. */
function migrate(
  db: Database.Database,
  migrations: readonly Migration[],
  description: StoreDescription,
): void {
  const step = db.transaction((): boolean => {
    const next = pendingMigrations(readState(db), migrations, description)[0];
    if (next === undefined) return false;
    try {
      db.exec(next.sqlite);
      db.prepare(
        "INSERT INTO warden_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ).run(String(next.version));
    } catch (error) {
      throw migrationFailed(next, description, error);
    }
    return true;
  });
  while (step.immediate()) {
    // one migration per transaction
  }
}

/**
 * Opens (creating it and its directory if needed) and migrates a SQLite store.
 *
 * @example
 * const store = await openSqliteStore({ path: '/var/lib/warden/warden.db', synchronous: 'full' });
 */
export function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const location = options.path;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const memory = location === ':memory:';
  let db: Database.Database | undefined;
  try {
    if (!memory) {
      try {
        mkdirSync(dirname(location), { recursive: true, mode: 0o700 });
        // Create the file owner-only: it holds secret hashes and sealed keys. WAL files copy its mode.
        if (!existsSync(location)) closeSync(openSync(location, 'a', 0o600));
      } catch (error) {
        throw new WardenError(
          'WARDEN_STORE_UNAVAILABLE',
          `Cannot create the SQLite database ${location} (${(error as Error).message}); check that its directory is writable, or set ${SETTING}.`,
          { location },
          { cause: error },
        );
      }
    }
    db = new Database(location, { timeout: busyTimeoutMs });
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    enableWal(db, busyTimeoutMs);
    // `full` is kept by flushing the WAL after each write off the event loop (see SqliteStore#write);
    // the connection itself runs NORMAL. An in-memory database has nothing to flush.
    db.pragma(`synchronous = ${options.synchronous === 'full' && memory ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrations ?? MIGRATIONS, { location, setting: SETTING });
    return Promise.resolve(
      new SqliteStore(db, location, busyTimeoutMs, options.synchronous === 'full' && !memory),
    );
  } catch (error) {
    db?.close();
    return Promise.reject(mapSqliteError(error, location, busyTimeoutMs));
  }
}

class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly location: string;
  readonly agents: AgentStore;
  readonly keys: SigningKeyStore;
  readonly meta: MetaStore;
  readonly audit: AuditStore;
  readonly approvals: ApprovalStore;
  readonly #db: Database.Database;
  readonly #busyTimeoutMs: number;
  readonly #cache = new Map<string, Statement>();
  /** For `synchronous: full`: the WAL is flushed after each write, off the event loop. */
  readonly #flushWal: boolean;
  #wal: Promise<FileHandle> | undefined;
  #flushFailed: WardenError | null = null;

  constructor(db: Database.Database, location: string, busyTimeoutMs: number, flushWal: boolean) {
    this.#db = db;
    this.location = location;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#flushWal = flushWal;
    this.agents = this.#agentStore();
    this.keys = this.#keyStore();
    this.meta = this.#metaStore();
    this.audit = this.#auditStore();
    this.approvals = this.#approvalStore();
  }

  /** A prepared statement, prepared once per SQL text. */
  #statement(sql: string): Statement {
    let statement = this.#cache.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare<unknown[], Row>(sql);
      this.#cache.set(sql, statement);
    }
    return statement;
  }

  /** Runs a synchronous operation as a promise, mapping driver errors. */
  #run<T>(operation: () => T): Promise<T> {
    try {
      return Promise.resolve(operation());
    } catch (error) {
      return Promise.reject(mapSqliteError(error, this.location, this.#busyTimeoutMs));
    }
  }

  /**
   * Runs a write (one transaction), then, for `synchronous: full`, flushes the WAL to disk before
   * resolving. SQLite's own FULL mode would fsync inside the commit and block the event loop for
   * the length of the fsync; the connection runs with NORMAL instead and this fdatasync runs on
   * libuv's thread pool. The guarantee is the same: a write has resolved only once its commit is on
   * disk. If the flush fails the write rejects, and so do every later write and `ping()` until the
   * store is reopened.
   */
  async #write<T>(operation: () => T): Promise<T> {
    if (this.#flushFailed !== null) throw this.#flushFailed;
    const result = await this.#run(operation);
    if (this.#flushWal) {
      try {
        const wal = await (this.#wal ??= openWalForFlush(this.location));
        await wal.datasync();
      } catch (error) {
        // Sticky: after a failed flush the kernel may report later flushes as fine although the
        // earlier frames never reached the disk, so this store accepts no more writes until reopened.
        this.#flushFailed = new WardenError(
          'WARDEN_STORE_UNAVAILABLE',
          `The SQLite write-ahead log of ${this.location} could not be flushed to disk (${(error as Error).message}); the last write may not survive a power loss. Check the disk, then restart Warden.`,
          { location: this.location },
          { cause: error },
        );
        throw this.#flushFailed;
      }
    }
    return result;
  }

  #agentStore(): AgentStore {
    const insert = this.#statement(
      `INSERT INTO agents (${AGENT_COLUMNS.join(', ')}) VALUES (${placeholders(AGENT_COLUMNS.length)})`,
    );
    const byId = this.#statement(`SELECT ${AGENT_SELECT} FROM agents WHERE id = ?`);
    const byName = this.#statement(`SELECT ${AGENT_SELECT} FROM agents WHERE name = ?`);
    const all = this.#statement(`SELECT ${AGENT_SELECT} FROM agents ORDER BY name`);
    return {
      create: (agent: AgentRecord) =>
        this.#write(() => {
          try {
            insert.run(...bindable(agentValues(agent)));
          } catch (error) {
            if (isUniqueViolation(error))
              throw agentExists(agent, error.message.includes('agents.name') ? 'name' : 'id');
            throw error;
          }
        }),
      getById: (id: string) =>
        this.#run(() => {
          const row = byId.get(id);
          return row === undefined ? null : agentFromRow(row);
        }),
      getByName: (name: string) =>
        this.#run(() => {
          const row = byName.get(name);
          return row === undefined ? null : agentFromRow(row);
        }),
      list: () => this.#run(() => all.all().map(agentFromRow)),
      update: (id: string, changes: AgentChanges, expected?: AgentExpectation) =>
        this.#write(() => {
          const { columns, values } = agentChangeColumns(changes);
          if (columns.length === 0) {
            const row = byId.get(id);
            return row === undefined ? null : agentFromRow(row);
          }
          const guard =
            expected === undefined ? '' : ' AND updated_at = ? AND secret_version = ? AND status = ?';
          const sql = `UPDATE agents SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE id = ?${guard} RETURNING ${AGENT_SELECT}`;
          const row = this.#statement(sql).get(
            ...bindable(values),
            id,
            ...(expected === undefined ? [] : [expected.updatedAt, expected.secretVersion, expected.status]),
          );
          return row === undefined ? null : agentFromRow(row);
        }),
    };
  }

  #keyStore(): SigningKeyStore {
    const list = this.#statement(
      `SELECT ${KEY_SELECT} FROM signing_keys WHERE purpose = ? ORDER BY created_at DESC, ordinal DESC`,
    );
    const get = this.#statement(`SELECT ${KEY_SELECT} FROM signing_keys WHERE kid = ?`);
    const retire = this.#statement(
      "UPDATE signing_keys SET status = 'retired', retired_at = ? WHERE purpose = ? AND status = 'active'",
    );
    const insert = this.#statement(
      `INSERT INTO signing_keys (${KEY_COLUMNS.join(', ')}) VALUES (${placeholders(KEY_COLUMNS.length)})`,
    );
    const rotate = this.#db.transaction((key: SigningKeyRecord) => {
      const values = rotationValues(key);
      retire.run(key.createdAt, key.purpose);
      try {
        insert.run(...values);
      } catch (error) {
        if (isUniqueViolation(error) && error.message.includes('signing_keys.kid')) throw keyExists(key);
        throw error;
      }
    });
    return {
      list: (purpose) => this.#run(() => list.all(purpose).map(keyFromRow)),
      get: (kid) =>
        this.#run(() => {
          const row = get.get(kid);
          return row === undefined ? null : keyFromRow(row);
        }),
      rotate: (key) => this.#write(() => rotate.immediate(key)),
    };
  }

  #metaStore(): MetaStore {
    const get = this.#statement('SELECT value FROM warden_meta WHERE key = ?');
    const insert = this.#statement(
      'INSERT INTO warden_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
    );
    const read = (key: string): string | null => {
      const row = get.get(key);
      return row === undefined ? null : (row.value as string);
    };
    return {
      get: (key) => this.#run(() => read(key)),
      setIfAbsent: (key, value) =>
        this.#write(() => {
          insert.run(key, value);
          return read(key) ?? value;
        }),
    };
  }

  #auditStore(): AuditStore {
    const readHead = this.#statement('SELECT seq, hash FROM audit_head WHERE id = 1');
    const insertEntry = this.#statement(
      `INSERT INTO audit_entries (${ENTRY_COLUMNS.join(', ')}) VALUES (${placeholders(ENTRY_COLUMNS.length)})`,
    );
    const updateHead = this.#statement('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1');
    const lastEntry = this.#statement('SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1');
    const lastPrune = this.#statement(
      `SELECT ${PRUNE_SELECT} FROM audit_prunes ORDER BY up_to_seq DESC LIMIT 1`,
    );
    const count = this.#statement('SELECT COUNT(*) AS count FROM audit_entries');
    const insertCheckpoint = this.#statement(
      'INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature) VALUES (?, ?, ?, ?, ?)',
    );
    const checkpointsFrom = this.#statement(
      `SELECT ${CHECKPOINT_SELECT} FROM audit_checkpoints WHERE seq >= ? ORDER BY seq`,
    );
    const checkpointAt = this.#statement(`SELECT ${CHECKPOINT_SELECT} FROM audit_checkpoints WHERE seq = ?`);
    const latestCheckpoint = this.#statement(
      `SELECT ${CHECKPOINT_SELECT} FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`,
    );
    const entryHashAt = this.#statement('SELECT hash FROM audit_entries WHERE seq = ?');
    const insertPrune = this.#statement(
      'INSERT INTO audit_prunes (up_to_seq, anchor_hash, time, actor) VALUES (?, ?, ?, ?)',
    );
    const deleteThrough = this.#statement('DELETE FROM audit_entries WHERE seq <= ?');
    const prunes = this.#statement(`SELECT ${PRUNE_SELECT} FROM audit_prunes ORDER BY up_to_seq`);

    const append = this.#db.transaction((build: (head: ChainHead) => AuditEntryRecord[]) => {
      const head = headFromRow(readHead.get()!);
      const entries = build(head);
      if (!Array.isArray(entries)) {
        throw new WardenError(
          'WARDEN_INTERNAL',
          'Audit append: build() must return an array of entries synchronously.',
        );
      }
      checkContinuation(head, entries);
      for (const entry of entries) insertEntry.run(...bindable(entryValues(entry)));
      const last = entries[entries.length - 1];
      if (last !== undefined) updateHead.run(last.seq, last.hash);
      return entries;
    });

    const prune = this.#db.transaction((record: AuditPruneRecord): number => {
      const checkpointRow = checkpointAt.get(record.upToSeq);
      const entryRow = entryHashAt.get(record.upToSeq);
      const lastPruneRow = lastPrune.get();
      checkPrune(
        record,
        checkpointRow === undefined ? null : checkpointFromRow(checkpointRow),
        entryRow === undefined ? null : (entryRow.hash as string),
        lastPruneRow === undefined ? 0 : pruneFromRow(lastPruneRow).upToSeq,
      );
      insertPrune.run(record.upToSeq, record.anchorHash, record.time, record.actor);
      return deleteThrough.run(record.upToSeq).changes;
    });

    return {
      append: (build) => this.#write(() => append.immediate(build)),
      head: () =>
        this.#run((): ChainHead => {
          const entry = lastEntry.get();
          if (entry !== undefined) return headFromRow(entry);
          const pruneRow = lastPrune.get();
          if (pruneRow !== undefined) {
            const record = pruneFromRow(pruneRow);
            return { seq: record.upToSeq, hash: record.anchorHash };
          }
          return { seq: 0, hash: GENESIS_HASH };
        }),
      query: (query: AuditQuery) =>
        this.#run(() => {
          const values: unknown[] = [];
          const bind = (value: unknown): string => {
            values.push(value);
            return '?';
          };
          const sql = auditQuerySql(
            query,
            bind,
            (column, list) => `${column} IN (SELECT value FROM json_each(${bind(JSON.stringify(list))}))`,
          );
          return this.#statement(sql)
            .all(...values)
            .map(entryFromRow);
        }),
      count: () => this.#run(() => Number(count.get()!.count)),
      addCheckpoint: (checkpoint: AuditCheckpointRecord) =>
        this.#write(() => {
          try {
            insertCheckpoint.run(
              checkpoint.seq,
              checkpoint.hash,
              checkpoint.time,
              checkpoint.keyId,
              checkpoint.signature,
            );
          } catch (error) {
            if (isUniqueViolation(error)) throw checkpointExists(checkpoint);
            throw error;
          }
        }),
      checkpoints: (fromSeq?: number) =>
        this.#run(() => checkpointsFrom.all(fromSeq ?? 0).map(checkpointFromRow)),
      latestCheckpoint: () =>
        this.#run(() => {
          const row = latestCheckpoint.get();
          return row === undefined ? null : checkpointFromRow(row);
        }),
      prune: (record: AuditPruneRecord) => this.#write(() => prune.immediate(record)),
      prunes: () => this.#run(() => prunes.all().map(pruneFromRow)),
    };
  }

  #approvalStore(): ApprovalStore {
    // Prepared on first use (then cached), so a store opened with older migrations (tests) still opens.
    const insert = `INSERT INTO approvals (${APPROVAL_COLUMNS.join(', ')}) VALUES (${placeholders(APPROVAL_COLUMNS.length)})`;
    const byId = `SELECT ${APPROVAL_SELECT} FROM approvals WHERE id = ?`;
    const matching = `SELECT ${APPROVAL_SELECT} FROM approvals WHERE agent_id = ? AND tool = ? AND arguments_digest = ? AND expires_at > ? ORDER BY requested_at DESC, id DESC LIMIT 1`;
    // Two index range scans (approvals_due_expiry, approvals_due_escalation), merged by id.
    const due = `SELECT ${APPROVAL_SELECT} FROM approvals WHERE id IN (
         SELECT id FROM approvals WHERE status IN ('pending', 'approved') AND expires_at <= ?
         UNION
         SELECT id FROM approvals WHERE status = 'pending' AND escalated = 0 AND escalate_at <= ?
       ) ORDER BY expires_at, id LIMIT ${MAX_DUE_APPROVALS}`;
    const one = (row: Row | undefined): ApprovalRecord | null =>
      row === undefined ? null : approvalFromRow(row);
    return {
      create: (approval: ApprovalRecord) =>
        this.#write(() => {
          try {
            this.#statement(insert).run(...bindable(approvalValues(approval)));
          } catch (error) {
            if (isUniqueViolation(error)) throw approvalExists(approval);
            throw error;
          }
        }),
      get: (id: string) => this.#run(() => one(this.#statement(byId).get(id))),
      list: (query: ApprovalQuery) =>
        this.#run(() => {
          const values: unknown[] = [];
          const bind = (value: unknown): string => {
            values.push(value);
            return '?';
          };
          const sql = approvalListSql(
            query,
            bind,
            (statuses) => `status IN (SELECT value FROM json_each(${bind(JSON.stringify(statuses))}))`,
          );
          return this.#statement(sql)
            .all(...values)
            .map(approvalFromRow);
        }),
      findMatching: (agentId: string, tool: string, argumentsDigest: string, now: string) =>
        this.#run(() => one(this.#statement(matching).get(agentId, tool, argumentsDigest, now))),
      due: (now: string) => this.#run(() => this.#statement(due).all(now, now).map(approvalFromRow)),
      update: (id: string, changes: ApprovalChanges, expectedVersion: number) =>
        this.#write(() => {
          const { columns, values } = approvalChangeColumns(changes);
          const assignments = [...columns.map((column) => `${column} = ?`), 'version = version + 1'].join(
            ', ',
          );
          const sql = `UPDATE approvals SET ${assignments} WHERE id = ? AND version = ? RETURNING ${APPROVAL_SELECT}`;
          return one(this.#statement(sql).get(...bindable(values), id, expectedVersion));
        }),
    };
  }

  schemaVersion(): Promise<number> {
    return this.#run(() =>
      Number(this.#statement("SELECT value FROM warden_meta WHERE key = 'schema_version'").get()?.value),
    );
  }

  ping(): Promise<void> {
    if (this.#flushFailed !== null) return Promise.reject(this.#flushFailed);
    return this.#run(() => {
      this.#statement('SELECT 1').get();
    });
  }

  async close(): Promise<void> {
    const wal = this.#wal;
    this.#wal = undefined;
    if (this.#db.open) this.#db.close();
    if (wal !== undefined) await (await wal.catch(() => undefined))?.close();
  }
}

/** Opens the WAL file for flushing, and flushes its directory entry once (a new file's name must be durable too). */
async function openWalForFlush(location: string): Promise<FileHandle> {
  const wal = await open(`${location}-wal`, 'r');
  const directory = await open(dirname(location), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
  return wal;
}
