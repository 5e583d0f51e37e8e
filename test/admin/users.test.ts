import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  AdminDirectory,
  generateAdminApiKey,
  hashAdminCredential,
  requireRole,
  toDecider,
} from '../../src/admin/index.js';
import type { AdminDirectoryOptions } from '../../src/admin/index.js';
import { ManualClock, WardenError } from '../../src/core/index.js';

const CREDENTIAL_HASH = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/;

function basic(name: string, password: string): string {
  return `Basic ${Buffer.from(`${name}:${password}`, 'utf8').toString('base64')}`;
}

async function refusal(promise: Promise<unknown>): Promise<WardenError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof WardenError, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('AdminDirectory', () => {
  const aliceKey = generateAdminApiKey();
  const carolKey = generateAdminApiKey();
  let admins: AdminDirectoryOptions['admins'];

  before(async () => {
    admins = {
      alice: {
        email: 'alice@example.com',
        roles: ['admin'],
        groups: ['security'],
        passwordHash: await hashAdminCredential('correct horse battery staple'),
        apiKeyHash: await hashAdminCredential(aliceKey),
      },
      bob: {
        email: 'bob@example.com',
        roles: ['approver'],
        groups: ['finance'],
        passwordHash: await hashAdminCredential('bobs-password'),
      },
      carol: {
        email: 'carol@example.com',
        roles: ['auditor'],
        groups: [],
        apiKeyHash: await hashAdminCredential(carolKey),
      },
    };
  });

  test('hashes have the format the config accepts, and API keys start with wak_', async () => {
    assert.match(await hashAdminCredential('x'), CREDENTIAL_HASH);
    assert.match(aliceKey, /^wak_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(generateAdminApiKey(), aliceKey);
  });

  test('an API key signs in as its user', async () => {
    const directory = new AdminDirectory({ admins });
    const alice = await directory.authenticate(`Bearer ${aliceKey}`);
    assert.deepEqual(
      { ...alice },
      { name: 'alice', email: 'alice@example.com', roles: ['admin'], groups: ['security'] },
    );
    const carol = await directory.authenticate(`bearer ${carolKey}`);
    assert.equal(carol.name, 'carol');
  });

  test('a user name and password sign in with HTTP Basic', async () => {
    const directory = new AdminDirectory({ admins });
    const bob = await directory.authenticate(basic('bob', 'bobs-password'));
    assert.equal(bob.name, 'bob');
    assert.deepEqual(bob.roles, ['approver']);
  });

  test('a wrong password, an unknown user and an unknown key get the same refusal', async () => {
    const directory = new AdminDirectory({ admins });
    const refusals = [
      await refusal(directory.authenticate(basic('bob', 'wrong'))),
      await refusal(directory.authenticate(basic('mallory', 'bobs-password'))),
      await refusal(directory.authenticate(basic('carol', 'no password configured'))),
      await refusal(directory.authenticate(`Bearer ${generateAdminApiKey()}`)),
      await refusal(directory.authenticate(`Bearer ${aliceKey}x`)),
      await refusal(directory.authenticate('Digest username="alice"')),
    ];
    for (const error of refusals) {
      assert.equal(error.code, 'WARDEN_ADMIN_UNAUTHENTICATED');
      assert.equal(error.status, 401);
      assert.equal(error.message, refusals[0]?.message);
      assert.doesNotMatch(error.message, /mallory|bob|carol|alice/);
    }
  });

  test('a missing header is told how to sign in', async () => {
    const directory = new AdminDirectory({ admins });
    const error = await refusal(directory.authenticate(undefined));
    assert.equal(error.code, 'WARDEN_ADMIN_UNAUTHENTICATED');
    assert.match(error.message, /Bearer wak_/);
    assert.match(error.message, /warden admins new-key/);
  });

  test('after 10 failures a minute an address is refused, even with the right password, until the window passes', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const blocked: unknown[] = [];
    const directory = new AdminDirectory({ admins, clock });
    directory.onBlocked((event) => blocked.push(event));
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const error = await refusal(
        directory.authenticate(basic('bob', `guess-${attempt}`), { address: '10.0.0.9' }),
      );
      assert.equal(error.code, 'WARDEN_ADMIN_UNAUTHENTICATED');
      clock.advance(1000);
    }
    assert.deepEqual(blocked, [{ address: '10.0.0.9', failures: 10, retryAfterSeconds: 51 }]);
    const limited = await refusal(
      directory.authenticate(basic('bob', 'bobs-password'), { address: '10.0.0.9' }),
    );
    assert.equal(limited.code, 'WARDEN_RATE_LIMITED');
    assert.equal(limited.details.retryAfterSeconds, 50);
    assert.match(limited.message, /retry in 50 s/);

    const other = await directory.authenticate(basic('bob', 'bobs-password'), { address: '10.0.0.10' });
    assert.equal(other.name, 'bob', 'another address is not affected');

    clock.advance(50_000);
    const after = await directory.authenticate(basic('bob', 'bobs-password'), { address: '10.0.0.9' });
    assert.equal(after.name, 'bob');
  });

  test('a verified credential is remembered for a minute, by fingerprint only', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const directory = new AdminDirectory({ admins, clock });
    await directory.authenticate(basic('bob', 'bobs-password'));
    const state = JSON.stringify(Object.entries(directory));
    assert.doesNotMatch(state, /bobs-password/);
    // A remembered success still needs the exact same credential.
    const wrong = await refusal(directory.authenticate(basic('bob', 'bobs-passwor')));
    assert.equal(wrong.code, 'WARDEN_ADMIN_UNAUTHENTICATED');
    clock.advance(61_000);
    assert.equal((await directory.authenticate(basic('bob', 'bobs-password'))).name, 'bob');
  });

  test('a configured hash that is not a scrypt hash is refused when the directory is built', () => {
    assert.throws(
      () =>
        new AdminDirectory({
          admins: {
            dave: { email: 'dave@example.com', roles: ['admin'], groups: [], passwordHash: 'hunter2' },
          },
        }),
      (error: unknown) =>
        error instanceof WardenError &&
        error.code === 'WARDEN_CONFIG_INVALID' &&
        /admins\.dave\.passwordHash/.test(error.message) &&
        !error.message.includes('hunter2'),
    );
  });

  test('toDecider makes an admin:<name> decider with the email, roles and groups', () => {
    const directory = new AdminDirectory({ admins });
    const bob = directory.get('bob');
    assert.ok(bob);
    assert.deepEqual(toDecider(bob), {
      actor: 'admin:bob',
      email: 'bob@example.com',
      roles: ['approver'],
      groups: ['finance'],
    });
    assert.equal(directory.get('nobody'), null);
  });

  test('requireRole refuses an auditor naming the role needed', () => {
    const directory = new AdminDirectory({ admins });
    const carol = directory.get('carol');
    assert.ok(carol);
    requireRole(carol, 'auditor', 'admin');
    assert.throws(
      () => requireRole(carol, 'admin', 'approver'),
      (error: unknown) =>
        error instanceof WardenError &&
        error.code === 'WARDEN_ADMIN_FORBIDDEN' &&
        error.status === 403 &&
        /role admin or approver/.test(error.message) &&
        /carol/.test(error.message),
    );
  });
});
