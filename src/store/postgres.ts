/**
 * The PostgreSQL store (pg Pool), all tables in one schema. Audit appends serialize on a row lock of
 * audit_head, so any number of replicas append to one unbroken chain; a server that does not answer
 * is reported quickly as WARDEN_STORE_UNAVAILABLE, never with the password. No statement waits for a
 * lock longer than `lockTimeout`, and a session left idle inside a transaction is ended by the server,
 * so a stuck connection (of this process or another) never blocks the store forever.
 */
import pg from 'pg';
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

export interface PostgresStoreOptions {
  /** postgres://user[:password]@host:port/database */
  url: string;
  /** The schema holding Warden's tables; created if missing. */
  schema: string;
  poolSize: number;
  /** Seconds to wait for a connection before WARDEN_STORE_UNAVAILABLE. */
  connectTimeout: number;
  /**
   * Seconds a statement may wait for a lock held by another connection (a migration, a key rotation,
   * an audit append, or a stuck session) before it fails with WARDEN_STORE_UNAVAILABLE instead of
   * waiting forever. Default 30.
   */
  lockTimeout?: number;
  /** The migrations to apply (tests only; default MIGRATIONS). */
  migrations?: readonly Migration[];
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
const DEFAULT_LOCK_TIMEOUT_SECONDS = 30;
/**
 * Warden never leaves a transaction open between statements, so a session idle inside one this long
 * belongs to a stuck process: the server ends it and releases its locks for the other replicas.
 */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
const SETTING = 'store.postgres.schema';
const INT8_OID = 20;

/** bigint (int8) columns come back as JS numbers; a value beyond 2^53 is an error, never a rounded number. */
function parseInt8(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed))
    throw new Error(`PostgreSQL bigint ${value} does not fit a JavaScript number`);
  return parsed;
}

/** The type parsers every Warden connection uses: pg's defaults, with int8 as number. */
export const POSTGRES_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) => {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** Where a URL points, without credentials: `host:port/database`. Throws on a URL that does not parse. */
export function describePostgresUrl(url: string): { target: string; password: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WardenError(
      'WARDEN_CONFIG_INVALID',
      'store.postgres.url is not a valid URL; write it as postgres://user@host:5432/database (with the password through ${env:NAME}).',
    );
  }
  const host = parsed.searchParams.get('host') ?? (decodeURIComponent(parsed.hostname) || 'localhost');
  const port = parsed.searchParams.get('port') ?? (parsed.port || '5432');
  const database =
    decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username);
  return { target: `${host}:${port}/${database}`, password: decodeURIComponent(parsed.password) };
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOENT',
  'EACCES',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '28000', // invalid_authorization_specification
  '28P01', // invalid_password
  '3D000', // invalid_catalog_name (no such database)
  '25P03', // idle_in_transaction_session_timeout: the server ended the session
  '57P05', // idle_session_timeout: the server ended the session
]);

const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';

const CONNECTION_ERROR_MESSAGES =
  /timeout exceeded when trying to connect|connection terminated|connection timeout|not queryable|Connection refused|the database system is/i;

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = errorCode(error);
  if (code !== undefined && (CONNECTION_ERROR_CODES.has(code) || code.startsWith('08'))) return true;
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return CONNECTION_ERROR_MESSAGES.test(error.message);
}

/** Absorbs the 'error' event of a connection; the failure reaches its holder as a failed query. */
function ignoreClientError(): void {}

/**
 * The pool listens for errors only on idle connections. A connection that breaks while checked out
 * (server restart, session ended by idle_in_transaction_session_timeout) would otherwise throw its
 * 'error' event out of the socket handler; its holder sees the failure on its next query instead.
 */
function guardCheckedOut(client: pg.PoolClient): pg.PoolClient {
  if (!client.listeners('error').includes(ignoreClientError)) client.on('error', ignoreClientError);
  return client;
}

/** True for a statement stopped by lock_timeout (or canceled while it waited). */
function isLockWaitStopped(error: unknown): boolean {
  const code = errorCode(error);
  return code === LOCK_NOT_AVAILABLE || code === QUERY_CANCELED;
}

