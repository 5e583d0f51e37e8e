/**
 * The lockdown is enforced by itself, not only through each agent's status: an agent a lockdown could
 * not suspend (store error), or one created while it ran, is refused by token issuance and
 * verification; running the lockdown again completes it; an unreadable state refuses everyone; a lift
 * stops when a newer lockdown starts, which takes over the agents still suspended by the older one.
 */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AgentService, LockdownGate, TokenService } from '../../src/identity/index.js';
import type { AuditRecorder } from '../../src/audit/index.js';
import { newId } from '../../src/core/index.js';
import type { AgentRecord, AgentStore, MetaStore } from '../../src/store/index.js';
import {
  ACTOR,
  AUDIENCE,
  DATA_CLASSES,
  ISSUER,
  LIFETIME_SECONDS,
  ROLES,
  STORE_KINDS,
  TOLERANCE_SECONDS,
  createAgent,
  openHarness,
  rejectsWith,
} from './harness.js';
import type { Harness } from './harness.js';

function service(
  harness: Harness,
  overrides: { store?: AgentStore; audit?: AuditRecorder; meta?: MetaStore } = {},
): AgentService {
  return new AgentService({
    store: overrides.store ?? harness.store.agents,
    audit: overrides.audit ?? harness.audit,
    clock: harness.clock,
    dataClasses: DATA_CLASSES,
    roles: ROLES,
    meta: overrides.meta ?? harness.store.meta,
  });
}

function tokensWith(harness: Harness, agents: AgentService): TokenService {
  return new TokenService({
    agents: harness.store.agents,
    keys: harness.keys,
    audit: harness.audit,
    clock: harness.clock,
    issuer: ISSUER,
    audience: AUDIENCE,
    lifetimeSeconds: LIFETIME_SECONDS,
    clockToleranceSeconds: TOLERANCE_SECONDS,
    lockdown: agents.lockdownGate,
  });
}

