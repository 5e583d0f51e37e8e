/**
 * The approval store conformance suite, run unchanged against SQLite and PostgreSQL (skipped with the
 * reason when WARDEN_TEST_POSTGRES_URL is unset): create, compare-and-set updates, findMatching, due,
 * list, large sealed values, and the v1 → v2 upgrade of an existing database.
 */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LATEST_SCHEMA_VERSION } from '../../src/store/index.js';
import type { ApprovalRecord, Store } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { rejectsWith } from './conformance.js';
import { POSTGRES_SKIP_MESSAGE, POSTGRES_TEST_URL, postgresLocation, sqliteLocation } from './helpers.js';
import type { StoreLocation } from './helpers.js';

const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);

/** ISO time `seconds` after T0. */
function at(seconds: number): string {
  return new Date(T0 + seconds * 1000).toISOString();
}

function approval(id: string, overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    id,
    agentId: 'agt_finance',
    agentName: 'finance-bot',
    agentOwner: 'lan.nguyen@example.com',
    tool: 'bank__transfer',
    risk: 'financial',
    argumentsDigest: 'd'.repeat(64),
    argumentsSealed: JSON.stringify({ v: 1, ct: id }),
    argumentsRedacted: { to: 'ACME Ltd', amount: 1200, note: 'ünïcode ✓', nested: { list: [1, null, true] } },
    policyIds: ['payments-need-approval'],
    reason: 'payments-need-approval: transfers need a person',
    required: 1,
    groups: [],
    interactive: false,
    sessionId: null,
    recentCalls: [],
    labels: ['financial'],
    status: 'pending',
    votes: [],
    requestedAt: at(0),
    expiresAt: at(900),
    escalateAt: null,
    escalated: false,
    decidedAt: null,
    executedAt: null,
    resultSealed: null,
    version: 1,
    ...overrides,
  };
}

const ENGINES: ReadonlyArray<{
  kind: 'sqlite' | 'postgres';
  location: () => Promise<StoreLocation>;
  skip: string | false;
}> = [
  { kind: 'sqlite', location: sqliteLocation, skip: false },
  {
    kind: 'postgres',
    location: postgresLocation,
    skip: POSTGRES_TEST_URL === undefined ? POSTGRES_SKIP_MESSAGE : false,
  },
];

