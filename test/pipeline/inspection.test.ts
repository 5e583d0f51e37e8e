/**
 * Content inspection in the pipeline, with the real detectors and scorer, the example policies and
 * the demo upstreams: results redacted to the agent's clearance, reversible tokens restored on the
 * way back, findings seen by policy and audited without values, injections neutralized or blocked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/index.js';
import type { ToolCallOutcome } from '../../src/pipeline/index.js';
import { openGatewayHarness, textOf } from './harness.js';
import type { GatewayHarness } from './harness.js';

const CCCD = '079190012345'; // c-1001's national id in the demo CRM

describe('content inspection in the tool-call pipeline', () => {
  let harness: GatewayHarness;

  before(async () => {
    harness = await openGatewayHarness({
      extraAgentsYaml: [
        '  auditor-bot:',
        '    owner: lan.nguyen@example.com',
        '    roles: [support]',
        '    clearance: restricted',
      ].join('\n'),
      extraServersYaml: '',
      extraYaml: [
        'inspection:',
        '  results:',
        '    restricted: tokenize',
        '  injection:',
        '    action: neutralize',
        'approvals:',
        '  wait: 0s',
      ].join('\n'),
    });
  });

  after(async () => {
    await harness.close();
  });

  const call = async (
    agent: string,
    tool: string,
    args: JsonObject,
    session = harness.session(),
  ): Promise<ToolCallOutcome> =>
    harness.gateway.pipeline.callTool({
      caller: await harness.caller(agent),
      session,
      toolName: tool,
      arguments: args,
      clientIp: '127.0.0.1',
      requestId: `inspection-${Math.random().toString(36).slice(2)}`,
    });

  const text = (outcome: ToolCallOutcome): string => {
    assert.equal(outcome.kind, 'result', outcome.kind === 'refused' ? outcome.error.message : '');
    return outcome.kind === 'result' ? textOf(outcome.result) : '';
  };

  test('a value above the agent clearance never reaches it; within its clearance it passes', async () => {
    const shown = text(await call('support-bot', 'crm__read_customer', { id: 'c-1001' }));
    assert.ok(!shown.includes(CCCD), 'the CCCD (restricted) is hidden from a confidential agent');
    assert.match(shown, /\[\[VN_CCCD_[0-9a-f]{8}\]\]|\[VN_CCCD\]/);
    assert.match(shown, /lananh\.nguyen@example\.com/, 'an email (confidential) is within its clearance');
  });

  test('a token passed back is restored for the tool, and policy sees what it carries', async () => {
    const session = harness.session();
    const shown = text(await call('support-bot', 'crm__read_customer', { id: 'c-1001' }, session));
    const token = /\[\[VN_CCCD_[0-9a-f]{8}\]\]/.exec(shown)?.[0];
    assert.ok(token !== undefined, shown);
    // Mailing the token to a colleague: it is restored first, so the guard sees restricted data.
    const mailed = await call(
      'support-bot',
      'mail__send_email',
      { to: 'hoa.tran@example.com', subject: 'Hồ sơ', body: `CCCD: ${token}` },
      session,
    );
    assert.equal(mailed.kind, 'refused');
    if (mailed.kind === 'refused') {
      assert.equal(mailed.error.code, 'WARDEN_POLICY_DENIED');
      assert.match(mailed.error.message, /no-restricted-data-outside/);
      assert.ok(!mailed.error.message.includes(CCCD));
    }
    // Another session's token means nothing here.
    const elsewhere = await call(
      'support-bot',
      'mail__send_email',
      { to: 'hoa.tran@example.com', subject: 'Hồ sơ', body: `CCCD: ${token}` },
      harness.session(),
    );
    assert.equal(elsewhere.kind, 'result', 'an unknown token is plain text: nothing restricted is sent');
    const audit = JSON.stringify(await harness.audit());
    assert.ok(!audit.includes(CCCD), 'the audit log never holds the value');
    assert.match(audit, /"vn_cccd",1/);
  });

  test('an injection in untrusted mail is wrapped as data and labels the session', async () => {
    const session = harness.session();
    const shown = text(await call('research-bot', 'mail__read_inbox', { limit: 10 }, session));
    assert.match(shown, /^<untrusted-data source="tool:mail__read_inbox">/);
    assert.match(shown, /not instructions/);
    assert.ok(!shown.includes('<!-- assistant'), 'hidden HTML comments are stripped');
    assert.equal(harness.gateway.sessions.get(session.id)?.labels.untrusted, true);
    const [completed] = (await harness.audit(['tool-call-completed'])).slice(-1);
    assert.equal(completed?.detail.injection, true);
  });

  test('an ordinary customer record is not taken for an injection', async () => {
    const shown = text(await call('auditor-bot', 'crm__read_customer', { id: 'c-1002' }));
    assert.doesNotMatch(shown, /untrusted-data/);
    assert.doesNotThrow(() => JSON.parse(shown.replaceAll(/\[\[[A-Z_]+_[0-9a-f]{8}\]\]/g, 'x')));
  });
});
