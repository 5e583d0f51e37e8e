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

  test('50 parallel wrong passwords from one address: at most 10 are checked, the rest are refused 429', async () => {
    const directory = new AdminDirectory({ admins });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_unused, attempt) =>
        refusal(directory.signIn('bob', `parallel-guess-${attempt}`, { address: '10.0.0.50' })),
      ),
    );
    const checked = outcomes.filter((error) => error.code === 'WARDEN_ADMIN_UNAUTHENTICATED').length;
    const limited = outcomes.filter((error) => error.code === 'WARDEN_RATE_LIMITED').length;
    assert.ok(checked >= 1 && checked <= 10, `${checked} passwords were checked`);
    assert.equal(checked + limited, 50);
    // The same over HTTP Basic.
    const basicOutcomes = await Promise.all(
      Array.from({ length: 50 }, (_unused, attempt) =>
        refusal(directory.authenticate(basic('bob', `basic-guess-${attempt}`), { address: '10.0.0.51' })),
      ),
    );
    const basicChecked = basicOutcomes.filter((error) => error.code === 'WARDEN_ADMIN_UNAUTHENTICATED');
    assert.ok(basicChecked.length >= 1 && basicChecked.length <= 10, `${basicChecked.length} checked`);
    assert.equal(
      basicOutcomes.filter((error) => error.code === 'WARDEN_RATE_LIMITED').length,
      50 - basicChecked.length,
    );
  });

  test('a check that succeeds releases its slot; parallel requests with one credential share one check', async () => {
    const directory = new AdminDirectory({ admins });
    for (let round = 0; round < 3; round += 1) {
      const principals = await Promise.all(
        Array.from({ length: 20 }, () =>
          directory.authenticate(basic('bob', 'bobs-password'), { address: '10.0.0.60' }),
        ),
      );
      assert.ok(principals.every((principal) => principal.name === 'bob'));
    }
    const keys = await Promise.all(
      Array.from({ length: 20 }, () =>
        directory.authenticate(`Bearer ${aliceKey}`, { address: '10.0.0.60' }),
      ),
    );
    assert.ok(keys.every((principal) => principal.name === 'alice'));
  });

  test('too many wrong passwords for one user lock its password sign-in from every address; API keys still work', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const blocked: unknown[] = [];
    const directory = new AdminDirectory({ admins, clock, userFailureLimit: { max: 3, windowSeconds: 900 } });
    directory.onBlocked((event) => blocked.push(event));
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const error = await refusal(
        directory.authenticate(basic('alice', `guess-${attempt}`), { address: `10.0.1.${attempt}` }),
      );
      assert.equal(error.code, 'WARDEN_ADMIN_UNAUTHENTICATED');
    }
    assert.deepEqual(blocked, [{ address: '10.0.1.2', user: 'alice', failures: 3, retryAfterSeconds: 900 }]);
    const locked = await refusal(
      directory.signIn('alice', 'correct horse battery staple', { address: '10.0.1.99' }),
    );
    assert.equal(locked.code, 'WARDEN_RATE_LIMITED');
    assert.match(locked.message, /locked after 3 wrong passwords/);
    assert.match(locked.message, /API key/);
    assert.equal(locked.details.retryAfterSeconds, 900);
    assert.equal(
      (await directory.authenticate(`Bearer ${aliceKey}`, { address: '10.0.1.99' })).name,
      'alice',
    );
    assert.equal((await directory.signIn('bob', 'bobs-password', { address: '10.0.1.99' })).name, 'bob');

    // An unknown user name is locked the same way (the refusal does not tell which names exist).
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await refusal(directory.signIn('nobody', `guess-${attempt}`, { address: `10.0.2.${attempt}` }));
    }
    const unknown = await refusal(directory.signIn('nobody', 'x', { address: '10.0.2.99' }));
    assert.equal(unknown.code, 'WARDEN_RATE_LIMITED');
    assert.equal(blocked.length, 1, 'only configured users are reported');

    clock.advance(900_000);
    const after = await directory.signIn('alice', 'correct horse battery staple', { address: '10.0.1.99' });
    assert.equal(after.name, 'alice');
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