for (const engine of ENGINES) {
  /** Runs `body` with a fresh location, cleaning up afterwards. */
  async function withLocation(body: (place: StoreLocation) => Promise<void>): Promise<void> {
    const place = await engine.location();
    try {
      await body(place);
    } finally {
      await place.cleanup();
    }
  }

  function withStore(body: (store: Store, place: StoreLocation) => Promise<void>): Promise<void> {
    return withLocation(async (place) => body(await place.open(), place));
  }

  const ids = (records: ApprovalRecord[]): string[] => records.map((record) => record.id);

  describe(`${engine.kind} store: approvals`, { skip: engine.skip }, () => {
    test('a created request reads back with every field', () =>
      withStore(async (store) => {
        const record = approval('apr_full', {
          required: 2,
          groups: ['finance', 'security'],
          interactive: true,
          sessionId: 'ses_1',
          recentCalls: [{ tool: 'bank__balance', decision: 'allow', at: at(-5) }],
          status: 'approved',
          votes: [
            { by: 'admin:minh', email: 'minh@example.com', decision: 'approve', reason: 'ok ✓', at: at(10) },
            { by: 'cli:root', email: null, decision: 'approve', reason: 'fine', at: at(11) },
          ],
          escalateAt: at(300),
          escalated: true,
          decidedAt: at(11),
          executedAt: at(12),
          resultSealed: JSON.stringify({ v: 1, ct: 'result' }),
          version: 7,
        });
        await store.approvals.create(record);
        assert.deepEqual(await store.approvals.get('apr_full'), record);
        assert.equal(await store.approvals.get('apr_missing'), null);
      }));

    test('creating a request with an id that exists is refused with WARDEN_STORE_CONFLICT', () =>
      withStore(async (store) => {
        await store.approvals.create(approval('apr_dup'));
        await rejectsWith(
          store.approvals.create(approval('apr_dup', { tool: 'bank__refund' })),
          'WARDEN_STORE_CONFLICT',
          /apr_dup.*already exists/,
        );
        assert.equal((await store.approvals.get('apr_dup'))?.tool, 'bank__transfer');
      }));

    test('update applies changes only at the expected version and increments it', () =>
      withStore(async (store) => {
        await store.approvals.create(approval('apr_cas'));
        const vote = {
          by: 'admin:minh',
          email: 'minh@example.com',
          decision: 'approve' as const,
          reason: 'ok',
          at: at(5),
        };
        const updated = await store.approvals.update(
          'apr_cas',
          {
            status: 'approved',
            votes: [vote],
            groups: ['finance'],
            decidedAt: at(5),
            expiresAt: at(905),
            escalated: true,
            escalateAt: null,
          },
          1,
        );
        assert.ok(updated !== null);
        assert.equal(updated.version, 2);
        assert.equal(updated.status, 'approved');
        assert.deepEqual(updated.votes, [vote]);
        assert.deepEqual(updated.groups, ['finance']);
        assert.equal(updated.escalated, true);
        assert.equal(updated.expiresAt, at(905));
        assert.deepEqual(await store.approvals.get('apr_cas'), updated);

        // A stale version changes nothing.
        assert.equal(await store.approvals.update('apr_cas', { status: 'denied' }, 1), null);
        assert.equal((await store.approvals.get('apr_cas'))?.status, 'approved');
        // An unknown id.
        assert.equal(await store.approvals.update('apr_nope', { status: 'denied' }, 1), null);
        // No changes still moves the version (a touch), and undefined fields are left alone.
        const touched = await store.approvals.update('apr_cas', { status: undefined }, 2);
        assert.equal(touched?.version, 3);
        assert.equal(touched?.status, 'approved');
      }));

    test('of many concurrent updates at the same version exactly one wins', () =>
      withLocation(async (place) => {
        const first = await place.open();
        const second = await place.open();
        await first.approvals.create(approval('apr_race', { status: 'approved' }));
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, index) =>
            (index % 2 === 0 ? first : second).approvals.update('apr_race', { status: 'executing' }, 1),
          ),
        );
        assert.equal(results.filter((result) => result !== null).length, 1);
        const stored = await second.approvals.get('apr_race');
        assert.equal(stored?.version, 2);
        assert.equal(stored?.status, 'executing');
      }));

    test('findMatching returns the newest request of the agent, tool and digest that has not expired, whatever its status', () =>
      withStore(async (store) => {
        const digest = 'a'.repeat(64);
        await store.approvals.create(
          approval('apr_old', { argumentsDigest: digest, requestedAt: at(0), expiresAt: at(900) }),
        );
        await store.approvals.create(
          approval('apr_new', {
            argumentsDigest: digest,
            requestedAt: at(10),
            expiresAt: at(910),
            status: 'denied',
          }),
        );
        await store.approvals.create(
          approval('apr_gone', {
            argumentsDigest: digest,
            requestedAt: at(20),
            expiresAt: at(30),
            status: 'executed',
          }),
        );
        await store.approvals.create(
          approval('apr_other_agent', { argumentsDigest: digest, agentId: 'agt_x', requestedAt: at(50) }),
        );
        await store.approvals.create(
          approval('apr_other_tool', { argumentsDigest: digest, tool: 'bank__refund', requestedAt: at(50) }),
        );
        await store.approvals.create(
          approval('apr_other_args', { argumentsDigest: 'b'.repeat(64), requestedAt: at(50) }),
        );

        const find = (now: number) =>
          store.approvals.findMatching('agt_finance', 'bank__transfer', digest, at(now));
        assert.equal((await find(25))?.id, 'apr_gone');
        assert.equal((await find(30))?.id, 'apr_new', 'expiresAt equal to now counts as expired');
        assert.equal((await find(905))?.id, 'apr_new');
        assert.equal(await find(910), null);
        assert.equal(
          await store.approvals.findMatching('agt_finance', 'bank__transfer', 'c'.repeat(64), at(0)),
          null,
        );
      }));

    test('due returns pending or approved requests past their expiry, and pending ones not yet escalated past their escalation time', () =>
      withStore(async (store) => {
        await store.approvals.create(approval('apr_expired', { expiresAt: at(100) }));
        await store.approvals.create(approval('apr_escalate', { expiresAt: at(900), escalateAt: at(60) }));
        await store.approvals.create(
          approval('apr_escalated', { expiresAt: at(900), escalateAt: at(60), escalated: true }),
        );
        await store.approvals.create(approval('apr_later', { expiresAt: at(900), escalateAt: at(600) }));
        await store.approvals.create(approval('apr_approved', { status: 'approved', expiresAt: at(50) }));
        await store.approvals.create(
          approval('apr_denied', { status: 'denied', expiresAt: at(50), escalateAt: at(10) }),
        );
        await store.approvals.create(approval('apr_both', { expiresAt: at(70), escalateAt: at(20) }));

        assert.deepEqual(ids(await store.approvals.due(at(19))), []);
        assert.deepEqual(ids(await store.approvals.due(at(20))), ['apr_both']);
        assert.deepEqual(ids(await store.approvals.due(at(60))), [
          'apr_approved',
          'apr_both',
          'apr_escalate',
        ]);
        assert.deepEqual(ids(await store.approvals.due(at(100))), [
          'apr_approved',
          'apr_both',
          'apr_expired',
          'apr_escalate',
        ]);
        assert.deepEqual(ids(await store.approvals.due(at(900))), [
          'apr_approved',
          'apr_both',
          'apr_expired',
          'apr_escalate',
          'apr_escalated',
          'apr_later',
        ]);
      }));

    test('list filters by status and agent, orders by request time and honours the limit', () =>
      withStore(async (store) => {
        await store.approvals.create(approval('apr_1', { requestedAt: at(1) }));
        await store.approvals.create(approval('apr_2', { requestedAt: at(2), status: 'approved' }));
        await store.approvals.create(approval('apr_3', { requestedAt: at(3), agentId: 'agt_other' }));
        await store.approvals.create(approval('apr_4', { requestedAt: at(4), status: 'denied' }));

        assert.deepEqual(ids(await store.approvals.list({})), ['apr_4', 'apr_3', 'apr_2', 'apr_1']);
        assert.deepEqual(ids(await store.approvals.list({ order: 'asc' })), [
          'apr_1',
          'apr_2',
          'apr_3',
          'apr_4',
        ]);
        assert.deepEqual(ids(await store.approvals.list({ statuses: ['pending'] })), ['apr_3', 'apr_1']);
        assert.deepEqual(ids(await store.approvals.list({ statuses: ['approved', 'denied'] })), [
          'apr_4',
          'apr_2',
        ]);
        assert.deepEqual(ids(await store.approvals.list({ statuses: [] })), []);
        assert.deepEqual(ids(await store.approvals.list({ agentId: 'agt_other' })), ['apr_3']);
        assert.deepEqual(
          ids(await store.approvals.list({ agentId: 'agt_finance', statuses: ['pending'], order: 'asc' })),
          ['apr_1'],
        );
        assert.deepEqual(ids(await store.approvals.list({ limit: 2 })), ['apr_4', 'apr_3']);
        assert.equal((await store.approvals.list({ limit: 5000 })).length, 4);
        await rejectsWith(
          store.approvals.list({ limit: -1 }),
          'WARDEN_BAD_REQUEST',
          /whole number from 0 to 1000/,
        );
      }));

    test('sealed arguments and results of a few megabytes are kept whole', () =>
      withStore(async (store) => {
        const big = 'x'.repeat(3 * 1024 * 1024) + 'ẞ-end';
        await store.approvals.create(approval('apr_big', { argumentsSealed: big }));
        const updated = await store.approvals.update('apr_big', { resultSealed: `${big}-result` }, 1);
        assert.equal(updated?.resultSealed, `${big}-result`);
        const stored = await store.approvals.get('apr_big');
        assert.equal(stored?.argumentsSealed, big);
        assert.equal(stored?.resultSealed, `${big}-result`);
      }));

    test('a database at schema version 1 is upgraded to the approvals schema, keeping its data', () =>
      withLocation(async (place) => {
        const v1 = await place.open({ migrations: MIGRATIONS.slice(0, 1) });
        assert.equal(await v1.schemaVersion(), 1);
        await v1.meta.setIfAbsent('install_id', 'ins_kept');
        await v1.close();
        // Two replicas upgrading at once take turns; both end at the latest version.
        const [first, second] = await Promise.all([place.open(), place.open()]);
        assert.equal(LATEST_SCHEMA_VERSION, 2);
        assert.equal(await first.schemaVersion(), LATEST_SCHEMA_VERSION);
        assert.equal(await second.schemaVersion(), LATEST_SCHEMA_VERSION);
        assert.equal(await first.meta.get('install_id'), 'ins_kept');
        await first.approvals.create(approval('apr_after_upgrade'));
        assert.equal((await second.approvals.get('apr_after_upgrade'))?.status, 'pending');
      }));

    test('a database already at the latest version is opened again without re-running the approvals step', () =>
      withLocation(async (place) => {
        const store = await place.open();
        await store.approvals.create(approval('apr_kept'));
        await store.close();
        const again = await place.open();
        assert.equal(await again.schemaVersion(), LATEST_SCHEMA_VERSION);
        assert.equal((await again.approvals.get('apr_kept'))?.id, 'apr_kept');
      }));
  });
}
