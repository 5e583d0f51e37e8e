/**
 * Versioned schema migrations for both engines, and the rule that decides what to run: an empty
 * database gets every migration, a Warden database gets the pending ones, anything else is refused.
 */
import { WardenError } from '../core/index.js';

/** One schema step. `sqlite` and `postgres` hold the same change in each dialect. */
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

const GENESIS = '0'.repeat(64);

const SQLITE_V1 = `
CREATE TABLE warden_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
INSERT INTO warden_meta (key, value) VALUES ('schema', 'warden');

CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  owner TEXT NOT NULL,
  roles TEXT NOT NULL,
  clearance TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
  suspended_reason TEXT,
  suspended_by TEXT,
  suspended_at TEXT,
  secret_hash TEXT,
  secret_version INTEGER NOT NULL,
  secret_rotated_at TEXT,
  source TEXT NOT NULL CHECK (source IN ('config', 'cli')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE signing_keys (
  ordinal INTEGER PRIMARY KEY,
  kid TEXT NOT NULL UNIQUE,
  purpose TEXT NOT NULL CHECK (purpose IN ('token', 'audit')),
  algorithm TEXT NOT NULL CHECK (algorithm = 'EdDSA'),
  public_jwk TEXT NOT NULL,
  private_key_sealed TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
  created_at TEXT NOT NULL,
  retired_at TEXT
) STRICT;
CREATE INDEX signing_keys_purpose ON signing_keys (purpose, created_at);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (purpose) WHERE status = 'active';

CREATE TABLE audit_entries (
  seq INTEGER PRIMARY KEY CHECK (seq >= 1),
  time TEXT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  session TEXT,
  subject TEXT,
  decision TEXT,
  policy_ids TEXT NOT NULL,
  detail TEXT NOT NULL,
  detail_digest TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_entries_time ON audit_entries (time);

CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS}');

CREATE TABLE audit_checkpoints (
  seq INTEGER PRIMARY KEY CHECK (seq >= 1),
  hash TEXT NOT NULL,
  time TEXT NOT NULL,
  key_id TEXT NOT NULL,
  signature TEXT NOT NULL
) STRICT;

CREATE TABLE audit_prunes (
  up_to_seq INTEGER PRIMARY KEY CHECK (up_to_seq >= 1),
  anchor_hash TEXT NOT NULL,
  time TEXT NOT NULL,
  actor TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
  SELECT RAISE(ABORT, 'WARDEN_AUDIT_IMMUTABLE: audit entries cannot be updated; the audit log is append-only');
END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
WHEN OLD.seq > COALESCE((SELECT MAX(up_to_seq) FROM audit_prunes), 0)
BEGIN
  SELECT RAISE(ABORT, 'WARDEN_AUDIT_IMMUTABLE: audit entries cannot be deleted; only entries covered by a prune record are removed, by warden audit prune');
END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'WARDEN_AUDIT_IMMUTABLE: audit checkpoints cannot be updated; they are append-only');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'WARDEN_AUDIT_IMMUTABLE: audit checkpoints cannot be deleted; they are append-only');
END;
CREATE TRIGGER audit_prunes_no_update BEFORE UPDATE ON audit_prunes
BEGIN
  SELECT RAISE(ABORT, 'WARDEN_AUDIT_IMMUTABLE: audit prune records cannot be updated; they are append-only');
END;
CREATE TRIGGER audit_prunes_no_delete BEFORE DELETE ON audit_prunes
BEGIN
  SELECT RAISE(ABORT, 'WARDEN_AUDIT_IMMUTABLE: audit prune records cannot be deleted; they are append-only');
END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
  SELECT RAISE(ABORT, 'WARDEN_AUDIT_IMMUTABLE: the audit head row cannot be deleted');
END;
CREATE TRIGGER audit_head_no_rewind BEFORE UPDATE ON audit_head
WHEN NEW.seq < OLD.seq
BEGIN
  SELECT RAISE(ABORT, 'WARDEN_AUDIT_IMMUTABLE: the audit head cannot move backwards');
END;
`;

