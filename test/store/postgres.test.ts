/**
 * The Store conformance suite on PostgreSQL (a fresh schema per store, dropped afterwards), run when
 * WARDEN_TEST_POSTGRES_URL is set; plus the unreachable-server check, which needs no server.
 */
import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { describe, test } from 'node:test';
import pg from 'pg';
import { configSchema } from '../../src/config/index.js';
import { openStore } from '../../src/store/index.js';
import { rejectsWith, storeConformance } from './conformance.js';
import { POSTGRES_SKIP_MESSAGE, POSTGRES_TEST_URL, postgresLocation } from './helpers.js';

describe('postgres store: unreachable server', () => {
  test('a URL whose port does not answer fails fast with WARDEN_STORE_UNAVAILABLE, without the password', async () => {
    const config = configSchema.parse({
      version: 1,
      store: {
        driver: 'postgres',
        postgres: { url: 'postgres://warden:hunter2-secret@127.0.0.1:1/wardendb', connectTimeout: 3 },
      },
    });
    const started = Date.now();
    await assert.rejects(openStore(config.store), (error: Error) => {
      assert.doesNotMatch(error.message, /hunter2-secret/);
      assert.doesNotMatch(JSON.stringify(error), /hunter2-secret/);
      return true;
    });
    await rejectsWith(
      openStore(config.store),
      'WARDEN_STORE_UNAVAILABLE',
      /Cannot use PostgreSQL at 127\.0\.0\.1:1\/wardendb \(.*ECONNREFUSED.*\); check that PostgreSQL is running/,
    );
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  test('a server that accepts but never answers fails with WARDEN_STORE_UNAVAILABLE after connectTimeout', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    assert.ok(address !== null && typeof address === 'object');
    try {
      const config = configSchema.parse({
        version: 1,
        store: {
          driver: 'postgres',
          postgres: { url: `postgres://warden@127.0.0.1:${address.port}/wardendb`, connectTimeout: 1 },
        },
      });
      const started = Date.now();
      await rejectsWith(
        openStore(config.store),
        'WARDEN_STORE_UNAVAILABLE',
        new RegExp(`Cannot use PostgreSQL at 127\\.0\\.0\\.1:${address.port}/wardendb \\(.*timeout.*\\)`),
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 900 && elapsed < 4000, `took ${elapsed} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

if (POSTGRES_TEST_URL === undefined) {
  test('postgres store conformance', { skip: POSTGRES_SKIP_MESSAGE }, () => undefined);
} else {
  storeConformance('postgres', postgresLocation);
}

describe(
  'postgres store: schema',
  { skip: POSTGRES_TEST_URL === undefined ? POSTGRES_SKIP_MESSAGE : false },
  () => {
    test('a missing schema is created, and the store keeps every table in it', async () => {
      const place = await postgresLocation();
      const admin = new pg.Client({ connectionString: place.url });
      await admin.connect();
      try {
        const schemaRows = () =>
          admin
            .query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [place.schema])
            .then((result) => result.rowCount);
        assert.equal(await schemaRows(), 0);
        const store = await place.open();
        assert.equal(
          store.location,
          `PostgreSQL schema "${place.schema}" at ${new URL(place.url).host}${new URL(place.url).pathname}`,
        );
        assert.equal(await schemaRows(), 1);
        const tables = await admin.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
          [place.schema],
        );
        assert.deepEqual(
          tables.rows.map((row) => row.table_name),
          [
            'agents',
            'approvals',
            'audit_checkpoints',
            'audit_entries',
            'audit_head',
            'audit_prunes',
            'signing_keys',
            'warden_meta',
          ],
        );
        const publicTables = await admin.query(
          "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'warden_meta'",
        );
        assert.equal(publicTables.rowCount, 0);
      } finally {
        await admin.end();
        await place.cleanup();
      }
    });
  },
);