function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') {
    return error.errors.map(reasonOf).join('; ') || String(errorCode(error) ?? 'connection failed');
  }
  return error instanceof Error ? error.message || String(errorCode(error) ?? error.name) : String(error);
}

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly agents: AgentStore;
  readonly keys: SigningKeyStore;
  readonly meta: MetaStore;
  readonly audit: AuditStore;
  readonly approvals: ApprovalStore;
  readonly #pool: pg.Pool;
  readonly #target: string;
  readonly #password: string;
  readonly #lockTimeoutSeconds: number;
  #closed = false;

  constructor(pool: pg.Pool, location: string, target: string, password: string, lockTimeoutSeconds: number) {
    this.#pool = pool;
    this.location = location;
    this.#target = target;
    this.#password = password;
    this.#lockTimeoutSeconds = lockTimeoutSeconds;
    this.agents = this.#agentStore();
    this.keys = this.#keyStore();
    this.meta = this.#metaStore();
    this.audit = this.#auditStore();
    this.approvals = this.#approvalStore();
  }

  /**
   * Turns a driver error into a WardenError a person can act on, where it is one of the known kinds.
   * `operation` ("rotating the signing keys") names what was stopped when a lock wait timed out.
   */
  mapError(error: unknown, operation?: string): Error {
    if (error instanceof WardenError) return error;
    const scrub = (text: string): string =>
      this.#password === '' ? text : text.split(this.#password).join('***');
    if (this.#closed || (error instanceof Error && /after calling end on the pool/.test(error.message))) {
      return new WardenError(
        'WARDEN_STORE_UNAVAILABLE',
        `The store ${this.location} is closed; open it again.`,
        {
          location: this.location,
        },
      );
    }
    if (isConnectionError(error)) {
      const code = errorCode(error);
      const advice =
        code === '28P01' || code === '28000'
          ? 'check the user and password in store.postgres.url'
          : code === '3D000'
            ? 'create the database, or fix the database name in store.postgres.url'
            : 'check that PostgreSQL is running and reachable there, and that store.postgres.url names the right host, port and database';
      return new WardenError(
        'WARDEN_STORE_UNAVAILABLE',
        `Cannot use PostgreSQL at ${this.#target} (${scrub(reasonOf(error))}); ${advice}.`,
        { location: this.location },
        { cause: error },
      );
    }
    const code = errorCode(error);
    if (code === LOCK_NOT_AVAILABLE || code === QUERY_CANCELED) {
      const what = operation ?? 'a statement';
      const why =
        code === LOCK_NOT_AVAILABLE
          ? `${what} waited more than ${this.#lockTimeoutSeconds} s for a lock held by another connection and was stopped`
          : `PostgreSQL canceled ${what} (${scrub(reasonOf(error))})`;
      return new WardenError(
        'WARDEN_STORE_UNAVAILABLE',
        `${this.location}: ${why}; nothing of it was written. Look in pg_stat_activity for a session on this schema that is "idle in transaction" or running a long statement or migration, end it (pg_terminate_backend) or wait for it, then retry.`,
        { location: this.location, ...(operation === undefined ? {} : { operation }) },
        { cause: error },
      );
    }
    if (error instanceof Error && error.message.startsWith('WARDEN_AUDIT_IMMUTABLE')) {
      return new WardenError(
        'WARDEN_AUDIT_IMMUTABLE',
        error.message,
        { location: this.location },
        { cause: error },
      );
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  async #query(text: string, values: unknown[] = [], name?: string): Promise<Row[]> {
    try {
      const result = await this.#pool.query<Row>(
        name === undefined ? { text, values } : { name, text, values },
      );
      return result.rows;
    } catch (error) {
      throw this.mapError(error);
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      return guardCheckedOut(await this.#pool.connect());
    } catch (error) {
      throw this.mapError(error);
    }
  }

  /** Runs `work` in a transaction on one connection; rolls back on any error. `operation` names it in errors. */
  async #transaction<T>(operation: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = isConnectionError(error);
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw this.mapError(error, operation);
    } finally {
      client.release(broken);
    }
  }

  #agentStore(): AgentStore {
    const insert = `INSERT INTO agents (${AGENT_COLUMNS.join(', ')}) VALUES (${AGENT_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')})`;
    const one = (rows: Row[]): AgentRecord | null => (rows[0] === undefined ? null : agentFromRow(rows[0]));
    return {
      create: async (agent: AgentRecord) => {
        try {
          await this.#query(insert, agentValues(agent), 'warden-agent-insert');
        } catch (error) {
          if (errorCode(error) === '23505') {
            throw agentExists(
              agent,
              (error as { constraint?: string }).constraint === 'agents_pkey' ? 'id' : 'name',
            );
          }
          throw error;
        }
      },
      getById: async (id) =>
        one(
          await this.#query(`SELECT ${AGENT_SELECT} FROM agents WHERE id = $1`, [id], 'warden-agent-by-id'),
        ),
      getByName: async (name) =>
        one(
          await this.#query(
            `SELECT ${AGENT_SELECT} FROM agents WHERE name = $1`,
            [name],
            'warden-agent-by-name',
          ),
        ),
      list: async () =>
        (await this.#query(`SELECT ${AGENT_SELECT} FROM agents ORDER BY name`, [], 'warden-agent-list')).map(
          agentFromRow,
        ),
      update: async (id: string, changes: AgentChanges, expected?: AgentExpectation) => {
        const { columns, values } = agentChangeColumns(changes);
        if (columns.length === 0)
          return one(await this.#query(`SELECT ${AGENT_SELECT} FROM agents WHERE id = $1`, [id]));
        const assignments = columns.map((column, index) => `${column} = $${index + 1}`).join(', ');
        const next = columns.length + 2;
        const guard =
          expected === undefined
            ? ''
            : ` AND updated_at = $${next} AND secret_version = $${next + 1} AND status = $${next + 2}`;
        return one(
          await this.#query(
            `UPDATE agents SET ${assignments} WHERE id = $${columns.length + 1}${guard} RETURNING ${AGENT_SELECT}`,
            expected === undefined
              ? [...values, id]
              : [...values, id, expected.updatedAt, expected.secretVersion, expected.status],
          ),
        );
      },
    };
  }

  #keyStore(): SigningKeyStore {
    const insert = `INSERT INTO signing_keys (${KEY_COLUMNS.join(', ')}) VALUES (${KEY_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')})`;
    return {
      list: async (purpose) =>
        (
          await this.#query(
            `SELECT ${KEY_SELECT} FROM signing_keys WHERE purpose = $1 ORDER BY created_at DESC, ordinal DESC`,
            [purpose],
            'warden-key-list',
          )
        ).map(keyFromRow),
      get: async (kid) => {
        const rows = await this.#query(
          `SELECT ${KEY_SELECT} FROM signing_keys WHERE kid = $1`,
          [kid],
          'warden-key-get',
        );
        return rows[0] === undefined ? null : keyFromRow(rows[0]);
      },
      rotate: (key: SigningKeyRecord) =>
        this.#transaction('rotating the signing keys', async (client) => {
          const values = rotationValues(key);
          // Two replicas rotating at once take turns: each retires whatever is active when it runs.
          await client.query('LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE');
          await client.query(
            "UPDATE signing_keys SET status = 'retired', retired_at = $1 WHERE purpose = $2 AND status = 'active'",
            [key.createdAt, key.purpose],
          );
          try {
            await client.query(insert, values);
          } catch (error) {
            if (errorCode(error) === '23505') throw keyExists(key);
            throw error;
          }
        }),
    };
  }

  #metaStore(): MetaStore {
    const read = async (key: string): Promise<string | null> => {
      const rows = await this.#query(
        'SELECT value FROM warden_meta WHERE key = $1',
        [key],
        'warden-meta-get',
      );
      return rows[0] === undefined ? null : (rows[0].value as string);
    };
    return {
      get: read,
      setIfAbsent: async (key, value) => {
        await this.#query(
          'INSERT INTO warden_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
          [key, value],
          'warden-meta-insert',
        );
        return (await read(key)) ?? value;
      },
    };
  }

  #auditStore(): AuditStore {
    // One statement inserts the whole batch (one array parameter per column) and moves the head.
    const appendSql = `WITH inserted AS (
  INSERT INTO audit_entries (seq, time, type, actor, session, subject, decision, policy_ids, detail, detail_digest, prev_hash, hash)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
  RETURNING seq
)
UPDATE audit_head SET seq = $13, hash = $14 WHERE id = 1`;

    const append = async (build: (head: ChainHead) => AuditEntryRecord[]): Promise<AuditEntryRecord[]> => {
      const client = await this.#connect();
      let broken = false;
      try {
        // BEGIN and the head lock in one round trip (simple query protocol, two results).
        const results = (await client.query(
          'BEGIN; SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE',
        )) as unknown as pg.QueryResult<Row>[];
        const headRow = results[1]?.rows[0];
        if (headRow === undefined) throw new Error('the audit_head row is missing');
        const head = headFromRow(headRow);
        const entries = build(head);
        if (!Array.isArray(entries)) {
          throw new WardenError(
            'WARDEN_INTERNAL',
            'Audit append: build() must return an array of entries synchronously.',
          );
        }
        checkContinuation(head, entries);
        const last = entries[entries.length - 1];
        if (last !== undefined) {
          const columns: unknown[][] = Array.from({ length: 12 }, () => []);
          for (const entry of entries)
            entryValues(entry).forEach((value, index) => columns[index]!.push(value));
          try {
            await client.query({
              name: 'warden-audit-append',
              text: appendSql,
              values: [...columns, last.seq, last.hash],
            });
          } catch (error) {
            if (errorCode(error) === '23505') {
              throw new WardenError(
                'WARDEN_STORE_CONFLICT',
                `Audit append refused: an entry at seq ${entries[0]!.seq} already exists although the head says ${head.seq}; run \`warden audit verify\`.`,
                { seq: entries[0]!.seq },
              );
            }
            throw error;
          }
        }
        await client.query('COMMIT');
        return entries;
      } catch (error) {
        broken = isConnectionError(error);
        if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
        throw this.mapError(error, 'appending to the audit log');
      } finally {
        client.release(broken);
      }
    };

    const head = async (): Promise<ChainHead> => {
      const entries = await this.#query(
        'SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1',
        [],
        'warden-audit-last-entry',
      );
      if (entries[0] !== undefined) return headFromRow(entries[0]);
      const prunes = await this.#query(
        `SELECT ${PRUNE_SELECT} FROM audit_prunes ORDER BY up_to_seq DESC LIMIT 1`,
        [],
        'warden-audit-last-prune',
      );
      if (prunes[0] !== undefined) {
        const record = pruneFromRow(prunes[0]);
        return { seq: record.upToSeq, hash: record.anchorHash };
      }
      return { seq: 0, hash: GENESIS_HASH };
    };

    const prune = (record: AuditPruneRecord): Promise<number> =>
      this.#transaction('pruning the audit log', async (client) => {
        // Hold the append lock so the prune sees a settled log.
        await client.query('SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE');
        const checkpoint = await client.query<Row>(
          `SELECT ${CHECKPOINT_SELECT} FROM audit_checkpoints WHERE seq = $1`,
          [record.upToSeq],
        );
        const entry = await client.query<Row>('SELECT hash FROM audit_entries WHERE seq = $1', [
          record.upToSeq,
        ]);
        const last = await client.query<Row>('SELECT COALESCE(MAX(up_to_seq), 0) AS seq FROM audit_prunes');
        checkPrune(
          record,
          checkpoint.rows[0] === undefined ? null : checkpointFromRow(checkpoint.rows[0]),
          entry.rows[0] === undefined ? null : (entry.rows[0].hash as string),
          Number(last.rows[0]?.seq ?? 0),
        );
        await client.query(
          'INSERT INTO audit_prunes (up_to_seq, anchor_hash, time, actor) VALUES ($1, $2, $3, $4)',
          [record.upToSeq, record.anchorHash, record.time, record.actor],
        );
        const deleted = await client.query('DELETE FROM audit_entries WHERE seq <= $1', [record.upToSeq]);
        return deleted.rowCount ?? 0;
      });

    return {
      append,
      head,
      query: async (query: AuditQuery) => {
        const values: unknown[] = [];
        const bind = (value: unknown): string => {
          values.push(value);
          return `$${values.length}`;
        };
        const sql = auditQuerySql(query, bind, (column, list) => `${column} = ANY(${bind(list)}::text[])`);
        return (await this.#query(sql, values)).map(entryFromRow);
      },
      count: async () =>
        Number(
          (await this.#query('SELECT COUNT(*) AS count FROM audit_entries', [], 'warden-audit-count'))[0]
            ?.count ?? 0,
        ),
      addCheckpoint: async (checkpoint: AuditCheckpointRecord) => {
        try {
          await this.#query(
            'INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature) VALUES ($1, $2, $3, $4, $5)',
            [checkpoint.seq, checkpoint.hash, checkpoint.time, checkpoint.keyId, checkpoint.signature],
            'warden-audit-checkpoint-insert',
          );
        } catch (error) {
          if (errorCode(error) === '23505') throw checkpointExists(checkpoint);
          throw error;
        }
      },
      checkpoints: async (fromSeq?: number) =>
        (
          await this.#query(
            `SELECT ${CHECKPOINT_SELECT} FROM audit_checkpoints WHERE seq >= $1 ORDER BY seq`,
            [fromSeq ?? 0],
            'warden-audit-checkpoints',
          )
        ).map(checkpointFromRow),
      latestCheckpoint: async () => {
        const rows = await this.#query(
          `SELECT ${CHECKPOINT_SELECT} FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`,
          [],
          'warden-audit-latest-checkpoint',
        );
        return rows[0] === undefined ? null : checkpointFromRow(rows[0]);
      },
      prune,
      prunes: async () =>
        (
          await this.#query(
            `SELECT ${PRUNE_SELECT} FROM audit_prunes ORDER BY up_to_seq`,
            [],
            'warden-audit-prunes',
          )
        ).map(pruneFromRow),
    };
  }

  #approvalStore(): ApprovalStore {
    const insert = `INSERT INTO approvals (${APPROVAL_COLUMNS.join(', ')}) VALUES (${APPROVAL_COLUMNS.map((_, index) => `$${index + 1}`).join(', ')})`;
    const one = (rows: Row[]): ApprovalRecord | null =>
      rows[0] === undefined ? null : approvalFromRow(rows[0]);
    return {
      create: async (approval: ApprovalRecord) => {
        try {
          await this.#query(insert, approvalValues(approval), 'warden-approval-insert');
        } catch (error) {
          if (errorCode(error) === '23505') throw approvalExists(approval);
          throw error;
        }
      },
      get: async (id) =>
        one(
          await this.#query(
            `SELECT ${APPROVAL_SELECT} FROM approvals WHERE id = $1`,
            [id],
            'warden-approval-get',
          ),
        ),
      list: async (query: ApprovalQuery) => {
        const values: unknown[] = [];
        const bind = (value: unknown): string => {
          values.push(value);
          return `$${values.length}`;
        };
        const sql = approvalListSql(query, bind, (statuses) => `status = ANY(${bind(statuses)}::text[])`);
        return (await this.#query(sql, values)).map(approvalFromRow);
      },
      findMatching: async (agentId, tool, argumentsDigest, now) =>
        one(
          await this.#query(
            `SELECT ${APPROVAL_SELECT} FROM approvals WHERE agent_id = $1 AND tool = $2 AND arguments_digest = $3 AND expires_at > $4 ORDER BY requested_at DESC, id DESC LIMIT 1`,
            [agentId, tool, argumentsDigest, now],
            'warden-approval-matching',
          ),
        ),
      // Two index range scans (approvals_due_expiry, approvals_due_escalation), merged by id.
      due: async (now) =>
        (
          await this.#query(
            `SELECT ${APPROVAL_SELECT} FROM approvals WHERE id IN (
               SELECT id FROM approvals WHERE status IN ('pending', 'approved') AND expires_at <= $1
               UNION
               SELECT id FROM approvals WHERE status = 'pending' AND NOT escalated AND escalate_at <= $1
             ) ORDER BY expires_at, id LIMIT ${MAX_DUE_APPROVALS}`,
            [now],
            'warden-approval-due',
          )
        ).map(approvalFromRow),
      update: async (id: string, changes: ApprovalChanges, expectedVersion: number) => {
        const { columns, values } = approvalChangeColumns(changes);
        const assignments = [
          ...columns.map((column, index) => `${column} = $${index + 1}`),
          'version = version + 1',
        ].join(', ');
        return one(
          await this.#query(
            `UPDATE approvals SET ${assignments} WHERE id = $${columns.length + 1} AND version = $${columns.length + 2} RETURNING ${APPROVAL_SELECT}`,
            [...values, id, expectedVersion],
          ),
        );
      },
    };
  }

  async schemaVersion(): Promise<number> {
    const rows = await this.#query("SELECT value FROM warden_meta WHERE key = 'schema_version'");
    return Number(rows[0]?.value);
  }

  async ping(): Promise<void> {
    await this.#query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

async function readState(client: pg.PoolClient, schema: string): Promise<DatabaseState> {
  const tables = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname`,
    [schema],
  );
  const names = tables.rows.map((row) => row.relname);
  let marker: string | null = null;
  let version: string | null = null;
  if (names.includes('warden_meta')) {
    await client.query('SAVEPOINT warden_read_state');
    try {
      const rows = await client.query<{ key: string; value: unknown }>(
        `SELECT key, value FROM ${schema}.warden_meta WHERE key IN ('schema', 'schema_version')`,
      );
      for (const row of rows.rows) {
        if (row.key === 'schema') marker = String(row.value);
        if (row.key === 'schema_version') version = String(row.value);
      }
      await client.query('RELEASE SAVEPOINT warden_read_state');
    } catch (error) {
      if (isConnectionError(error)) throw error;
      // A warden_meta table of another shape: not ours.
      await client.query('ROLLBACK TO SAVEPOINT warden_read_state');
    }
  }
  return { tables: names, marker, version };
}

/**
 * Applies pending migrations, one transaction each, each under an advisory lock on the schema so
 * replicas starting together take turns; the state is re-read inside every lock.
 */
async function migrate(
  client: pg.PoolClient,
  schema: string,
  migrations: readonly Migration[],
  description: StoreDescription,
): Promise<void> {
  for (;;) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`warden-migrate:${schema}`]);
      const next = pendingMigrations(await readState(client, schema), migrations, description)[0];
      if (next === undefined) {
        await client.query('COMMIT');
        return;
      }
      try {
        const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
        if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
        await client.query(`SET LOCAL search_path TO ${schema}`);
        await client.query(next.postgres);
        await client.query(
          "INSERT INTO warden_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          [String(next.version)],
        );
      } catch (error) {
        // A lock wait that timed out is not a broken migration: it is reported as the store being busy.
        throw isConnectionError(error) || isLockWaitStopped(error)
          ? error
          : migrationFailed(next, description, error);
      }
      await client.query('COMMIT');
    } catch (error) {
      if (!isConnectionError(error)) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}

/**
 * Connects to PostgreSQL, creates the schema if missing and migrates it.
 * Throws WARDEN_STORE_UNAVAILABLE within `connectTimeout` seconds when the server does not answer,
 * and within `lockTimeout` seconds when another connection holds the migration lock (or any lock a
 * later statement needs) for longer.
 *
 * @example
 * const store = await openPostgresStore({ url: 'postgres://warden@db:5432/warden', schema: 'warden', poolSize: 10, connectTimeout: 5 });
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  if (!SCHEMA_PATTERN.test(options.schema)) {
    throw new WardenError(
      'WARDEN_CONFIG_INVALID',
      `store.postgres.schema "${options.schema}" must be a lower-case SQL identifier (letters, digits, _).`,
      { schema: options.schema },
    );
  }
  const { target, password } = describePostgresUrl(options.url);
  const location = `PostgreSQL schema "${options.schema}" at ${target}`;
  const lockTimeout = options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_SECONDS;
  if (!(lockTimeout > 0)) {
    throw new WardenError(
      'WARDEN_CONFIG_INVALID',
      `The PostgreSQL lock timeout must be more than 0 seconds, not ${String(lockTimeout)}.`,
    );
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: Math.max(1, Math.round(options.connectTimeout * 1000)),
    options: `-c search_path=${options.schema}`,
    application_name: 'warden',
    keepAlive: true,
    types: POSTGRES_TYPES,
    // Server-side bounds: no lock wait (advisory migration lock, LOCK TABLE, row locks) lasts forever,
    // and a session of ours that stalls inside a transaction cannot hold its locks forever.
    lock_timeout: Math.max(1, Math.round(lockTimeout * 1000)),
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
  });
  // An idle connection that breaks is dropped by the pool; the next query reconnects or reports it.
  pool.on('error', () => undefined);
  const store = new PostgresStore(pool, location, target, password, lockTimeout);
  try {
    const client = guardCheckedOut(await pool.connect());
    let broken = false;
    try {
      await migrate(client, options.schema, options.migrations ?? MIGRATIONS, { location, setting: SETTING });
    } catch (error) {
      broken = isConnectionError(error);
      throw error;
    } finally {
      client.release(broken);
    }
  } catch (error) {
    const mapped = store.mapError(error, 'opening the store (applying its migrations)');
    await pool.end().catch(() => undefined);
    throw mapped;
  }
  return store;
}
