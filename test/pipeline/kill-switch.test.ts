/**
 * The pipeline's suspension stage and the kill switch: a lockdown in force refuses a non-excepted agent
 * even when its own status is still active (a suspension that failed), tools/list shows it nothing, and
 * a call whose session already ended is refused without creating label state for the dead session.
 */
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { openGatewayHarness } from './harness.js';
import type { GatewayHarness } from './harness.js';

describe('pipeline and the kill switch', () => {
  let harness: GatewayHarness;

  before(async () => {
    // Only the support policies, so policy work elsewhere cannot interfere.
    const support = await readFile(new URL('../../examples/policies/support.cedar', import.meta.url), 'utf8');
    harness = await openGatewayHarness({
      noExamplePolicies: true,
      extraPolicies: { 'support.cedar': support },
    });
  });
  after(async () => {
    await harness.close();
  });

  test('a lockdown in force refuses an agent whose own status is still active', async () => {
    const { warden, gateway } = harness;
    const caller = await harness.caller('support-bot');
    const session = harness.session();
    assert.ok(gateway.pipeline.listTools(caller, session).length > 0);
    const started = await warden.agents.lockdown({
      actor: 'cli:test',
      reason: 'incident 77',
      except: ['finance-bot'],
    });
    try {
      // As if its suspension had failed: the agent is active again in the store.
      const suspended = await warden.store.agents.getByName('support-bot');
      await warden.store.agents.update(suspended!.id, {
        status: 'active',
        suspendedReason: null,
        suspendedBy: null,
        suspendedAt: null,
      });
      const outcome = await gateway.pipeline.callTool({
        caller: await harness.caller('support-bot'),
        session,
        toolName: 'crm__read_customer',
        arguments: { id: 'c-1001' },
        clientIp: null,
        requestId: 'req-lockdown',
      });
      assert.equal(outcome.kind, 'refused');
      if (outcome.kind !== 'refused') return;
      assert.equal(outcome.error.code, 'WARDEN_AGENT_SUSPENDED');
      assert.match(outcome.error.message, new RegExp(`lockdown ${started.lockdown}.*incident 77.*--lift`));
      assert.deepEqual(gateway.pipeline.listTools(await harness.caller('support-bot'), session), []);
    } finally {
      await warden.agents.liftLockdown({ actor: 'cli:test' });
    }
  });

  test('a call whose session already ended is refused and leaves no session labels', async () => {
    const controller = new AbortController();
    controller.abort();
    const session = harness.session('ended-session');
    const outcome = await harness.gateway.pipeline.callTool({
      caller: await harness.caller('support-bot'),
      session,
      toolName: 'crm__read_customer',
      arguments: { id: 'c-1001' },
      clientIp: null,
      requestId: 'req-ended',
      signal: controller.signal,
    });
    assert.equal(outcome.kind, 'refused');
    if (outcome.kind !== 'refused') return;
    assert.equal(outcome.error.code, 'WARDEN_SESSION_ENDED');
    assert.equal(harness.gateway.sessions.get('ended-session'), null);
  });
});