// Text that is ordered or range-compared (names, ISO times) uses the binary "C" collation, as SQLite
// does, whatever the database's default collation. Trigger functions capture the schema's
// search_path at creation (SET search_path FROM CURRENT), so they work from any session.
const POSTGRES_V1 = `
CREATE TABLE warden_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO warden_meta (key, value) VALUES ('schema', 'warden');

CREATE TABLE agents (
  id TEXT NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  owner TEXT NOT NULL,
  roles TEXT NOT NULL,
  clearance TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
  suspended_reason TEXT,
  suspended_by TEXT,
  suspended_at TEXT,
  secret_hash TEXT,
  secret_version INTEGER NOT NULL,
  secret_rotated_at TEXT,
  source TEXT NOT NULL CHECK (source IN ('config', 'cli')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CONSTRAINT agents_pkey PRIMARY KEY (id),
  CONSTRAINT agents_name_unique UNIQUE (name)
);

CREATE TABLE signing_keys (
  ordinal BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kid TEXT NOT NULL UNIQUE,
  purpose TEXT NOT NULL CHECK (purpose IN ('token', 'audit')),
  algorithm TEXT NOT NULL CHECK (algorithm = 'EdDSA'),
  public_jwk TEXT NOT NULL,
  private_key_sealed TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
  created_at TEXT COLLATE "C" NOT NULL,
  retired_at TEXT
);
CREATE INDEX signing_keys_purpose ON signing_keys (purpose, created_at);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (purpose) WHERE status = 'active';

CREATE TABLE audit_entries (
  seq BIGINT PRIMARY KEY CHECK (seq >= 1),
  time TEXT COLLATE "C" NOT NULL,
  type TEXT NOT NULL,
  actor TEXT NOT NULL,
  session TEXT,
  subject TEXT,
  decision TEXT,
  policy_ids TEXT NOT NULL,
  detail TEXT NOT NULL,
  detail_digest TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_entries_time ON audit_entries (time);

CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS}');

CREATE TABLE audit_checkpoints (
  seq BIGINT PRIMARY KEY CHECK (seq >= 1),
  hash TEXT NOT NULL,
  time TEXT NOT NULL,
  key_id TEXT NOT NULL,
  signature TEXT NOT NULL
);

CREATE TABLE audit_prunes (
  up_to_seq BIGINT PRIMARY KEY CHECK (up_to_seq >= 1),
  anchor_hash TEXT NOT NULL,
  time TEXT NOT NULL,
  actor TEXT NOT NULL
);

CREATE FUNCTION warden_audit_refuse() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  RAISE EXCEPTION 'WARDEN_AUDIT_IMMUTABLE: % on % is refused; audit rows are append-only', TG_OP, TG_TABLE_NAME;
END;
$$;

CREATE FUNCTION warden_audit_entries_guard() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.seq <= (SELECT COALESCE(MAX(up_to_seq), 0) FROM audit_prunes) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'WARDEN_AUDIT_IMMUTABLE: % of audit entry % is refused; the audit log is append-only and only entries covered by a prune record are removed, by warden audit prune', TG_OP, OLD.seq;
END;
$$;

CREATE FUNCTION warden_audit_head_guard() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.seq >= OLD.seq THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'WARDEN_AUDIT_IMMUTABLE: % of the audit head is refused; it can only move forwards', TG_OP;
END;
$$;

CREATE TRIGGER audit_entries_immutable BEFORE UPDATE OR DELETE ON audit_entries
  FOR EACH ROW EXECUTE FUNCTION warden_audit_entries_guard();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION warden_audit_refuse();
CREATE TRIGGER audit_checkpoints_immutable BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION warden_audit_refuse();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION warden_audit_refuse();
CREATE TRIGGER audit_prunes_immutable BEFORE UPDATE OR DELETE ON audit_prunes
  FOR EACH ROW EXECUTE FUNCTION warden_audit_refuse();
CREATE TRIGGER audit_prunes_no_truncate BEFORE TRUNCATE ON audit_prunes
  FOR EACH STATEMENT EXECUTE FUNCTION warden_audit_refuse();
CREATE TRIGGER audit_head_guard BEFORE UPDATE OR DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION warden_audit_head_guard();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
  FOR EACH STATEMENT EXECUTE FUNCTION warden_audit_refuse();
`;

const APPROVAL_STATUSES = "'pending', 'approved', 'denied', 'expired', 'executing', 'executed', 'failed'";

// Approval requests. JSON columns (arguments_redacted, policy_ids, approver_groups, recent_calls,
// labels, votes) are TEXT, as in v1. The indexes serve findMatching (agent, tool, digest, newest
// unexpired), the sweeper's due() (pending by expiry, and pending not yet escalated by escalation
// time) and list() (by requested_at). `IF NOT EXISTS` keeps the step harmless should it ever run on
// a database that already has it; it runs inside the migration transaction like every step.
const SQLITE_V2 = `
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  agent_name TEXT NOT NULL,
  agent_owner TEXT NOT NULL,
  tool TEXT NOT NULL,
  risk TEXT NOT NULL,
  arguments_digest TEXT NOT NULL,
  arguments_sealed TEXT NOT NULL,
  arguments_redacted TEXT NOT NULL,
  policy_ids TEXT NOT NULL,
  reason TEXT NOT NULL,
  required INTEGER NOT NULL CHECK (required >= 1),
  approver_groups TEXT NOT NULL,
  interactive INTEGER NOT NULL CHECK (interactive IN (0, 1)),
  session_id TEXT,
  recent_calls TEXT NOT NULL,
  labels TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN (${APPROVAL_STATUSES})),
  votes TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  escalate_at TEXT,
  escalated INTEGER NOT NULL CHECK (escalated IN (0, 1)),
  decided_at TEXT,
  executed_at TEXT,
  result_sealed TEXT,
  version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
CREATE INDEX IF NOT EXISTS approvals_matching ON approvals (agent_id, tool, arguments_digest, expires_at);
CREATE INDEX IF NOT EXISTS approvals_due_expiry ON approvals (status, expires_at);
CREATE INDEX IF NOT EXISTS approvals_due_escalation ON approvals (status, escalate_at) WHERE escalated = 0;
CREATE INDEX IF NOT EXISTS approvals_requested ON approvals (requested_at);
`;

