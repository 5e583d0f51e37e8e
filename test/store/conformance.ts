/**
 * The one Store conformance suite: every behaviour services rely on, run unchanged against SQLite
 * and PostgreSQL by sqlite.test.ts and postgres.test.ts.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { ManualClock, isWardenError, isoTime } from '../../src/core/index.js';
import type { ErrorCode } from '../../src/core/index.js';
import { GENESIS_HASH, LATEST_SCHEMA_VERSION } from '../../src/store/index.js';
import type {
  AgentRecord,
  AuditEntryRecord,
  ChainHead,
  SigningKeyRecord,
  Store,
} from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import type { Migration } from '../../src/store/migrations.js';
import type { RawSql, StoreLocation } from './helpers.js';

/** Asserts that `promise` rejects with a WardenError of `code` whose message matches `message`. */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: ErrorCode,
  message: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isWardenError(error), `expected a WardenError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const START = Date.UTC(2026, 0, 1);

/** An entry at `seq` linking to `prevHash`; the hash is a stand-in (the store does not check hashes). */
function entry(seq: number, prevHash: string, overrides: Partial<AuditEntryRecord> = {}): AuditEntryRecord {
  const base = {
    seq,
    time: new Date(START + seq * 1000).toISOString(),
    type: 'agent-created',
    actor: 'system',
    session: null,
    subject: `agent:bot-${seq}`,
    decision: null,
    policyIds: [] as string[],
    detail: { seq },
    detailDigest: sha256(`detail ${seq}`),
    prevHash,
    ...overrides,
  };
  return { ...base, hash: sha256(JSON.stringify(base)) };
}

/** `count` entries continuing `head`, each made by `make` (seq, prevHash). */
function continueChain(
  head: ChainHead,
  count: number,
  make: (seq: number, prevHash: string) => AuditEntryRecord = (seq, prevHash) => entry(seq, prevHash),
): AuditEntryRecord[] {
  const entries: AuditEntryRecord[] = [];
  let previous = head;
  for (let index = 0; index < count; index += 1) {
    const next = make(previous.seq + 1, previous.hash);
    entries.push(next);
    previous = next;
  }
  return entries;
}

function appendMany(store: Store, count: number): Promise<AuditEntryRecord[]> {
  return store.audit.append((head) => continueChain(head, count));
}

function agent(name: string, overrides: Partial<AgentRecord> = {}): AgentRecord {
  return {
    id: `agt_${name}`,
    name,
    owner: `${name}@example.com`,
    roles: ['support', 'reader'],
    clearance: 'internal',
    description: null,
    status: 'active',
    suspendedReason: null,
    suspendedBy: null,
    suspendedAt: null,
    secretHash: null,
    secretVersion: 0,
    secretRotatedAt: null,
    source: 'config',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function signingKey(kid: string, purpose: 'token' | 'audit', createdAt: string): SigningKeyRecord {
  return {
    kid,
    purpose,
    algorithm: 'EdDSA',
    publicJwk: JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: kid }),
    privateKeySealed: JSON.stringify({ sealed: kid }),
    status: 'active',
    createdAt,
    retiredAt: null,
  };
}

/** Table names of the database, through the raw connection. */
async function tableNames(raw: RawSql): Promise<string[]> {
  const rows =
    raw.kind === 'sqlite'
      ? await raw.execGuarded(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
      : await raw.execGuarded(
          'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name',
        );
  return (rows as { name: string }[]).map((row) => row.name);
}

const IMMUTABLE = /WARDEN_AUDIT_IMMUTABLE/;

function seqs(records: AuditEntryRecord[]): number[] {
  return records.map((record) => record.seq);
}

/**
 * Registers the conformance tests for one engine. `location` makes a fresh, empty place for a store
 * (see helpers.ts); every test cleans up what it made.
 */
export function storeConformance(kind: 'sqlite' | 'postgres', location: () => Promise<StoreLocation>): void {
  const setting = kind === 'sqlite' ? /store\.sqlite\.path/ : /store\.postgres\.schema/;

  /** Runs `body` with a fresh location, cleaning up afterwards. */
  async function withLocation(body: (place: StoreLocation) => Promise<void>): Promise<void> {
    const place = await location();
    try {
      await body(place);
    } finally {
      await place.cleanup();
    }
  }

  /** Runs `body` with a freshly migrated store. */
  function withStore(body: (store: Store, place: StoreLocation) => Promise<void>): Promise<void> {
    return withLocation(async (place) => body(await place.open(), place));
  }

  describe(`${kind} store: opening and migrations`, () => {
    test('an empty database is migrated to the latest schema version and marked as Warden', () =>
      withStore(async (store) => {
        assert.equal(store.kind, kind);
        assert.equal(await store.schemaVersion(), LATEST_SCHEMA_VERSION);
        assert.equal(await store.meta.get('schema'), 'warden');
        assert.equal(await store.meta.get('schema_version'), String(LATEST_SCHEMA_VERSION));
        await store.ping();
      }));

    test('reopening a migrated database keeps its data and its schema version', () =>
      withLocation(async (place) => {
        const first = await place.open();
        await first.agents.create(agent('support-bot'));
        await first.close();
        const second = await place.open();
        const third = await place.open();
        assert.equal(await third.schemaVersion(), LATEST_SCHEMA_VERSION);
        assert.equal((await second.agents.getByName('support-bot'))?.id, 'agt_support-bot');
        assert.equal((await third.agents.list()).length, 1);
      }));

    test('two stores opening the same empty database at once both succeed', () =>
      withLocation(async (place) => {
        const [first, second] = await Promise.all([place.open(), place.open()]);
        assert.equal(await first.schemaVersion(), LATEST_SCHEMA_VERSION);
        assert.equal(await second.schemaVersion(), LATEST_SCHEMA_VERSION);
      }));

    test('a database holding other tables is refused as not Warden, naming its tables', () =>
      withLocation(async (place) => {
        await place.raw.execGuarded('CREATE TABLE orders (id INTEGER PRIMARY KEY)');
        await place.raw.execGuarded('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
        await rejectsWith(
          place.open(),
          'WARDEN_STORE_NOT_WARDEN',
          /is not a Warden database \(it has tables: customers, orders\); point store\.\w+\.\w+ at an empty or Warden database/,
        );
        await rejectsWith(place.open(), 'WARDEN_STORE_NOT_WARDEN', setting);
        assert.deepEqual(await tableNames(place.raw), ['customers', 'orders']);
      }));

    test('a warden_meta table without the Warden marker is refused as not Warden', () =>
      withLocation(async (place) => {
        await place.raw.execGuarded('CREATE TABLE warden_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
        await place.raw.execGuarded(
          "INSERT INTO warden_meta (key, value) VALUES ('schema', 'something-else')",
        );
        await rejectsWith(place.open(), 'WARDEN_STORE_NOT_WARDEN', /it has tables: warden_meta/);
      }));

    test('a schema version newer than this build is refused, naming both versions', () =>
      withLocation(async (place) => {
        const store = await place.open();
        await store.close();
        await place.raw.execGuarded("UPDATE warden_meta SET value = '99' WHERE key = 'schema_version'");
        await rejectsWith(
          place.open(),
          'WARDEN_STORE_TOO_NEW',
          new RegExp(`schema version 99.*up to ${LATEST_SCHEMA_VERSION}; upgrade Warden`),
        );
      }));

    test('pending migrations are applied to a database at an older schema version', () =>
      withLocation(async (place) => {
        const next: Migration = {
          version: LATEST_SCHEMA_VERSION + 1,
          name: 'add notes',
          sqlite: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)',
          postgres: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)',
        };
        const old = await place.open();
        await old.agents.create(agent('support-bot'));
        await old.close();
        const upgraded = await place.open({ migrations: [...MIGRATIONS, next] });
        assert.equal(await upgraded.schemaVersion(), LATEST_SCHEMA_VERSION + 1);
        assert.ok((await tableNames(place.raw)).includes('notes'));
        assert.equal((await upgraded.agents.getByName('support-bot'))?.name, 'support-bot');
      }));

    test('a failing migration is rolled back whole and reported with its version and name', () =>
      withLocation(async (place) => {
        const broken: Migration = {
          version: LATEST_SCHEMA_VERSION + 1,
          name: 'broken step',
          sqlite: 'CREATE TABLE half_done (id INTEGER); CREATE TABLE (',
          postgres: 'CREATE TABLE half_done (id INTEGER); CREATE TABLE (',
        };
        await (await place.open()).close();
        await rejectsWith(
          place.open({ migrations: [...MIGRATIONS, broken] }),
          'WARDEN_STORE_MIGRATION_FAILED',
          new RegExp(`Migration ${LATEST_SCHEMA_VERSION + 1} \\(broken step\\) failed.*rolled back`),
        );
        assert.ok(!(await tableNames(place.raw)).includes('half_done'));
        const store = await place.open();
        assert.equal(await store.schemaVersion(), LATEST_SCHEMA_VERSION);
      }));

    test('a first migration that fails leaves an empty database empty', () =>
      withLocation(async (place) => {
        const [first] = MIGRATIONS;
        const broken: Migration = {
          version: 1,
          name: 'broken initial schema',
          sqlite: `${first!.sqlite}; CREATE TABLE (`,
          postgres: `${first!.postgres}; CREATE TABLE (`,
        };
        await rejectsWith(
          place.open({ migrations: [broken] }),
          'WARDEN_STORE_MIGRATION_FAILED',
          /Migration 1/,
        );
        assert.deepEqual(await tableNames(place.raw), []);
        assert.equal(await (await place.open()).schemaVersion(), LATEST_SCHEMA_VERSION);
      }));

    test('a closed store refuses calls with WARDEN_STORE_UNAVAILABLE', () =>
      withStore(async (store) => {
        await store.close();
        await rejectsWith(store.agents.list(), 'WARDEN_STORE_UNAVAILABLE', /closed/);
        await rejectsWith(store.ping(), 'WARDEN_STORE_UNAVAILABLE', /closed/);
      }));
  });

  describe(`${kind} store: agents`, () => {
    test('a created agent reads back with every field by id and by name', () =>
      withStore(async (store) => {
        const record = agent('finance-bot', {
          description: 'Books invoices; ünïcode ✓',
          status: 'suspended',
          suspendedReason: 'incident 42',
          suspendedBy: 'admin:alice',
          suspendedAt: '2026-01-02T03:04:05.678Z',
          secretHash: 'scrypt$16384$8$1$salt$hash',
          secretVersion: 3,
          secretRotatedAt: '2026-01-02T00:00:00.000Z',
          source: 'cli',
        });
        await store.agents.create(record);
        assert.deepEqual(await store.agents.getById(record.id), record);
        assert.deepEqual(await store.agents.getByName('finance-bot'), record);
        assert.equal(await store.agents.getById('agt_missing'), null);
        assert.equal(await store.agents.getByName('missing'), null);
      }));

    test('agents are listed in name order', () =>
      withStore(async (store) => {
        for (const name of ['research-bot', 'finance-bot', 'support-bot', 'a-bot']) {
          await store.agents.create(agent(name));
        }
        assert.deepEqual(
          (await store.agents.list()).map((record) => record.name),
          ['a-bot', 'finance-bot', 'research-bot', 'support-bot'],
        );
      }));

    test('an update with an expectation applies only while the agent is still as expected', () =>
      withStore(async (store) => {
        const record = agent('support-bot');
        await store.agents.create(record);
        const expected = {
          updatedAt: record.updatedAt,
          secretVersion: record.secretVersion,
          status: record.status,
        };
        const first = await store.agents.update(
          record.id,
          { secretVersion: record.secretVersion + 1, updatedAt: '2026-01-05T00:00:00.000Z' },
          expected,
        );
        assert.equal(first?.secretVersion, record.secretVersion + 1);
        // A second writer that read the same record is refused, and changes nothing.
        const second = await store.agents.update(
          record.id,
          { status: 'suspended', suspendedReason: 'late', updatedAt: '2026-01-05T00:00:01.000Z' },
          expected,
        );
        assert.equal(second, null);
        assert.equal((await store.agents.getById(record.id))?.status, 'active');
      }));

    test('an update applies only the given changes and returns the updated agent', () =>
      withStore(async (store) => {
        const record = agent('support-bot');
        await store.agents.create(record);
        const updated = await store.agents.update(record.id, {
          status: 'suspended',
          suspendedReason: 'incident 42',
          roles: ['support'],
          secretVersion: 1,
          updatedAt: '2026-01-03T00:00:00.000Z',
        });
        const expected: AgentRecord = {
          ...record,
          status: 'suspended',
          suspendedReason: 'incident 42',
          roles: ['support'],
          secretVersion: 1,
          updatedAt: '2026-01-03T00:00:00.000Z',
        };
        assert.deepEqual(updated, expected);
        assert.deepEqual(await store.agents.getById(record.id), expected);
        const cleared = await store.agents.update(record.id, { suspendedReason: null, status: 'active' });
        assert.equal(cleared?.suspendedReason, null);
        assert.equal(cleared?.status, 'active');
        assert.deepEqual(await store.agents.update(record.id, {}), cleared);
      }));

    test('updating an agent that does not exist returns null', () =>
      withStore(async (store) => {
        assert.equal(await store.agents.update('agt_missing', { owner: 'x@example.com' }), null);
      }));

    test('creating an agent with a taken name is refused with WARDEN_AGENT_EXISTS naming the agent', () =>
      withStore(async (store) => {
        await store.agents.create(agent('support-bot'));
        await rejectsWith(
          store.agents.create(agent('support-bot', { id: 'agt_other' })),
          'WARDEN_AGENT_EXISTS',
          /An agent named "support-bot" already exists/,
        );
        assert.equal((await store.agents.list()).length, 1);
      }));

    test('creating an agent with a taken id is refused with WARDEN_AGENT_EXISTS', () =>
      withStore(async (store) => {
        await store.agents.create(agent('support-bot'));
        await rejectsWith(
          store.agents.create(agent('other-bot', { id: 'agt_support-bot' })),
          'WARDEN_AGENT_EXISTS',
          /id "agt_support-bot" already exists, so agent "other-bot" was not created/,
        );
      }));
  });

  describe(`${kind} store: signing keys`, () => {
    test('rotating retires the active key at the new key createdAt and lists newest first', () =>
      withStore(async (store) => {
        const first = signingKey('k1', 'token', '2026-01-01T00:00:00.000Z');
        const second = signingKey('k2', 'token', '2026-02-01T00:00:00.000Z');
        await store.keys.rotate(first);
        assert.deepEqual(await store.keys.list('token'), [first]);
        await store.keys.rotate(second);
        const retired = { ...first, status: 'retired' as const, retiredAt: second.createdAt };
        assert.deepEqual(await store.keys.list('token'), [second, retired]);
        assert.deepEqual(await store.keys.get('k1'), retired);
        assert.deepEqual(await store.keys.get('k2'), second);
        assert.equal(await store.keys.get('missing'), null);
      }));

    test('keys of one purpose are not touched by rotating the other purpose', () =>
      withStore(async (store) => {
        const token = signingKey('t1', 'token', '2026-01-01T00:00:00.000Z');
        const audit = signingKey('a1', 'audit', '2026-01-05T00:00:00.000Z');
        await store.keys.rotate(token);
        await store.keys.rotate(audit);
        assert.deepEqual(await store.keys.list('token'), [token]);
        assert.deepEqual(await store.keys.list('audit'), [audit]);
      }));

    test('keys rotated at the same instant still list newest first', () =>
      withStore(async (store) => {
        const time = '2026-01-01T00:00:00.000Z';
        for (const kid of ['zz', 'mm', 'aa']) await store.keys.rotate(signingKey(kid, 'token', time));
        const listed = await store.keys.list('token');
        assert.deepEqual(
          listed.map((key) => [key.kid, key.status]),
          [
            ['aa', 'active'],
            ['mm', 'retired'],
            ['zz', 'retired'],
          ],
        );
      }));

    test('rotating to a key that is not marked active is refused and changes nothing', () =>
      withStore(async (store) => {
        const first = signingKey('k1', 'audit', '2026-01-01T00:00:00.000Z');
        await store.keys.rotate(first);
        await rejectsWith(
          store.keys.rotate({ ...signingKey('k2', 'audit', '2026-02-01T00:00:00.000Z'), status: 'retired' }),
          'WARDEN_INTERNAL',
          /takes the new active key, but key "k2" has status "retired"/,
        );
        assert.deepEqual(await store.keys.list('audit'), [first]);
      }));

    test('rotating to a kid that exists is refused and leaves the active key active', () =>
      withStore(async (store) => {
        const first = signingKey('k1', 'token', '2026-01-01T00:00:00.000Z');
        await store.keys.rotate(first);
        await rejectsWith(
          store.keys.rotate(signingKey('k1', 'token', '2026-02-01T00:00:00.000Z')),
          'WARDEN_STORE_CONFLICT',
          /kid "k1" already exists/,
        );
        assert.deepEqual(await store.keys.list('token'), [first]);
      }));
  });

  describe(`${kind} store: meta`, () => {
    test('setIfAbsent stores the first value and keeps it', () =>
      withStore(async (store) => {
        assert.equal(await store.meta.get('install_id'), null);
        assert.equal(await store.meta.setIfAbsent('install_id', 'first'), 'first');
        assert.equal(await store.meta.setIfAbsent('install_id', 'second'), 'first');
        assert.equal(await store.meta.get('install_id'), 'first');
      }));

    test('concurrent setIfAbsent calls all return the one stored value', () =>
      withStore(async (store) => {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, index) => store.meta.setIfAbsent('check', `value-${index}`)),
        );
        const stored = await store.meta.get('check');
        assert.ok(stored !== null);
        assert.deepEqual(
          results,
          Array.from({ length: 8 }, () => stored),
        );
      }));
  });

  describe(`${kind} store: audit append and head`, () => {
    test('an empty log has the genesis head and build receives it', () =>
      withStore(async (store) => {
        assert.deepEqual(await store.audit.head(), { seq: 0, hash: GENESIS_HASH });
        let given: ChainHead | undefined;
        await store.audit.append((head) => {
          given = head;
          return [entry(1, head.hash)];
        });
        assert.deepEqual(given, { seq: 0, hash: GENESIS_HASH });
      }));

    test('appended entries read back exactly, with numeric seqs', () =>
      withStore(async (store) => {
        const rich = entry(1, GENESIS_HASH, {
          type: 'tool-call-denied',
          actor: 'agent:support-bot',
          session: 'ses_1',
          subject: 'tool:crm__read_customer',
          decision: 'deny',
          policyIds: ['p-1', 'p-2'],
          detail: {
            args: { id: 'c1', note: 'quote " and \\ back\\slash, ünïcode ✓' },
            list: [1, 2.5, null, true],
          },
        });
        const returned = await store.audit.append(() => [rich]);
        assert.deepEqual(returned, [rich]);
        const [read] = await store.audit.query({});
        assert.deepEqual(read, rich);
        assert.equal(typeof read.seq, 'number');
        assert.deepEqual(await store.audit.head(), { seq: 1, hash: rich.hash });
      }));

    test('a batch lands in one append with contiguous seqs and moves the head to its last entry', () =>
      withStore(async (store) => {
        await appendMany(store, 2);
        const batch = await appendMany(store, 5);
        assert.deepEqual(
          batch.map((record) => record.seq),
          [3, 4, 5, 6, 7],
        );
        assert.deepEqual(await store.audit.head(), { seq: 7, hash: batch[4]!.hash });
        assert.equal(await store.audit.count(), 7);
      }));

    test('an append whose seqs do not follow the head is refused with WARDEN_STORE_CONFLICT and writes nothing', () =>
      withStore(async (store) => {
        const [first] = await appendMany(store, 1);
        await rejectsWith(
          store.audit.append((head) => [entry(head.seq + 2, head.hash)]),
          'WARDEN_STORE_CONFLICT',
          /seq 3 but the chain continues at seq 2/,
        );
        await rejectsWith(
          store.audit.append((head) => {
            const [a, b] = continueChain(head, 2);
            return [a!, { ...b!, seq: 4 }];
          }),
          'WARDEN_STORE_CONFLICT',
          /entry 2 of the batch has seq 4/,
        );
        assert.equal(await store.audit.count(), 1);
        assert.deepEqual(await store.audit.head(), { seq: 1, hash: first!.hash });
      }));

    test('an append whose first prevHash is not the head hash is refused with WARDEN_STORE_CONFLICT', () =>
      withStore(async (store) => {
        await appendMany(store, 1);
        await rejectsWith(
          store.audit.append((head) => [entry(head.seq + 1, GENESIS_HASH)]),
          'WARDEN_STORE_CONFLICT',
          /prevHash/,
        );
        await rejectsWith(
          store.audit.append((head) => {
            const [a, b] = continueChain(head, 2);
            return [a!, { ...b!, prevHash: GENESIS_HASH }];
          }),
          'WARDEN_STORE_CONFLICT',
          /entry seq 3 has prevHash/,
        );
        assert.equal(await store.audit.count(), 1);
      }));

    test('a build that throws rejects the append and writes nothing', () =>
      withStore(async (store) => {
        await appendMany(store, 1);
        await assert.rejects(
          store.audit.append(() => {
            throw new Error('redaction failed');
          }),
          /redaction failed/,
        );
        assert.equal(await store.audit.count(), 1);
        await appendMany(store, 1);
        assert.equal((await store.audit.head()).seq, 2);
      }));

    test('a build that returns no entries leaves the log unchanged', () =>
      withStore(async (store) => {
        await appendMany(store, 1);
        const before = await store.audit.head();
        assert.deepEqual(await store.audit.append(() => []), []);
        assert.deepEqual(await store.audit.head(), before);
      }));

    test('16 concurrent appends all land with contiguous seqs, each built on the head it was given', () =>
      withStore(async (store) => {
        const results = await Promise.all(Array.from({ length: 16 }, () => appendMany(store, 1)));
        assert.deepEqual(
          results.map(([record]) => record!.seq).sort((a, b) => a - b),
          Array.from({ length: 16 }, (_, index) => index + 1),
        );
        const log = await store.audit.query({});
        let previous: ChainHead = { seq: 0, hash: GENESIS_HASH };
        for (const record of log) {
          assert.equal(record.seq, previous.seq + 1);
          assert.equal(record.prevHash, previous.hash);
          previous = record;
        }
        assert.equal(log.length, 16);
      }));

    test('concurrent appends from two stores on the same database form one chain', () =>
      withStore(async (store, place) => {
        const other = await place.open();
        const results = await Promise.all(
          Array.from({ length: 16 }, (_, index) => appendMany(index % 2 === 0 ? store : other, 2)),
        );
        assert.equal(results.flat().length, 32);
        const log = await other.audit.query({});
        assert.deepEqual(
          log.map((record) => record.seq),
          Array.from({ length: 32 }, (_, index) => index + 1),
        );
        log.forEach((record, index) => {
          assert.equal(record.prevHash, index === 0 ? GENESIS_HASH : log[index - 1]!.hash);
        });
      }));
  });

  describe(`${kind} store: audit queries`, () => {
    /** Ten entries: seq n at START + n seconds; odd seqs are tool calls by support-bot, even ones admin actions. */
    async function seeded(store: Store): Promise<AuditEntryRecord[]> {
      return store.audit.append((head) =>
        continueChain(head, 10, (seq, prevHash) =>
          entry(seq, prevHash, {
            type: seq % 2 === 1 ? 'tool-call-allowed' : 'agent-suspended',
            actor: seq % 2 === 1 ? 'agent:support-bot' : 'admin:alice',
            subject: seq <= 5 ? 'agent:support-bot' : 'agent:finance-bot',
          }),
        ),
      );
    }
    test('a query without filters returns every entry in ascending seq', () =>
      withStore(async (store) => {
        const all = await seeded(store);
        assert.deepEqual(await store.audit.query({}), all);
      }));

    test('fromSeq and toSeq are inclusive bounds', () =>
      withStore(async (store) => {
        await seeded(store);
        assert.deepEqual(seqs(await store.audit.query({ fromSeq: 3, toSeq: 6 })), [3, 4, 5, 6]);
        assert.deepEqual(seqs(await store.audit.query({ fromSeq: 9 })), [9, 10]);
        assert.deepEqual(seqs(await store.audit.query({ toSeq: 2 })), [1, 2]);
      }));

    test('sinceTime is inclusive and beforeTime exclusive', () =>
      withStore(async (store) => {
        await seeded(store);
        const clock = new ManualClock(START);
        clock.advance(3000);
        const since = isoTime(clock);
        clock.advance(3000);
        const before = isoTime(clock);
        assert.deepEqual(seqs(await store.audit.query({ sinceTime: since, beforeTime: before })), [3, 4, 5]);
        assert.deepEqual(seqs(await store.audit.query({ sinceTime: before })), [6, 7, 8, 9, 10]);
      }));

    test('types, actor and subject filter by exact match and combine', () =>
      withStore(async (store) => {
        await seeded(store);
        assert.deepEqual(seqs(await store.audit.query({ types: ['agent-suspended'] })), [2, 4, 6, 8, 10]);
        assert.deepEqual(
          seqs(await store.audit.query({ types: ['agent-suspended', 'tool-call-allowed'] })),
          [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        );
        assert.deepEqual(seqs(await store.audit.query({ types: [] })), []);
        assert.deepEqual(seqs(await store.audit.query({ actor: 'agent:support-bot' })), [1, 3, 5, 7, 9]);
        assert.deepEqual(seqs(await store.audit.query({ subject: 'agent:finance-bot' })), [6, 7, 8, 9, 10]);
        assert.deepEqual(
          seqs(await store.audit.query({ actor: 'admin:alice', subject: 'agent:support-bot', fromSeq: 3 })),
          [4],
        );
      }));

    test('involving matches the actor or the subject, decisions the decision, and both combine', () =>
      withStore(async (store) => {
        await store.audit.append((head) =>
          continueChain(head, 6, (seq, prevHash) =>
            entry(seq, prevHash, {
              type: 'tool-call-allowed',
              actor: seq <= 3 ? 'agent:support-bot' : 'admin:alice',
              subject: seq === 5 ? 'agent:support-bot' : 'tool:crm__read',
              decision: seq % 3 === 0 ? 'deny' : seq % 3 === 1 ? 'allow' : null,
            }),
          ),
        );
        assert.deepEqual(seqs(await store.audit.query({ involving: 'agent:support-bot' })), [1, 2, 3, 5]);
        assert.deepEqual(seqs(await store.audit.query({ decisions: ['deny'] })), [3, 6]);
        assert.deepEqual(seqs(await store.audit.query({ decisions: ['allow', 'deny'] })), [1, 3, 4, 6]);
        assert.deepEqual(seqs(await store.audit.query({ decisions: [] })), []);
        assert.deepEqual(
          seqs(
            await store.audit.query({
              involving: 'agent:support-bot',
              decisions: ['allow'],
              subject: 'tool:crm__read',
              order: 'desc',
            }),
          ),
          [1],
        );
      }));

    test('order desc with a limit returns the newest entries first', () =>
      withStore(async (store) => {
        await seeded(store);
        assert.deepEqual(seqs(await store.audit.query({ order: 'desc', limit: 3 })), [10, 9, 8]);
        assert.deepEqual(seqs(await store.audit.query({ limit: 2 })), [1, 2]);
        assert.deepEqual(seqs(await store.audit.query({ limit: 0 })), []);
      }));

    test('the limit defaults to and is capped at 10,000 entries', () =>
      withStore(async (store) => {
        await appendMany(store, 10_001);
        assert.equal((await store.audit.query({})).length, 10_000);
        const capped = await store.audit.query({ limit: 50_000, order: 'desc' });
        assert.equal(capped.length, 10_000);
        assert.equal(capped[0]!.seq, 10_001);
        assert.equal(await store.audit.count(), 10_001);
      }));

    test('a negative or fractional limit is refused with WARDEN_BAD_REQUEST', () =>
      withStore(async (store) => {
        await rejectsWith(
          store.audit.query({ limit: -1 }),
          'WARDEN_BAD_REQUEST',
          /whole number from 0 to 10000/,
        );
        await rejectsWith(store.audit.query({ limit: 1.5 }), 'WARDEN_BAD_REQUEST', /got 1\.5/);
      }));
  });

  describe(`${kind} store: checkpoints and prune`, () => {
    function checkpointOf(record: AuditEntryRecord) {
      return {
        seq: record.seq,
        hash: record.hash,
        time: record.time,
        keyId: 'audit-key-1',
        signature: `sig-${record.seq}`,
      };
    }

    test('checkpoints list in ascending seq, from a seq on, and the latest is returned', () =>
      withStore(async (store) => {
        const log = await appendMany(store, 6);
        assert.equal(await store.audit.latestCheckpoint(), null);
        for (const index of [3, 1, 5]) await store.audit.addCheckpoint(checkpointOf(log[index]!));
        assert.deepEqual(
          (await store.audit.checkpoints()).map((checkpoint) => checkpoint.seq),
          [2, 4, 6],
        );
        assert.deepEqual(
          (await store.audit.checkpoints(4)).map((checkpoint) => checkpoint.seq),
          [4, 6],
        );
        assert.deepEqual(await store.audit.latestCheckpoint(), checkpointOf(log[5]!));
      }));

    test('a second checkpoint at the same seq is refused with WARDEN_STORE_CONFLICT', () =>
      withStore(async (store) => {
        const [first] = await appendMany(store, 1);
        await store.audit.addCheckpoint(checkpointOf(first!));
        await rejectsWith(
          store.audit.addCheckpoint({ ...checkpointOf(first!), signature: 'other' }),
          'WARDEN_STORE_CONFLICT',
          /checkpoint at seq 1 already exists/,
        );
      }));

    test('a prune without a checkpoint at upToSeq is refused and removes nothing', () =>
      withStore(async (store) => {
        const log = await appendMany(store, 5);
        await store.audit.addCheckpoint(checkpointOf(log[1]!));
        await rejectsWith(
          store.audit.prune({ upToSeq: 3, anchorHash: log[2]!.hash, time: log[4]!.time, actor: 'cli:ops' }),
          'WARDEN_AUDIT_PRUNE_REFUSED',
          /no checkpoint at seq 3; only whole checkpointed segments can be removed/,
        );
        await rejectsWith(
          store.audit.prune({ upToSeq: 2, anchorHash: log[2]!.hash, time: log[4]!.time, actor: 'cli:ops' }),
          'WARDEN_AUDIT_PRUNE_REFUSED',
          /not the anchor hash/,
        );
        assert.equal(await store.audit.count(), 5);
        assert.deepEqual(await store.audit.prunes(), []);
      }));

    test('a prune at a checkpoint removes entries up to it, records itself and returns the count', () =>
      withStore(async (store) => {
        const log = await appendMany(store, 5);
        await store.audit.addCheckpoint(checkpointOf(log[2]!));
        const record = {
          upToSeq: 3,
          anchorHash: log[2]!.hash,
          time: '2026-02-01T00:00:00.000Z',
          actor: 'cli:ops',
        };
        assert.equal(await store.audit.prune(record), 3);
        assert.deepEqual(seqs(await store.audit.query({})), [4, 5]);
        assert.equal(await store.audit.count(), 2);
        assert.deepEqual(await store.audit.prunes(), [record]);
        assert.deepEqual(await store.audit.head(), { seq: 5, hash: log[4]!.hash });
        assert.deepEqual(
          (await store.audit.checkpoints()).map((checkpoint) => checkpoint.seq),
          [3],
        );
        await rejectsWith(store.audit.prune(record), 'WARDEN_AUDIT_PRUNE_REFUSED', /already pruned/);
      }));

    test('after pruning everything the head is the prune anchor and appends continue from it', () =>
      withStore(async (store) => {
        const log = await appendMany(store, 4);
        await store.audit.addCheckpoint(checkpointOf(log[3]!));
        await store.audit.prune({
          upToSeq: 4,
          anchorHash: log[3]!.hash,
          time: log[3]!.time,
          actor: 'cli:ops',
        });
        assert.equal(await store.audit.count(), 0);
        assert.deepEqual(await store.audit.head(), { seq: 4, hash: log[3]!.hash });
        const [next] = await appendMany(store, 1);
        assert.equal(next!.seq, 5);
        assert.equal(next!.prevHash, log[3]!.hash);
      }));
  });

  describe(`${kind} store: the database itself refuses changes to audit rows`, () => {
    async function withAuditRows(
      body: (store: Store, raw: RawSql, log: AuditEntryRecord[]) => Promise<void>,
    ) {
      await withStore(async (store, place) => {
        const log = await appendMany(store, 4);
        await store.audit.addCheckpoint({
          seq: 2,
          hash: log[1]!.hash,
          time: log[1]!.time,
          keyId: 'k',
          signature: 's',
        });
        await store.audit.prune({
          upToSeq: 2,
          anchorHash: log[1]!.hash,
          time: log[1]!.time,
          actor: 'cli:ops',
        });
        await body(store, place.raw, log);
      });
    }

    test('UPDATE of an audit entry is refused', () =>
      withAuditRows(async (store, raw, log) => {
        await assert.rejects(
          raw.execGuarded("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 3"),
          IMMUTABLE,
        );
        assert.equal((await store.audit.query({ fromSeq: 3, toSeq: 3 }))[0]!.actor, log[2]!.actor);
      }));

    test('DELETE of an audit entry that no prune covers is refused', () =>
      withAuditRows(async (store, raw) => {
        await assert.rejects(raw.execGuarded('DELETE FROM audit_entries WHERE seq = 4'), IMMUTABLE);
        await assert.rejects(raw.execGuarded('DELETE FROM audit_entries'), IMMUTABLE);
        assert.equal(await store.audit.count(), 2);
      }));

    test('UPDATE and DELETE of checkpoints and prune records are refused', () =>
      withAuditRows(async (store, raw) => {
        await assert.rejects(raw.execGuarded("UPDATE audit_checkpoints SET signature = 'x'"), IMMUTABLE);
        await assert.rejects(raw.execGuarded('DELETE FROM audit_checkpoints'), IMMUTABLE);
        await assert.rejects(raw.execGuarded('UPDATE audit_prunes SET up_to_seq = 1'), IMMUTABLE);
        await assert.rejects(raw.execGuarded('DELETE FROM audit_prunes'), IMMUTABLE);
        assert.equal((await store.audit.checkpoints()).length, 1);
        assert.equal((await store.audit.prunes()).length, 1);
      }));

    test('the audit head cannot be deleted or moved backwards', () =>
      withAuditRows(async (store, raw) => {
        await assert.rejects(raw.execGuarded('DELETE FROM audit_head'), IMMUTABLE);
        await assert.rejects(raw.execGuarded('UPDATE audit_head SET seq = 1'), IMMUTABLE);
        assert.equal((await appendMany(store, 1))[0]!.seq, 5);
      }));

    if (kind === 'postgres') {
      test('TRUNCATE of audit tables is refused', () =>
        withAuditRows(async (store, raw) => {
          for (const table of ['audit_entries', 'audit_checkpoints', 'audit_prunes', 'audit_head']) {
            await assert.rejects(raw.execGuarded(`TRUNCATE ${table}`), IMMUTABLE, table);
          }
          assert.equal(await store.audit.count(), 2);
        }));
    }

    test('the raw tamper connection bypasses the triggers while they stay in force for everyone else', () =>
      withAuditRows(async (store, raw) => {
        await raw.exec("UPDATE audit_entries SET actor = 'mallory' WHERE seq = 3");
        await raw.exec('DELETE FROM audit_entries WHERE seq = 4');
        assert.deepEqual(
          (await store.audit.query({})).map((record) => [record.seq, record.actor]),
          [[3, 'mallory']],
        );
        await assert.rejects(
          raw.execGuarded("UPDATE audit_entries SET actor = 'eve' WHERE seq = 3"),
          IMMUTABLE,
        );
        const rows = (await raw.exec('SELECT seq, actor FROM audit_entries')) as {
          seq: number;
          actor: string;
        }[];
        assert.deepEqual(rows, [{ seq: 3, actor: 'mallory' }]);
      }));
  });
}
