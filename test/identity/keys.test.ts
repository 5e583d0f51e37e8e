import * as assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { checkpointPayload, verifyAuditLog } from '../../src/audit/index.js';
import { MasterKey, checkMasterKey } from '../../src/identity/index.js';
import {
  ACTOR,
  LIFETIME_SECONDS,
  STORE_KINDS,
  TOLERANCE_SECONDS,
  openHarness,
  rejectsWith,
} from './harness.js';
import type { Harness } from './harness.js';
import { POSTGRES_SKIP_MESSAGE } from '../store/helpers.js';

/** The raw database content, as an attacker with a copy of the file or a dump would see it. */
async function databaseBytes(harness: Harness): Promise<Buffer> {
  if (harness.path !== null) {
    const files = await Promise.all(
      ['', '-wal', '-shm'].map((suffix) => readFile(`${harness.path}${suffix}`).catch(() => Buffer.alloc(0))),
    );
    return Buffer.concat(files);
  }
  const rows = await harness.raw.execGuarded('SELECT * FROM signing_keys');
  return Buffer.from(JSON.stringify(rows), 'utf8');
}

async function writeCheckpoint(harness: Harness): Promise<void> {
  await harness.audit.record({ type: 'test-event', actor: ACTOR, detail: { n: 1 } });
  const checkpoint = await harness.audit.checkpoint();
  assert.ok(checkpoint !== null);
}

