import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { publicAgent, verifySecret } from '../../src/identity/index.js';
import type { ConfigAgent } from '../../src/identity/index.js';
import type { AuditEntryRecord } from '../../src/store/index.js';
import { ACTOR, STORE_KINDS, allStrings, createAgent, openHarness, rejectsWith } from './harness.js';
import type { Harness } from './harness.js';

const AGENT_EVENTS = [
  'agent-created',
  'agent-updated',
  'agent-secret-rotated',
  'agent-suspended',
  'agent-resumed',
];

async function agentEntries(harness: Harness): Promise<AuditEntryRecord[]> {
  return (await harness.entries()).filter((entry) => AGENT_EVENTS.includes(entry.type));
}

/** Asserts no audit entry holds any of `secrets` or any stored secret hash. */
async function assertNoSecretsInAudit(harness: Harness, secrets: string[]): Promise<void> {
  const hashes = (await harness.store.agents.list())
    .map((agent) => agent.secretHash)
    .filter((hash) => hash !== null);
  const text = allStrings(await harness.entries()).join('\n');
  for (const value of [...secrets, ...hashes])
    assert.ok(!text.includes(value), 'a secret or hash is in the audit log');
  assert.ok(!/scrypt\$/.test(text), 'a hash is in the audit log');
}

