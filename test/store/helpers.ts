/**
 * Fresh stores for tests, on real engines: a SQLite file in a temp dir, or a PostgreSQL schema
 * `warden_test_<random>` at WARDEN_TEST_POSTGRES_URL that is dropped on cleanup. Each comes with a
 * raw side connection that can run SQL past the audit immutability triggers, for tamper tests. Every
 * PostgreSQL connection made here has a connect, lock and statement timeout, and cleanup closes every
 * connection whatever fails, so a stuck lock fails a test with a message instead of hanging the run.
 *
 * @example
 * const { store, raw, cleanup } = await makeSqliteStore();
 * try {
 *   // ... append entries through store.audit ...
 *   await raw.exec("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 2"); // tamper
 * } finally {
 *   await cleanup();
 * }
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../../src/store/index.js';
import type { Migration } from '../../src/store/migrations.js';
import { SQLITE_IMMUTABILITY_TRIGGERS } from '../../src/store/migrations.js';
import { POSTGRES_TYPES, openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';

/** The PostgreSQL the tests use, or undefined when PostgreSQL tests should be skipped. */
export const POSTGRES_TEST_URL: string | undefined = process.env.WARDEN_TEST_POSTGRES_URL || undefined;

/** Why PostgreSQL tests are skipped when POSTGRES_TEST_URL is unset. */
export const POSTGRES_SKIP_MESSAGE =
  'WARDEN_TEST_POSTGRES_URL is not set; set it (e.g. postgres://postgres@127.0.0.1:5432/test) to run the PostgreSQL store tests';

/**
 * SQL straight to the database, beside the Store. Placeholders are `?` on SQLite and `$1, $2, ...`
 * on PostgreSQL. Both methods return the rows of the (last) statement, or [] when it returns none.
 */
export interface RawSql {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Runs SQL with the audit immutability triggers out of the way, as an attacker with write access
   * to the database would. SQLite: drops the triggers, runs the SQL, recreates them, in one
   * transaction. PostgreSQL: runs on a session with `session_replication_role = replica`, which
   * disables triggers for that session only (needs a superuser, as the test database user is).
   */
  exec(sql: string, params?: unknown[]): Promise<unknown[]>;
  /** Runs SQL as any other client would, with every trigger in force. */
  execGuarded(sql: string, params?: unknown[]): Promise<unknown[]>;
}

/** Options for opening a test store. */
export interface OpenOptions {
  migrations?: readonly Migration[];
  /**
   * Seconds a statement waits for another connection's lock before WARDEN_STORE_UNAVAILABLE
   * (PostgreSQL lock_timeout, default TEST_LOCK_TIMEOUT_SECONDS; SQLite busy timeout, default the
   * store's own).
   */
  lockTimeout?: number;
}

/** A fresh, empty place for a store: nothing is created until `open()` or a raw statement. */
export interface StoreLocation {
  readonly kind: 'sqlite' | 'postgres';
  readonly raw: RawSql;
  /** Opens (and migrates) a Store here; every store opened is closed by cleanup(). */
  open(options?: OpenOptions): Promise<Store>;
  /**
   * Closes every store and raw connection and removes the file or drops the schema. Every step runs
   * even when an earlier one fails; the first failure is then thrown.
   */
  cleanup(): Promise<void>;
}

export interface StoreFixture {
  store: Store;
  raw: RawSql;
  /** Opens another Store on the same database (as a second process or replica would). */
  open(options?: OpenOptions): Promise<Store>;
  cleanup(): Promise<void>;
}

/**
 * How long a test store waits for a lock. A test never holds a lock for long unless it means to, so
 * a wait this long is a stuck connection: the test fails naming the operation instead of hanging.
 */
export const TEST_LOCK_TIMEOUT_SECONDS = 10;

/**
 * Server-side bounds for the raw and cleanup connections, for the same reason: a lock wait, a
 * statement or a session left idle in a transaction ends with an error, never waits forever.
 */
