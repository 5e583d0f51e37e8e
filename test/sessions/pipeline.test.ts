import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JsonObject } from '../../src/core/index.js';
import type { CallSession, ToolCallOutcome } from '../../src/pipeline/index.js';
import { openGatewayHarness } from '../pipeline/harness.js';
import type { GatewayHarness } from '../pipeline/harness.js';
import { ASSISTANT, EXFILTRATION_EMAIL, HARMLESS_EMAIL, TRIFECTA_OPTIONS } from './fixture.js';

describe('session labels in the pipeline', () => {
  let harness: GatewayHarness;

  before(async () => {
    harness = await openGatewayHarness(TRIFECTA_OPTIONS);
  });
  after(async () => {
    await harness?.close();
  });

  let requests = 0;
  const call = async (
    session: CallSession,
    tool: string,
    args: JsonObject,
    options: { agent?: string; task?: string } = {},
  ): Promise<ToolCallOutcome> =>
    harness.gateway.pipeline.callTool({
      caller: await harness.caller(options.agent ?? ASSISTANT),
      session,
      toolName: tool,
      arguments: args,
      clientIp: '127.0.0.1',
      requestId: `sessions-${(requests += 1)}`,
      ...(options.task === undefined ? {} : { meta: { 'warden/taskId': options.task } }),
    });

  const ok = (outcome: ToolCallOutcome): void =>
    assert.equal(outcome.kind, 'result', outcome.kind === 'refused' ? outcome.error.message : '');
  const refused = (outcome: ToolCallOutcome, code: string, pattern?: RegExp): void => {
    assert.equal(outcome.kind, 'refused');
    if (outcome.kind !== 'refused') return;
    assert.equal(outcome.error.code, code, outcome.error.message);
    if (pattern !== undefined) assert.match(outcome.error.message, pattern);
  };

  test('labels grow call by call: classification, untrusted, counts and bytes', async () => {
    const session = harness.session();
    ok(await call(session, 'files__read_file', { path: 'welcome.txt' }));
    let summary = harness.gateway.sessions.get(session.id);
    assert.equal(summary?.agent, ASSISTANT);
    assert.equal(summary?.labels.maxClassification, 'internal');
    assert.equal(summary?.labels.untrusted, false);
    assert.ok((summary?.labels.bytesRead ?? 0) > 0);
    ok(await call(session, 'mail__read_inbox', { limit: 2 }));
    ok(await call(session, 'crm__read_customer', { id: 'c-1001' }));
    summary = harness.gateway.sessions.get(session.id);
    assert.equal(summary?.labels.untrusted, true);
    assert.equal(summary?.labels.maxClassification, 'confidential');
    assert.deepEqual(summary?.labels.riskCounts, { read: 3 });
    assert.deepEqual(summary?.labels.toolCounts, {
      files__read_file: 1,
      mail__read_inbox: 1,
      crm__read_customer: 1,
    });
    assert.deepEqual(
      summary?.recentCalls.map((recent) => recent.tool),
      ['files__read_file', 'mail__read_inbox', 'crm__read_customer'],
    );
  });

  test('the exfiltration sequence is stopped: untrusted mail, then restricted data, then an outside email', async () => {
    const session = harness.session();
    ok(await call(session, 'mail__read_inbox', { limit: 5 }));
    ok(await call(session, 'crm__export_customers', {}));
    refused(
      await call(session, 'mail__send_email', EXFILTRATION_EMAIL),
      'WARDEN_POLICY_DENIED',
      /trifecta-restricted-stays-inside/,
    );
    // nothing reached the mail server
    const sent = (await harness.audit(['tool-call-completed'])).filter(
      (entry) => entry.session === session.id && entry.subject === 'tool:mail__send_email',
    );
    assert.deepEqual(sent, []);
    const denied = (await harness.audit(['tool-call-denied'])).at(-1);
    assert.deepEqual(denied?.policyIds, ['trifecta-restricted-stays-inside']);
    assert.deepEqual(denied?.detail.labels, { untrusted: true, maxClassification: 'restricted' });
  });

  test('untrusted content alone sends an email for approval; the harmless sequence goes through', async () => {
    const untrusted = harness.session();
    ok(await call(untrusted, 'mail__read_inbox', { limit: 1 }));
    refused(
      await call(untrusted, 'mail__send_email', HARMLESS_EMAIL),
      'WARDEN_APPROVAL_PENDING',
      /untrusted content/,
    );

    const harmless = harness.session();
    ok(await call(harmless, 'crm__read_customer', { id: 'c-1001' }));
    ok(await call(harmless, 'mail__send_email', HARMLESS_EMAIL));
    const completed = (await harness.audit(['tool-call-completed'])).at(-1);
    assert.equal(completed?.subject, 'tool:mail__send_email');
    assert.deepEqual(completed?.detail.labels, { untrusted: false, maxClassification: 'confidential' });
  });

  test('risk counts reach policy: a third email in a session needs approval', async () => {
    const session = harness.session();
    const email = { ...HARMLESS_EMAIL, subject: 'Báo cáo tuần' };
    ok(await call(session, 'mail__send_email', email));
    ok(await call(session, 'mail__send_email', email));
    refused(await call(session, 'mail__send_email', email), 'WARDEN_APPROVAL_PENDING', /third email/);
  });

  test('a task carries its labels into another session; the same session without the task is clean', async () => {
    const task = `ticket-${Date.now()}`;
    const reader = harness.session();
    ok(await call(reader, 'crm__export_customers', {}, { task }));

    const sender = harness.session();
    refused(
      await call(sender, 'mail__send_email', EXFILTRATION_EMAIL, { task }),
      'WARDEN_POLICY_DENIED',
      /trifecta-restricted-stays-inside/,
    );
    const intent = (await harness.audit(['tool-call-denied'])).at(-1);
    assert.deepEqual(intent?.detail.labels, { untrusted: false, maxClassification: 'restricted', task });
    ok(await call(sender, 'mail__send_email', HARMLESS_EMAIL));

    // the reading session stays marked, with or without the task
    refused(await call(reader, 'mail__send_email', HARMLESS_EMAIL), 'WARDEN_POLICY_DENIED');
    assert.equal(
      harness.gateway.sessions.get(`task:${ASSISTANT}:${task}`)?.labels.maxClassification,
      'restricted',
    );
  });

  test('ending a session drops its labels', async () => {
    const session = harness.session();
    ok(await call(session, 'crm__export_customers', {}));
    harness.gateway.pipeline.endSession(session.id);
    assert.equal(harness.gateway.sessions.get(session.id), null);
  });

  test('a malformed task id is refused before anything runs', async () => {
    const session = harness.session();
    refused(
      await call(session, 'files__read_file', { path: 'welcome.txt' }, { task: 'has spaces' }),
      'WARDEN_TASK_ID_INVALID',
    );
    const refusal = (await harness.audit(['tool-call-refused'])).at(-1);
    assert.equal(refusal?.detail.code, 'WARDEN_TASK_ID_INVALID');
    assert.equal(refusal?.detail.stage, 'labels');
  });

  test('untrusted output is labelled even for tools whose result inspection finds nothing', async () => {
    const session = harness.session();
    ok(await call(session, 'mail__read_inbox', { limit: 1 }, { agent: 'research-bot' }));
    assert.equal(harness.gateway.sessions.get(session.id)?.labels.untrusted, true);
    const completed = (await harness.audit(['tool-call-completed'])).at(-1);
    assert.deepEqual(completed?.detail.labels, { untrusted: true, maxClassification: 'internal' });
  });
});