for (const kind of STORE_KINDS) {
  describe(`agents (${kind})`, () => {
    test('create returns the secret once, stores only its hash and records agent-created', async (t) => {
      const harness = await openHarness(t, kind);
      const { agent, secret } = await harness.agents.create({
        name: 'support-bot',
        owner: 'lan.nguyen@example.com',
        roles: ['support'],
        clearance: 'internal',
        description: 'answers customer tickets',
        actor: ACTOR,
      });
      assert.match(agent.id, /^agt_/);
      assert.match(secret, /^wsec_/);
      assert.equal(agent.status, 'active');
      assert.equal(agent.source, 'cli');
      assert.equal(agent.secretVersion, 1);
      const stored = await harness.store.agents.getByName('support-bot');
      assert.ok(stored?.secretHash?.startsWith('scrypt$16384$8$1$') === true);
      assert.equal(await verifySecret(secret, stored.secretHash), true);
      if (harness.path !== null) {
        const bytes = Buffer.concat(
          await Promise.all(
            ['', '-wal'].map((suffix) => readFile(`${harness.path}${suffix}`).catch(() => Buffer.alloc(0))),
          ),
        );
        assert.ok(bytes.includes('support-bot'));
        assert.ok(
          !bytes.includes(secret) && !bytes.includes(secret.slice(5)),
          'the plaintext secret is in the database',
        );
      } else {
        const rows = JSON.stringify(await harness.raw.execGuarded('SELECT * FROM agents'));
        assert.ok(rows.includes('support-bot') && !rows.includes(secret.slice(5)));
      }

      const [entry] = await agentEntries(harness);
      assert.equal(entry?.type, 'agent-created');
      assert.equal(entry.actor, ACTOR);
      assert.equal(entry.subject, 'agent:support-bot');
      assert.deepEqual(entry.detail.roles, ['support']);
      await assertNoSecretsInAudit(harness, [secret]);
    });

    test('a duplicate name is refused with WARDEN_AGENT_EXISTS and records nothing', async (t) => {
      const harness = await openHarness(t, kind);
      await createAgent(harness);
      const before = (await harness.entries()).length;
      await assert.rejects(
        createAgent(harness),
        rejectsWith(
          'WARDEN_AGENT_EXISTS',
          /an agent named "support-bot" already exists; see it with `warden agents show support-bot`/,
        ),
      );
      assert.equal((await harness.entries()).length, before);
    });

    const invalid: [string, Record<string, unknown>, RegExp][] = [
      [
        'an undefined role',
        { roles: ['admin'] },
        /role "admin" of agent "x-bot" is not defined in the config \(defined: support, finance, research\)/,
      ],
      ['no role', { roles: [] }, /needs at least one role; defined roles: support, finance, research/],
      [
        'an unknown clearance',
        { clearance: 'top-secret' },
        /clearance "top-secret" of agent "x-bot" is not a data class \(defined: public, internal, confidential, restricted\)/,
      ],
      [
        'an owner that is not an email',
        { owner: 'lan' },
        /owner "lan" of agent "x-bot" is not an email address/,
      ],
      ['a bad name', { name: 'X Bot' }, /agent name "X Bot" is not valid: use 1 to 64 lower-case letters/],
    ];
    for (const [label, change, message] of invalid) {
      test(`an agent with ${label} is refused with WARDEN_AGENT_INVALID and a helpful message`, async (t) => {
        const harness = await openHarness(t, kind);
        const before = (await harness.entries()).length;
        await assert.rejects(
          harness.agents.create({
            name: 'x-bot',
            owner: 'owner@example.com',
            roles: ['support'],
            clearance: 'internal',
            actor: ACTOR,
            ...change,
          }),
          rejectsWith('WARDEN_AGENT_INVALID', message),
        );
        assert.equal((await harness.entries()).length, before);
        assert.deepEqual(await harness.agents.list(), []);
      });
    }

    test('get of an unknown agent says to run warden agents list', async (t) => {
      const harness = await openHarness(t, kind);
      await assert.rejects(
        harness.agents.get('nobody'),
        rejectsWith('WARDEN_AGENT_NOT_FOUND', /there is no agent named "nobody"; run `warden agents list`/),
      );
    });

    test('list returns every agent by name', async (t) => {
      const harness = await openHarness(t, kind);
      await createAgent(harness, 'zeta-bot');
      await createAgent(harness, 'alpha-bot');
      assert.deepEqual(
        (await harness.agents.list()).map((agent) => agent.name),
        ['alpha-bot', 'zeta-bot'],
      );
    });

    test('publicAgent drops the secret hash and says whether a secret exists', async (t) => {
      const harness = await openHarness(t, kind);
      await createAgent(harness);
      const view = publicAgent(await harness.agents.get('support-bot'));
      assert.ok(!('secretHash' in view));
      assert.equal(view.hasSecret, true);
      assert.ok(!JSON.stringify(view).includes('scrypt$'));
    });

    test('rotateSecret issues a new secret, increments the secret version and records agent-secret-rotated', async (t) => {
      const harness = await openHarness(t, kind);
      const { secret: old } = await createAgent(harness);
      harness.clock.advance(60_000);
      const { agent, secret } = await harness.agents.rotateSecret('support-bot', ACTOR);
      assert.notEqual(secret, old);
      assert.equal(agent.secretVersion, 2);
      assert.equal(agent.secretRotatedAt, '2026-03-01T12:01:00.000Z');
      const stored = (await harness.store.agents.getByName('support-bot'))!;
      assert.equal(await verifySecret(secret, stored.secretHash!), true);
      assert.equal(await verifySecret(old, stored.secretHash!), false);
      const entries = await agentEntries(harness);
      assert.deepEqual(
        entries.map((entry) => entry.type),
        ['agent-created', 'agent-secret-rotated'],
      );
      assert.equal(entries[1]!.detail.secretVersion, 2);
      assert.equal(entries[1]!.subject, 'agent:support-bot');
      await assertNoSecretsInAudit(harness, [old, secret]);
    });

    test('two rotations at once: one applies, the other is refused with WARDEN_STORE_CONFLICT', async (t) => {
      const harness = await openHarness(t, kind);
      await createAgent(harness);
      const results = await Promise.allSettled([
        harness.agents.rotateSecret('support-bot', ACTOR),
        harness.agents.rotateSecret('support-bot', ACTOR),
      ]);
      const applied = results.filter((result) => result.status === 'fulfilled');
      const refused = results.filter((result) => result.status === 'rejected');
      assert.equal(applied.length, 1);
      assert.equal(refused.length, 1);
      assert.equal((refused[0] as PromiseRejectedResult).reason.code, 'WARDEN_STORE_CONFLICT');
      const stored = (await harness.store.agents.getByName('support-bot'))!;
      const { secret } = (applied[0] as PromiseFulfilledResult<{ secret: string }>).value;
      assert.equal(stored.secretVersion, 2);
      assert.equal(
        await verifySecret(secret, stored.secretHash!),
        true,
        'the stored hash is the applied secret',
      );
    });

    test('suspend needs a reason, records agent-suspended with it, and resume lifts it', async (t) => {
      const harness = await openHarness(t, kind);
      await createAgent(harness);
      await assert.rejects(
        harness.agents.suspend('support-bot', { actor: ACTOR, reason: '  ' }),
        rejectsWith('WARDEN_AGENT_INVALID', /needs a reason/),
      );
      const suspended = await harness.agents.suspend('support-bot', {
        actor: 'admin:alice',
        reason: 'incident 42',
      });
      assert.equal(suspended.status, 'suspended');
      assert.equal(suspended.suspendedReason, 'incident 42');
      assert.equal(suspended.suspendedBy, 'admin:alice');
      assert.equal(suspended.suspendedAt, '2026-03-01T12:00:00.000Z');
      const resumed = await harness.agents.resume('support-bot', { actor: 'admin:alice' });
      assert.equal(resumed.status, 'active');
      assert.equal(resumed.suspendedReason, null);
      const again = await harness.agents.resume('support-bot', { actor: 'admin:alice' });
      assert.equal(again.status, 'active', 'resuming an active agent changes nothing');
      const entries = await agentEntries(harness);
      assert.deepEqual(
        entries.map((entry) => entry.type),
        ['agent-created', 'agent-suspended', 'agent-resumed'],
      );
      assert.equal(entries[1]!.actor, 'admin:alice');
      assert.equal(entries[1]!.detail.reason, 'incident 42');
      assert.equal(entries[2]!.subject, 'agent:support-bot');
    });

    test('a resume reason is recorded with agent-resumed; an over-long one is refused', async (t) => {
      const harness = await openHarness(t, kind);
      await createAgent(harness);
      await harness.agents.suspend('support-bot', { actor: ACTOR, reason: 'incident 43' });
      await assert.rejects(
        harness.agents.resume('support-bot', { actor: ACTOR, reason: 'x'.repeat(1001) }),
        rejectsWith('WARDEN_AGENT_INVALID', /at most 1000 characters/),
      );
      assert.equal((await harness.agents.get('support-bot')).status, 'suspended', 'nothing changed');
      const resumed = await harness.agents.resume('support-bot', {
        actor: 'admin:alice',
        reason: '  false alarm, see ticket 7  ',
      });
      assert.equal(resumed.status, 'active');
      const entries = await agentEntries(harness);
      const resumedEntry = entries.find((entry) => entry.type === 'agent-resumed');
      assert.equal(resumedEntry?.detail.reason, 'false alarm, see ticket 7');
      assert.equal(resumedEntry?.detail.suspendedReason, 'incident 43');
    });

    test('an action whose audit record fails is not applied', async (t) => {
      const harness = await openHarness(t, kind);
      await createAgent(harness);
      await harness.audit.close();
      await assert.rejects(
        harness.agents.suspend('support-bot', { actor: ACTOR, reason: 'x' }),
        rejectsWith('WARDEN_SHUTTING_DOWN'),
      );
      assert.equal((await harness.agents.get('support-bot')).status, 'active');
      await assert.rejects(
        harness.agents.rotateSecret('support-bot', ACTOR),
        rejectsWith('WARDEN_SHUTTING_DOWN'),
      );
      assert.equal((await harness.agents.get('support-bot')).secretVersion, 1);
    });
  });

  describe(`syncFromConfig (${kind})`, () => {
    const config: Record<string, ConfigAgent> = {
      'support-bot': { owner: 'lan.nguyen@example.com', roles: ['support'], clearance: 'internal' },
      'finance-bot': {
        owner: 'ada@example.com',
        roles: ['finance'],
        clearance: 'confidential',
        description: 'books invoices',
        secret: 'finance-secret-from-config-0123456789',
      },
    };

    test('creates the config agents once; a second run changes and records nothing', async (t) => {
      const harness = await openHarness(t, kind);
      const first = await harness.agents.syncFromConfig(config, 'system');
      assert.deepEqual(first, {
        created: ['support-bot', 'finance-bot'],
        updated: [],
        secretsSet: ['finance-bot'],
      });
      const before = await harness.entries();
      const second = await harness.replica().agents.syncFromConfig(config, 'system');
      assert.deepEqual(second, { created: [], updated: [], secretsSet: [] });
      assert.equal((await harness.entries()).length, before.length);

      const support = await harness.agents.get('support-bot');
      assert.equal(support.source, 'config');
      assert.equal(support.secretHash, null);
      const finance = await harness.agents.get('finance-bot');
      assert.equal(await verifySecret(config['finance-bot']!.secret!, finance.secretHash!), true);
      assert.deepEqual(
        (await agentEntries(harness)).map((entry) => [entry.type, entry.subject, entry.actor]),
        [
          ['agent-created', 'agent:support-bot', 'system'],
          ['agent-created', 'agent:finance-bot', 'system'],
        ],
      );
      await assertNoSecretsInAudit(harness, [config['finance-bot']!.secret!]);
    });

    test('updates changed fields with agent-updated holding before and after, and never deletes', async (t) => {
      const harness = await openHarness(t, kind);
      await harness.agents.syncFromConfig(config, 'system');
      await createAgent(harness, 'cli-bot');
      const changed: Record<string, ConfigAgent> = {
        'support-bot': {
          owner: 'kim@example.com',
          roles: ['support', 'research'],
          clearance: 'internal',
          description: 'new',
        },
        'finance-bot': config['finance-bot']!,
      };
      const result = await harness.agents.syncFromConfig(changed, 'system');
      assert.deepEqual(result, { created: [], updated: ['support-bot'], secretsSet: [] });
      const support = await harness.agents.get('support-bot');
      assert.equal(support.owner, 'kim@example.com');
      assert.deepEqual(support.roles, ['support', 'research']);
      assert.equal(support.description, 'new');
      const updated = (await agentEntries(harness)).filter((entry) => entry.type === 'agent-updated');
      assert.equal(updated.length, 1);
      assert.deepEqual(updated[0]!.detail.before, {
        owner: 'lan.nguyen@example.com',
        roles: ['support'],
        description: null,
      });
      assert.deepEqual(updated[0]!.detail.after, {
        owner: 'kim@example.com',
        roles: ['support', 'research'],
        description: 'new',
      });
      assert.deepEqual(
        (await harness.agents.list()).map((agent) => agent.name),
        ['cli-bot', 'finance-bot', 'support-bot'],
      );
    });

    test('a changed config secret replaces the hash and bumps the secret version', async (t) => {
      const harness = await openHarness(t, kind);
      await harness.agents.syncFromConfig(config, 'system');
      const newSecret = 'another-finance-secret-0123456789';
      const result = await harness.agents.syncFromConfig(
        { ...config, 'finance-bot': { ...config['finance-bot']!, secret: newSecret } },
        'system',
      );
      assert.deepEqual(result, { created: [], updated: [], secretsSet: ['finance-bot'] });
      const finance = await harness.agents.get('finance-bot');
      assert.equal(finance.secretVersion, 2);
      assert.equal(await verifySecret(newSecret, finance.secretHash!), true);
      const rotated = (await agentEntries(harness)).filter((entry) => entry.type === 'agent-secret-rotated');
      assert.equal(rotated.length, 1);
      assert.equal(rotated[0]!.detail.origin, 'config');
      await assertNoSecretsInAudit(harness, [newSecret, config['finance-bot']!.secret!]);
    });

    test('a config agent with an undefined role or a short secret is refused', async (t) => {
      const harness = await openHarness(t, kind);
      await assert.rejects(
        harness.agents.syncFromConfig(
          { 'x-bot': { owner: 'a@example.com', roles: ['ops'], clearance: 'public' } },
          'system',
        ),
        rejectsWith('WARDEN_AGENT_INVALID', /role "ops" of agent "x-bot" is not defined/),
      );
      await assert.rejects(
        harness.agents.syncFromConfig(
          { 'x-bot': { owner: 'a@example.com', roles: ['support'], clearance: 'public', secret: 'short' } },
          'system',
        ),
        rejectsWith('WARDEN_AGENT_INVALID', /shorter than 16 characters/),
      );
      assert.deepEqual(await harness.agents.list(), []);
    });

    test('one invalid config agent among valid ones changes nothing', async (t) => {
      const harness = await openHarness(t, kind);
      const before = (await harness.entries()).length;
      await assert.rejects(
        harness.agents.syncFromConfig(
          { ...config, 'z-bot': { owner: 'a@example.com', roles: ['support'], clearance: 'secret' } },
          'system',
        ),
        rejectsWith('WARDEN_AGENT_INVALID', /clearance "secret" of agent "z-bot" is not a data class/),
      );
      assert.deepEqual(await harness.agents.list(), []);
      assert.equal((await harness.entries()).length, before);
    });
  });
}