const POSTGRES_V2 = `
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  agent_name TEXT NOT NULL,
  agent_owner TEXT NOT NULL,
  tool TEXT NOT NULL,
  risk TEXT NOT NULL,
  arguments_digest TEXT NOT NULL,
  arguments_sealed TEXT NOT NULL,
  arguments_redacted TEXT NOT NULL,
  policy_ids TEXT NOT NULL,
  reason TEXT NOT NULL,
  required INTEGER NOT NULL CHECK (required >= 1),
  approver_groups TEXT NOT NULL,
  interactive BOOLEAN NOT NULL,
  session_id TEXT,
  recent_calls TEXT NOT NULL,
  labels TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN (${APPROVAL_STATUSES})),
  votes TEXT NOT NULL,
  requested_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL,
  escalate_at TEXT COLLATE "C",
  escalated BOOLEAN NOT NULL,
  decided_at TEXT,
  executed_at TEXT,
  result_sealed TEXT,
  version BIGINT NOT NULL CHECK (version >= 1),
  CONSTRAINT approvals_pkey PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS approvals_matching ON approvals (agent_id, tool, arguments_digest, expires_at);
CREATE INDEX IF NOT EXISTS approvals_due_expiry ON approvals (status, expires_at);
CREATE INDEX IF NOT EXISTS approvals_due_escalation ON approvals (status, escalate_at) WHERE NOT escalated;
CREATE INDEX IF NOT EXISTS approvals_requested ON approvals (requested_at);
`;

/** Every migration, in ascending version order with no gaps, starting at 1. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sqlite: SQLITE_V1, postgres: POSTGRES_V1 },
  { version: 2, name: 'approval requests', sqlite: SQLITE_V2, postgres: POSTGRES_V2 },
];

/** The schema version this build of Warden creates and understands. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Names of the SQLite triggers that make audit rows immutable (drop them only to simulate tampering). */
export const SQLITE_IMMUTABILITY_TRIGGERS = [
  'audit_entries_no_update',
  'audit_entries_no_delete',
  'audit_checkpoints_no_update',
  'audit_checkpoints_no_delete',
  'audit_prunes_no_update',
  'audit_prunes_no_delete',
  'audit_head_no_delete',
  'audit_head_no_rewind',
] as const;

/** What a database holds before migrating: its table names and, if present, the Warden markers. */
export interface DatabaseState {
  tables: string[];
  /** warden_meta 'schema' value, null when absent or when there is no warden_meta table. */
  marker: string | null;
  /** warden_meta 'schema_version' value as stored, null when absent. */
  version: string | null;
}

/** How errors name the store and the setting that points at it. */
export interface StoreDescription {
  location: string;
  /** The config key to change, e.g. `store.sqlite.path`. */
  setting: string;
}

/**
 * Decides which migrations to run on a database in `state`: all of them when it is empty, the
 * pending ones when it is a Warden database. Throws WARDEN_STORE_NOT_WARDEN for a database holding
 * other tables and WARDEN_STORE_TOO_NEW for a schema newer than `migrations` know.
 */
export function pendingMigrations(
  state: DatabaseState,
  migrations: readonly Migration[],
  description: StoreDescription,
): Migration[] {
  if (state.tables.length === 0) return [...migrations];
  if (!state.tables.includes('warden_meta') || state.marker !== 'warden') {
    const sorted = [...state.tables].sort();
    const shown =
      sorted.slice(0, 10).join(', ') + (sorted.length > 10 ? `, and ${sorted.length - 10} more` : '');
    throw new WardenError(
      'WARDEN_STORE_NOT_WARDEN',
      `${description.location} is not a Warden database (it has tables: ${shown}); point ${description.setting} at an empty or Warden database.`,
      { location: description.location, tables: sorted },
    );
  }
  const version = state.version === null ? Number.NaN : Number(state.version);
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new WardenError(
      'WARDEN_STORE_MIGRATION_FAILED',
      `${description.location} is marked as a Warden database but its schema_version is ${state.version === null ? 'missing' : `"${state.version}"`}; restore it from a backup or point ${description.setting} at another database.`,
      { location: description.location },
    );
  }
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (version > latest) {
    throw new WardenError(
      'WARDEN_STORE_TOO_NEW',
      `${description.location} has Warden schema version ${version}, but this Warden understands schema versions up to ${latest}; upgrade Warden to a release that supports schema version ${version}.`,
      { location: description.location, schemaVersion: version, supportedVersion: latest },
    );
  }
  return migrations.filter((migration) => migration.version > version);
}

/** The error for a migration that failed and was rolled back. */
export function migrationFailed(
  migration: Migration,
  description: StoreDescription,
  cause: unknown,
): WardenError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new WardenError(
    'WARDEN_STORE_MIGRATION_FAILED',
    `Migration ${migration.version} (${migration.name}) failed on ${description.location}: ${reason}. It was rolled back, so nothing from it was applied; fix the cause and start Warden again.`,
    { location: description.location, migration: migration.version },
    { cause },
  );
}