for (const kind of STORE_KINDS) {
  describe(`signing keys (${kind})`, () => {
    test('ensureKeys creates one key per purpose once, recording signing-key-created before storing it', async (t) => {
      const harness = await openHarness(t, kind);
      const created = await harness.replica().keys.ensureKeys('system');
      assert.deepEqual(created, [], 'a second ensureKeys creates nothing');
      const stored = [
        ...(await harness.store.keys.list('token')),
        ...(await harness.store.keys.list('audit')),
      ];
      assert.equal(stored.length, 2);
      assert.deepEqual(
        stored.map((key) => key.status),
        ['active', 'active'],
      );
      const entries = (await harness.entries()).filter((entry) => entry.type === 'signing-key-created');
      assert.deepEqual(
        entries.map((entry) => [entry.actor, entry.subject, entry.detail.purpose]).sort(),
        stored.map((key) => ['system', `key:${key.kid}`, key.purpose]).sort(),
      );
    });

    test('private keys are stored sealed, never in the clear', async (t) => {
      const harness = await openHarness(t, kind);
      const { kid, key } = await harness.keys.tokenSigningKey();
      const d = key.export({ format: 'jwk' }).d!;
      assert.match(d, /^[A-Za-z0-9_-]{43}$/);
      const bytes = await databaseBytes(harness);
      assert.ok(bytes.includes(kid), 'the kid is stored (the search looks at the right data)');
      assert.ok(!bytes.includes(d), 'the private JWK d value is in the database');
      assert.ok(
        !bytes.includes(Buffer.from(d, 'base64url')),
        'the raw private key bytes are in the database',
      );
      const record = await harness.store.keys.get(kid);
      assert.ok(record !== null);
      assert.ok(!('d' in (JSON.parse(record.publicJwk) as object)));
      assert.deepEqual(Object.keys(JSON.parse(record.privateKeySealed) as object).sort(), [
        'ct',
        'iv',
        'tag',
        'v',
        'wk',
      ]);
    });

    test('the JWKS lists the active token key as a public Ed25519 JWK', async (t) => {
      const harness = await openHarness(t, kind);
      const { kid } = await harness.keys.tokenSigningKey();
      const jwks = await harness.keys.jwks();
      assert.equal(jwks.keys.length, 1);
      const [jwk] = jwks.keys;
      assert.deepEqual(Object.keys(jwk!).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x']);
      assert.equal(jwk!.kid, kid);
      assert.equal(jwk!.alg, 'EdDSA');
      assert.equal(jwk!.use, 'sig');
      assert.equal(jwk!.kty, 'OKP');
      assert.equal(jwk!.crv, 'Ed25519');
      const audit = (await harness.store.keys.list('audit'))[0]!;
      assert.ok(!jwks.keys.some((key) => key.kid === audit.kid), 'the audit key is not published');
    });

    test('rotate records signing-key-rotated first and the JWKS keeps the old key for lifetime + tolerance + the refresh interval', async (t) => {
      const harness = await openHarness(t, kind);
      const { kid: oldKid } = await harness.keys.tokenSigningKey();
      const newKid = await harness.keys.rotate('token', ACTOR);
      assert.notEqual(newKid, oldKid);
      assert.equal((await harness.keys.tokenSigningKey()).kid, newKid);
      const rotated = (await harness.entries()).filter((entry) => entry.type === 'signing-key-rotated');
      assert.equal(rotated.length, 1);
      assert.equal(rotated[0]!.actor, ACTOR);
      assert.equal(rotated[0]!.subject, `key:${newKid}`);
      assert.deepEqual(rotated[0]!.detail.retiredKids, [oldKid]);

      assert.deepEqual(
        (await harness.keys.jwks()).keys.map((key) => key.kid).sort(),
        [newKid, oldKid].sort(),
      );
      assert.ok((await harness.keys.tokenVerificationKey(oldKid)) !== null);
      // lifetime + tolerance + the 30 s a process may take to notice a rotation made elsewhere
      harness.clock.advance((LIFETIME_SECONDS + TOLERANCE_SECONDS + 30) * 1000 - 1);
      assert.ok((await harness.keys.tokenVerificationKey(oldKid)) !== null, 'still inside the window');
      harness.clock.advance(1);
      assert.equal(await harness.keys.tokenVerificationKey(oldKid), null);
      assert.deepEqual(
        (await harness.keys.jwks()).keys.map((key) => key.kid),
        [newKid],
      );
    });

    test('a key rotated by another process is picked up when its kid is first seen', async (t) => {
      const harness = await openHarness(t, kind);
      const { kid: oldKid } = await harness.keys.tokenSigningKey();
      const newKid = await harness.replica().keys.rotate('token', ACTOR);
      assert.ok(
        (await harness.keys.tokenVerificationKey(newKid)) !== null,
        'an unknown kid triggers a reload',
      );
      assert.equal((await harness.keys.tokenSigningKey()).kid, newKid);
      assert.ok((await harness.keys.tokenVerificationKey(oldKid)) !== null);
    });

    test('concurrent first lookups of a kid rotated elsewhere all find it', async (t) => {
      const harness = await openHarness(t, kind);
      await harness.keys.jwks(); // the key list is cached before the rotation
      const newKid = await harness.replica().keys.rotate('token', ACTOR);
      const keys = await Promise.all(
        Array.from({ length: 20 }, () => harness.keys.tokenVerificationKey(newKid)),
      );
      assert.ok(keys.every((key) => key !== null));
    });

    test('an audit key is not a token key and a token key is not an audit key', async (t) => {
      const harness = await openHarness(t, kind);
      const audit = (await harness.store.keys.list('audit'))[0]!;
      assert.equal(await harness.keys.tokenVerificationKey(audit.kid), null);
      const { kid: tokenKid } = await harness.keys.tokenSigningKey();
      const payload = new Uint8Array([1, 2, 3]);
      assert.equal(
        await harness.keys.checkpointVerifier().verify(tokenKid, payload, 'A'.repeat(86)),
        'unknown-key',
      );
    });

    test('checkpoints verify with the audit key, and with a retired audit key long after rotation', async (t) => {
      const harness = await openHarness(t, kind);
      await writeCheckpoint(harness);
      const verifier = harness.keys.checkpointVerifier();
      assert.equal((await verifyAuditLog({ store: harness.store.audit, verifier })).ok, true);
      await harness.keys.rotate('audit', ACTOR);
      harness.clock.advance(400 * 24 * 3600 * 1000);
      const report = await verifyAuditLog({
        store: harness.store.audit,
        verifier: harness.replica().keys.checkpointVerifier(),
      });
      assert.equal(report.failure, null);
      assert.equal(report.checkpoints, 1);
    });

    test('a checkpoint signature from a key Warden does not hold is refused', async (t) => {
      const harness = await openHarness(t, kind);
      const verifier = harness.keys.checkpointVerifier();
      const auditKid = (await harness.store.keys.list('audit'))[0]!.kid;
      const payload = checkpointPayload({
        seq: 1,
        hash: '0'.repeat(64),
        time: '2026-03-01T12:00:00.000Z',
        keyId: auditKid,
      });
      const foreign = generateKeyPairSync('ed25519');
      const forged = sign(null, payload, foreign.privateKey).toString('base64url');
      assert.equal(await verifier.verify(auditKid, payload, forged), 'invalid');
      assert.equal(await verifier.verify('key_doesnotexist', payload, forged), 'unknown-key');
      const genuine = await harness.keys.checkpointSigner().sign(auditKid, payload);
      assert.equal(await verifier.verify(auditKid, payload, genuine), 'valid');
      assert.equal(await verifier.verify(auditKid, new Uint8Array([...payload, 32]), genuine), 'invalid');
    });

    test('a swapped stored public key is refused by the checkpoint verifier', async (t) => {
      const harness = await openHarness(t, kind);
      await writeCheckpoint(harness);
      const auditKey = (await harness.store.keys.list('audit'))[0]!;
      // The attacker re-signs the checkpoint with their own key and swaps in their public key.
      const attacker = generateKeyPairSync('ed25519');
      const attackerJwk = {
        ...JSON.parse(auditKey.publicJwk),
        x: attacker.publicKey.export({ format: 'jwk' }).x,
      };
      const [checkpoint] = await harness.store.audit.checkpoints();
      const forged = sign(
        null,
        checkpointPayload({
          seq: checkpoint!.seq,
          hash: checkpoint!.hash,
          time: checkpoint!.time,
          keyId: checkpoint!.keyId,
        }),
        attacker.privateKey,
      ).toString('base64url');
      const p = (n: number): string => (kind === 'sqlite' ? '?' : `$${n}`);
      await harness.raw.exec(`UPDATE signing_keys SET public_jwk = ${p(1)} WHERE kid = ${p(2)}`, [
        JSON.stringify(attackerJwk),
        auditKey.kid,
      ]);
      await harness.raw.exec(`UPDATE audit_checkpoints SET signature = ${p(1)} WHERE seq = ${p(2)}`, [
        forged,
        checkpoint!.seq,
      ]);

      const fresh = harness.replica().keys; // a new process: nothing cached
      const report = await verifyAuditLog({
        store: harness.store.audit,
        verifier: fresh.checkpointVerifier(),
      });
      assert.equal(report.ok, false);
      assert.equal(report.failure?.problem, 'checkpoint-signature');
      assert.equal(report.failure?.seq, checkpoint!.seq);
      await assert.rejects(
        fresh.checkpointSigner().sign(auditKey.kid, new Uint8Array([1])),
        rejectsWith('WARDEN_KEY_DECRYPT_FAILED', /stored public key does not match its private key/),
      );
    });

    test('a sealed private key moved to another kid does not unseal', async (t) => {
      const harness = await openHarness(t, kind);
      const { kid: tokenKid } = await harness.keys.tokenSigningKey();
      const tokenKey = (await harness.store.keys.get(tokenKid))!;
      const auditKey = (await harness.store.keys.list('audit'))[0]!;
      const p = (n: number): string => (kind === 'sqlite' ? '?' : `$${n}`);
      await harness.raw.exec(
        `UPDATE signing_keys SET private_key_sealed = ${p(1)}, public_jwk = ${p(2)} WHERE kid = ${p(3)}`,
        [tokenKey.privateKeySealed, tokenKey.publicJwk, auditKey.kid],
      );
      await assert.rejects(
        harness
          .replica()
          .keys.checkpointSigner()
          .sign(auditKey.kid, new Uint8Array([1])),
        rejectsWith(
          'WARDEN_KEY_DECRYPT_FAILED',
          new RegExp(`Could not decrypt signing-key:audit:${auditKey.kid}`),
        ),
      );
    });

    test('keys do not open under another master key', async (t) => {
      const harness = await openHarness(t, kind);
      const { kid } = await harness.keys.tokenSigningKey();
      const other = harness.replica({ masterKey: new MasterKey(randomBytes(32)) });
      await assert.rejects(other.keys.tokenVerificationKey(kid), rejectsWith('WARDEN_KEY_DECRYPT_FAILED'));
    });
  });

  describe(`master key check (${kind})`, () => {
    test('the first start stores a sealed check value and later starts verify it', async (t) => {
      const harness = await openHarness(t, kind, { ensureKeys: false });
      const stored = await harness.store.meta.get('master_key_check');
      assert.ok(stored !== null);
      assert.deepEqual(Object.keys(JSON.parse(stored) as object).sort(), ['ct', 'iv', 'tag', 'v', 'wk']);
      assert.equal(await checkMasterKey(harness.store.meta, harness.masterKey), 'verified');
      assert.equal(
        await harness.store.meta.get('master_key_check'),
        stored,
        'the check value is never replaced',
      );
    });

    test('another master key is refused with WARDEN_MASTER_KEY_MISMATCH and what to do', async (t) => {
      const harness = await openHarness(t, kind, { ensureKeys: false });
      await assert.rejects(
        checkMasterKey(harness.store.meta, new MasterKey(randomBytes(32))),
        rejectsWith(
          'WARDEN_MASTER_KEY_MISMATCH',
          /^the master key does not match the one this database was created with; set WARDEN_MASTER_KEY or secrets\.masterKeyFile to the original key$/,
        ),
      );
    });
  });
}

describe(
  'signing keys (postgres, a stuck session)',
  {
    skip: STORE_KINDS.includes('postgres') ? false : POSTGRES_SKIP_MESSAGE,
  },
  () => {
    test('a rotation blocked by a session idle in a transaction fails with WARDEN_STORE_UNAVAILABLE after the lock timeout, stores nothing, and works once the session is gone', async (t) => {
      const harness = await openHarness(t, 'postgres', { lockTimeout: 1 });
      const before = await harness.store.keys.list('token');
      // Another client takes a lock that conflicts with the rotation's and then goes quiet.
      await harness.raw.execGuarded('BEGIN');
      await harness.raw.execGuarded('LOCK TABLE signing_keys IN SHARE MODE');
      const started = Date.now();
      try {
        await assert.rejects(
          harness.keys.rotate('token', ACTOR),
          rejectsWith(
            'WARDEN_STORE_UNAVAILABLE',
            /rotating the signing keys waited more than 1 s for a lock held by another connection and was stopped; nothing of it was written\. Look in pg_stat_activity/,
          ),
        );
      } finally {
        await harness.raw.execGuarded('ROLLBACK');
      }
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 900 && elapsed < 8000, `the rotation gave up after ${elapsed} ms`);
      assert.deepEqual(await harness.store.keys.list('token'), before);
      const kid = await harness.keys.rotate('token', ACTOR);
      assert.equal((await harness.keys.tokenSigningKey()).kid, kid);
    });
  },
);