const TEST_CONNECTION_BOUNDS = {
  connectionTimeoutMillis: 5000,
  lock_timeout: TEST_LOCK_TIMEOUT_SECONDS * 1000,
  statement_timeout: 30_000,
  idle_in_transaction_session_timeout: 30_000,
} as const;

function closer(stores: Store[]): () => Promise<void> {
  return async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  };
}

/** A SQLite file path in a new temp dir; the file does not exist yet. */
export async function sqliteLocation(): Promise<StoreLocation & { path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-store-'));
  const path = join(dir, 'warden.db');
  const stores: Store[] = [];
  const closeStores = closer(stores);
  let db: Database.Database | undefined;
  const connection = (): Database.Database => {
    db ??= new Database(path, { timeout: 5000 });
    return db;
  };
  const run = (sql: string, params: unknown[]): unknown[] => {
    const database = connection();
    let statement: Database.Statement;
    try {
      statement = database.prepare(sql);
    } catch (error) {
      if (
        params.length === 0 &&
        error instanceof RangeError &&
        /more than one statement/.test(error.message)
      ) {
        database.exec(sql);
        return [];
      }
      throw error;
    }
    if (statement.reader) return statement.all(...params);
    statement.run(...params);
    return [];
  };
  const raw: RawSql = {
    kind: 'sqlite',
    exec(sql, params = []) {
      try {
        const database = connection();
        const bypass = database.transaction(() => {
          const triggers = database
            .prepare(
              `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (${SQLITE_IMMUTABILITY_TRIGGERS.map(() => '?').join(', ')})`,
            )
            .all(...SQLITE_IMMUTABILITY_TRIGGERS) as { name: string; sql: string }[];
          for (const trigger of triggers) database.exec(`DROP TRIGGER ${trigger.name}`);
          const rows = run(sql, params);
          for (const trigger of triggers) database.exec(trigger.sql);
          return rows;
        });
        return Promise.resolve(bypass.immediate());
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    execGuarded(sql, params = []) {
      try {
        return Promise.resolve(run(sql, params));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
  return {
    kind: 'sqlite',
    path,
    raw,
    async open({ lockTimeout, ...options } = {}) {
      const store = await openSqliteStore({
        path,
        synchronous: 'normal',
        ...(lockTimeout === undefined ? {} : { busyTimeoutMs: lockTimeout * 1000 }),
        ...options,
      });
      stores.push(store);
      return store;
    },
    async cleanup() {
      await closeStores();
      db?.close();
      db = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh PostgreSQL schema name at POSTGRES_TEST_URL. The schema does not exist until a store
 * opens it or the raw connection is first used (which creates it, empty).
 */
export function postgresLocation(): Promise<StoreLocation & { schema: string; url: string }> {
  const url = POSTGRES_TEST_URL;
  if (url === undefined) return Promise.reject(new Error(POSTGRES_SKIP_MESSAGE));
  const schema = `warden_test_${randomBytes(6).toString('hex')}`;
  const stores: Store[] = [];
  const closeStores = closer(stores);
  const clients = new Map<'bypass' | 'guarded', Promise<pg.Client>>();
  const client = (mode: 'bypass' | 'guarded'): Promise<pg.Client> => {
    let connecting = clients.get(mode);
    if (connecting === undefined) {
      connecting = (async () => {
        const connection = new pg.Client({
          connectionString: url,
          options: `-c search_path=${schema}`,
          application_name: `warden-test-raw-${mode}`,
          types: POSTGRES_TYPES,
          ...TEST_CONNECTION_BOUNDS,
        });
        // A connection the server ends fails the next raw statement; it must not throw from the socket.
        connection.on('error', () => undefined);
        try {
          await connection.connect();
          // So raw SQL can place tables in the schema before any store opened it.
          await connection.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
          if (mode === 'bypass') await connection.query('SET session_replication_role = replica');
          return connection;
        } catch (error) {
          // Never leave a half-set-up connection open: it would keep the test process alive.
          await connection.end().catch(() => undefined);
          throw error;
        }
      })();
      clients.set(mode, connecting);
    }
    return connecting;
  };
  const run = async (mode: 'bypass' | 'guarded', sql: string, params: unknown[]): Promise<unknown[]> => {
    const connection = await client(mode);
    const result = (await connection.query(sql, params.length > 0 ? params : undefined)) as
      pg.QueryResult | pg.QueryResult[];
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    return (last?.rows ?? []) as unknown[];
  };
  return Promise.resolve({
    kind: 'postgres',
    schema,
    url,
    raw: {
      kind: 'postgres',
      exec: (sql, params = []) => run('bypass', sql, params),
      execGuarded: (sql, params = []) => run('guarded', sql, params),
    },
    async open(options = {}) {
      const store = await openPostgresStore({
        url,
        schema,
        poolSize: 4,
        connectTimeout: 5,
        lockTimeout: TEST_LOCK_TIMEOUT_SECONDS,
        ...options,
      });
      stores.push(store);
      return store;
    },
    async cleanup() {
      const failures: unknown[] = [];
      // Raw sessions first: one a test left inside a transaction would hold locks the stores wait on.
      const open = [...clients.values()];
      clients.clear();
      await Promise.all(
        open.map((connecting) => connecting.then((connection) => connection.end()).catch(() => undefined)),
      );
      await closeStores().catch((error: unknown) => failures.push(error));
      await dropSchema(url, schema).catch((error: unknown) => failures.push(error));
      if (failures.length > 0) throw failures[0];
    },
  });
}

/**
 * Drops `schema` on a connection of its own. When another session holds a lock on it for longer
 * than the lock timeout, fails naming those sessions (pid, application, state, query).
 */
async function dropSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({
    connectionString: url,
    application_name: 'warden-test-cleanup',
    ...TEST_CONNECTION_BOUNDS,
  });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } catch (error) {
    if ((error as { code?: unknown }).code !== '55P03') throw error;
    const holders = await admin
      .query<{ pid: number; application_name: string; state: string; query: string }>(
        `SELECT DISTINCT a.pid, a.application_name, a.state, left(a.query, 120) AS query
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.granted AND a.pid <> pg_backend_pid() AND (
           l.relation IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1)
           OR (l.locktype = 'object' AND l.classid = 'pg_namespace'::regclass
               AND l.objid = (SELECT oid FROM pg_namespace WHERE nspname = $1)))`,
        [schema],
      )
      .then(
        (result) => result.rows,
        () => [],
      );
    const named = holders
      .map(
        (row) =>
          `pid ${row.pid} (${row.application_name || 'no application_name'}, ${row.state}: ${row.query})`,
      )
      .join('; ');
    throw new Error(
      `DROP SCHEMA ${schema} waited more than ${TEST_LOCK_TIMEOUT_SECONDS} s for locks held by ${named || 'sessions that have since gone'}; a connection (a test's, or another process's) was left open inside a transaction.`,
      { cause: error },
    );
  } finally {
    await admin.end().catch(() => undefined);
  }
}

async function fixture(location: StoreLocation): Promise<StoreFixture> {
  try {
    const store = await location.open();
    return {
      store,
      raw: location.raw,
      open: (options) => location.open(options),
      cleanup: () => location.cleanup(),
    };
  } catch (error) {
    await location.cleanup();
    throw error;
  }
}

/** A migrated SQLite store in a fresh temp file, its raw connection, and cleanup. */
export async function makeSqliteStore(): Promise<StoreFixture> {
  return fixture(await sqliteLocation());
}

/**
 * A migrated PostgreSQL store in a fresh schema at WARDEN_TEST_POSTGRES_URL, its raw connection,
 * and cleanup (drops the schema). Rejects when WARDEN_TEST_POSTGRES_URL is unset: check
 * POSTGRES_TEST_URL first and skip.
 */
export async function makePostgresStore(): Promise<StoreFixture> {
  return fixture(await postgresLocation());
}