/** An agent store whose updates of `failing` throw (a store error) while `failing.on` is true. */
function flakyStore(
  inner: AgentStore,
  failing: { id: string | null; on: boolean },
  onList?: () => Promise<void>,
): AgentStore {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'update') {
        return async (...args: Parameters<AgentStore['update']>) => {
          if (failing.on && args[0] === failing.id) throw new Error('disk I/O error');
          return target.update(...args);
        };
      }
      if (property === 'list' && onList !== undefined) {
        return async () => {
          const listed = await target.list();
          await onList();
          return listed;
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

for (const kind of STORE_KINDS) {
  describe(`lockdown enforced by itself (${kind})`, () => {
    test('an agent the lockdown failed to suspend is refused anyway, and re-running completes it', async (t) => {
      const harness = await openHarness(t, kind);
      const plain = service(harness);
      const support = await createAgent({ agents: plain }, 'support-bot');
      const finance = await createAgent({ agents: plain }, 'finance-bot');
      const research = await createAgent({ agents: plain }, 'research-bot');
      const failing = { id: finance.id, on: true };
      const agents = service(harness, { store: flakyStore(harness.store.agents, failing) });
      const tokens = tokensWith(harness, agents);
      const financeToken = (await tokens.issue({ clientId: finance.name, clientSecret: finance.secret }))
        .accessToken;

      const result = await agents.lockdown({ actor: ACTOR, reason: 'incident 5', except: ['research-bot'] });
      assert.deepEqual(result.suspended, [support.name]);
      assert.deepEqual(
        result.failed.map((failure) => failure.agent),
        ['finance-bot'],
      );
      assert.equal((await plain.get('finance-bot')).status, 'active');

      // Still active in the store, but refused everywhere while the lockdown is in force.
      await assert.rejects(
        tokens.issue({ clientId: finance.name, clientSecret: finance.secret }),
        rejectsWith('WARDEN_AGENT_SUSPENDED', /lockdown lck_\w+.*incident 5.*warden lockdown --lift/),
      );
      await assert.rejects(tokens.verify(financeToken), rejectsWith('WARDEN_AGENT_SUSPENDED', /lockdown/));
      // The excepted agent goes on.
      await tokens.issue({ clientId: research.name, clientSecret: research.secret });

      // Running it again (the store works now) suspends what is left instead of refusing.
      failing.on = false;
      const again = await service(harness).lockdown({ actor: ACTOR, reason: 'retry' });
      assert.equal(again.alreadyInForce, true);
      assert.equal(again.lockdown, result.lockdown);
      assert.deepEqual(again.suspended, ['finance-bot']);
      assert.deepEqual(again.failed, []);
      assert.match((await plain.get('finance-bot')).suspendedReason ?? '', /incident 5$/);

      // Once lifted, the gate lets agents through again (after the lift, in this process at once).
      await agents.liftLockdown({ actor: ACTOR });
      await tokens.issue({ clientId: support.name, clientSecret: support.secret });
    });

    test('an agent created while the lockdown lists agents is caught by its second look', async (t) => {
      const harness = await openHarness(t, kind);
      const plain = service(harness);
      await createAgent({ agents: plain }, 'support-bot');
      let raced = false;
      const agents = service(harness, {
        store: flakyStore(harness.store.agents, { id: null, on: false }, async () => {
          if (raced) return;
          raced = true;
          // A create that checked for a lockdown before it started lands after the first listing.
          const now = harness.clock.now();
          const iso = new Date(now).toISOString();
          const record: AgentRecord = {
            id: newId('agt'),
            name: 'late-bot',
            owner: 'lan.nguyen@example.com',
            roles: ['support'],
            clearance: 'internal',
            description: null,
            status: 'active',
            suspendedReason: null,
            suspendedBy: null,
            suspendedAt: null,
            secretHash: null,
            secretVersion: 0,
            secretRotatedAt: null,
            source: 'cli',
            createdAt: iso,
            updatedAt: iso,
          };
          await harness.store.agents.create(record);
        }),
      });
      const result = await agents.lockdown({ actor: ACTOR, reason: 'incident 6' });
      assert.deepEqual(result.suspended.sort(), ['late-bot', 'support-bot']);
      assert.equal((await plain.get('late-bot')).status, 'suspended');
    });

    test('an unreadable lockdown state refuses everyone (fail closed)', async (t) => {
      const harness = await openHarness(t, kind);
      const plain = service(harness);
      const support = await createAgent({ agents: plain }, 'support-bot');
      let broken = false;
      const meta: MetaStore = {
        get: async (key) => {
          if (broken) throw new Error('connection reset');
          return harness.store.meta.get(key);
        },
        setIfAbsent: (key, value) => harness.store.meta.setIfAbsent(key, value),
      };
      const agents = service(harness, { meta });
      const tokens = tokensWith(harness, agents);
      await tokens.issue({ clientId: support.name, clientSecret: support.secret });
      broken = true;
      agents.lockdownGate.invalidate();
      await assert.rejects(
        tokens.issue({ clientId: support.name, clientSecret: support.secret }),
        rejectsWith('WARDEN_STORE_UNAVAILABLE', /lockdown/),
      );
      const gate = new LockdownGate({ meta });
      assert.equal((await gate.refusal('support-bot'))?.code, 'WARDEN_STORE_UNAVAILABLE');
      assert.equal(gate.blocksNow('support-bot'), true);
    });

    test('a lift stops when a newer lockdown starts; the newer one takes over the agents still suspended', async (t) => {
      const harness = await openHarness(t, kind);
      const plain = service(harness);
      for (const name of ['a-bot', 'b-bot', 'c-bot']) await createAgent({ agents: plain }, name);
      const first = await plain.lockdown({ actor: ACTOR, reason: 'first' });
      assert.equal(first.suspended.length, 3);
      const other = service(harness, { audit: harness.replica().audit });
      let second: Awaited<ReturnType<AgentService['lockdown']>> | null = null;
      const audit: AuditRecorder = {
        record: async (event) => {
          const recorded = await harness.audit.record(event);
          if (event.type === 'agent-resumed' && second === null) {
            // Another operator starts a new lockdown while this lift is under way.
            second = await other.lockdown({ actor: 'cli:other', reason: 'second' });
          }
          return recorded;
        },
      };
      const lifter = service(harness, { audit });
      const lifted = await lifter.liftLockdown({ actor: ACTOR });
      assert.ok(second !== null);
      const secondId = (second as { lockdown: string }).lockdown;
      assert.equal(lifted.interruptedBy, secondId);
      // Every agent is suspended by the second lockdown, including the one the lift was resuming.
      for (const agent of await plain.list()) {
        assert.equal(agent.status, 'suspended', agent.name);
        assert.match(agent.suspendedReason ?? '', new RegExp(`^lockdown ${secondId}: second$`), agent.name);
      }
      // Lifting the second resumes them all.
      const liftedSecond = await plain.liftLockdown({ actor: ACTOR });
      assert.deepEqual(liftedSecond.resumed.sort(), ['a-bot', 'b-bot', 'c-bot']);
    });
  });
}
