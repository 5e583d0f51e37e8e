/**
 * Lockdown and the suspension watch on a real store: every agent suspended at once except those named,
 * the lockdown held in the store (so another process sees it and new agents come up suspended), and a
 * lift that resumes only what the lockdown suspended.
 */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AgentService } from '../../src/identity/index.js';
import type { AgentRecord } from '../../src/store/index.js';
import { ACTOR, DATA_CLASSES, ROLES, STORE_KINDS, createAgent, openHarness, rejectsWith } from './harness.js';
import type { Harness } from './harness.js';

/** An agent service with the lockdown state in store.meta, as openWarden wires it; `replica` as another process. */
function lockdownService(harness: Harness, replica = false): AgentService {
  const audit = replica ? harness.replica().audit : harness.audit;
  return new AgentService({
    store: harness.store.agents,
    audit,
    clock: harness.clock,
    dataClasses: DATA_CLASSES,
    roles: ROLES,
    meta: harness.store.meta,
  });
}

async function statuses(harness: Harness): Promise<Record<string, string>> {
  return Object.fromEntries((await harness.store.agents.list()).map((agent) => [agent.name, agent.status]));
}

for (const kind of STORE_KINDS) {
  // A per-suite timeout, so a hang names the test that hung rather than failing the whole file.
  describe(`lockdown (${kind})`, { timeout: 60_000 }, () => {
    test('suspends every active agent but the excepted, records it, and lift resumes exactly those', async (t) => {
      const harness = await openHarness(t, kind);
      const agents = lockdownService(harness);
      for (const name of ['support-bot', 'finance-bot', 'research-bot', 'ops-bot'])
        await createAgent({ agents }, name);
      // Suspended for another reason before the lockdown: must stay suspended after the lift.
      await agents.suspend('ops-bot', { actor: ACTOR, reason: 'key leaked' });

      const started = await agents.lockdown({
        actor: ACTOR,
        reason: 'incident 42',
        except: ['research-bot'],
      });
      assert.deepEqual(started.suspended.sort(), ['finance-bot', 'support-bot']);
      assert.deepEqual(await statuses(harness), {
        'finance-bot': 'suspended',
        'ops-bot': 'suspended',
        'research-bot': 'active',
        'support-bot': 'suspended',
      });
      const finance = await agents.get('finance-bot');
      assert.match(finance.suspendedReason ?? '', /^lockdown lck_\w+: incident 42$/);

      // Another process sees the lockdown.
      const state = await lockdownService(harness, true).lockdownState();
      assert.equal(state.active, true);
      assert.equal(state.reason, 'incident 42');
      assert.equal(state.by, ACTOR);
      assert.deepEqual(state.except, ['research-bot']);
      assert.ok(state.since !== null);

      // Suspended during the lockdown for another reason: stays suspended after the lift.
      await agents.suspend('support-bot', { actor: 'monitor:spike', reason: 'quarantined by monitor' });

      const lifted = await lockdownService(harness, true).liftLockdown({ actor: 'cli:bob' });
      assert.deepEqual(lifted.resumed, ['finance-bot']);
      assert.deepEqual(await statuses(harness), {
        'finance-bot': 'active',
        'ops-bot': 'suspended',
        'research-bot': 'active',
        'support-bot': 'suspended',
      });
      assert.equal((await agents.lockdownState()).active, false);

      const entries = await harness.entries();
      const types = entries.map((entry) => entry.type);
      assert.ok(types.includes('lockdown-started'));
      assert.ok(types.includes('lockdown-lifted'));
      const startedEntry = entries.find((entry) => entry.type === 'lockdown-started')!;
      assert.equal(startedEntry.actor, ACTOR);
      assert.deepEqual(startedEntry.detail.except, ['research-bot']);
      const lockdownSuspensions = entries.filter(
        (entry) => entry.type === 'agent-suspended' && typeof entry.detail.lockdown === 'string',
      );
      assert.deepEqual(lockdownSuspensions.map((entry) => entry.subject).sort(), [
        'agent:finance-bot',
        'agent:support-bot',
      ]);
      const resumedEntries = entries.filter((entry) => entry.type === 'agent-resumed');
      assert.deepEqual(
        resumedEntries.map((entry) => entry.subject),
        ['agent:finance-bot'],
      );
      // The lockdown-started entry comes before the suspensions it caused (record before act).
      assert.ok(startedEntry.seq < Math.min(...lockdownSuspensions.map((entry) => entry.seq)));
    });

    test('agents created or synced from config during a lockdown come up suspended, unless excepted', async (t) => {
      const harness = await openHarness(t, kind);
      const agents = lockdownService(harness);
      await createAgent({ agents }, 'support-bot');
      await agents.lockdown({ actor: ACTOR, reason: 'incident 7', except: ['support-bot'] });

      const created = await agents.create({
        name: 'late-bot',
        owner: 'lan.nguyen@example.com',
        roles: ['support'],
        clearance: 'internal',
        actor: ACTOR,
      });
      assert.equal(created.agent.status, 'suspended');
      const synced = await lockdownService(harness, true).syncFromConfig(
        { 'config-bot': { owner: 'minh.tran@example.com', roles: ['finance'], clearance: 'restricted' } },
        'system',
      );
      assert.deepEqual(synced.created, ['config-bot']);
      assert.equal((await agents.get('config-bot')).status, 'suspended');
      assert.equal((await agents.get('support-bot')).status, 'active');
      const createdEntry = (await harness.entries()).find(
        (entry) => entry.type === 'agent-created' && entry.subject === 'agent:config-bot',
      );
      assert.equal(createdEntry?.detail.status, 'suspended');

      const lifted = await agents.liftLockdown({ actor: ACTOR });
      assert.deepEqual(lifted.resumed.sort(), ['config-bot', 'late-bot']);
      // After the lift, new agents are active again.
      const after = await agents.create({
        name: 'after-bot',
        owner: 'lan.nguyen@example.com',
        roles: ['support'],
        clearance: 'internal',
        actor: ACTOR,
      });
      assert.equal(after.agent.status, 'active');
    });

    test('bad input changes nothing: unknown --except name, missing reason, a second lockdown', async (t) => {
      const harness = await openHarness(t, kind);
      const agents = lockdownService(harness);
      await createAgent({ agents }, 'support-bot');
      await assert.rejects(
        agents.lockdown({ actor: ACTOR, reason: 'incident', except: ['no-such-bot'] }),
        rejectsWith('WARDEN_AGENT_NOT_FOUND', /no-such-bot/),
      );
      await assert.rejects(
        agents.lockdown({ actor: ACTOR, reason: '  ' }),
        rejectsWith('WARDEN_AGENT_INVALID', /reason/),
      );
      assert.equal((await agents.lockdownState()).active, false);
      assert.equal((await agents.get('support-bot')).status, 'active');
      assert.ok(!(await harness.entries()).some((entry) => entry.type === 'lockdown-started'));

      const first = await agents.lockdown({ actor: ACTOR, reason: 'first' });
      // Running it again completes the lockdown in force (nothing left to do here) instead of refusing.
      const second = await lockdownService(harness, true).lockdown({ actor: ACTOR, reason: 'second' });
      assert.deepEqual(second, { suspended: [], failed: [], lockdown: first.lockdown, alreadyInForce: true });
      assert.equal((await agents.lockdownState()).reason, 'first');
      // Lifting twice: the second does nothing and records nothing.
      await agents.liftLockdown({ actor: ACTOR });
      const count = (await harness.entries()).length;
      assert.deepEqual(await agents.liftLockdown({ actor: ACTOR }), { resumed: [] });
      assert.equal((await harness.entries()).length, count);
      // A new lockdown after a lift works (the next generation in the store).
      const again = await agents.lockdown({ actor: ACTOR, reason: 'third' });
      assert.deepEqual(again.suspended, ['support-bot']);
      assert.equal((await lockdownService(harness, true).lockdownState()).reason, 'third');
    });

    test('the suspension watch tells of agents suspended by another process, once', async (t) => {
      const harness = await openHarness(t, kind);
      const server = lockdownService(harness);
      const other = lockdownService(harness, true);
      await createAgent({ agents: other }, 'support-bot');
      await createAgent({ agents: other }, 'finance-bot');
      const told: AgentRecord[] = [];
      server.onSuspended((agent) => told.push(agent));
      await server.pollSuspensions(); // learns the state
      await other.suspend('support-bot', { actor: ACTOR, reason: 'incident 9' });
      await server.pollSuspensions();
      await server.pollSuspensions();
      assert.deepEqual(
        told.map((agent) => [agent.name, agent.suspendedReason]),
        [['support-bot', 'incident 9']],
      );
      // A suspension made through this service is told at once, and not again by the watch.
      await server.suspend('finance-bot', { actor: ACTOR, reason: 'here' });
      await server.pollSuspensions();
      assert.deepEqual(
        told.map((agent) => agent.name),
        ['support-bot', 'finance-bot'],
      );
      // Resumed then suspended again elsewhere: told again.
      await other.resume('support-bot', { actor: ACTOR });
      await server.pollSuspensions();
      await other.suspend('support-bot', { actor: ACTOR, reason: 'again' });
      await server.pollSuspensions();
      assert.deepEqual(
        told.map((agent) => agent.name),
        ['support-bot', 'finance-bot', 'support-bot'],
      );
    });
  });
}
