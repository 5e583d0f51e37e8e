/** The Store conformance suite on SQLite files in a temp dir, plus what only SQLite has: files. */
import * as assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { configSchema } from '../../src/config/index.js';
import { GENESIS_HASH, LATEST_SCHEMA_VERSION, openStore } from '../../src/store/index.js';
import { rejectsWith, storeConformance } from './conformance.js';
import { sqliteLocation } from './helpers.js';

storeConformance('sqlite', sqliteLocation);

describe('sqlite store: files', () => {
  const dirs: string[] = [];
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'warden-sqlite-'));
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  test('the default store config opens .warden/warden.db under baseDir, creating the directory', async () => {
    const baseDir = await tempDir();
    const config = configSchema.parse({ version: 1 });
    const store = await openStore(config.store, { baseDir });
    try {
      const path = join(baseDir, '.warden', 'warden.db');
      assert.equal(store.location, path);
      assert.equal(await store.schemaVersion(), LATEST_SCHEMA_VERSION);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
    } finally {
      await store.close();
    }
  });

  test('a nested relative path is resolved against baseDir and its directories are created', async () => {
    const baseDir = await tempDir();
    const config = configSchema.parse({
      version: 1,
      store: { sqlite: { path: 'data/deep/w.db', synchronous: 'normal' } },
    });
    const store = await openStore(config.store, { baseDir });
    await store.close();
    assert.ok((await stat(join(baseDir, 'data', 'deep', 'w.db'))).isFile());
  });

  test('the database file is in WAL mode', async () => {
    const dir = await tempDir();
    const path = join(dir, 'w.db');
    const store = await openStore(configSchema.parse({ version: 1, store: { sqlite: { path } } }).store);
    await store.close();
    const raw = new Database(path);
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
  });

  test('a file that is not a SQLite database is refused with WARDEN_STORE_NOT_WARDEN', async () => {
    const dir = await tempDir();
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'These are my notes, not a database. '.repeat(50));
    await rejectsWith(
      openStore(configSchema.parse({ version: 1, store: { sqlite: { path } } }).store),
      'WARDEN_STORE_NOT_WARDEN',
      /notes\.txt is not a SQLite database .*point store\.sqlite\.path at an empty or Warden database/,
    );
  });

  test('a path whose directory cannot be created is reported as WARDEN_STORE_UNAVAILABLE', async () => {
    const dir = await tempDir();
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, 'x');
    await rejectsWith(
      openStore(configSchema.parse({ version: 1, store: { sqlite: { path: join(blocker, 'w.db') } } }).store),
      'WARDEN_STORE_UNAVAILABLE',
      /Cannot create the SQLite database .*a-file\/w\.db.*check that its directory is writable/,
    );
  });

  test('appends from several processes on one file form one unbroken chain', async () => {
    const dir = await tempDir();
    const path = join(dir, 'shared.db');
    const worker = fileURLToPath(new URL('./fixtures/append-worker.ts', import.meta.url));
    const run = (name: string) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', worker, path, '200', name], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`worker ${name} exited ${String(code)}: ${stderr}`)),
        );
      });
    await Promise.all([run('a'), run('b'), run('c')]);
    const store = await openStore(configSchema.parse({ version: 1, store: { sqlite: { path } } }).store);
    try {
      const log = await store.audit.query({});
      assert.equal(log.length, 600);
      log.forEach((record, index) => {
        assert.equal(record.seq, index + 1);
        assert.equal(record.prevHash, index === 0 ? GENESIS_HASH : log[index - 1]!.hash);
      });
      assert.deepEqual(
        new Set(log.map((record) => record.actor)),
        new Set(['system:a', 'system:b', 'system:c']),
      );
    } finally {
      await store.close();
    }
  });
});
