import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { MasterKey, loadMasterKey } from '../../src/identity/index.js';

let directory: string;
before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'warden-master-key-'));
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Two keys are the same when they derive the same purpose key. */
function sameKey(a: MasterKey, b: MasterKey): boolean {
  return Buffer.from(a.deriveKey('test')).equals(Buffer.from(b.deriveKey('test')));
}

describe('master key from WARDEN_MASTER_KEY', () => {
  const raw = randomBytes(32);
  const encodings = {
    base64: raw.toString('base64'),
    base64url: raw.toString('base64url'),
    hex: raw.toString('hex'),
  };

  for (const [encoding, value] of Object.entries(encodings)) {
    test(`a 32-byte key written as ${encoding} is accepted and no key file is created`, async () => {
      const keyFile = join(directory, `unused-${encoding}.key`);
      const key = await loadMasterKey({ env: { WARDEN_MASTER_KEY: value }, keyFile, baseDir: directory });
      assert.deepEqual(key.source, { kind: 'env', variable: 'WARDEN_MASTER_KEY' });
      assert.ok(sameKey(key, new MasterKey(raw)));
      await assert.rejects(stat(keyFile), { code: 'ENOENT' });
    });
  }

  test('surrounding whitespace (a trailing newline from a secret file) is ignored', async () => {
    const key = await loadMasterKey({
      env: { WARDEN_MASTER_KEY: `  ${encodings.base64}\n` },
      keyFile: 'x.key',
      baseDir: directory,
    });
    assert.ok(sameKey(key, new MasterKey(raw)));
  });

  for (const [label, value] of [
    ['a short base64 value', randomBytes(16).toString('base64')],
    ['a 63-character hex value', raw.toString('hex').slice(1)],
    ['a passphrase', 'correct horse battery staple'],
    ['a 48-byte base64 value', randomBytes(48).toString('base64')],
  ] as const) {
    test(`${label} is refused with WARDEN_MASTER_KEY_INVALID and how to generate one`, async () => {
      await assert.rejects(
        loadMasterKey({ env: { WARDEN_MASTER_KEY: value }, keyFile: 'x.key', baseDir: directory }),
        (error: unknown) => {
          assert.equal((error as { code?: string }).code, 'WARDEN_MASTER_KEY_INVALID');
          assert.match((error as Error).message, /openssl rand -base64 32/);
          assert.ok(!(error as Error).message.includes(value), 'the message must not echo the value');
          return true;
        },
      );
    });
  }
});

describe('master key file', () => {
  test('is created on first start with 32 random bytes, mode 0600, in a 0700 directory', async () => {
    const key = await loadMasterKey({ env: {}, keyFile: 'fresh/master.key', baseDir: directory });
    const path = join(directory, 'fresh/master.key');
    assert.deepEqual(key.source, { kind: 'file', path, created: true });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(directory, 'fresh'))).mode & 0o777, 0o700);
    const content = (await readFile(path, 'utf8')).trim();
    assert.equal(Buffer.from(content, 'base64').length, 32);
  });

  test('is reused on the next start, giving the same key', async () => {
    const first = await loadMasterKey({ env: {}, keyFile: 'reuse/master.key', baseDir: directory });
    const second = await loadMasterKey({ env: {}, keyFile: 'reuse/master.key', baseDir: directory });
    assert.equal(second.source.kind === 'file' && second.source.created, false);
    assert.ok(sameKey(first, second));
  });

  test('two processes starting at once end up with one key', async () => {
    const keys = await Promise.all(
      Array.from({ length: 8 }, () =>
        loadMasterKey({ env: {}, keyFile: 'race/master.key', baseDir: directory }),
      ),
    );
    assert.equal(keys.filter((key) => key.source.kind === 'file' && key.source.created).length, 1);
    for (const key of keys) assert.ok(sameKey(key, keys[0]!));
  });

  test('WARDEN_MASTER_KEY wins over an existing key file', async () => {
    const fromFile = await loadMasterKey({ env: {}, keyFile: 'both/master.key', baseDir: directory });
    const raw = randomBytes(32);
    const fromEnv = await loadMasterKey({
      env: { WARDEN_MASTER_KEY: raw.toString('hex') },
      keyFile: 'both/master.key',
      baseDir: directory,
    });
    assert.ok(sameKey(fromEnv, new MasterKey(raw)));
    assert.ok(!sameKey(fromEnv, fromFile));
  });

  test('a key file readable by group or others is refused with the chmod to run', async () => {
    const path = join(directory, 'loose.key');
    await writeFile(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    await chmod(path, 0o640);
    await assert.rejects(loadMasterKey({ env: {}, keyFile: path, baseDir: '/nonexistent' }), {
      code: 'WARDEN_MASTER_KEY_INVALID',
      message: new RegExp(`chmod 600 ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    });
  });

  test('a key file holding something other than a 32-byte key is refused', async () => {
    const path = join(directory, 'garbage.key');
    await writeFile(path, 'not a key\n', { mode: 0o600 });
    await assert.rejects(loadMasterKey({ env: {}, keyFile: path, baseDir: directory }), {
      code: 'WARDEN_MASTER_KEY_INVALID',
      message: /does not hold a 32-byte key/,
    });
  });

  test('a key file of 32 raw bytes is accepted', async () => {
    const raw = randomBytes(32);
    const path = join(directory, 'raw.key');
    await writeFile(path, raw, { mode: 0o600 });
    const key = await loadMasterKey({ env: {}, keyFile: path, baseDir: directory });
    assert.ok(sameKey(key, new MasterKey(raw)));
  });
});

describe('MasterKey', () => {
  test('derives different keys for different purposes and the same key for the same purpose', () => {
    const key = new MasterKey(randomBytes(32));
    const digest = Buffer.from(key.deriveKey('audit-digest'));
    assert.equal(digest.length, 32);
    assert.ok(digest.equals(Buffer.from(key.deriveKey('audit-digest'))));
    assert.ok(!digest.equals(Buffer.from(key.deriveKey('seal-kek-v1'))));
  });

  test('never shows its bytes in JSON, string or inspect output', () => {
    const raw = randomBytes(32);
    const key = new MasterKey(raw);
    const shown = [JSON.stringify({ key }), String(key), inspect(key, { showHidden: true, depth: 5 })].join(
      '\n',
    );
    for (const encoding of ['hex', 'base64', 'base64url'] as const) {
      assert.ok(!shown.includes(raw.toString(encoding)));
    }
    assert.match(shown, /\[MasterKey\]/);
  });
});
