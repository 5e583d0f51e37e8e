import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import {
  AdminDirectory,
  CONSOLE_COOKIE_NAME,
  ConsoleSessions,
  SECURE_CONSOLE_COOKIE_NAME,
  consoleCookieName,
  hashAdminCredential,
} from '../../src/admin/index.js';
import type { AdminDirectoryOptions, SessionAccount } from '../../src/admin/index.js';
import { ManualClock, WardenError } from '../../src/core/index.js';

function sessionsWith(clock: ManualClock): ConsoleSessions {
  return new ConsoleSessions({
    key: randomBytes(32),
    lifetimeSeconds: 8 * 3600,
    idleTimeoutSeconds: 30 * 60,
    clock,
  });
}

function endedWith(pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) =>
    error instanceof WardenError &&
    error.code === 'WARDEN_ADMIN_UNAUTHENTICATED' &&
    pattern.test(error.message);
}

describe('console sessions', () => {
  let admins: AdminDirectoryOptions['admins'];

  before(async () => {
    admins = {
      erin: {
        email: 'erin@example.com',
        roles: ['admin'],
        groups: [],
        passwordHash: await hashAdminCredential('erin-first-password'),
      },
    };
  });

  test('changing or removing the password ends the sessions signed in before', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const sessions = sessionsWith(clock);
    const before = new AdminDirectory({ admins });
    const account = before.account('erin');
    assert.ok(account);
    assert.equal(typeof account.passwordFingerprint, 'string');
    assert.equal(JSON.stringify(account).includes(admins.erin!.passwordHash!), false, 'not the hash itself');
    const { cookie } = sessions.issue(account);
    assert.equal(sessions.open(cookie, (name) => before.account(name)).principal.name, 'erin');

    const changed = new AdminDirectory({
      admins: { erin: { ...admins.erin!, passwordHash: await hashAdminCredential('erin-second-password') } },
    });
    assert.throws(
      () => sessions.open(cookie, (name) => changed.account(name)),
      endedWith(/password changed/),
    );

    const { passwordHash: _removed, ...withoutPassword } = admins.erin!;
    const removed = new AdminDirectory({ admins: { erin: withoutPassword } });
    assert.equal(removed.account('erin')?.passwordFingerprint, null);
    assert.throws(
      () => sessions.open(cookie, (name) => removed.account(name)),
      endedWith(/password changed/),
    );
    assert.throws(() => sessions.open(cookie, () => null), endedWith(/removed/));
    assert.equal(new AdminDirectory({ admins }).account('nobody'), null);
  });

  test('a background request does not renew the idle timer; a request a person makes does', async () => {
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const sessions = sessionsWith(clock);
    const directory = new AdminDirectory({ admins });
    const lookup = (name: string): SessionAccount | null => directory.account(name);
    const { cookie } = sessions.issue(directory.account('erin')!);

    for (let minute = 0; minute < 29; minute += 1) {
      clock.advance(60_000);
      const polled = sessions.open(cookie, lookup, { renew: false });
      assert.equal(polled.renewedCookie, null, 'polling never renews');
    }
    clock.advance(60_000);
    assert.throws(() => sessions.open(cookie, lookup, { renew: false }), endedWith(/inactivity/));

    const second = sessions.issue(directory.account('erin')!).cookie;
    clock.advance(20 * 60_000);
    const used = sessions.open(second, lookup);
    assert.ok(used.renewedCookie, 'a request a person made renews');
    clock.advance(20 * 60_000);
    assert.equal(sessions.open(used.renewedCookie, lookup).principal.name, 'erin');
  });

  test('the cookie is named __Host-warden_admin when Secure, warden_admin otherwise', () => {
    assert.equal(consoleCookieName(true), '__Host-warden_admin');
    assert.equal(SECURE_CONSOLE_COOKIE_NAME, '__Host-warden_admin');
    assert.equal(consoleCookieName(false), 'warden_admin');
    assert.equal(CONSOLE_COOKIE_NAME, 'warden_admin');
  });
});
